// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// fail::quorum's tally: bands, hysteresis, canaries, minimum voters.
#include <gtest/gtest.h>

#include "shell/quorum.hh"

namespace fail::shell {
namespace {

using state::State;

state::Record rec(const std::string& name, State s) {
  state::Record r;
  r.name = name;
  r.state = s;
  return r;
}

Quorum make(double up, double down, std::string canary = "", int minVoters = 1) {
  QuorumSpec s;
  s.name = "web";
  s.checks = "web@*";
  s.upPct = up;
  s.downPct = down;
  s.canary = std::move(canary);
  s.minVoters = minVoters;
  return Quorum(s);
}

TEST(Quorum, GcoreBands) {
  Quorum q = make(85, 20);
  for (const char* loc : {"a", "b", "c", "d", "e"}) q.feed(rec(std::string("web@") + loc, State::Up), false);
  EXPECT_EQ(q.verdict(), State::Up);
  q.feed(rec("web@a", State::Fail), false);  // 4 of 5 up (80%), 1 fail (20%): FAIL band
  EXPECT_EQ(q.verdict(), State::Fail);
  q.feed(rec("web@a", State::Up), false);
  EXPECT_EQ(q.verdict(), State::Up);
}

TEST(Quorum, BetweenTheBandsKeepsTheState) {
  Quorum q = make(85, 50);
  q.feed(rec("web@a", State::Up), false);
  q.feed(rec("web@b", State::Up), false);
  q.feed(rec("web@c", State::Fail), false);  // 66% up, 33% fail: neither
  Tally t;
  EXPECT_EQ(q.verdict(&t), std::nullopt);
  EXPECT_EQ(t.describe(), "2 of 3 voters UP, 1 FAIL");
}

TEST(Quorum, Route53StyleAndBothBandsMet) {
  Quorum q = make(18, 82);
  q.feed(rec("web@a", State::Up), false);
  for (const char* loc : {"b", "c", "d"}) q.feed(rec(std::string("web@") + loc, State::Fail), false);
  EXPECT_EQ(q.verdict(), State::Up);  // 25% up is enough
  Quorum both = make(50, 50);
  both.feed(rec("web@a", State::Up), false);
  both.feed(rec("web@b", State::Fail), false);
  EXPECT_EQ(both.verdict(), std::nullopt);
}

TEST(Quorum, OnlyUpAndFailVoteAndCanariesMakeALocationAbstain) {
  Quorum q = make(50, 50, "canary@*");
  q.feed(rec("web@a", State::Fail), false);
  q.feed(rec("web@b", State::Up), false);
  q.feed(rec("web@c", State::Unknown), false);
  q.feed(rec("canary@a", State::Fail), false);  // location a cannot see the world: abstains
  q.feed(rec("canary@b", State::Up), false);
  q.feed(rec("canary@c", State::Up), false);
  Tally t;
  EXPECT_EQ(q.verdict(&t), State::Up);
  EXPECT_EQ(t.up, 1);
  EXPECT_EQ(t.fail, 0);
  EXPECT_EQ(t.abstained, 2);
  q.feed(rec("canary@a", State::Up), false);
  EXPECT_EQ(q.verdict(), std::nullopt);  // 1 up, 1 fail: both bands
  EXPECT_FALSE(q.feed(rec("other", State::Up), false));
}

TEST(Quorum, TooFewVotersKeepTheState) {
  Quorum q = make(50, 50, "", 2);
  q.feed(rec("web@a", State::Fail), false);
  EXPECT_EQ(q.verdict(), std::nullopt);
  q.feed(rec("web@b", State::Fail), false);
  EXPECT_EQ(q.verdict(), State::Fail);
  q.feed(rec("web@b", State::Fail), true);  // deleted
  EXPECT_EQ(q.verdict(), std::nullopt);
}

TEST(Quorum, Percentages) {
  EXPECT_EQ(parsePercent("85%"), 85.0);
  EXPECT_EQ(parsePercent("18.5"), 18.5);
  EXPECT_EQ(parsePercent("101%"), std::nullopt);
  EXPECT_EQ(parsePercent("-1"), std::nullopt);
  EXPECT_EQ(parsePercent("nan"), std::nullopt);
  EXPECT_EQ(parsePercent("12%%"), std::nullopt);
  EXPECT_EQ(parsePercent(""), std::nullopt);
  EXPECT_EQ(Quorum::locationOf("web@fra"), "fra");
  EXPECT_EQ(Quorum::locationOf("a@b@nyc"), "nyc");
}

}  // namespace
}  // namespace fail::shell
