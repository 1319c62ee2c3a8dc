// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The master/slave rule, witness votes and the fencing majority, as a table.
#include <gtest/gtest.h>

#include "shell/rule.hh"

namespace fail::shell {
namespace {

PeerView up(const char* h) { return {h, true, State::Up}; }
PeerView recover(const char* h) { return {h, true, State::Recover}; }
PeerView fail(const char* h) { return {h, true, State::Fail}; }
PeerView gone(const char* h) { return {h, false, State::Unknown}; }

Action run(State local, std::vector<PeerView> masters, std::vector<PeerView> slaves, bool reclaim = false,
           bool reclaimed = false) {
  RuleInput in;
  in.local = local;
  in.masters = std::move(masters);
  in.slaves = std::move(slaves);
  in.hasReclaim = reclaim;
  in.reclaimed = reclaimed;
  return decide(in);
}

TEST(Rule, AMasterUpOrRecoverKeepsTheServiceOffHere) {
  EXPECT_EQ(run(State::Up, {up("a")}, {}), Action::Stop);
  EXPECT_EQ(run(State::Up, {recover("a")}, {}), Action::Stop);
  EXPECT_EQ(run(State::Recover, {up("a")}, {}), Action::None);
  EXPECT_EQ(run(State::Unknown, {up("a")}, {}), Action::Announce);
  EXPECT_EQ(run(State::Fail, {up("a")}, {}), Action::None);
  EXPECT_EQ(run(State::Recover, {fail("a"), up("b")}, {}), Action::None);  // any master
}

TEST(Rule, NoMasterReadyNoSlaveUpStarts) {
  EXPECT_EQ(run(State::Recover, {}, {}), Action::Start);
  EXPECT_EQ(run(State::Unknown, {}, {}), Action::Start);
  EXPECT_EQ(run(State::Recover, {fail("a")}, {recover("s")}), Action::Start);
  EXPECT_EQ(run(State::Recover, {gone("a")}, {gone("s")}), Action::Start);  // unreachable counts as FAIL
  EXPECT_EQ(run(State::Up, {fail("a")}, {}), Action::None);
  EXPECT_EQ(run(State::Fail, {}, {}), Action::None);  // FAIL waits for someone's RECOVER
}

TEST(Rule, ASlaveUpMakesAReturningMasterAnnounceFirst) {
  EXPECT_EQ(run(State::Unknown, {}, {up("s")}), Action::Announce);
  EXPECT_EQ(run(State::Recover, {}, {up("s")}), Action::None);
  EXPECT_EQ(run(State::Recover, {}, {up("s")}, true, false), Action::Reclaim);
  EXPECT_EQ(run(State::Recover, {}, {up("s")}, true, true), Action::None);
  EXPECT_EQ(run(State::Up, {}, {up("s")}), Action::None);  // both up: the slave yields, not us
}

TEST(Rule, EffectiveStateOfAnUnreachableHostIsFail) {
  EXPECT_EQ(gone("x").effective(), State::Fail);
  EXPECT_EQ(up("x").effective(), State::Up);
}

TEST(Rule, TakeoverVotesCountSelfReachableDownMastersAndWitnesses) {
  // A cut off from everyone, witness C sees it down: 2 of 3.
  EXPECT_TRUE(takeoverVotes({gone("a")}, {true}).majority());
  // A cut off from B only: C still sees A: 1 of 3.
  EXPECT_FALSE(takeoverVotes({gone("a")}, {false}).majority());
  // A reachable and saying FAIL: it agrees itself.
  Votes v = takeoverVotes({fail("a")}, {false});
  EXPECT_EQ(v.yes, 2);
  EXPECT_EQ(v.total, 3);
  EXPECT_TRUE(v.majority());
  // Two witnesses, one agrees: 2 of 4 is no majority.
  EXPECT_FALSE(takeoverVotes({gone("a")}, {true, false}).majority());
  EXPECT_TRUE(takeoverVotes({gone("a")}, {true, true}).majority());
}

TEST(Rule, StartVotesWhenASlaveCannotBeReached) {
  // The master is back, the slave unreachable from it, the witness still sees the slave.
  EXPECT_FALSE(startVotes({gone("b")}, {false}).majority());
  // The witness has lost the slave too: 2 of 3.
  EXPECT_TRUE(startVotes({gone("b")}, {true}).majority());
  // A reachable slave that does not hold it (RECOVER) agrees.
  EXPECT_TRUE(startVotes({recover("b")}, {false}).majority());
  EXPECT_FALSE(startVotes({up("b"), gone("d")}, {false}).majority());
}

TEST(Rule, FencingNeedsAMajorityReachable) {
  EXPECT_TRUE(reachesMajority({}));               // alone in its set: 1 of 1
  EXPECT_TRUE(reachesMajority({false, true}));    // reaches the witness: 2 of 3
  EXPECT_FALSE(reachesMajority({false, false}));  // cut off: 1 of 3
  EXPECT_TRUE(reachesMajority({true}));           // 2 of 2
  EXPECT_FALSE(reachesMajority({false}));         // 1 of 2 is no majority
}

TEST(Rule, ActionNames) {
  EXPECT_STREQ(actionName(Action::Start), "start");
  EXPECT_STREQ(actionName(Action::Reclaim), "reclaim");
}

}  // namespace
}  // namespace fail::shell
