// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "client/session.hh"

#include <nlohmann/json.hpp>
#include <ostream>

#include "base/version.hh"
#include "proto/list.hh"

namespace fail::client {

Exit exitForCode(std::string_view code) {
  if (code == "NOTFOUND") return Exit::NotFound;
  if (code == "DENIED" || code == "NEEDAUTH") return Exit::Denied;
  return Exit::Failed;
}

Failure replyFailure(std::string_view what, const std::string& where, const Reply& reply) {
  Failure f;
  f.exit = exitForCode(reply.code);
  f.code = reply.code;
  f.message = std::string(what) + " at " + where + ": " + reply.code;
  if (!reply.message.empty()) f.message += ": " + reply.message;
  if (reply.code == "NEEDAUTH")
    f.message += " (give a secret with -s, --secret-file or FAIL_SECRET)";
  return f;
}

int report(std::ostream& err, std::string_view program, const Failure& f, bool json) {
  if (json) {
    std::string code = f.code;
    if (code.empty()) {
      constexpr const char* kByExit[] = {"OK", "NOTFOUND", "USAGE", "DENIED", "UNREACHABLE", "FAILED"};
      code = kByExit[static_cast<int>(f.exit)];
    }
    nlohmann::json j = {{"error", f.message}, {"code", code}, {"exit", static_cast<int>(f.exit)}, {"program", program}};
    err << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    err << program << ": " << f.message << "\n";
  }
  err.flush();
  return static_cast<int>(f.exit);
}

Session::Session(const ClientOptions& opts, Target target, std::string client)
    : opts_(opts),
      target_(std::move(target)),
      client_(std::move(client)),
      where_(target_.display()) {}

Failure Session::lost(const std::string& why) const {
  return Failure{Exit::Unreachable, "connection to " + where_ + " lost: " + why};
}

bool Session::open(Failure& f) {
  std::string err;
  if (!conn_.open(target_, opts_.tls, opts_.timeoutMs, err)) {
    f = {Exit::Unreachable, "cannot connect to " + where_ + ": " + err};
    return false;
  }
  Reply reply;
  if (!exchange({"HELLO", client_, kVersion}, reply, f)) return false;
  if (reply.ok) {
    hello_ = reply.words;
  } else if (reply.code != "UNKNOWN") {
    f = replyFailure("HELLO", where_, reply);
    return false;
  }
  if (!opts_.secret.empty()) {
    if (!request({"AUTH", opts_.secret}, "AUTH", reply, f)) return false;
    auth_ = reply.words;
  }
  return true;
}

bool Session::sendLine(const std::vector<std::string>& words, Failure& f) {
  std::string err;
  if (!conn_.sendLine(proto::encodeList(words), opts_.timeoutMs, err)) {
    f = lost(err);
    return false;
  }
  return true;
}

IoStatus Session::readLine(std::string& line, std::int64_t timeoutMs, Failure& f) {
  std::string err;
  IoStatus st = conn_.readLine(line, timeoutMs, err);
  switch (st) {
    case IoStatus::Ok:
    case IoStatus::Interrupted:
      break;
    case IoStatus::Closed:
      f = lost("closed by the server");
      break;
    case IoStatus::Timeout:
    case IoStatus::Error:
      f = lost(err);
      break;
  }
  return st;
}

bool Session::exchange(const std::vector<std::string>& words, Reply& reply, Failure& f) {
  if (!sendLine(words, f)) return false;
  std::string line;
  IoStatus st = readLine(line, opts_.timeoutMs, f);
  if (st == IoStatus::Interrupted) f = {Exit::Unreachable, "interrupted"};
  if (st != IoStatus::Ok) return false;
  std::string err;
  if (!parseReply(line, reply, err)) {
    f = {Exit::Failed, words.empty() ? err : words[0] + " at " + where_ + ": " + err};
    return false;
  }
  return true;
}

bool Session::request(const std::vector<std::string>& words, std::string_view what, Reply& reply,
                      Failure& f) {
  if (!exchange(words, reply, f)) return false;
  if (!reply.ok) {
    f = replyFailure(what, where_, reply);
    return false;
  }
  return true;
}

}  // namespace fail::client
