// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "metrics/process.hh"

#include <unistd.h>

#include <fstream>

#include "base/time.hh"

namespace fail::metrics {

void addProcessMetrics(Registry& reg, const std::string& program, const std::string& version) {
  reg.gauge("failover_build_info", "Always 1: the program and its version as labels.", {"program", "version"})
      .with({program, version})
      .set(1);
  reg.gauge("process_start_time_seconds", "When the process started, in seconds since the epoch.")
      .get()
      .set(static_cast<double>(wallNow()) / 1e6);
  auto& rss = reg.gauge("process_resident_memory_bytes", "Resident memory of the process, in bytes.").get();
  reg.onCollect([&rss] {
    std::ifstream statm("/proc/self/statm");
    unsigned long long size = 0, resident = 0;
    if (statm >> size >> resident) rss.set(static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE)));
  });
}

}  // namespace fail::metrics
