// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "check/verdict.hh"

#include <gtest/gtest.h>

#include <vector>

namespace fail::check {
namespace {

using state::State;
constexpr Outcome O = Outcome::Ok, F = Outcome::Fail, U = Outcome::Unreachable,
                  T = Outcome::Timeout, L = Outcome::LocalError;

std::vector<State> run(Verdict& v, std::vector<Outcome> seq) {
  std::vector<State> out;
  for (Outcome o : seq) {
    v.feed(o);
    out.push_back(v.state());
  }
  return out;
}

TEST(Verdict, UnknownUntilTheFirstResultWhichDecidesAtOnce) {
  Verdict up(2, 3);
  EXPECT_EQ(up.state(), State::Unknown);
  EXPECT_TRUE(up.feed(O));
  EXPECT_EQ(up.state(), State::Up);
  Verdict down(2, 3);
  EXPECT_TRUE(down.feed(T));
  EXPECT_EQ(down.state(), State::Fail);
}

TEST(Verdict, FallConsecutiveFailuresOfAnyKindMakeFail) {
  Verdict v(2, 3);
  v.feed(O);
  EXPECT_EQ(run(v, {F, U, O, F, T, U}),
            (std::vector<State>{State::Up, State::Up, State::Up, State::Up, State::Up, State::Fail}));
  EXPECT_EQ(v.failStreak(), 3);
}

TEST(Verdict, RiseConsecutiveSuccessesMakeUp) {
  Verdict v(2, 3);
  v.feed(F);
  EXPECT_EQ(run(v, {O, F, O, O}),
            (std::vector<State>{State::Fail, State::Fail, State::Fail, State::Up}));
  EXPECT_EQ(v.okStreak(), 2);
}

TEST(Verdict, LocalErrorChangesNothing) {
  Verdict v(1, 2);
  EXPECT_FALSE(v.feed(L));
  EXPECT_EQ(v.state(), State::Unknown);
  v.feed(O);
  v.feed(F);
  EXPECT_FALSE(v.feed(L));  // neither breaks nor extends the failure streak
  EXPECT_EQ(v.failStreak(), 1);
  EXPECT_TRUE(v.feed(F));
  EXPECT_EQ(v.state(), State::Fail);
}

TEST(Verdict, RiseAndFallOfOneFlipAtOnce) {
  Verdict v(1, 1);
  EXPECT_EQ(run(v, {O, F, O, F}), (std::vector<State>{State::Up, State::Fail, State::Up, State::Fail}));
}

TEST(Verdict, FeedReportsChangesOnly) {
  Verdict v(2, 2);
  EXPECT_TRUE(v.feed(O));
  EXPECT_FALSE(v.feed(O));
  EXPECT_FALSE(v.feed(F));
  EXPECT_TRUE(v.feed(F));
  EXPECT_FALSE(v.feed(F));
}

TEST(Verdict, ForceFailsAtOnceAndRiseStartsAfresh) {
  Verdict v(2, 3);
  v.feed(O);
  EXPECT_TRUE(v.force(State::Fail));
  EXPECT_EQ(v.state(), State::Fail);
  EXPECT_FALSE(v.force(State::Fail));
  v.feed(O);
  EXPECT_EQ(v.state(), State::Fail);
  v.feed(O);
  EXPECT_EQ(v.state(), State::Up);
}

TEST(Outcome, Names) {
  EXPECT_STREQ(outcomeName(Outcome::Ok), "ok");
  EXPECT_STREQ(outcomeName(Outcome::LocalError), "local error");
  EXPECT_STREQ(outcomeName(Outcome::Unreachable), "unreachable");
}

}  // namespace
}  // namespace fail::check
