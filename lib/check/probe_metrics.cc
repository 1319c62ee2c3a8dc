// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "check/probe_metrics.hh"

namespace fail::check {

const char* outcomeLabel(Outcome o) { return o == Outcome::LocalError ? "local_error" : outcomeName(o); }

ProbeMetrics::ProbeMetrics(metrics::Registry& reg)
    : probes_(reg.counter("hc_probes_total", "Probes finished, by kind and outcome.", {"kind", "outcome"})),
      late_(reg.counter("hc_late_probes_total",
                        "Probes started more than 100 ms after their slot (a busy loop or machine).", {"kind"})),
      latency_(reg.histogram("hc_probe_duration_seconds",
                             "How long probes took, by kind (all but local errors; a timeout counts its wait).",
                             metrics::latencyBuckets(), {"kind"})) {}

const KindMetrics* ProbeMetrics::forKind(const std::string& kind) {
  auto [it, fresh] = kinds_.try_emplace(kind);
  KindMetrics& k = it->second;
  if (fresh) {
    for (Outcome o : {Outcome::Ok, Outcome::Fail, Outcome::Unreachable, Outcome::Timeout, Outcome::LocalError})
      k.outcomes[static_cast<int>(o)] = &probes_.with({kind, outcomeLabel(o)});
    k.late = &late_.with({kind});
    k.latency = &latency_.with({kind});
  }
  return &k;
}

}  // namespace fail::check
