// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// unbound as a recursive resolver in front of a test's DNS server: started by the test
// on 127.0.0.1 at a port it chose, in a folder of its own, in the foreground, stopped by
// PID (Child). It reaches one zone through a stub-zone to 127.0.0.1@stubPort
// (doc/traps.md: `do-not-query-localhost: no`, and `domain-insecure` since the test zone has
// no trust anchor; `local-zone: "test." nodefault` for the zone's top label, since unbound
// answers RFC 6761's test. and invalid. itself); its root hints name only loopback, so
// nothing leaves the machine.
// unbound counts TTLs in whole seconds and serves an entry during its last second: wait
// TTL + 1 s before expecting a changed answer through it.
#pragma once

#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>

#include "peers.hh"

namespace fail::test {

inline constexpr const char* kUnbound = "/usr/sbin/unbound";

inline std::string unboundConf(const std::string& dir, int port, const std::string& zone, int stubPort) {
  std::string p = std::to_string(port);
  return "server:\n"
         "  interface: 127.0.0.1\n  port: " + p + "\n"
         "  do-ip6: no\n  do-daemonize: no\n  use-systemd: no\n  username: \"\"\n  chroot: \"\"\n"
         "  directory: \"" + dir + "\"\n  pidfile: \"\"\n  logfile: \"\"\n  use-syslog: no\n"
         "  verbosity: 1\n  log-time-ascii: yes\n  num-threads: 1\n"
         "  access-control: 127.0.0.0/8 allow\n"
         "  do-not-query-localhost: no\n"
         "  module-config: \"iterator\"\n"
         "  qname-minimisation: no\n"
         "  root-hints: \"" + dir + "/root.hints\"\n"
         "  domain-insecure: \"" + zone + "\"\n"
         "  local-zone: \"" + zone.substr(zone.rfind('.') + 1) + ".\" nodefault\n"
         "stub-zone:\n  name: \"" + zone + "\"\n  stub-addr: 127.0.0.1@" + std::to_string(stubPort) + "\n"
         "remote-control:\n  control-enable: no\n";
}

// Starts unbound on 127.0.0.1:port from `dir`, resolving `zone` through 127.0.0.1:stubPort.
// Ready when it accepts TCP on its port. nullptr with *why when unbound is missing or
// does not start.
inline std::unique_ptr<Child> startUnbound(const std::string& dir, int port, const std::string& zone, int stubPort,
                                           std::string* why) {
  if (::access(kUnbound, X_OK) != 0) {
    *why = "unbound is not installed";
    return nullptr;
  }
  std::ofstream(dir + "/root.hints") << ". 3600000 NS a.root.loopback.\na.root.loopback. 3600000 A 127.0.0.1\n";
  std::ofstream(dir + "/unbound.conf") << unboundConf(dir, port, zone, stubPort);
  std::string log = dir + "/unbound.log";
  auto child = std::make_unique<Child>(std::vector<std::string>{kUnbound, "-d", "-c", dir + "/unbound.conf"}, log);
  if (!child->waitFor([&] { return tcpConnects(port); })) {
    *why = "unbound did not start:\n" + readAll(log);
    return nullptr;
  }
  return child;
}

}  // namespace fail::test
