// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// What the control thread publishes to the UDP threads: the current snapshot and the
// forwarding policy, behind a generation number. The control thread is the only writer
// (publish()); a UDP thread compares generation() (one atomic load) with its own after
// each receive and, only when it moved, takes the new one under the small mutex.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <string>
#include <memory>
#include <mutex>
#include <vector>

#include "dns/snapshot.hh"
#include "net/prefix.hh"

namespace fail::dns {

struct Published {
  std::shared_ptr<const Snapshot> snapshot;
  std::vector<net::Prefix> allow;  // clients whose other names are forwarded
  bool forward = false;            // a -forward upstream exists
  // Moves with each new configuration (a reload): the pools' indices (Cursor) change then.
  std::uint64_t epoch = 0;
};

// Queries answered per pool by one reader, for Stats::pools: counts by index of
// `snapshot` (Cursor::queries) and, by name, those of earlier configurations.
struct PoolCounts {
  std::shared_ptr<const Snapshot> snapshot;
  std::vector<std::uint64_t> queries;
  std::map<std::string, std::uint64_t> earlier;
  // Folds the counts by index into `earlier` (before the indices change) and clears them.
  void fold() {
    for (std::size_t i = 0; snapshot && i < queries.size() && i < poolCount(*snapshot); ++i)
      if (queries[i]) earlier[poolName(*snapshot, i)] += queries[i];
    queries.clear();
  }
  void addTo(std::map<std::string, std::uint64_t>& byName) const {
    for (const auto& [name, n] : earlier) byName[name] += n;
    for (std::size_t i = 0; snapshot && i < queries.size() && i < poolCount(*snapshot); ++i)
      if (queries[i]) byName[poolName(*snapshot, i)] += queries[i];
  }
};

class SnapshotSlot {
 public:
  // Any thread; wakes the threads in waitFirst().
  void publish(std::shared_ptr<const Published> p) {
    {
      std::lock_guard lock(mu_);
      current_ = std::move(p);
      gen_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
  }
  std::uint64_t generation() const { return gen_.load(std::memory_order_acquire); }
  // The current one and its generation (null before the first publish).
  std::shared_ptr<const Published> get(std::uint64_t* gen) const {
    std::lock_guard lock(mu_);
    if (gen) *gen = gen_.load(std::memory_order_relaxed);
    return current_;
  }
  // Blocks until something was published or `stop` is set (then wake() must follow).
  void waitFirst(const std::atomic<bool>& stop) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return current_ || stop.load(); });
  }
  void wake() {
    { std::lock_guard lock(mu_); }
    cv_.notify_all();
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<const Published> current_;
  std::atomic<std::uint64_t> gen_{0};
};

}  // namespace fail::dns
