// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "metrics/shared_histogram.hh"

#include <algorithm>
#include <stdexcept>

namespace fail::metrics {

SharedHistogram::SharedHistogram(const std::vector<double>& bounds)
    : bounds_(bounds), counts_(new std::atomic<std::uint64_t>[bounds.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void SharedHistogram::observe(double v) noexcept {
  size_t i = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  // One writer in practice (the syncer), but a compare-exchange keeps it right for more.
  double old = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(old, old + v, std::memory_order_relaxed)) {
  }
}

void SharedHistogram::copyTo(Histogram& h) const {
  if (h.bounds() != bounds_) throw std::logic_error("metrics: histogram bounds do not match");
  std::vector<std::uint64_t> counts(bounds_.size() + 1);
  for (size_t i = 0; i <= bounds_.size(); ++i) counts[i] = counts_[i].load(std::memory_order_relaxed);
  h.assign(counts, sum_.load(std::memory_order_relaxed));
}

}  // namespace fail::metrics
