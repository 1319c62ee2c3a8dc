// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "server/auth_throttle.hh"

#include <gtest/gtest.h>

namespace fail::server {
namespace {

constexpr Micros kMs = 1000;

AuthThrottle make() {
  AuthThrottle::Options o;
  o.baseDelay = 100 * kMs;
  o.maxDelay = 1000 * kMs;
  o.maxWait = 3000 * kMs;
  o.forget = 60'000 * kMs;
  o.maxAddresses = 3;
  return AuthThrottle(o);
}

TEST(AuthThrottle, AnAddressWithoutFailuresIsCheckedAtOnce) {
  auto t = make();
  for (int i = 0; i < 10; ++i) EXPECT_EQ(t.turn("a", 1000 * kMs), 1000 * kMs);
  EXPECT_EQ(t.size(), 0u);
}

TEST(AuthThrottle, DelayDoublesUpToTheMaximum) {
  auto t = make();
  EXPECT_EQ(t.delay(0), 0);
  EXPECT_EQ(t.delay(1), 100 * kMs);
  EXPECT_EQ(t.delay(2), 200 * kMs);
  EXPECT_EQ(t.delay(4), 800 * kMs);
  EXPECT_EQ(t.delay(5), 1000 * kMs);
  EXPECT_EQ(t.delay(40), 1000 * kMs);
}

TEST(AuthThrottle, ParallelGuessesFromOneAddressWaitTheirTurnsThenAreRefused) {
  auto t = make();
  Micros now = 0;
  EXPECT_EQ(t.failed("a", now), 100 * kMs);  // answered after the base delay
  // Ten connections ask at once: turns 100, 300 (+200), 700 (+400), 1500 (+800),
  // 2500 (+1000), then more than 3 s away: refused unchecked.
  std::vector<Micros> turns;
  for (int i = 0; i < 10; ++i)
    if (auto turn = t.turn("a", now)) turns.push_back(*turn);
  EXPECT_EQ(turns, (std::vector<Micros>{100 * kMs, 300 * kMs, 700 * kMs, 1500 * kMs, 2500 * kMs}));
  // Another address is not affected.
  EXPECT_EQ(t.turn("b", now), now);
}

TEST(AuthThrottle, AddressesAreForgottenAndBounded) {
  auto t = make();
  t.failed("a", 0);
  t.failed("b", 10 * kMs);
  t.failed("c", 20 * kMs);
  t.failed("d", 30 * kMs);  // full: the oldest ("a") goes
  EXPECT_EQ(t.size(), 3u);
  EXPECT_EQ(t.turn("a", 40 * kMs), 40 * kMs);
  t.expire(61'000 * kMs);
  EXPECT_EQ(t.size(), 0u);
}

}  // namespace
}  // namespace fail::server
