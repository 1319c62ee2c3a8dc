// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// ev::Loop: deferred calls and deletion, the daemon signals, a borrowed event_base, and
// a ManualClock that fires wheel timers without sleeping.
#include "ev/loop.hh"

#include <gtest/gtest.h>

#include <csignal>
#include <memory>
#include <string>
#include <vector>

namespace fail::ev {
namespace {

using namespace std::chrono_literals;

// Counts live instances: says when a deferred deletion happened.
struct Tracked {
  explicit Tracked(int& alive) : alive_(alive) { ++alive_; }
  ~Tracked() { --alive_; }
  int& alive_;
};

TEST(Loop, DeleteLaterDeletesAfterTheRunningCallback) {
  Loop loop;
  int alive = 0;
  auto obj = std::make_unique<Tracked>(alive);
  int aliveAtCallbackEnd = -1;
  Timer t(loop.base(), [&] {
    loop.deleteLater(std::move(obj));
    aliveAtCallbackEnd = alive;  // still there: its own callback may be running
  });
  t.arm(0us);
  loop.runReady();
  EXPECT_EQ(aliveAtCallbackEnd, 1);
  loop.runReady();  // at the latest the next turn
  EXPECT_EQ(alive, 0);
}

TEST(Loop, DeferredCallsRunInOrderAndMayDeferMore) {
  Loop loop;
  std::vector<std::string> ran;
  loop.defer([&] {
    ran.push_back("a");
    loop.defer([&] { ran.push_back("c"); });
  });
  loop.defer([&] { ran.push_back("b"); });
  loop.defer([] { throw std::runtime_error("logged, not propagated"); });
  EXPECT_TRUE(ran.empty());  // never from inside defer()
  loop.runReady();
  loop.runReady();
  EXPECT_EQ(ran, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(Loop, TheDestructorRunsWhatIsStillDeferred) {
  int alive = 0;
  {
    Loop loop;
    loop.deleteLater(std::make_unique<Tracked>(alive));
    EXPECT_EQ(alive, 1);
  }
  EXPECT_EQ(alive, 0);
}

TEST(Loop, DaemonSignals) {
  Loop loop;
  int reloads = 0, dumps = 0, stops = 0;
  loop.handleSignals({[&] { ++reloads; }, [&] { ++dumps; }, [&] { ++stops; }});
  struct sigaction pipe{};
  ASSERT_EQ(::sigaction(SIGPIPE, nullptr, &pipe), 0);
  EXPECT_EQ(pipe.sa_handler, SIG_IGN);
  Timer giveUp(loop.base(), [&] { loop.stop(); });
  giveUp.arm(20s);
  Timer send(loop.base(), [] {
    std::raise(SIGHUP);
    std::raise(SIGUSR1);
    std::raise(SIGTERM);
  });
  send.arm(0us);
  EXPECT_EQ(loop.run(), SIGTERM);
  EXPECT_EQ(reloads, 1);
  EXPECT_EQ(dumps, 1);
  EXPECT_EQ(stops, 1);
}

TEST(Loop, ABorrowedBaseIsNotFreed) {
  event_base* base = event_base_new();
  {
    Loop loop(base);
    EXPECT_EQ(loop.base(), base);
    int ran = 0;
    loop.defer([&] { ++ran; });
    event_base_loop(base, EVLOOP_NONBLOCK);  // whoever runs the base runs the loop
    EXPECT_EQ(ran, 1);
  }
  {
    bool fired = false;
    Timer still(base, [&] { fired = true; });  // the base is still usable
    still.arm(0us);
    event_base_loop(base, EVLOOP_ONCE);
    EXPECT_TRUE(fired);
  }
  event_base_free(base);
}

TEST(Loop, AManualClockMovesOnlyWhenTold) {
  ManualClock clock;
  Loop loop(clock);
  auto t0 = loop.now();
  struct Hit {
    Loop* loop;
    std::vector<Clock::time_point> at;
    static void fire(void* p) {
      auto* h = static_cast<Hit*>(p);
      h->at.push_back(h->loop->now());
    }
  } hit{&loop, {}};
  WheelTimer t(loop.wheel(), Hit::fire, &hit);
  t.arm(1h);  // an hour passes in no time
  loop.runReady();
  EXPECT_EQ(loop.now(), t0);
  EXPECT_TRUE(hit.at.empty());
  loop.advance(2h);
  ASSERT_EQ(hit.at.size(), 1u);
  EXPECT_EQ(hit.at[0] - t0, 1h);
  EXPECT_EQ(loop.now() - t0, 2h);
}

TEST(Loop, AdvanceNeedsAManualClock) {
  Loop loop;
  EXPECT_THROW(loop.advance(1ms), std::logic_error);
}

}  // namespace
}  // namespace fail::ev
