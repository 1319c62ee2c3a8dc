// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// What hc's /metrics says about its probes (doc/metrics.md): per kind, the probes by
// outcome, their latency, and those started late. A Session counts into its kind's
// KindMetrics as each probe starts and ends (two pointer increments and a bucket), so
// the figures outlive a reload that replaces the session.
#pragma once

#include <map>
#include <string>

#include "check/probe.hh"
#include "metrics/registry.hh"

namespace fail::check {

struct KindMetrics {
  static constexpr size_t kOutcomes = 5;
  metrics::Counter* outcomes[kOutcomes] = {};  // by Outcome
  metrics::Counter* late = nullptr;        // started more than 100 ms after their slot
  metrics::Histogram* latency = nullptr;   // seconds, of every probe that reached its target

  void count(Outcome o) const {
    auto i = static_cast<size_t>(o);
    if (i < kOutcomes) outcomes[i]->inc();
  }
};

// The label value of an outcome: outcomeName() with '_' for its space ("local_error").
const char* outcomeLabel(Outcome o);

class ProbeMetrics {
 public:
  // Registers hc_probes_total{kind,outcome}, hc_probe_duration_seconds{kind} and
  // hc_late_probes_total{kind} in `reg`, which must outlive this.
  explicit ProbeMetrics(metrics::Registry& reg);
  // The children of `kind` (made on first use; the pointer stays valid).
  const KindMetrics* forKind(const std::string& kind);

 private:
  metrics::Family<metrics::Counter>& probes_;
  metrics::Family<metrics::Counter>& late_;
  metrics::Family<metrics::Histogram>& latency_;
  std::map<std::string, KindMetrics> kinds_;
};

}  // namespace fail::check
