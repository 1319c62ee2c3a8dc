// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// faild's /metrics (doc/metrics.md): what it reads from the protocol server, the HTTP
// server and API, the store, the journal and the history writer and reader each time
// Prometheus scrapes.
// Nothing is counted twice: every figure is one faild already keeps (STATS,
// ServerCounters, StoreCounters, the journal's sync times, the writer's lag), copied in
// at collection time.
#pragma once

#include "api/api.hh"
#include "history/reader.hh"
#include "history/writer.hh"
#include "http/server.hh"
#include "metrics/registry.hh"
#include "server/server.hh"
#include "state/store.hh"

namespace fail::api {

// What faild's metrics are read from; each must outlive the registry. Those that faild
// may run without are null then: no history database (writer, reader), --no-http (web,
// api).
struct FaildSources {
  server::Server* srv = nullptr;
  const state::Store* store = nullptr;
  const history::Writer* writer = nullptr;
  const history::Reader* reader = nullptr;
  const http::Server* web = nullptr;
  const api::Api* api = nullptr;
};

// Registers faild's metrics in `reg`.
void addFaildMetrics(metrics::Registry& reg, const FaildSources& from);

}  // namespace fail::api
