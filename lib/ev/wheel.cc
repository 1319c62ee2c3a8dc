// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "ev/wheel.hh"

#include <stdexcept>

#include "base/log.hh"

namespace fail::ev {
namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;

void stray(const std::exception* e) {
  FAIL_LOG(log::facility("main"), Err) << "internal error in timer callback: "
                                       << (e ? e->what() : "unknown exception");
}

}  // namespace

// --- WheelTimer -------------------------------------------------------------------------

WheelTimer::WheelTimer(Wheel& wheel, Fn fn, void* arg) : wheel_(&wheel), fn_(fn), arg_(arg) {}

WheelTimer::~WheelTimer() { cancel(); }

void WheelTimer::arm(Micros after) { armAt(wheel_->clock().now() + after); }

void WheelTimer::armAt(Clock::time_point t) {
  if (armed()) wheel_->remove(*this);
  // Rounded up: the wheel compares whole microseconds of now (rounded down), so a
  // timer never fires before t, not even by a fraction of a microsecond.
  wheel_->add(*this, std::chrono::ceil<microseconds>(t.time_since_epoch()).count());
}

void WheelTimer::cancel() {
  if (armed()) wheel_->remove(*this);
}

// --- Wheel ------------------------------------------------------------------------------

Wheel::Wheel(event_base* base, Clock& clock)
    : base_(base),
      clock_(clock),
      ev_(event_new(
          base, -1, 0, [](evutil_socket_t, short, void* arg) noexcept { static_cast<Wheel*>(arg)->onTick(); },
          this)),
      done_(nowTick()) {
  if (!ev_) throw std::runtime_error("event_new failed");
}

Wheel::~Wheel() { event_free(ev_); }

std::int64_t Wheel::nowUs() const {
  return duration_cast<microseconds>(clock_.now().time_since_epoch()).count();
}

void Wheel::link(WheelTimer& t, std::uint32_t list) {
  t.where_ = list;
  t.prev_ = nullptr;
  t.next_ = heads_[list];
  if (t.next_) t.next_->prev_ = &t;
  heads_[list] = &t;
  if (list < kSlots) used_[list / 64] |= std::uint64_t{1} << (list % 64);
}

// A timer lives in the slot of the tick that ends at or after its due time (the next
// slot still to be looked at, when that is later).
void Wheel::add(WheelTimer& t, std::int64_t dueUs) {
  t.due_ = dueUs;
  std::int64_t tick = std::max((dueUs + kTickUs - 1) / kTickUs, done_ + 1);
  link(t, static_cast<std::uint32_t>(tick % kSlots));
  ++count_;
  if (!inTick_ && (scheduled_ < 0 || dueUs < scheduled_)) schedule();
}

void Wheel::remove(WheelTimer& t) {
  std::uint32_t list = t.where_;
  if (t.prev_)
    t.prev_->next_ = t.next_;
  else
    heads_[list] = t.next_;
  if (t.next_) t.next_->prev_ = t.prev_;
  t.prev_ = t.next_ = nullptr;
  t.where_ = WheelTimer::kIdle;
  if (list < kSlots && !heads_[list]) used_[list / 64] &= ~(std::uint64_t{1} << (list % 64));
  --count_;
}

void Wheel::onTick() {
  inTick_ = true;
  scheduled_ = -1;
  std::int64_t us = nowUs(), now = us / kTickUs;
  // Every slot since the last firing up to the one of the running millisecond, at most
  // one turn (which visits every slot).
  std::int64_t last = std::min(now + 1, done_ + static_cast<std::int64_t>(kSlots));
  for (std::int64_t tick = done_ + 1; tick <= last; ++tick) {
    auto slot = static_cast<std::uint32_t>(tick % kSlots);
    if (!(used_[slot / 64] >> (slot % 64) & 1)) continue;
    for (WheelTimer* t = heads_[slot]; t;) {
      WheelTimer* next = t->next_;
      if (t->due_ <= us) {  // else later in this millisecond, or in a later turn
        remove(*t);
        ++count_;  // still armed, on the firing list
        link(*t, kFiring);
      }
      t = next;
    }
  }
  if (now > done_) done_ = now;  // the running millisecond's slot is looked at again
  // A callback may arm, cancel or destroy any timer, a firing one too (remove() takes it
  // off this list).
  while (WheelTimer* t = heads_[kFiring]) {
    remove(*t);
    try {
      t->fn_(t->arg_);
    } catch (const std::exception& e) {
      stray(&e);
    } catch (...) {
      stray(nullptr);
    }
  }
  inTick_ = false;
  schedule();
}

void Wheel::schedule() {
  if (count_ == 0) {
    if (scheduled_ >= 0) event_del(ev_);
    scheduled_ = -1;
    return;
  }
  // The first non-empty slot after done_, going round once.
  constexpr std::uint32_t kWords = kSlots / 64;
  auto start = static_cast<std::uint32_t>((done_ + 1) % kSlots);
  std::int64_t tick = -1;
  for (std::uint32_t i = 0; i <= kWords && tick < 0; ++i) {
    std::uint32_t word = (start / 64 + i) % kWords;
    std::uint64_t bits = used_[word];
    if (i == 0) bits &= ~std::uint64_t{0} << (start % 64);                            // from start on
    if (i == kWords) bits &= start % 64 ? (std::uint64_t{1} << (start % 64)) - 1 : 0;  // round: before it
    if (!bits) continue;
    auto slot = word * 64 + static_cast<std::uint32_t>(__builtin_ctzll(bits));
    tick = done_ + 1 + (slot + kSlots - start) % kSlots;
  }
  if (tick < 0) return;
  // Wake for the earliest timer of that slot due in this turn (these are about to be
  // touched anyway); a slot of later turns only: its tick.
  std::int64_t wake = tick * kTickUs;
  for (WheelTimer* t = heads_[tick % kSlots]; t; t = t->next_)
    if (t->due_ <= tick * kTickUs) wake = std::min(wake, t->due_);
  if (wake == scheduled_) return;
  scheduled_ = wake;
  if (clock_.manual()) return;  // Loop::advance fires it
  std::int64_t after = std::max<std::int64_t>(wake - nowUs(), 0);
  timeval tv;
  tv.tv_sec = static_cast<time_t>(after / 1'000'000);
  tv.tv_usec = static_cast<suseconds_t>(after % 1'000'000);
  event_add(ev_, &tv);
}

}  // namespace fail::ev
