// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The rate limit on a ManualClock: a storm makes exactly `max` sends and one digest,
// duplicates are dropped, windows follow one another, memory stays bounded; -rate's
// parser.
#include "notify/limiter.hh"

#include <gtest/gtest.h>

#include <vector>

namespace fail::notify {
namespace {

using namespace std::chrono_literals;
using proto::State;

struct Fixture {
  ev::ManualClock clock;
  ev::Loop loop{clock};
  std::vector<Limiter::Digest> digests;
  Limiter limiter{loop, [this](const Limiter::Digest& d) { digests.push_back(d); }};
  void advance(std::chrono::microseconds d) { loop.advance(d); }
};

TEST(Limiter, AStormMakesMaxSendsAndOneDigest) {
  Fixture f;
  f.limiter.configure("ops", 20, 1min);
  int sent = 0, held = 0;
  for (int i = 0; i < 10'000; ++i) {
    Admit a = f.limiter.admit("ops", "check" + std::to_string(i), Kind::Alert, State::Fail);
    (a == Admit::Send ? sent : held)++;
    EXPECT_NE(a, Admit::Duplicate);
  }
  EXPECT_EQ(sent, 20);
  EXPECT_EQ(held, 9'980);
  EXPECT_TRUE(f.digests.empty());
  f.advance(1min - 1ms);
  EXPECT_TRUE(f.digests.empty());
  f.advance(1ms);
  ASSERT_EQ(f.digests.size(), 1u);
  const auto& d = f.digests[0];
  EXPECT_EQ(d.channel, "ops");
  EXPECT_EQ(d.count, 9'980u);
  ASSERT_EQ(d.records.size(), 50u);
  EXPECT_EQ(d.records.front(), "check20");
  EXPECT_EQ(d.records.back(), "check69");
  auto c = f.limiter.counts("ops");
  EXPECT_EQ(c.sent, 20u);
  EXPECT_EQ(c.held, 9'980u);
  EXPECT_EQ(c.duplicates, 0u);
  EXPECT_EQ(c.digests, 1u);
  // Nothing more held: no further digest, and the next window sends again.
  f.advance(10min);
  EXPECT_EQ(f.digests.size(), 1u);
  EXPECT_EQ(f.limiter.admit("ops", "x", Kind::Alert, State::Fail), Admit::Send);
}

TEST(Limiter, DuplicatesAreDroppedAndCounted) {
  Fixture f;
  f.limiter.configure("ops", 2, 1min);
  EXPECT_EQ(f.limiter.admit("ops", "www", Kind::Alert, State::Fail), Admit::Send);
  EXPECT_EQ(f.limiter.admit("ops", "www", Kind::Alert, State::Fail), Admit::Duplicate);
  EXPECT_EQ(f.limiter.admit("ops", "www", Kind::Resolved, State::Up), Admit::Send);
  EXPECT_EQ(f.limiter.admit("ops", "www", Kind::Alert, State::Recover), Admit::Held);
  EXPECT_EQ(f.limiter.admit("ops", "www", Kind::Alert, State::Recover), Admit::Duplicate);
  EXPECT_EQ(f.limiter.admit("ops", "db", Kind::Alert, State::Fail), Admit::Held);
  // fail::notify send has no record: never a duplicate.
  EXPECT_EQ(f.limiter.admit("ops", "", Kind::Send, State::Unknown), Admit::Held);
  EXPECT_EQ(f.limiter.admit("ops", "", Kind::Send, State::Unknown), Admit::Held);
  auto c = f.limiter.counts("ops");
  EXPECT_EQ(c.duplicates, 2u);
  EXPECT_EQ(c.held, 4u);
  f.advance(1min);
  ASSERT_EQ(f.digests.size(), 1u);
  EXPECT_EQ(f.digests[0].count, 4u);
  EXPECT_EQ(f.digests[0].records, (std::vector<std::string>{"www", "db"}));
  // A new window: the same message is no longer a duplicate.
  EXPECT_EQ(f.limiter.admit("ops", "www", Kind::Alert, State::Fail), Admit::Send);
}

TEST(Limiter, ChannelsAreApart) {
  Fixture f;
  f.limiter.configure("a", 1, 1min);
  f.limiter.configure("b", 1, 10s);
  EXPECT_EQ(f.limiter.admit("a", "r", Kind::Alert, State::Fail), Admit::Send);
  EXPECT_EQ(f.limiter.admit("b", "r", Kind::Alert, State::Fail), Admit::Send);
  EXPECT_EQ(f.limiter.admit("b", "s", Kind::Alert, State::Fail), Admit::Held);
  f.advance(10s);
  ASSERT_EQ(f.digests.size(), 1u);
  EXPECT_EQ(f.digests[0].channel, "b");
  EXPECT_EQ(f.limiter.admit("a", "s", Kind::Alert, State::Fail), Admit::Held);
  EXPECT_EQ(f.limiter.admit("b", "s", Kind::Alert, State::Fail), Admit::Send);
}

TEST(Limiter, NoLimitWhenUnconfiguredOrZero) {
  Fixture f;
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(f.limiter.admit("free", "r", Kind::Alert, State::Fail), Admit::Send);
  EXPECT_EQ(f.limiter.counts("free").sent, 0u);  // not a channel it knows
  f.limiter.configure("zero", 0, 1min);
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(f.limiter.admit("zero", "r", Kind::Alert, State::Fail), Admit::Send);
  EXPECT_EQ(f.limiter.counts("zero").sent, 100u);
  EXPECT_EQ(f.loop.wheel().size(), 0u);
}

TEST(Limiter, RemoveDropsWhatWasHeld) {
  Fixture f;
  f.limiter.configure("ops", 1, 1min);
  f.limiter.admit("ops", "a", Kind::Alert, State::Fail);
  EXPECT_EQ(f.limiter.admit("ops", "b", Kind::Alert, State::Fail), Admit::Held);
  f.limiter.remove("ops");
  EXPECT_EQ(f.loop.wheel().size(), 0u);
  f.advance(5min);
  EXPECT_TRUE(f.digests.empty());
  EXPECT_EQ(f.limiter.counts("ops").sent, 0u);
}

TEST(Limiter, ReconfigureKeepsTheOpenWindow) {
  Fixture f;
  f.limiter.configure("ops", 1, 1min);
  f.limiter.admit("ops", "a", Kind::Alert, State::Fail);
  f.limiter.configure("ops", 2, 1min);
  EXPECT_EQ(f.limiter.admit("ops", "b", Kind::Alert, State::Fail), Admit::Send);
  EXPECT_EQ(f.limiter.admit("ops", "c", Kind::Alert, State::Fail), Admit::Held);
  EXPECT_EQ(f.limiter.counts("ops").sent, 2u);
}

TEST(Limiter, FlushMayOfferANewMessage) {
  ev::ManualClock clock;
  ev::Loop loop{clock};
  Limiter* self = nullptr;
  std::vector<Admit> fromFlush;
  Limiter limiter{loop, [&](const Limiter::Digest&) {
                    fromFlush.push_back(self->admit("ops", "z", Kind::Alert, State::Fail));
                  }};
  self = &limiter;
  limiter.configure("ops", 1, 1min);
  limiter.admit("ops", "a", Kind::Alert, State::Fail);
  limiter.admit("ops", "b", Kind::Alert, State::Fail);
  loop.advance(1min);
  EXPECT_EQ(fromFlush, std::vector<Admit>{Admit::Send});
}

TEST(Limiter, MemoryIsBoundedInAStorm) {
  Fixture f;
  f.limiter.configure("ops", 5, 1h);
  for (int i = 0; i < 200'000; ++i)
    f.limiter.admit("ops", "r" + std::to_string(i), Kind::Alert, State::Fail);
  f.advance(1h);
  ASSERT_EQ(f.digests.size(), 1u);
  EXPECT_EQ(f.digests[0].count, 199'995u);
  EXPECT_EQ(f.digests[0].records.size(), Limiter::kMaxNames);
  // The next window starts afresh.
  EXPECT_EQ(f.limiter.admit("ops", "r1", Kind::Alert, State::Fail), Admit::Send);
}

TEST(Limiter, DigestRecords) {
  Limiter::Digest d{"ops", 3, {"a", "b", "c"}};
  EXPECT_EQ(digestRecords(d), "a, b, c");
  d.count = 9'950 + 3;
  EXPECT_EQ(digestRecords(d), "a, b, c and 9950 more");
  d.records.clear();
  d.count = 2;
  EXPECT_EQ(digestRecords(d), "2 more");
}

TEST(Limiter, ParseRate) {
  std::string err;
  auto r = parseRate("20/1m", &err);
  ASSERT_TRUE(r) << err;
  EXPECT_EQ(r->max, 20u);
  EXPECT_EQ(r->per, 1min);
  EXPECT_EQ(formatRate(*r), "20/1m");
  r = parseRate("0/30s", &err);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->max, 0u);
  EXPECT_EQ(parseRate("100/1h", nullptr)->per, 1h);
  EXPECT_EQ(Rate{}, *parseRate("20/1m", nullptr));  // the default is -rate 20/1m

  for (const char* bad : {"", "20", "/1m", "x/1m", "-1/1m", "20/", "20/0s", "20/xyz", "20/-1s",
                          "99999999999/1m", "20/1m/2"}) {
    EXPECT_FALSE(parseRate(bad, &err)) << bad;
    EXPECT_EQ(err.rfind(std::string("rate \"") + bad + "\": ", 0), 0u) << err;
  }
  parseRate("20", &err);
  EXPECT_NE(err.find("expected N/PERIOD"), std::string::npos);
  parseRate("x/1m", &err);
  EXPECT_NE(err.find("count"), std::string::npos);
  parseRate("5/0s", &err);
  EXPECT_NE(err.find("period"), std::string::npos);
}

}  // namespace
}  // namespace fail::notify
