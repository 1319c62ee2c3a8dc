// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// GET /metrics on a daemon's HTTP server: the one way faild, hc and failsh serve their
// registry (doc/metrics.md), with the process's own figures added.
#pragma once

#include <string>

#include "http/server.hh"
#include "metrics/registry.hh"

namespace fail::http {

// Adds the process metrics of `program` to `reg` (metrics/process.hh) and answers
// GET /metrics with `reg` in Prometheus's text format. `reg` must outlive `web`'s routes.
void serveMetrics(Server& web, metrics::Registry& reg, const std::string& program);

}  // namespace fail::http
