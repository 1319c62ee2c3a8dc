// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// What every daemon's /metrics says about the process itself, under the names
// Prometheus's own client libraries use: process_start_time_seconds,
// process_resident_memory_bytes, and failover_build_info{program,version} (always 1).
#pragma once

#include <string>

#include "metrics/registry.hh"

namespace fail::metrics {

// Registers them in `reg`; the start time is the wall clock at this call (made at
// start-up), the memory is read from /proc/self/statm at each collection.
void addProcessMetrics(Registry& reg, const std::string& program, const std::string& version);

}  // namespace fail::metrics
