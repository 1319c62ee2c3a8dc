// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "shell/metrics.hh"

#include <iterator>
#include <map>

#include "dns/frontend.hh"
#include "shell/notify.hh"
#include "shell/update_counts.hh"

namespace fail::shell {
namespace {

// The DNS front-end's counters as families: each a pointer to where Stats keeps it.
struct DnsRow {
  const char* name;
  const char* help;
  std::uint64_t (*read)(const dns::Stats&);
};

const DnsRow kDnsRows[] = {
    {"failsh_dns_queries_total", "DNS queries answered by the front-end (UDP and TCP).",
     [](const dns::Stats& s) { return s.total.queries; }},
    {"failsh_dns_tcp_queries_total", "DNS queries that came over TCP.",
     [](const dns::Stats& s) { return s.total.tcp; }},
    {"failsh_dns_truncated_total", "UDP answers sent truncated (TC).",
     [](const dns::Stats& s) { return s.total.truncated; }},
    {"failsh_dns_forwarded_total", "Queries forwarded upstream (names outside every zone).",
     [](const dns::Stats& s) { return s.total.forwarded; }},
    {"failsh_dns_refused_total", "Queries refused (outside every zone, from a client not allowed to forward).",
     [](const dns::Stats& s) { return s.total.refused; }},
    {"failsh_dns_dropped_total", "Queries dropped (unparseable, or the forward queue full).",
     [](const dns::Stats& s) { return s.total.dropped; }},
    {"failsh_dns_tcp_refused_total", "TCP connections refused (too many open).",
     [](const dns::Stats& s) { return s.tcpRefused; }},
    {"failsh_dns_forward_timeouts_total", "Forwarded queries that got no answer in time (SERVFAIL).",
     [](const dns::Stats& s) { return s.forwardTimeouts; }},
    {"failsh_dns_snapshots_total", "Answer snapshots published (one per batch of health changes).",
     [](const dns::Stats& s) { return s.generation; }},
};

// The notifications' counters by channel (doc/metrics.md), read from the center's view.
struct NotifyRow {
  const char* name;
  const char* help;
  std::uint64_t (*read)(const notify::ChannelView&);
};

const NotifyRow kNotifyRows[] = {
    {"failover_notify_queued_total", "Notifications stored in the durable queue (digests included), by channel.",
     [](const notify::ChannelView& v) { return v.counts.queued; }},
    {"failover_notify_sent_total", "Notifications delivered, by channel.",
     [](const notify::ChannelView& v) { return v.status.sent; }},
    {"failover_notify_failed_total", "Notifications given up (a permanent error, or older than -give-up), by channel.",
     [](const notify::ChannelView& v) { return v.status.failed; }},
    {"failover_notify_retries_total", "Delivery attempts that will be retried, by channel.",
     [](const notify::ChannelView& v) { return v.status.retries; }},
    {"failover_notify_suppressed_total",
     "Notifications not made: quiet windows, flap damping (-after) and duplicates, by channel.",
     [](const notify::ChannelView& v) { return v.counts.suppressed; }},
    {"failover_notify_limited_total", "Notifications the rate limit held back into a digest, by channel.",
     [](const notify::ChannelView& v) { return v.counts.limited; }},
    {"failover_notify_digests_total", "Digest messages made by the rate limit, by channel.",
     [](const notify::ChannelView& v) { return v.counts.digests; }},
    {"failover_notify_dropped_total", "Notifications lost: the queue refused them, or their channel was removed.",
     [](const notify::ChannelView& v) { return v.counts.dropped; }},
};

const char* const kRcodes[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"};

}  // namespace

ShellMetrics::ShellMetrics(event_base* updates) : updateBase_(updates) {
  guard_.calls = &reg_.counter("failsh_callbacks_total", "Policy callbacks run (procs, traps, timers, events).").get();
  guard_.errors = &reg_.counter("failsh_callback_errors_total", "Policy callbacks that ended in a Tcl error.").get();
  guard_.overruns =
      &reg_.counter("failsh_callback_overruns_total", "Policy callbacks stopped for overrunning their time limit.")
           .get();
  guard_.seconds = &reg_.histogram("failsh_callback_duration_seconds", "How long each policy callback ran.",
                                   metrics::latencyBuckets())
                        .get();
  records_ = &reg_.gauge("failsh_records", "Services, hosts and DNS pools failsh publishes, by state.", {"state"});
  for (state::State st : {state::State::Up, state::State::Recover, state::State::Fail, state::State::Unknown})
    records_->with({state::stateName(st)});
  for (const DnsRow& r : kDnsRows) dns_.push_back(&reg_.counter(r.name, r.help).get());
  rcodes_ = &reg_.counter("failsh_dns_responses_total", "DNS answers by response code.", {"rcode"});
  pools_ = &reg_.counter("failsh_dns_pool_queries_total", "DNS queries answered from each pool.", {"pool"});
  updateMessages_ = &reg_.counter("failsh_dns_update_messages_total",
                                "DNS messages the RFC 2136 updater sent (every attempt, UDP and TCP).")
                         .get();
  updates_ = &reg_.counter("failsh_dns_updates_total", "DNS UPDATE exchanges started (fail::dns update).").get();
  updateQueries_ =
      &reg_.counter("failsh_dns_update_queries_total", "Queries the updater made (the zone's SOA after an update).")
           .get();
  for (const NotifyRow& r : kNotifyRows) notify_.push_back(&reg_.counter(r.name, r.help, {"channel"}));
  notifyWaiting_ = &reg_.gauge("failover_notify_waiting", "Notifications waiting in the queue, by channel.", {"channel"});
  notifyFailing_ =
      &reg_.gauge("failover_notify_failing", "1 while a channel's last delivery attempt failed, by channel.", {"channel"});
  reg_.onCollect([this] { collect(); });
}

void ShellMetrics::collect() {
  if (monitor_) {
    std::map<state::State, double> n{
        {state::State::Up, 0}, {state::State::Recover, 0}, {state::State::Fail, 0}, {state::State::Unknown, 0}};
    monitor_->forEachRecord([&](const state::Version& v) {
      if (!v.deleted()) ++n[v.state()];
    });
    for (auto [st, count] : n) records_->with({state::stateName(st)}).set(count);
  }
  if (dnsHost_ && dnsHost_->running()) {
    dns::Stats st = dnsHost_->frontEnd()->stats();
    for (size_t i = 0; i < dns_.size(); ++i) dns_[i]->set(static_cast<double>(kDnsRows[i].read(st)));
    for (size_t r = 0; r < std::size(kRcodes); ++r)
      rcodes_->with({kRcodes[r]}).set(static_cast<double>(st.total.rcode[r]));
    for (const auto& p : st.pools) pools_->with({p.name}).set(static_cast<double>(p.queries));
  }
  if (engine_ && engine_->hasNotifications()) {
    Notifications& n = engine_->notifications();
    for (const std::string& ch : n.channelNames()) {
      auto v = n.status(ch);
      if (!v) continue;
      for (size_t i = 0; i < notify_.size(); ++i) notify_[i]->with({ch}).set(static_cast<double>(kNotifyRows[i].read(*v)));
      notifyWaiting_->with({ch}).set(static_cast<double>(v->status.waiting));
      notifyFailing_->with({ch}).set(v->status.failing ? 1 : 0);
    }
  }
  UpdateCounts u = updateCounts(updateBase_);
  updateMessages_->set(static_cast<double>(u.sent));
  updates_->set(static_cast<double>(u.updates));
  updateQueries_->set(static_cast<double>(u.queries));
}

}  // namespace fail::shell
