// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Many coarse timers on one libevent timer: a hashed timing wheel (Varghese and Lauck,
// 1987) of 1 ms ticks. For the thousands of per-check timers of hc: a libevent timer
// each would cost a heap operation of about log2(n) cache misses at every arm, cancel
// and firing; a WheelTimer is armed, cancelled and fired in constant time, touching only
// itself and its neighbours, and holds no libevent event of its own.
//
// A WheelTimer never fires early by the wheel's clock; the loop wakes for the earliest
// timer of the next slot, so it is about as late as a libevent timer (the loop polls in
// milliseconds). Its callback is a plain function and argument (no allocation, 16 bytes).
// The wheel of a loop belongs to its ev::Loop (Loop::wheel()) and reads the loop's
// Clock; every WheelTimer must be gone before its Loop. With a ManualClock the wheel arms
// no libevent timer: Loop::advance fires what is due. Loop thread only. Neither class is
// copyable or movable.
#pragma once

#include <event2/event.h>

#include <array>
#include <chrono>
#include <cstdint>

#include "ev/clock.hh"
#include "ev/ev.hh"

namespace fail::ev {

class Wheel;

class WheelTimer {
 public:
  using Fn = void (*)(void* arg);

  WheelTimer(Wheel& wheel, Fn fn, void* arg);
  ~WheelTimer();
  WheelTimer(const WheelTimer&) = delete;
  WheelTimer& operator=(const WheelTimer&) = delete;

  void arm(Micros after);           // (re)arms once, `after` from the wheel's now; 0 = the next tick
  void armAt(Clock::time_point t);  // (re)arms once for `t` (a past `t`: the next tick)
  void cancel();
  bool armed() const { return where_ != kIdle; }

 private:
  friend class Wheel;
  static constexpr std::uint32_t kIdle = ~std::uint32_t{0};

  Wheel* wheel_;
  WheelTimer *prev_ = nullptr, *next_ = nullptr;
  std::int64_t due_ = 0;         // the wheel's clock, microseconds
  Fn fn_;
  void* arg_;
  std::uint32_t where_ = kIdle;  // its list: a slot, the firing list, or none
};

class Wheel {
 public:
  static constexpr std::int64_t kTickUs = 1000;
  static constexpr std::uint32_t kSlots = 4096;  // about 4 s per turn; later timers wait turns

  // Made by ev::Loop, which owns it; `clock` outlives it.
  Wheel(event_base* base, Clock& clock);
  ~Wheel();
  Wheel(const Wheel&) = delete;
  Wheel& operator=(const Wheel&) = delete;

  size_t size() const { return count_; }  // timers armed
  Clock& clock() const { return clock_; }
  // When the wheel next wants to run, in microseconds of its clock; -1: no timer armed.
  // It may be earlier than any timer's due time (a slot of a later turn).
  std::int64_t nextWakeUs() const { return scheduled_; }
  // Fires every timer due by the clock's now, as the wheel's libevent timer does. For
  // Loop::advance (a ManualClock); not from inside a timer's callback.
  void fireDue() { onTick(); }

 private:
  friend class WheelTimer;
  static constexpr std::uint32_t kFiring = kSlots;  // the list of timers being fired

  void add(WheelTimer& t, std::int64_t dueUs);
  void remove(WheelTimer& t);
  void link(WheelTimer& t, std::uint32_t list);
  void onTick();
  void schedule();  // points ev_ at the next tick with a timer (or nothing)
  std::int64_t nowUs() const;
  std::int64_t nowTick() const { return nowUs() / kTickUs; }

  event_base* base_;
  Clock& clock_;
  event* ev_;
  size_t count_ = 0;
  std::int64_t done_;                 // every slot up to this tick has been fired
  std::int64_t scheduled_ = -1;       // when ev_ fires (microseconds); -1: not armed
  bool inTick_ = false;               // onTick() runs: schedule() at its end
  std::array<WheelTimer*, kSlots + 1> heads_{};       // the slots, then the firing list
  std::array<std::uint64_t, kSlots / 64> used_{};     // non-empty slots
};

}  // namespace fail::ev
