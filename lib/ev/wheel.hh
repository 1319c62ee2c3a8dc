// Many coarse timers on one libevent timer: a hashed timing wheel (Varghese and Lauck,
// 1987) of 1 ms ticks. For the thousands of per-check timers of hc: a libevent timer
// each would cost a heap operation of about log2(n) cache misses at every arm, cancel
// and firing; a WheelTimer is armed, cancelled and fired in constant time, touching only
// itself and its neighbours, and holds no libevent event of its own.
//
// A WheelTimer never fires early; the loop wakes for the earliest timer of the next
// slot, so it is about as late as a libevent timer (the loop polls in milliseconds). Its
// callback is a plain function and argument (no allocation, 16 bytes). The wheel of an
// event_base is made by the first WheelTimer on it and freed with the last one, so every
// WheelTimer must be gone before its event_base is freed (as for ev::Timer). Loop thread
// only. Neither class is copyable or movable.
#pragma once

#include <event2/event.h>

#include <array>
#include <chrono>
#include <cstdint>

#include "ev/ev.hh"

namespace fail::ev {

class Wheel;

class WheelTimer {
 public:
  using Fn = void (*)(void* arg);
  using Clock = std::chrono::steady_clock;

  WheelTimer(event_base* base, Fn fn, void* arg);
  ~WheelTimer();
  WheelTimer(const WheelTimer&) = delete;
  WheelTimer& operator=(const WheelTimer&) = delete;

  void arm(Micros after);           // (re)arms once; 0 = the next tick
  void armAt(Clock::time_point t);  // (re)arms once for `t` (a past `t`: the next tick)
  void cancel();
  bool armed() const { return where_ != kIdle; }

 private:
  friend class Wheel;
  static constexpr std::uint32_t kIdle = ~std::uint32_t{0};

  Wheel* wheel_;
  WheelTimer *prev_ = nullptr, *next_ = nullptr;
  std::int64_t due_ = 0;         // steady clock, microseconds
  Fn fn_;
  void* arg_;
  std::uint32_t where_ = kIdle;  // its list: a slot, the firing list, or none
};

class Wheel {
 public:
  static constexpr std::int64_t kTickUs = 1000;
  static constexpr std::uint32_t kSlots = 4096;  // about 4 s per turn; later timers wait turns

  // The wheel of `base`, made on first use; release() once per acquire().
  static Wheel& acquire(event_base* base);
  void release();
  Wheel(const Wheel&) = delete;
  Wheel& operator=(const Wheel&) = delete;

  size_t size() const { return count_; }  // timers armed

 private:
  friend class WheelTimer;
  static constexpr std::uint32_t kFiring = kSlots;  // the list of timers being fired

  explicit Wheel(event_base* base);
  ~Wheel();

  void add(WheelTimer& t, std::int64_t dueUs);
  void remove(WheelTimer& t);
  void link(WheelTimer& t, std::uint32_t list);
  void onTick();
  void schedule();  // points ev_ at the next tick with a timer (or nothing)
  std::int64_t nowTick() const;

  event_base* base_;
  event* ev_;
  size_t users_ = 0, count_ = 0;
  std::int64_t done_;                 // every slot up to this tick has been fired
  std::int64_t scheduled_ = -1;       // when ev_ fires (microseconds); -1: not armed
  bool inTick_ = false;               // onTick() runs: schedule() at its end
  std::array<WheelTimer*, kSlots + 1> heads_{};       // the slots, then the firing list
  std::array<std::uint64_t, kSlots / 64> used_{};     // non-empty slots
};

}  // namespace fail::ev
