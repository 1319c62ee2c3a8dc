// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The port a failsh's DNS front-end chose for `-listen 127.0.0.1:0`, as its log reports
// it ("dns: serving on 127.0.0.1:41234 udp+tcp", failsh(8)).
#pragma once

#include <cstdlib>
#include <string>

#include "harness.hh"

namespace fail::test {

// The port of the first "serving on 127.0.0.1:PORT" line of `log`; 0 when there is none.
inline int servingPortIn(const std::string& log) {
  const std::string marker = "serving on 127.0.0.1:";
  size_t at = log.find(marker);
  return at == std::string::npos ? 0 : std::atoi(log.c_str() + at + marker.size());
}

// Waits (kDeadline) for a started failsh to log its DNS port; 0 if it never does.
inline int dnsPortOf(const Daemon& failsh) {
  int port = 0;
  eventually([&] { return (port = servingPortIn(failsh.log())) > 0; });
  return port;
}

}  // namespace fail::test
