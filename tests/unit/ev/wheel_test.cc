// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The timing wheel on a loop with a ManualClock (exact: every timer fires at its due
// time, never early, and the machine's load does not matter): cancel and re-arm from
// callbacks, many timers, timers beyond one turn, one wheel per loop. One test on the
// real clock checks that the wheel wakes the loop, with bounds a loaded machine keeps
// (how late a timer is belongs to bench/).
#include "ev/wheel.hh"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <vector>

#include "ev/loop.hh"

namespace fail::ev {
namespace {

using namespace std::chrono_literals;
using TimePoint = Clock::time_point;

struct ManualLoop {
  ManualClock clock;
  Loop loop{clock};
  const TimePoint t0 = clock.now();
};

struct Probe {
  const Clock* clock = nullptr;
  std::vector<TimePoint> fired;
  static void fire(void* p) {
    auto* self = static_cast<Probe*>(p);
    self->fired.push_back(self->clock->now());
  }
};

TEST(Wheel, FiresOnceAtItsDueTime) {
  ManualLoop m;
  Probe p[3];
  for (Probe& q : p) q.clock = &m.clock;
  Wheel& w = m.loop.wheel();
  WheelTimer a(w, Probe::fire, &p[0]), b(w, Probe::fire, &p[1]), c(w, Probe::fire, &p[2]);
  a.arm(30ms);
  b.armAt(m.t0 + 10ms + 300us);  // within a tick: the wheel wakes for it, not the tick's end
  c.armAt(m.t0 - 1s);            // past: the next tick
  EXPECT_TRUE(a.armed());
  EXPECT_EQ(w.size(), 3u);
  m.loop.advance(29ms);
  EXPECT_TRUE(p[0].fired.empty());  // never early
  m.loop.advance(100ms);
  ASSERT_EQ(p[0].fired.size(), 1u);
  ASSERT_EQ(p[1].fired.size(), 1u);
  ASSERT_EQ(p[2].fired.size(), 1u);
  EXPECT_EQ(p[0].fired[0] - m.t0, 30ms);
  EXPECT_EQ(p[1].fired[0] - m.t0, 10300us);
  EXPECT_EQ(p[2].fired[0] - m.t0, 0ms);
  EXPECT_FALSE(a.armed());
  EXPECT_EQ(w.size(), 0u);
  EXPECT_EQ(w.nextWakeUs(), -1);
}

TEST(Wheel, CancelReArmAndDestroyFromCallbacks) {
  // Timers due at the same moment, each cancelling (or destroying) the other: whichever
  // the wheel takes first, the other never fires. One re-arms itself from its callback.
  ManualLoop m;
  struct Ctx {
    WheelTimer* cancel = nullptr;                    // cancelled by this one's callback
    std::unique_ptr<WheelTimer>* destroy = nullptr;  // destroyed by it
    WheelTimer* self = nullptr;
    int runs = 0, again = 0;
    static void fire(void* arg) {
      auto* c = static_cast<Ctx*>(arg);
      ++c->runs;
      if (c->cancel) c->cancel->cancel();
      if (c->destroy) c->destroy->reset();
      if (c->again-- > 0) c->self->arm(5ms);
    }
  } a, b, c, d;
  Wheel& w = m.loop.wheel();
  WheelTimer ta(w, Ctx::fire, &a), tb(w, Ctx::fire, &b);
  auto tc = std::make_unique<WheelTimer>(w, Ctx::fire, &c);
  auto td = std::make_unique<WheelTimer>(w, Ctx::fire, &d);
  a.cancel = &tb;
  b.cancel = &ta;
  c.destroy = &td;
  d.destroy = &tc;
  a.self = &ta;
  b.self = &tb;
  a.again = b.again = 2;
  auto at = m.t0 + 10ms;
  for (WheelTimer* t : {&ta, &tb, tc.get(), td.get()}) t->armAt(at);
  m.loop.advance(10ms);
  EXPECT_EQ(a.runs + b.runs, 1);
  EXPECT_EQ(c.runs + d.runs, 1);
  m.loop.advance(9ms);
  EXPECT_EQ(a.runs + b.runs, 2);  // 15 ms
  m.loop.advance(1ms);
  EXPECT_EQ(a.runs + b.runs, 3);  // 20 ms
  m.loop.advance(1s);
  EXPECT_EQ(a.runs + b.runs, 3);  // one of them, and twice more on its own
  EXPECT_TRUE(a.runs == 0 || b.runs == 0);
  EXPECT_EQ(c.runs + d.runs, 1);
  EXPECT_TRUE(!tc != !td);  // exactly one destroyed
  EXPECT_FALSE(ta.armed());
  EXPECT_FALSE(tb.armed());
}

TEST(Wheel, ManyTimersAndTimersBeyondOneTurn) {
  ManualLoop m;
  std::vector<Probe> p(2000);
  std::vector<std::unique_ptr<WheelTimer>> t;
  Wheel& w = m.loop.wheel();
  for (size_t i = 0; i < p.size(); ++i) {
    p[i].clock = &m.clock;
    t.push_back(std::make_unique<WheelTimer>(w, Probe::fire, &p[i]));
    t.back()->armAt(m.t0 + std::chrono::microseconds(100 * static_cast<long>(i)));  // over 200 ms
  }
  // Same slot as something due in 20 ms, but a whole turn (and more) later.
  Probe far{&m.clock, {}};
  WheelTimer farTimer(w, Probe::fire, &far);
  const auto farDue = m.t0 + 20ms + std::chrono::milliseconds(Wheel::kSlots) + 7us;
  farTimer.armAt(farDue);
  m.loop.advance(250ms);
  for (size_t i = 0; i < p.size(); ++i) {
    ASSERT_EQ(p[i].fired.size(), 1u) << i;
    EXPECT_EQ(p[i].fired[0], m.t0 + std::chrono::microseconds(100 * static_cast<long>(i))) << i;
  }
  EXPECT_TRUE(far.fired.empty());
  EXPECT_TRUE(farTimer.armed());
  m.loop.advance(std::chrono::duration_cast<Micros>(farDue - m.clock.now()) - 1us);
  EXPECT_TRUE(far.fired.empty());
  m.loop.advance(1us);
  ASSERT_EQ(far.fired.size(), 1u);
  EXPECT_EQ(far.fired[0], farDue);
}

TEST(Wheel, OneWheelPerLoop) {
  ManualLoop one, two;
  Probe p{&one.clock, {}}, q{&two.clock, {}};
  WheelTimer a(one.loop.wheel(), Probe::fire, &p), b(two.loop.wheel(), Probe::fire, &q);
  a.arm(5ms);
  b.arm(5ms);
  one.loop.advance(5ms);
  EXPECT_EQ(p.fired.size(), 1u);
  EXPECT_TRUE(q.fired.empty());  // two's clock has not moved
  two.loop.advance(5ms);
  EXPECT_EQ(q.fired.size(), 1u);
}

TEST(Wheel, WakesARealLoopNeverEarly) {
  Loop loop;
  Probe p{&loop.clock(), {}};
  WheelTimer a(loop.wheel(), Probe::fire, &p);
  Timer giveUp(loop.base(), [&] { loop.stop(); });
  WheelTimer done(
      loop.wheel(), [](void* l) { static_cast<Loop*>(l)->stop(); }, &loop);
  auto t0 = loop.now();
  a.arm(20ms);
  done.arm(25ms);
  giveUp.arm(20s);  // a loaded machine is slow, not that slow
  loop.run();
  ASSERT_EQ(p.fired.size(), 1u);
  EXPECT_GE(p.fired[0] - t0, 20ms);
}

}  // namespace
}  // namespace fail::ev
