// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// faild's /metrics (doc/metrics.md): what it reads from the protocol server, the HTTP
// server, the store, the journal and the history writer each time Prometheus scrapes.
// Nothing is counted twice: every figure is one faild already keeps (STATS,
// ServerCounters, StoreCounters, the journal's sync times, the writer's lag), copied in
// at collection time.
#pragma once

#include "history/writer.hh"
#include "http/server.hh"
#include "metrics/registry.hh"
#include "server/server.hh"
#include "state/store.hh"

namespace fail {

// Registers faild's metrics in `reg`; the sources must outlive it. `hist` (no history
// database) and `web` (no HTTP server) may be null.
void addFaildMetrics(metrics::Registry& reg, server::Server& srv, const state::Store& store,
                     const history::Writer* hist, const http::Server* web);

}  // namespace fail
