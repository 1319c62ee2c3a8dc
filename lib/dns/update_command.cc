// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/update_command.hh"

#include <arpa/inet.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "base/text.hh"
#include "base/time.hh"
#include "client/session.hh"
#include "dns/name.hh"
#include "dns/tsig_key.hh"
#include "dns/tsig_sign.hh"
#include "dns/update_client.hh"
#include "dns/update_msg.hh"
#include "ev/loop.hh"

namespace fail::dns {
namespace {

using client::Exit;
using client::Failure;
constexpr const char* kProgram = "failc";

// What the command line asks for, checked.
struct UpdateLine {
  net::Address server;
  std::string zone;
  TsigKey key;
  RrsetChange change;
};

bool usage(Failure& f, const std::string& msg) {
  f = {Exit::Usage, msg};
  return false;
}

bool isAddress(const std::string& text, int family) {
  unsigned char buf[16];
  return inet_pton(family, text.c_str(), buf) == 1;
}

bool addresses(const std::vector<std::string>& in, std::uint16_t type, const char* what, std::vector<std::string>& out,
               Failure& f) {
  int family = type == kTypeAaaa ? AF_INET6 : AF_INET;
  for (const auto& a : in) {
    if (!isAddress(a, family))
      return usage(f, std::string(what) + ": '" + printable(a, 60) + "' is not an " +
                          (family == AF_INET ? "IPv4" : "IPv6") + " address, as " +
                          (type == kTypeAaaa ? "AAAA" : "A") + " records hold");
    out.push_back(a);
  }
  return true;
}

bool readLine(const client::ParsedArgs& args, UpdateLine& u, Failure& f) {
  const auto& ops = args.operands;  // "update" NAME TYPE ADDRESS...
  auto server = args.last("server"), zone = args.last("zone"), keyFile = args.last("tsig-file");
  if (!server || !zone || !keyFile) return usage(f, "update needs --server, --zone and --tsig-file");
  std::string err;
  std::string host;
  std::uint16_t port = 0;
  if (!net::splitHostPort(*server, host, port, 53) || !(isAddress(host, AF_INET) || isAddress(host, AF_INET6)))
    return usage(f, "--server: '" + printable(*server, 60) + "': want a numeric ADDRESS[:PORT]");
  auto addr = net::resolve(host, port, &err);
  if (!addr) return usage(f, "--server: " + err);
  u.server = *addr;
  if (!parseName(*zone, u.zone, &err)) return usage(f, "--zone: " + err);
  if (!parseName(ops[1], u.change.name, &err)) return usage(f, "update NAME: " + err);
  if (!inZone(u.change.name, u.zone))
    return usage(f, "update NAME: '" + u.change.name + "' is not inside the zone '" + u.zone + "'");
  std::string type = ops[2];
  for (char& c : type) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (type != "A" && type != "AAAA") return usage(f, "update TYPE: '" + printable(ops[2], 20) + "': want A or AAAA");
  u.change.type = type == "A" ? kTypeA : kTypeAaaa;
  if (!addresses({ops.begin() + 3, ops.end()}, u.change.type, "update ADDRESS", u.change.records, f)) return false;
  std::vector<std::string> expect = args.all("expect");
  if (!expect.empty()) {
    u.change.expect.emplace();
    if (!(expect.size() == 1 && expect[0] == "none") &&
        !addresses(expect, u.change.type, "--expect", *u.change.expect, f))
      return false;
  }
  if (auto ttl = args.last("ttl")) {
    auto ms = parseDurationMs(*ttl);
    if (!ms || *ms < 0 || *ms % 1000 || *ms / 1000 > 2147483647)
      return usage(f, "--ttl: '" + printable(*ttl, 20) + "': want whole seconds (60, 30s, 5m)");
    u.change.ttl = static_cast<std::uint32_t>(*ms / 1000);
  }
  if (!readTsigKeyFile(*keyFile, u.key, &err)) return usage(f, "--tsig-file: " + err);
  return true;
}

// Runs one exchange on `loop` to its end.
Result exchange(ev::Loop& loop, UpdateClient& client, const net::Address& server, Request req,
                std::chrono::milliseconds deadline) {
  std::optional<Result> out;
  ExchangeOptions o;
  o.deadline = deadline;
  o.readSerial = true;  // an UPDATE's NOERROR is followed by the zone's SOA serial
  client.send(server, std::move(req), o, [&](const Result& r) {
    out = r;
    loop.stop();
  });
  while (!out) loop.run();
  return *out;
}

Exit exitFor(const Result& r) {
  if (r.timedOut || !r.answered) return Exit::Unreachable;
  if (r.rcode == kNotAuth || r.rcode == kRefused || r.tsigError) return Exit::Denied;
  return Exit::Failed;
}

}  // namespace

int runFailcUpdate(const client::ParsedArgs& args, std::ostream& out, std::ostream& err) {
  const bool json = args.opts.json;
  Failure f;
  UpdateLine u;
  if (!readLine(args, u, f)) return client::report(err, kProgram, f, json);
  std::string why;
  auto req = Request::update(u.zone, {u.change}, &u.key, &why);
  if (!req) return client::report(err, kProgram, {Exit::Usage, why}, json);
  std::chrono::milliseconds deadline(args.opts.timeoutMs > 0 ? args.opts.timeoutMs : 5000);
  ev::Loop loop;
  UpdateClient client(loop);
  Result r = exchange(loop, client, u.server, std::move(*req), deadline);
  std::string what = "update " + u.change.name + " at " + u.server.text();
  if (!r.ok()) {
    std::string code = r.status();
    if (r.tsigError) code += " " + tsigErrorName(r.tsigError);
    Failure bad{exitFor(r), what + ": " + (r.error.empty() ? r.status() : r.error), code};
    return client::report(err, kProgram, bad, json);
  }
  std::optional<std::uint32_t> serial = r.soaSerial;
  if (json) {
    nlohmann::ordered_json j = {{"rcode", r.status()},
                                {"serial", serial ? nlohmann::ordered_json(*serial) : nlohmann::ordered_json()},
                                {"server", r.server},
                                {"transport", transportName(r.transport)},
                                {"ms", r.elapsed.count()}};
    out << j.dump() << "\n";
  } else {
    out << r.status() << (serial ? " serial " + std::to_string(*serial) : std::string()) << " ("
        << transportName(r.transport) << ", " << r.elapsed.count() << " ms)\n";
  }
  out.flush();
  return 0;
}

}  // namespace fail::dns
