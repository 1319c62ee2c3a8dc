// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// GroupCommit: when the syncer holds a group open for changes on their way.
#include "state/group_commit.hh"

#include <gtest/gtest.h>

namespace fail::state {
namespace {

using namespace std::chrono_literals;
using Clock = GroupCommit::Clock;

TEST(GroupCommit, ALoneChangeNeverWaits) {
  GroupCommit g;
  Clock::time_point t{};
  EXPECT_FALSE(g.hold(1, t));  // nothing known yet
  for (int i = 0; i < 100; ++i) {
    g.finished(1, 0, 2ms, t);
    EXPECT_FALSE(g.hold(1, t + 10us));
    t += 5ms;
  }
  // One overlap of two changes now and then does not make the writers many.
  g.finished(2, 1, 2ms, t);
  EXPECT_FALSE(g.hold(1, t + 10us));
}

TEST(GroupCommit, ManyWritersAreHeldUntilTheWaveIsBack) {
  GroupCommit g;
  Clock::time_point t{};
  for (int i = 0; i < 20; ++i) g.finished(32, 32, 500us, t);
  // The 32 that were queued at the end and the 32 just released: 64 outstanding.
  auto h = g.hold(32, t + 10us);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->target, 64u);
  EXPECT_EQ(h->until, t + 500us);  // no longer after the group's end than its sync took
  EXPECT_FALSE(g.hold(64, t + 10us));   // all back: write now
  EXPECT_FALSE(g.hold(40, t + 500us));  // the deadline passed: write what is there
}

TEST(GroupCommit, TheHoldIsBoundedWhateverTheSyncTakes) {
  GroupCommit g;
  Clock::time_point t{};
  for (int i = 0; i < 20; ++i) g.finished(64, 0, 40ms, t);
  auto h = g.hold(10, t);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->until, t + GroupCommit::kMaxHold);
}

TEST(GroupCommit, FewerWritersShrinkTheTarget) {
  GroupCommit g;
  Clock::time_point t{};
  for (int i = 0; i < 20; ++i) g.finished(64, 0, 1ms, t);
  // Half of the writers went away: the next group is 32, and so is the next target.
  g.finished(32, 0, 1ms, t + 2ms);
  auto h = g.hold(10, t + 2ms);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->target, 32u);
  EXPECT_LT(g.average(), 64.0);
}

TEST(GroupCommit, AttributeGroupsChangeNothing) {
  GroupCommit g;
  Clock::time_point t{};
  for (int i = 0; i < 20; ++i) g.finished(1, 0, 1ms, t);
  g.finished(0, 0, 1ms, t);
  EXPECT_NEAR(g.average(), 1.0, 0.01);
  EXPECT_FALSE(g.hold(1, t));
}

TEST(GroupCommit, AfterAQuietSpellTheFirstChangeGoesAtOnce) {
  GroupCommit g;
  Clock::time_point t{};
  for (int i = 0; i < 20; ++i) g.finished(64, 0, 1ms, t);
  EXPECT_FALSE(g.hold(1, t + 1s));  // the load stopped long ago
}

}  // namespace
}  // namespace fail::state
