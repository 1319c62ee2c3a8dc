// The timing wheel: never early, about on time, cancel and re-arm from callbacks, timers
// beyond one turn, one wheel per loop freed with its last timer.
#include "ev/wheel.hh"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <vector>

namespace fail::ev {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Loop {
  event_base* base = event_base_new();
  ~Loop() { event_base_free(base); }
  // Runs until `cond` or `limit`.
  template <class F>
  bool until(F cond, std::chrono::milliseconds limit = 5s) {
    auto end = Clock::now() + limit;
    Timer tick(base, [] {});
    while (!cond()) {
      if (Clock::now() > end) return false;
      tick.arm(5ms);
      event_base_loop(base, EVLOOP_ONCE);
    }
    return true;
  }
};

struct Probe {
  std::vector<Clock::time_point> fired;
  static void fire(void* p) { static_cast<Probe*>(p)->fired.push_back(Clock::now()); }
};

long ms(Clock::duration d) { return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()); }

TEST(Wheel, FiresOnceNeverEarlyAndAboutOnTime) {
  Loop loop;
  Probe p[3];
  WheelTimer a(loop.base, Probe::fire, &p[0]), b(loop.base, Probe::fire, &p[1]), c(loop.base, Probe::fire, &p[2]);
  auto t0 = Clock::now();
  a.arm(30ms);
  b.arm(10ms);
  c.armAt(t0 - 1s);  // past: the next tick
  EXPECT_TRUE(a.armed());
  ASSERT_TRUE(loop.until([&] { return !p[0].fired.empty(); }));
  loop.until([] { return false; }, 20ms);
  ASSERT_EQ(p[0].fired.size(), 1u);
  ASSERT_EQ(p[1].fired.size(), 1u);
  ASSERT_EQ(p[2].fired.size(), 1u);
  EXPECT_GE(p[0].fired[0] - t0, 30ms);
  EXPECT_GE(p[1].fired[0] - t0, 10ms);
  EXPECT_LT(ms(p[0].fired[0] - t0), 30 + 15);
  EXPECT_LT(ms(p[2].fired[0] - t0), 15);
  EXPECT_FALSE(a.armed());
}

TEST(Wheel, CancelReArmAndDestroyFromCallbacks) {
  // Timers due at the same moment, each cancelling (or destroying) the other: whichever
  // the wheel takes first, the other never fires. One re-arms itself from its callback.
  Loop loop;
  struct Ctx {
    WheelTimer* cancel = nullptr;                // cancelled by this one's callback
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
  WheelTimer ta(loop.base, Ctx::fire, &a), tb(loop.base, Ctx::fire, &b);
  auto tc = std::make_unique<WheelTimer>(loop.base, Ctx::fire, &c);
  auto td = std::make_unique<WheelTimer>(loop.base, Ctx::fire, &d);
  a.cancel = &tb;
  b.cancel = &ta;
  c.destroy = &td;
  d.destroy = &tc;
  a.self = &ta;
  b.self = &tb;
  a.again = b.again = 2;
  auto at = Clock::now() + 10ms;
  for (WheelTimer* t : {&ta, &tb, tc.get(), td.get()}) t->armAt(at);
  ASSERT_TRUE(loop.until([&] { return a.runs + b.runs == 3 && c.runs + d.runs == 1; }));
  loop.until([] { return false; }, 30ms);
  EXPECT_EQ(a.runs + b.runs, 3);  // one of them, and twice more on its own
  EXPECT_TRUE(a.runs == 0 || b.runs == 0);
  EXPECT_EQ(c.runs + d.runs, 1);
  EXPECT_TRUE(!tc != !td);  // exactly one destroyed
  EXPECT_FALSE(ta.armed());
  EXPECT_FALSE(tb.armed());
}

TEST(Wheel, ManyTimersAndTimersBeyondOneTurn) {
  Loop loop;
  std::vector<Probe> p(2000);
  std::vector<std::unique_ptr<WheelTimer>> t;
  auto t0 = Clock::now();
  for (size_t i = 0; i < p.size(); ++i) {
    t.push_back(std::make_unique<WheelTimer>(loop.base, Probe::fire, &p[i]));
    t.back()->armAt(t0 + std::chrono::microseconds(100 * static_cast<long>(i)));  // over 200 ms
  }
  // Same slot as something due in 20 ms, but a whole turn (and more) later.
  Probe far;
  WheelTimer farTimer(loop.base, Probe::fire, &far);
  farTimer.armAt(t0 + 20ms + std::chrono::milliseconds(Wheel::kSlots));
  ASSERT_TRUE(loop.until([&] { return !p.back().fired.empty(); }));
  for (size_t i = 0; i < p.size(); ++i) {
    ASSERT_EQ(p[i].fired.size(), 1u) << i;
    EXPECT_GE(p[i].fired[0], t0 + std::chrono::microseconds(100 * static_cast<long>(i))) << i;
  }
  loop.until([] { return false; }, 50ms);
  EXPECT_TRUE(far.fired.empty());
  EXPECT_TRUE(farTimer.armed());
  farTimer.cancel();
}

TEST(Wheel, OneWheelPerLoopFreedWithItsLastTimer) {
  Loop one, two;
  Probe p, q;
  {
    WheelTimer a(one.base, Probe::fire, &p), b(two.base, Probe::fire, &q);
    a.arm(5ms);
    b.arm(5ms);
    ASSERT_TRUE(one.until([&] { return !p.fired.empty(); }));
    EXPECT_TRUE(q.fired.empty());  // two's loop has not run
    ASSERT_TRUE(two.until([&] { return !q.fired.empty(); }));
  }
  // Both wheels are gone with their timers; a new timer makes a new one.
  WheelTimer c(one.base, Probe::fire, &p);
  c.arm(1ms);
  ASSERT_TRUE(one.until([&] { return p.fired.size() == 2; }));
}

}  // namespace
}  // namespace fail::ev
