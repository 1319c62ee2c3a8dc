// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// GroupCommit: when the syncer holds a group open for changes on their way.
#include "state/group_commit.hh"

#include <gtest/gtest.h>

namespace fail::state {
namespace {

using namespace std::chrono_literals;
using Clock = GroupCommit::Clock;

// After a steady load: 20 groups of `changes`, each synced in `took` and ending at the
// epoch with `queued` more waiting.
GroupCommit steady(size_t changes, size_t queued, Clock::duration took) {
  GroupCommit g;
  for (int i = 0; i < 20; ++i) g.finished(changes, queued, took, Clock::time_point{});
  return g;
}

TEST(GroupCommit, ALoneChangeNeverWaits) {
  GroupCommit g;
  Clock::time_point t{};
  EXPECT_FALSE(g.hold(1, t, t, t));  // nothing known yet
  for (int i = 0; i < 100; ++i) {
    g.finished(1, 0, 2ms, t);
    EXPECT_FALSE(g.hold(1, t + 10us, t + 10us, t + 10us));
    t += 5ms;
  }
  // One overlap of two changes now and then does not make the writers many.
  g.finished(2, 1, 2ms, t);
  EXPECT_FALSE(g.hold(1, t + 10us, t + 10us, t + 10us));
}

TEST(GroupCommit, ManyWritersAreHeldUntilTheWaveIsBack) {
  GroupCommit g = steady(32, 32, 500us);
  Clock::time_point t{};
  // The 32 that were queued at the end and the 32 just released: 64 outstanding. The
  // first of those queued came during the sync: the hold counts from the group's end.
  auto h = g.hold(32, t - 300us, t - 300us, t + 10us);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->target, 64u);
  EXPECT_EQ(h->until, t + 500us);  // no longer after the group's end than its sync took
  EXPECT_FALSE(g.hold(64, t - 300us, t - 300us, t + 10us));  // all back: write now
  // The deadline passed: write what is there.
  EXPECT_FALSE(g.hold(40, t - 300us, t - 300us, t + 500us));
}

TEST(GroupCommit, AWaveIsHeldFromItsFirstChange) {
  // The loop thread took longer to write the replies than the sync took: the wave
  // begins to come back after the sync time has passed since the group's end. Its
  // first change is held for the rest, not written alone.
  GroupCommit g = steady(64, 0, 200us);
  Clock::time_point t{};
  auto h = g.hold(1, t + 400us, t + 400us, t + 410us);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->target, 64u);
  EXPECT_EQ(h->until, t + 600us);  // one sync time after the first came
  EXPECT_FALSE(g.hold(64, t + 400us, t + 400us, t + 500us));  // all back
  EXPECT_FALSE(g.hold(60, t + 400us, t + 400us, t + 600us));  // the rest did not come in time
  // A busy machine: the wave begins to come back 3 ms after the group's end.
  h = g.hold(1, t + 3ms, t + 3ms, t + 3ms);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->until, t + 3ms + 200us);
}

TEST(GroupCommit, AWaveIsHeldWhileItKeepsComing) {
  GroupCommit g = steady(64, 0, 200us);
  Clock::time_point t{};
  // The last change came at 550 us: held until a sync's time after it.
  auto h = g.hold(40, t + 400us, t + 550us, t + 700us);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->until, t + 750us);
  EXPECT_FALSE(g.hold(40, t + 400us, t + 550us, t + 750us));  // none came since
  // Still coming, but kMaxHold after the first: written.
  h = g.hold(63, t + 400us, t + 1300us, t + 1310us);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->until, t + 400us + GroupCommit::kMaxHold);
}

TEST(GroupCommit, TheHoldIsBoundedWhateverTheSyncTakes) {
  GroupCommit g = steady(64, 0, 40ms);
  Clock::time_point t{};
  auto h = g.hold(10, t, t, t);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->until, t + GroupCommit::kMaxHold);
  h = g.hold(10, t + 500us, t + 500us, t + 600us);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->until, t + 500us + GroupCommit::kMaxHold);
}

TEST(GroupCommit, FewerWritersShrinkTheTarget) {
  GroupCommit g = steady(64, 0, 1ms);
  Clock::time_point t{};
  // Half of the writers went away: the next group is 32, and so is the next target.
  g.finished(32, 0, 1ms, t + 2ms);
  auto h = g.hold(10, t + 2ms, t + 2ms, t + 2ms);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->target, 32u);
  EXPECT_LT(g.average(), 64.0);
}

TEST(GroupCommit, AttributeGroupsChangeNothing) {
  GroupCommit g = steady(1, 0, 1ms);
  Clock::time_point t{};
  g.finished(0, 0, 1ms, t);
  EXPECT_NEAR(g.average(), 1.0, 0.01);
  EXPECT_FALSE(g.hold(1, t, t, t));
}

TEST(GroupCommit, AfterAQuietSpellTheFirstChangeGoesAtOnce) {
  GroupCommit g = steady(64, 0, 1ms);
  Clock::time_point t{};
  EXPECT_FALSE(g.hold(1, t + 1s, t + 1s, t + 1s));  // the load stopped long ago
  // Not part of the last group's wave, even soon after: never held.
  auto late = t + GroupCommit::kWave;
  EXPECT_FALSE(g.hold(1, late, late, late));
}

}  // namespace
}  // namespace fail::state
