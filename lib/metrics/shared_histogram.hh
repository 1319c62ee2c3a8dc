// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// A histogram that another thread observes into (the journal's syncer times its
// fdatasync) while the loop thread reads it for /metrics: relaxed atomic counts, no
// lock, so an observation costs a few nanoseconds beside a sync of ~100 µs. A reader may
// see a count without its sum for an instant; Prometheus tolerates that.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "metrics/registry.hh"

namespace fail::metrics {

class SharedHistogram {
 public:
  explicit SharedHistogram(const std::vector<double>& bounds);
  void observe(double v) noexcept;  // any thread
  void copyTo(Histogram& h) const;  // the bounds must be the same
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // bounds_.size() + 1
  std::atomic<double> sum_{0};
};

}  // namespace fail::metrics
