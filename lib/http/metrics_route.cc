// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "http/metrics_route.hh"

#include "base/version.hh"
#include "metrics/process.hh"

namespace fail::http {

void serveMetrics(Server& web, metrics::Registry& reg, const std::string& program) {
  metrics::addProcessMetrics(reg, program, kVersion);
  web.handle("GET", "/metrics", [&reg](const Request&) {
    return Response{200, metrics::Registry::kContentType, reg.render(), {}};
  });
}

}  // namespace fail::http
