// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The time an ev::Loop and its timing wheel read. The real one is steadyClock(); a test
// gives its Loop a ManualClock and moves time with Loop::advance, which fires every wheel
// timer due on the way at its due time, exactly and without sleeping.
#pragma once

#include <chrono>

namespace fail::ev {

class Clock {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  virtual time_point now() const = 0;
  // True when time moves only when told to (ManualClock): the loop then never waits for
  // a wheel timer; Loop::advance fires it.
  virtual bool manual() const { return false; }
};

// std::chrono::steady_clock. One per process; any thread.
Clock& steadyClock();

// Time that stands still until set() or advance(). Loop thread only.
class ManualClock final : public Clock {
 public:
  // Starts at an arbitrary fixed point (an hour after the steady clock's epoch), so a
  // test's times are the same at every run.
  ManualClock() = default;
  time_point now() const override { return now_; }
  bool manual() const override { return true; }
  // Time never goes back: a `t` before now() is ignored.
  void set(time_point t) {
    if (t > now_) now_ = t;
  }
  void advance(std::chrono::microseconds d) { set(now_ + d); }

 private:
  time_point now_ = time_point{} + std::chrono::hours(1);
};

}  // namespace fail::ev
