// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Log lines at a bounded rate: the first event of an interval is logged in full, the
// rest are only counted and summed up in one line once the interval is over. Used for
// refusals, accept errors and wrong secrets, which an attacker can cause at will.
#pragma once

#include <cstdint>

#include "base/time.hh"

namespace fail::server {

class LogBudget {
 public:
  explicit LogBudget(Micros interval = 10'000'000) : interval_(interval) {}

  // One event at `now`. True: write its line now. False: it was counted for due().
  bool note(Micros now) {
    if (suppressed_ == 0 && now >= until_) {
      until_ = now + interval_;
      return true;
    }
    ++suppressed_;
    return false;
  }
  // Called periodically: once the interval of the last line is over, returns the
  // events counted since (then write one summary line) and starts a new interval;
  // 0 otherwise. So at most two lines per interval are written.
  std::uint64_t due(Micros now) {
    if (suppressed_ == 0 || now < until_) return 0;
    std::uint64_t n = suppressed_;
    suppressed_ = 0;
    until_ = now + interval_;
    return n;
  }
  Micros interval() const { return interval_; }

 private:
  Micros interval_;
  Micros until_ = 0;
  std::uint64_t suppressed_ = 0;
};

}  // namespace fail::server
