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

// Until when `g` holds `queued` changes at `now` (the epoch's minimum: written at once).
Clock::time_point heldUntil(const GroupCommit& g, size_t queued, Clock::time_point now) {
  auto h = g.hold(queued, now);
  return h ? h->until : Clock::time_point::min();
}

TEST(GroupCommit, ALoneChangeNeverWaits) {
  GroupCommit g;
  Clock::time_point t{};
  g.arrived(t);
  EXPECT_FALSE(g.hold(1, t));  // nothing known yet
  for (int i = 0; i < 100; ++i) {
    g.taken();
    g.finished(1, 0, 2ms, t);
    g.arrived(t + 10us);
    EXPECT_FALSE(g.hold(1, t + 10us));
    t += 5ms;
  }
  // One overlap of two changes now and then does not make the writers many.
  g.finished(2, 1, 2ms, t);
  EXPECT_FALSE(g.hold(1, t + 10us));
}

TEST(GroupCommit, ManyWritersAreHeldUntilTheWaveIsBack) {
  GroupCommit g = steady(32, 32, 500us);
  Clock::time_point t{};
  // The 32 that were queued at the end and the 32 just released: 64 outstanding. The
  // first of those queued came during the sync: the hold counts from the group's end.
  g.arrived(t - 300us);
  auto h = g.hold(32, t + 10us);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->target, 64u);
  EXPECT_EQ(h->until, t + 500us);  // no longer after the group's end than its sync took
  EXPECT_FALSE(g.hold(64, t + 10us));  // all back: write now
  EXPECT_FALSE(g.hold(40, t + 500us));  // the deadline passed: write what is there
}

TEST(GroupCommit, AWaveIsHeldFromItsFirstChange) {
  // The loop thread took longer to write the replies than the sync took: the wave
  // begins to come back after the sync time has passed since the group's end. Its
  // first change is held for the rest, not written alone.
  GroupCommit g = steady(64, 0, 200us);
  Clock::time_point t{};
  g.arrived(t + 400us);
  auto h = g.hold(1, t + 410us);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->target, 64u);
  EXPECT_EQ(h->until, t + 600us);  // one sync time after the first came
  EXPECT_FALSE(g.hold(64, t + 500us));  // all back
  EXPECT_FALSE(g.hold(60, t + 600us));  // the rest did not come in time
  // A busy machine: the wave begins to come back 3 ms after the group's end.
  GroupCommit busy = steady(64, 0, 200us);
  busy.arrived(t + 3ms);
  EXPECT_EQ(heldUntil(busy, 1, t + 3ms), t + 3ms + 200us);
}

TEST(GroupCommit, AWaveIsHeldWhileItKeepsComing) {
  GroupCommit g = steady(64, 0, 200us);
  Clock::time_point t{};
  g.arrived(t + 400us);
  g.arrived(t + 550us);
  // The last change came at 550 us: held until a sync's time after it.
  EXPECT_EQ(heldUntil(g, 40, t + 700us), t + 750us);
  EXPECT_FALSE(g.hold(40, t + 750us));  // none came since
  // Still coming, but kMaxHold after the first: written.
  g.arrived(t + 1300us);
  EXPECT_EQ(heldUntil(g, 63, t + 1310us), t + 400us + GroupCommit::kMaxHold);
}

TEST(GroupCommit, AChangeQueuedDuringTheSyncWaitsForTheWave) {
  GroupCommit g = steady(63, 1, 200us);
  Clock::time_point t{};
  // The last group's wave began to come back 400 us after its end; it is written,
  // and one more change comes during its sync.
  g.arrived(t + 400us);
  g.taken();
  g.arrived(t + 1ms);
  g.finished(63, 1, 200us, t + 1200us);
  // Not written alone at once: held until the wave can be back (400 us after the end)
  // and a sync's time more.
  auto h = g.hold(1, t + 1300us);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->target, 64u);
  EXPECT_EQ(h->until, t + 1800us);
  // The wave began: from now on held while it keeps coming.
  g.arrived(t + 1700us);
  EXPECT_EQ(heldUntil(g, 2, t + 1750us), t + 1900us);
}

TEST(GroupCommit, TheHoldIsBoundedWhateverTheSyncTakes) {
  GroupCommit g = steady(64, 0, 40ms);
  Clock::time_point t{};
  g.arrived(t);
  EXPECT_EQ(heldUntil(g, 10, t), t + GroupCommit::kMaxHold);
  GroupCommit later = steady(64, 0, 40ms);
  later.arrived(t + 500us);
  EXPECT_EQ(heldUntil(later, 10, t + 600us), t + 500us + GroupCommit::kMaxHold);
}

TEST(GroupCommit, FewerWritersShrinkTheTarget) {
  GroupCommit g = steady(64, 0, 1ms);
  Clock::time_point t{};
  // Half of the writers went away: the next group is 32, and so is the next target.
  g.finished(32, 0, 1ms, t + 2ms);
  g.arrived(t + 2ms);
  auto h = g.hold(10, t + 2ms);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->target, 32u);
  EXPECT_LT(g.average(), 64.0);
}

TEST(GroupCommit, AttributeGroupsChangeNothing) {
  GroupCommit g = steady(1, 0, 1ms);
  Clock::time_point t{};
  g.finished(0, 0, 1ms, t);
  EXPECT_NEAR(g.average(), 1.0, 0.01);
  g.arrived(t);
  EXPECT_FALSE(g.hold(1, t));
}

TEST(GroupCommit, AfterAQuietSpellTheFirstChangeGoesAtOnce) {
  Clock::time_point t{};
  GroupCommit g = steady(64, 0, 1ms);
  g.arrived(t + 1s);
  EXPECT_FALSE(g.hold(1, t + 1s));  // the load stopped long ago
  // Not part of the last group's wave, even soon after: never held.
  GroupCommit soon = steady(64, 0, 1ms);
  soon.arrived(t + GroupCommit::kWave);
  EXPECT_FALSE(soon.hold(1, t + GroupCommit::kWave));
}

}  // namespace
}  // namespace fail::state
