// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// decideRun: failsh(8)'s partition table (master A, slave B, witness C), the fencing
// deadline, the start timer and the reassert, seen from each host, on a made-up clock.
#include <gtest/gtest.h>

#include "shell/takeover.hh"

namespace fail::shell {
namespace {

constexpr Micros kSecond = 1'000'000;
constexpr Micros kInterval = kSecond, kFence = 2 * kSecond;

PeerView up(const char* h) { return {h, true, State::Up}; }
PeerView recover(const char* h) { return {h, true, State::Recover}; }
PeerView unknown(const char* h) { return {h, true, State::Unknown}; }
PeerView gone(const char* h) { return {h, false, State::Unknown}; }

using K = RunVerdict::Kind;

// One run of a service with interval 1 s and -fence-after 2 s, started at `at` seconds
// and decided 100 ms later.
struct Poll {
  RunInput in;
  explicit Poll(State local, double at = 10) {
    in.local = local;
    in.interval = kInterval;
    in.fence = kFence;
    in.tickAt = static_cast<Micros>(at * kSecond);
    in.now = in.tickAt + kSecond / 10;
  }
  Poll& held() { in.held = in.local == State::Up; return *this; }
  Poll& masters(std::vector<PeerView> v) { return peers(in.masters, std::move(v)); }
  Poll& slaves(std::vector<PeerView> v) { return peers(in.slaves, std::move(v)); }
  // Witness C: reachable or not, and the hosts its faild holds as FAIL.
  Poll& witness(bool reachable, std::set<std::string> down = {}) {
    in.guarded = true;
    in.reach["C"] = reachable;
    in.witnessDown.push_back(reachable ? std::move(down) : std::set<std::string>{});
    return *this;
  }
  Poll& reassert() { in.hasReassert = true; return *this; }
  Poll& peers(std::vector<PeerView>& to, std::vector<PeerView> v) {
    for (const auto& p : v) in.reach[p.host] = p.reachable;
    to = std::move(v);
    return *this;
  }
  RunVerdict operator()(RunMemory& m) const { return decideRun(in, m); }
};

// ---- failsh(8): "What happens in each partition, with master A, slave B and witness C"

TEST(Takeover, ACutOffFromEveryoneFencesFenceAfterTheLastRunThatReachedAMajority) {
  RunMemory m;
  m.majorityAt = 9 * kSecond;
  RunVerdict v = Poll(State::Up, 10).held().slaves({gone("B")}).witness(false)(m);
  EXPECT_EQ(v.kind, K::Hold);
  EXPECT_EQ(v.fenceAt, 11 * kSecond);  // on a timer, not at a later run
  EXPECT_FALSE(v.cancelFence);
  EXPECT_EQ(Poll(State::Up, 11).held().slaves({gone("B")}).witness(false)(m).kind, K::Fence);
}

TEST(Takeover, AHolderThatNeverReachedAMajorityFencesFromItsRun) {
  RunMemory m;
  RunVerdict v = Poll(State::Up, 10).held().slaves({gone("B")}).witness(false)(m);
  EXPECT_EQ(v.kind, K::Hold);
  EXPECT_EQ(v.fenceAt, 12 * kSecond);
}

TEST(Takeover, ACutOffFromEveryoneBTakesOverAfterFenceAfterPlusAnInterval) {
  RunMemory m;
  auto run = [&](double at) { return Poll(State::Recover, at).masters({gone("A")}).witness(true, {"A"})(m); };
  RunVerdict v = run(10);
  EXPECT_EQ(v.kind, K::StartLater);
  EXPECT_EQ(v.startAt, 13 * kSecond);  // first run that lost A + fence + interval
  EXPECT_EQ(v.note, "not starting yet: waiting for an unreachable peer to fence itself");
  EXPECT_EQ(m.mastersDownSince, 10 * kSecond);
  v = run(11);  // a later run decides afresh, counting from the first
  EXPECT_EQ(v.kind, K::StartLater);
  EXPECT_EQ(v.startAt, 13 * kSecond);
  v = run(13);
  EXPECT_EQ(v.kind, K::Act);
  EXPECT_EQ(v.action, Action::Start);
  // The slave's wait ends after the master's fence deadline (same runs' clock).
  RunMemory a;
  a.majorityAt = 9 * kSecond;
  EXPECT_LT(Poll(State::Up, 10).held().slaves({gone("B")}).witness(false)(a).fenceAt, 13 * kSecond);
}

TEST(Takeover, ACutOffFromBOnlyNeitherTakesOverNorFences) {
  RunMemory b;
  RunVerdict v = Poll(State::Recover).masters({gone("A")}).witness(true)(b);  // C still sees A
  EXPECT_EQ(v.kind, K::Hold);
  EXPECT_EQ(v.note, "not starting: 1 of 3 agree the masters are down");
  RunMemory a;
  v = Poll(State::Up).held().slaves({gone("B")}).witness(true)(a);  // A reaches C
  EXPECT_EQ(v.kind, K::Act);
  EXPECT_EQ(v.action, Action::None);
  EXPECT_TRUE(v.cancelFence);
  EXPECT_EQ(a.majorityAt, 10 * kSecond);
  EXPECT_TRUE(a.contested);  // B may hold it: reassert when it is back
}

TEST(Takeover, BCutOffFromEveryoneNoTakeoverAndAKeepsTheService) {
  RunMemory b;
  RunVerdict v = Poll(State::Recover).masters({gone("A")}).witness(false)(b);
  EXPECT_EQ(v.kind, K::Hold);
  EXPECT_EQ(v.note, "not starting: no majority of peers reachable");
  RunMemory a;
  v = Poll(State::Up).held().slaves({gone("B")}).witness(true, {"B"})(a);
  EXPECT_EQ(v.kind, K::Act);
  EXPECT_EQ(v.action, Action::None);
}

TEST(Takeover, CCutOffNothingChangesWhileAAndBSeeEachOther) {
  RunMemory a, b;
  RunVerdict v = Poll(State::Up).held().slaves({recover("B")}).witness(false)(a);
  EXPECT_EQ(v.kind, K::Act);
  EXPECT_EQ(v.action, Action::None);
  EXPECT_TRUE(v.cancelFence);  // A and B are two of three
  v = Poll(State::Recover).masters({up("A")}).witness(false)(b);
  EXPECT_EQ(v.kind, K::Act);
  EXPECT_EQ(v.action, Action::None);
}

// ---- the guard the other way: a master that cannot reach its slave

TEST(Takeover, AMasterStartsOnlyWhenAMajorityAgreesNoSlaveHoldsIt) {
  RunMemory m;
  RunVerdict v = Poll(State::Recover, 10).slaves({gone("B")}).witness(true)(m);
  EXPECT_EQ(v.kind, K::Hold);
  EXPECT_EQ(v.note, "not starting: 1 of 3 agree no slave holds it");
  EXPECT_EQ(m.slavesDownSince, 10 * kSecond);
  v = Poll(State::Recover, 11).slaves({gone("B")}).witness(true, {"B"})(m);
  EXPECT_EQ(v.kind, K::StartLater);
  EXPECT_EQ(v.startAt, 13 * kSecond);  // from the first run that lost B
  v = Poll(State::Recover, 13).slaves({gone("B")}).witness(true, {"B"})(m);
  EXPECT_EQ(v.action, Action::Start);
  Poll(State::Recover, 14).slaves({recover("B")}).witness(true)(m);
  EXPECT_EQ(m.slavesDownSince, 0);
}

// ---- without witnesses: the original rule, no waiting

TEST(Takeover, WithoutWitnessesTheRuleActsAtOnce) {
  RunMemory m;
  RunVerdict v = Poll(State::Recover).masters({gone("A")})(m);
  EXPECT_EQ(v.kind, K::Act);
  EXPECT_EQ(v.action, Action::Start);
  EXPECT_FALSE(v.cancelFence);
  v = Poll(State::Up).held().masters({up("A")})(m);
  EXPECT_EQ(v.action, Action::Stop);
}

// ---- reassert after a contested hold

TEST(Takeover, AHolderReassertsWhenTheOtherHolderLetGo) {
  RunMemory m;
  // The partition heals: both hold it; the slave will yield.
  EXPECT_EQ(Poll(State::Up, 10).held().slaves({up("B")}).reassert()(m).action, Action::None);
  EXPECT_TRUE(m.contested);
  RunVerdict v = Poll(State::Up, 11).held().slaves({recover("B")}).reassert()(m);
  EXPECT_EQ(v.action, Action::Reassert);
  EXPECT_FALSE(m.contested);
  EXPECT_EQ(Poll(State::Up, 12).held().slaves({recover("B")}).reassert()(m).action, Action::None);  // once
}

TEST(Takeover, AnUnreachablePeerCountsAsAHolderUntilItIsBack) {
  RunMemory m;
  Poll(State::Up, 10).held().slaves({gone("B")}).reassert()(m);
  EXPECT_TRUE(m.contested);
  EXPECT_EQ(Poll(State::Up, 11).held().slaves({recover("B")}).reassert()(m).action, Action::Reassert);
}

TEST(Takeover, NoReassertWithoutTheProcOrWhenNotHolding) {
  RunMemory m;
  Poll(State::Up, 10).held().slaves({up("B")})(m);
  EXPECT_EQ(Poll(State::Up, 11).held().slaves({recover("B")})(m).action, Action::None);
  EXPECT_FALSE(m.contested);
  RunMemory n;
  Poll(State::Up, 10).slaves({up("B")}).reassert()(n);  // UP but not held here
  EXPECT_FALSE(n.contested);
}

// ---- a master starting up, and the reclaim

TEST(Takeover, AMasterWithoutARecordCountsAsReadyForTwoIntervals) {
  RunMemory m;
  EXPECT_EQ(Poll(State::Recover, 10).masters({unknown("A")})(m).action, Action::None);
  EXPECT_EQ(Poll(State::Recover, 11.5).masters({unknown("A")})(m).action, Action::None);
  EXPECT_EQ(Poll(State::Recover, 12.5).masters({unknown("A")})(m).action, Action::Start);
  Poll(State::Up, 13).masters({recover("A")})(m);
  EXPECT_TRUE(m.unknownSince.empty());
}

TEST(Takeover, ReclaimRunsOnceAHandBack) {
  RunMemory m;
  RunInput in = Poll(State::Recover).slaves({up("B")}).in;
  in.hasReclaim = true;
  EXPECT_EQ(decideRun(in, m).action, Action::Reclaim);
  m.reclaimed = true;  // the engine: the reclaim proc ran
  EXPECT_EQ(decideRun(in, m).action, Action::None);
  in.slaves = {recover("B")};
  decideRun(in, m);
  EXPECT_FALSE(m.reclaimed);  // the slave let go: the next hand-back reclaims again
}

}  // namespace
}  // namespace fail::shell
