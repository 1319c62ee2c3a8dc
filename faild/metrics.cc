// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "faild/metrics.hh"

#include <charconv>
#include <map>
#include <string>
#include <vector>

#include "proto/list.hh"
#include "proto/values.hh"

namespace fail {
namespace {

// The STATS dict as numbers (clients and watchers have no accessor of their own).
std::map<std::string, double> statsOf(const server::Server& srv) {
  std::vector<std::string> words;
  std::map<std::string, double> out;
  if (!proto::splitList(srv.stats(), words)) return out;
  for (size_t i = 0; i + 1 < words.size(); i += 2) {
    std::uint64_t v = 0;
    const std::string& w = words[i + 1];
    if (std::from_chars(w.data(), w.data() + w.size(), v).ec == std::errc()) out[words[i]] = static_cast<double>(v);
  }
  return out;
}

}  // namespace

void addFaildMetrics(metrics::Registry& reg, server::Server& srv, const state::Store& store,
                     const history::Writer* hist) {
  using State = proto::State;
  auto* records = &reg.gauge("failover_records", "Records held, by state.", {"state"});
  for (State s : {State::Up, State::Recover, State::Fail, State::Unknown}) records->with({proto::stateName(s)});
  auto* serial = & reg.gauge("failover_serial", "The last published serial.").get();
  auto* changes = & reg.counter("failover_changes_total", "Changes (state or note) made durable and published.").get();
  auto* refreshes = & reg.counter("failover_refreshes_total", "Refreshes: a SET repeating state and note.").get();
  auto* deletes = & reg.counter("failover_deletes_total", "Records deleted.").get();
  auto* expiries = & reg.counter("failover_expiries_total", "Records whose ttl ran out (now UNKNOWN).").get();
  auto* compactions = & reg.counter("failover_compactions_total", "Compactions of the state file.").get();
  auto* storageErrors = &
      reg.counter("failover_storage_errors_total", "Changes that failed to be written or synced.").get();
  auto* pending = & reg.gauge("failover_pending_changes", "Changes waiting for their fdatasync.").get();
  auto* connections = & reg.gauge("failover_connections", "Protocol clients connected now.").get();
  auto* watchers = & reg.gauge("failover_watchers", "Protocol clients watching (WATCH) now.").get();
  struct Row {
    std::uint64_t server::ServerCounters::*field;
    metrics::Counter* counter;
  };
  std::vector<Row> rows;
  auto row = [&](std::uint64_t server::ServerCounters::*field, const char* name, const char* help) {
    rows.push_back({field, &reg.counter(name, help).get()});
  };
  row(&server::ServerCounters::connections, "failover_connections_accepted_total", "Protocol connections accepted.");
  row(&server::ServerCounters::refused, "failover_connections_refused_total",
      "Protocol connections refused (too many at once, in all or from one address).");
  row(&server::ServerCounters::requests, "failover_requests_total", "Protocol requests answered.");
  row(&server::ServerCounters::errors, "failover_request_errors_total", "Protocol requests answered with ERR.");
  row(&server::ServerCounters::slowWatchers, "failover_slow_watchers_total",
      "Watchers cut off for falling too far behind.");
  row(&server::ServerCounters::slowClients, "failover_slow_clients_total",
      "Clients cut off for leaving their replies unread.");
  row(&server::ServerCounters::timeouts, "failover_timeouts_total",
      "Clients cut off by a deadline (handshake, request, idle).");
  row(&server::ServerCounters::wrongSecrets, "failover_wrong_secrets_total", "AUTH requests with a wrong secret.");
  row(&server::ServerCounters::authThrottled, "failover_auth_throttled_total",
      "AUTH requests delayed after earlier wrong secrets.");
  row(&server::ServerCounters::acceptPauses, "failover_accept_pauses_total",
      "Times accepting paused for lack of file descriptors.");
  auto* fsync = & reg.histogram("failover_fsync_duration_seconds",
                              "Time of each fdatasync of the state file (one per group of changes).",
                              metrics::latencyBuckets())
                    .get();
  metrics::Gauge *lag = nullptr, *written = nullptr;
  metrics::Counter* dropped = nullptr;
  if (hist) {
    lag = &reg.gauge("failover_history_lag_seconds",
                     "How long the oldest change not yet in the history database has waited.")
               .get();
    written = &reg.gauge("failover_history_written_serial", "The last serial written to the history database.").get();
    dropped = &reg.counter("failover_history_dropped_total",
                           "Changes dropped from the history queue when it was full (the journal still holds them).")
                   .get();
  }

  // Everything captured is a pointer to what outlives the registry, or owned here.
  reg.onCollect([=, rows = std::move(rows), srv = &srv, store = &store] {
    std::map<State, double> byState{{State::Up, 0}, {State::Recover, 0}, {State::Fail, 0}, {State::Unknown, 0}};
    store->forEachRecord([&](const state::Version& v) {
      if (!v.deleted()) ++byState[v.state()];
    });
    for (auto [s, n] : byState) records->with({proto::stateName(s)}).set(n);
    const state::StoreCounters& c = store->counters();
    serial->set(static_cast<double>(store->publishedSerial()));
    changes->set(static_cast<double>(c.changes));
    refreshes->set(static_cast<double>(c.refreshes));
    deletes->set(static_cast<double>(c.deletes));
    expiries->set(static_cast<double>(c.expiries));
    compactions->set(static_cast<double>(c.compactions));
    storageErrors->set(static_cast<double>(c.storageErrors));
    pending->set(static_cast<double>(store->pending()));
    auto stats = statsOf(*srv);
    connections->set(stats["clients"]);
    watchers->set(stats["watchers"]);
    for (const Row& r : rows) r.counter->set(static_cast<double>(srv->counters().*r.field));
    if (store->journal()) store->journal()->syncTimes().copyTo(*fsync);
    if (hist) {
      lag->set(static_cast<double>(hist->lag()) / 1e6);
      written->set(static_cast<double>(hist->written()));
      dropped->set(static_cast<double>(hist->dropped()));
    }
  });
}

}  // namespace fail
