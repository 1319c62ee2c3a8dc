// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "shell/policy_reader.hh"

#include <cstdlib>

#include "base/time.hh"

namespace fail::shell {

bool isPolicyReader() {
  const char* v = std::getenv("FAILSH_POLICY_READER");
  return v && *v;
}

spawn::Options policyReader(const ShellOptions& opts) {
  spawn::Options o;
  o.argv = {"/proc/self/exe", "--check-config", "--monitor", "none", "--limit",
            std::to_string(opts.limit.count()) + "ms", "-f", opts.file};
  if (opts.safe) o.argv.push_back("--safe");
  if (!opts.notifyDb.empty()) {  // -t checks that the queue can be opened
    o.argv.push_back("--notify-db");
    o.argv.push_back(opts.notifyDb);
  }
  for (const HostSpec& h : opts.hosts) {
    std::string addr = h.address.find(':') != std::string::npos ? "[" + h.address + "]" : h.address;
    o.argv.push_back("--allow-host");
    o.argv.push_back(h.name + "=" + addr + ":" + h.port);
  }
  o.env = {"FAILSH_POLICY_READER=1"};
  o.limits.addressSpace = kReaderAddressSpace;
  o.limits.stack = kReaderStack;
  auto wall = opts.limit + kReaderSlack;
  // One second more CPU than wall time: a busy child is then ended by the wall timeout
  // (one clear "timed out"), RLIMIT_CPU staying a backstop.
  o.limits.cpuSeconds = static_cast<std::uint64_t>((wall.count() + 999) / 1000) + 1;
  o.timeout = wall;
  o.maxOutput = 1u << 20;
  return o;
}

std::string readerError(const spawn::Result& r, const ShellOptions& opts) {
  if (r.ok()) return "";
  std::string err = r.err;
  while (!err.empty() && err.back() == '\n') err.pop_back();
  size_t own = err.rfind("failsh: ", 0) == 0 ? 0 : err.find("\nfailsh: ");
  if (r.end == spawn::Result::End::Exited && r.code == 1 && own != std::string::npos)
    return err.substr(own == 0 ? 8 : own + 9);  // the child's own report: "FILE: message\nerrorInfo"
  std::string why = opts.file + ": reading the policy in a child process (limits: " +
                    std::to_string(kReaderAddressSpace >> 20) + " MiB of memory, " +
                    std::to_string(kReaderStack >> 20) + " MiB of stack, " +
                    formatDurationMs((opts.limit + kReaderSlack).count()) + " of time) failed: " + r.describe();
  if (!err.empty()) why += ": " + err.substr(err.rfind('\n') == std::string::npos ? 0 : err.rfind('\n') + 1);
  return why;
}

}  // namespace fail::shell
