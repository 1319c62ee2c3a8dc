// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// dig (bind9-dnsutils) and kdig (knot-dnsutils) run by tests against a DNS server on
// loopback, their output read back: the status, the header flags and the answer lines.
// Both print the header as ";; ->>HEADER<<- opcode: QUERY, status: NOERROR" (kdig with
// ';' between the fields) and the flags as ";; flags: qr aa" (kdig: ";; Flags:").
#pragma once

#include <unistd.h>

#include <string>
#include <vector>

#include "harness.hh"

namespace fail::test {

inline constexpr const char* kDig = "/usr/bin/dig";
inline constexpr const char* kKdig = "/usr/bin/kdig";

inline bool haveProgram(const char* path) { return ::access(path, X_OK) == 0; }

struct DigResult {
  int exit = -1;
  std::string out;     // stdout, the whole answer as dig prints it
  std::string status;  // "NOERROR", "NXDOMAIN", "BADVERS", ... ("" when there was no answer)
  std::string flags;   // "qr aa rd" as printed
  bool flag(const std::string& f) const { return (" " + flags + " ").find(" " + f + " ") != std::string::npos; }
  bool has(const std::string& text) const { return out.find(text) != std::string::npos; }
};

inline std::string wordAfter(const std::string& text, const std::string& marker, const std::string& stops) {
  size_t at = text.find(marker);
  if (at == std::string::npos) return "";
  at += marker.size();
  size_t end = text.find_first_of(stops, at);
  return text.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

// Runs dig or kdig (`program`) against 127.0.0.1:port with one try and a short timeout,
// then `args` ("www.example.test", "AAAA", "+norec", "-b", "127.0.0.2", ...).
inline DigResult runDig(int port, std::vector<std::string> args, const char* program = kDig) {
  std::vector<std::string> all = {"@127.0.0.1", "-p", std::to_string(port), "+tries=1", "+time=5"};
  if (std::string(program) == kKdig) all = {"@127.0.0.1", "-p", std::to_string(port), "+retry=0", "+timeout=5"};
  all.insert(all.end(), args.begin(), args.end());
  RunResult r = runProgram(program, all);
  DigResult d;
  d.exit = r.status;
  d.out = r.out + r.err;
  d.status = wordAfter(d.out, "status: ", ",;\n");
  d.flags = wordAfter(d.out, ";; flags: ", ";\n");
  if (d.flags.empty()) d.flags = wordAfter(d.out, ";; Flags: ", ";\n");
  return d;
}

// The lines of `+short` output.
inline std::vector<std::string> digShort(int port, std::vector<std::string> args, const char* program = kDig) {
  args.push_back("+short");
  DigResult d = runDig(port, std::move(args), program);
  std::vector<std::string> lines;
  size_t at = 0;
  while (at < d.out.size()) {
    size_t nl = d.out.find('\n', at);
    if (nl == std::string::npos) nl = d.out.size();
    if (nl > at && d.out[at] != ';') lines.push_back(d.out.substr(at, nl - at));
    at = nl + 1;
  }
  return lines;
}

}  // namespace fail::test
