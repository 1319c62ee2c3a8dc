// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failsh's /metrics (doc/metrics.md): policy callbacks (run, failed, overran, how long),
// the services and hosts of the monitor store by state, and the DNS front-end's and
// updater's counters when a policy uses them. The callbacks are counted by every Guard
// into one GuardMetrics (a reload replaces the Guard, not these); the rest is read from
// the counters failsh already keeps (fail::dns stats, the update client) when scraped;
// the notifications' counts by channel (failover_notify_*).
#pragma once

#include <event2/event.h>

#include <vector>

#include "metrics/registry.hh"
#include "shell/dns_host.hh"
#include "shell/engine.hh"
#include "shell/guard.hh"
#include "state/store.hh"

namespace fail::shell {

class ShellMetrics {
 public:
  // `updates`: the event_base whose DNS update client is read (the policy's).
  explicit ShellMetrics(event_base* updates);
  // What the Guards count into.
  const GuardMetrics* guard() const { return &guard_; }
  // Once they exist: the engine's monitor store, and the DNS front-end's host (may be
  // null). Both must outlive the next render().
  void watch(const state::Store* monitor, DnsHost* dns) {
    monitor_ = monitor;
    dnsHost_ = dns;
  }
  // The engine whose notifications (fail::notify) are counted by channel; outlives render().
  void watchNotifications(Engine* engine) { engine_ = engine; }
  metrics::Registry& registry() { return reg_; }

 private:
  void collect();

  metrics::Registry reg_;
  GuardMetrics guard_;
  metrics::Family<metrics::Gauge>* records_;
  std::vector<metrics::Counter*> dns_;  // one per row of metrics.cc's kDnsRows
  metrics::Family<metrics::Counter>* rcodes_;
  metrics::Family<metrics::Counter>* pools_;
  metrics::Counter *updateMessages_, *updates_, *updateQueries_;
  // failover_notify_*: one family per row of metrics.cc's kNotifyRows, by channel.
  std::vector<metrics::Family<metrics::Counter>*> notify_;
  metrics::Family<metrics::Gauge>* notifyWaiting_;
  metrics::Family<metrics::Gauge>* notifyFailing_;
  Engine* engine_ = nullptr;
  event_base* updateBase_;
  const state::Store* monitor_ = nullptr;
  DnsHost* dnsHost_ = nullptr;
};

}  // namespace fail::shell
