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

using State = proto::State;

// One value of the STATS dict (clients and watchers have no accessor of their own).
double statOf(const server::Server& srv, const std::string& key) {
  std::vector<std::string> words;
  if (!proto::splitList(srv.stats(), words)) return 0;
  for (size_t i = 0; i + 1 < words.size(); i += 2) {
    std::uint64_t v = 0;
    const std::string& w = words[i + 1];
    if (words[i] == key && std::from_chars(w.data(), w.data() + w.size(), v).ec == std::errc())
      return static_cast<double>(v);
  }
  return 0;
}

double num(std::uint64_t v) { return static_cast<double>(v); }

void addStore(metrics::Registry& reg, const state::Store* store) {
  auto* records = &reg.gauge("failover_records", "Records held, by state.", {"state"});
  for (State s : {State::Up, State::Recover, State::Fail, State::Unknown}) records->with({proto::stateName(s)});
  reg.onCollect([records, store] {
    std::map<State, double> n{{State::Up, 0}, {State::Recover, 0}, {State::Fail, 0}, {State::Unknown, 0}};
    store->forEachRecord([&](const state::Version& v) {
      if (!v.deleted()) ++n[v.state()];
    });
    for (auto [s, count] : n) records->with({proto::stateName(s)}).set(count);
  });
  auto c = [store] { return &store->counters(); };
  reg.gaugeFrom("failover_serial", "The last published serial.", [store] { return num(store->publishedSerial()); });
  reg.counterFrom("failover_changes_total", "Changes (state or note) made durable and published.",
                  [c] { return num(c()->changes); });
  reg.counterFrom("failover_refreshes_total", "Refreshes: SETs that repeat the state and note.",
                  [c] { return num(c()->refreshes); });
  reg.counterFrom("failover_deletes_total", "Records deleted.", [c] { return num(c()->deletes); });
  reg.counterFrom("failover_expiries_total", "Records whose ttl ran out (now UNKNOWN).",
                  [c] { return num(c()->expiries); });
  reg.counterFrom("failover_compactions_total", "Compactions of the state file.", [c] { return num(c()->compactions); });
  reg.counterFrom("failover_storage_errors_total", "Changes that failed to be written or synced.",
                  [c] { return num(c()->storageErrors); });
  reg.gaugeFrom("failover_pending_changes", "Changes waiting for their fdatasync.",
                [store] { return num(store->pending()); });
  auto* fsync = &reg.histogram("failover_fsync_duration_seconds",
                               "Time of each fdatasync of the state file (one per group of changes).",
                               metrics::latencyBuckets())
                     .get();
  reg.onCollect([fsync, store] {
    if (store->journal()) store->journal()->syncTimes().copyTo(*fsync);
  });
}

void addProtocol(metrics::Registry& reg, server::Server* srv) {
  using C = server::ServerCounters;
  reg.gaugeFrom("failover_connections", "Protocol clients connected now.", [srv] { return statOf(*srv, "clients"); });
  reg.gaugeFrom("failover_watchers", "Protocol clients watching (WATCH) now.",
                [srv] { return statOf(*srv, "watchers"); });
  auto from = [&](std::uint64_t C::*field, const char* name, const char* help) {
    reg.counterFrom(name, help, [srv, field] { return num(srv->counters().*field); });
  };
  from(&C::connections, "failover_connections_accepted_total", "Protocol connections accepted.");
  from(&C::refused, "failover_connections_refused_total",
       "Protocol connections refused (too many at once, in all or from one address).");
  from(&C::requests, "failover_requests_total", "Protocol requests answered.");
  from(&C::errors, "failover_request_errors_total", "Protocol requests answered with ERR.");
  from(&C::slowWatchers, "failover_slow_watchers_total", "Watchers cut off for falling too far behind.");
  from(&C::slowClients, "failover_slow_clients_total", "Protocol clients cut off for leaving their replies unread.");
  from(&C::timeouts, "failover_timeouts_total", "Protocol clients cut off by a deadline (handshake, request, idle).");
  from(&C::wrongSecrets, "failover_wrong_secrets_total", "AUTH requests with a wrong secret.");
  from(&C::authThrottled, "failover_auth_throttled_total", "AUTH requests delayed after earlier wrong secrets.");
  from(&C::acceptPauses, "failover_accept_pauses_total", "Times accepting paused for lack of file descriptors.");
}

void addHttp(metrics::Registry& reg, const http::Server* web) {
  using C = http::ServerCounters;
  reg.gaugeFrom("failover_http_connections", "HTTP connections open now.",
                [web] { return num(web->connectionCount()); });
  reg.gaugeFrom("failover_http_streams", "HTTP event streams open now.", [web] { return num(web->streamCount()); });
  auto from = [&](std::uint64_t C::*field, const char* name, const char* help) {
    reg.counterFrom(name, help, [web, field] { return num(web->counters().*field); });
  };
  from(&C::connections, "failover_http_connections_accepted_total", "HTTP connections accepted.");
  from(&C::refused, "failover_http_connections_refused_total", "HTTP connections refused (over a connection limit).");
  from(&C::requests, "failover_http_requests_total", "HTTP requests handled.");
  from(&C::errors, "failover_http_server_errors_total", "HTTP requests answered with a status of 500 or more.");
  from(&C::timeouts, "failover_http_timeouts_total", "HTTP connections closed idle or for a slow request.");
  from(&C::slowClients, "failover_http_slow_clients_total", "HTTP connections closed for not reading their output.");
  from(&C::streamsRefused, "failover_http_streams_refused_total", "HTTP event streams refused (too many at once).");
}

void addHistory(metrics::Registry& reg, const history::Writer* hist) {
  reg.gaugeFrom("failover_history_lag_seconds", "How long the oldest change not yet in the history database has waited.",
                [hist] { return static_cast<double>(hist->lag()) / 1e6; });
  reg.gaugeFrom("failover_history_written_serial", "The last serial written to the history database.",
                [hist] { return num(hist->written()); });
  reg.counterFrom("failover_history_dropped_total",
                  "Changes dropped from the history queue when it was full (the journal still holds them).",
                  [hist] { return num(hist->dropped()); });
}

}  // namespace

void addFaildMetrics(metrics::Registry& reg, server::Server& srv, const state::Store& store,
                     const history::Writer* hist, const http::Server* web) {
  addStore(reg, &store);
  addProtocol(reg, &srv);
  if (web) addHttp(reg, web);
  if (hist) addHistory(reg, hist);
}

}  // namespace fail
