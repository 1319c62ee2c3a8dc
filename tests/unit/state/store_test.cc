// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "state/store.hh"

#include <gtest/gtest.h>

#include <vector>

#include "state/version_pool.hh"

namespace fail::state {
namespace {

struct Recorder : ChangeListener {
  std::vector<std::string> lines;
  void onPublished(const Published& p) override {
    std::string line;
    p.appendLine(line);
    lines.push_back(line);
  }
};

SetInput in(const std::string& name, State s, std::string note = "", std::int64_t ttl = 0) {
  SetInput i;
  i.name = name;
  i.state = s;
  i.note = std::move(note);
  i.ttlMs = ttl;
  i.origin = "test";
  return i;
}

class StoreTest : public ::testing::Test {
 protected:
  Store store{nullptr, {}, {}, 0};
  Recorder rec;
  void SetUp() override { store.addListener(&rec); }
  std::uint64_t set(SetInput i, Micros steady = 0) {
    std::uint64_t serial = 0;
    store.set(std::move(i), 1000, steady, nullptr, serial);
    return serial;
  }
};

TEST_F(StoreTest, ChangeGetsSerialRefreshDoesNot) {
  auto s1 = set(in("www", State::Up, "ok"));
  EXPECT_EQ(s1, 1u);
  std::uint64_t serial = 0;
  auto kind = store.set(in("www", State::Up, "ok"), 2000, 0, nullptr, serial);
  EXPECT_EQ(kind, Store::SetKind::Refresh);
  EXPECT_EQ(serial, 1u);
  EXPECT_EQ(rec.lines.size(), 1u);
  auto s2 = set(in("www", State::Up, "other note"));  // a new note is a change
  EXPECT_EQ(s2, 2u);
  EXPECT_EQ(store.get("www")->since(), 1000);
  EXPECT_EQ(store.counters().refreshes, 1u);
  EXPECT_EQ(rec.lines.size(), 2u);
}

TEST_F(StoreTest, RefreshMergesAttributes) {
  SetInput a = in("c", State::Up);
  a.attrs = {{"latency", "5ms"}, {"weight", "3"}};
  set(a);
  SetInput b = in("c", State::Up);
  b.attrs = {{"latency", "7ms"}, {"weight", ""}};
  set(b);
  ASSERT_EQ(store.get("c")->attrs().size(), 1u);
  EXPECT_EQ(store.get("c")->attrs()[0].second, "7ms");
}

// replaceAttrs: what the input does not name goes, on a refresh and on a change.
TEST_F(StoreTest, ReplaceAttrsDropsWhatTheInputDoesNotName) {
  SetInput a = in("c", State::Up);
  a.attrs = {{"latency", "5ms"}, {"status", "200"}, {"warning", "slow"}};
  set(a);
  SetInput b = in("c", State::Up);
  b.attrs = {{"latency", "7ms"}, {"status", "200"}};
  b.replaceAttrs = true;
  set(b);
  ASSERT_EQ(store.get("c")->attrs().size(), 2u);
  EXPECT_EQ(store.get("c")->attrs()[0], std::make_pair(std::string("latency"), std::string("7ms")));
  EXPECT_EQ(store.counters().refreshes, 1u);
  SetInput c = in("c", State::Fail, "HTTP 503");
  c.attrs = {{"status", "503"}};
  c.replaceAttrs = true;
  set(c);
  ASSERT_EQ(store.get("c")->attrs().size(), 1u);
  EXPECT_EQ(store.get("c")->attrs()[0].second, "503");
  SetInput d = in("c", State::Fail, "HTTP 503");  // without: merged as before
  d.attrs = {{"latency", "1ms"}};
  set(d);
  EXPECT_EQ(store.get("c")->attrs().size(), 2u);
}

TEST_F(StoreTest, ARememberedPlaceIsFilledInAndUsed) {
  Store::Place place = nullptr;
  std::uint64_t serial = 0;
  store.set(in("www", State::Up, "ok"), 1000, 0, nullptr, serial, &place);
  ASSERT_NE(place, nullptr);
  EXPECT_EQ(place->name(), "www");
  SetInput r = in("www", State::Up, "ok");
  r.attrs = {{"latency", "3ms"}};
  EXPECT_EQ(store.set(r, 2000, 0, nullptr, serial, &place), Store::SetKind::Refresh);
  EXPECT_EQ(store.get("www")->attrs().size(), 1u);
  EXPECT_EQ(store.set(in("www", State::Fail, "down"), 3000, 0, nullptr, serial, &place), Store::SetKind::Change);
  EXPECT_EQ(place->version.get(), store.get("www"));
  EXPECT_EQ(store.get("www")->state(), State::Fail);
  std::uint32_t before = store.deletions();
  store.del("www", 4000, nullptr);
  EXPECT_EQ(store.deletions(), before + 1);  // the place is no longer to be trusted
}

TEST_F(StoreTest, AtSetsSinceOfAChange) {
  SetInput a = in("late", State::Fail);
  a.at = 42;
  set(a);
  EXPECT_EQ(store.get("late")->since(), 42);
}

TEST_F(StoreTest, DeleteIsAChange) {
  set(in("x", State::Up));
  bool done = false;
  EXPECT_TRUE(store.del("x", 5, [&](bool ok, std::uint64_t s, const std::string&) { done = ok && s == 2; }));
  EXPECT_TRUE(done);
  EXPECT_EQ(store.get("x"), nullptr);
  EXPECT_FALSE(store.del("x", 6, nullptr));
  EXPECT_EQ(rec.lines.back().rfind("DELETE 2 x 5", 0), 0u);
}

TEST_F(StoreTest, TtlExpiryIsAChangeToUnknown) {
  set(in("beat", State::Up, "", 1000), 0);
  EXPECT_EQ(store.expire(9, 999'999), 0u);
  // A refresh pushes the deadline out.
  set(in("beat", State::Up, "", 1000), 500'000);
  EXPECT_EQ(store.expire(9, 1'200'000), 0u);
  EXPECT_EQ(store.expire(9, 1'500'000), 1u);
  EXPECT_EQ(store.get("beat")->state(), State::Unknown);
  EXPECT_EQ(store.get("beat")->note(), "ttl expired");
  EXPECT_EQ(store.expire(9, 9'000'000), 0u);  // once
  EXPECT_EQ(store.counters().expiries, 1u);
}

TEST_F(StoreTest, ExpiriesComeInTheOrderOfTheirDeadlines) {
  set(in("c", State::Up, "", 3000), 0);
  set(in("a", State::Up, "", 2000), 0);
  set(in("b", State::Up, "", 1000), 0);
  set(in("d", State::Up, "", 1000), 0);  // the same deadline as b: by name
  set(in("none", State::Up), 0);         // no ttl
  EXPECT_EQ(store.nextDeadline(), 1'000'000);
  EXPECT_EQ(store.expire(9, 5'000'000), 4u);
  ASSERT_EQ(rec.lines.size(), 9u);
  for (size_t i = 5; i < 9; ++i)
    EXPECT_NE(rec.lines[i].find(std::string("name\\ ") + "bdac"[i - 5]), std::string::npos) << rec.lines[i];
  EXPECT_EQ(store.nextDeadline(), 0);
  EXPECT_EQ(store.expire(9, 9'000'000), 0u);
}

// The earliest deadline is only a hint: a refresh that moves it out finds nothing due
// there, and the next one is known after that look.
TEST_F(StoreTest, ARefreshedDeadlineIsLookedForAgainLater) {
  set(in("x", State::Up, "", 1000), 0);
  set(in("y", State::Up, "", 5000), 0);
  set(in("x", State::Up, "", 1000), 800'000);  // refresh: now due at 1.8 s
  EXPECT_EQ(store.nextDeadline(), 1'000'000);
  EXPECT_EQ(store.expire(9, 1'000'000), 0u);
  EXPECT_EQ(store.nextDeadline(), 1'800'000);
  EXPECT_EQ(store.expire(9, 1'800'000), 1u);
  EXPECT_EQ(store.get("x")->state(), State::Unknown);
  EXPECT_EQ(store.nextDeadline(), 5'000'000);
}

// Nothing but the record's slot, the history and changes in flight hold a version: a
// record changed while its ttl runs lets go of the version it had.
TEST(StoreMemory, ATtlDoesNotHoldOnToAnOldVersion) {
  if (!versionpool::pooling()) GTEST_SKIP() << "blocks come from operator new in this build";
  Store::Options o;
  o.historyMax = 1;
  Store store(nullptr, {}, o, 0);
  std::uint64_t serial;
  size_t before = versionpool::stats().usedBytes;
  store.set(in("x", State::Up, "first", 3'600'000), 0, 0, nullptr, serial);
  store.set(in("x", State::Fail, "second", 3'600'000), 0, 0, nullptr, serial);
  size_t block = (store.get("x")->footprint() + 7) / 8 * 8;
  EXPECT_EQ(versionpool::stats().usedBytes, before + block);
}

TEST_F(StoreTest, ChangesSinceServesHistoryOrSaysGone) {
  for (int i = 0; i < 5; ++i) set(in("n" + std::to_string(i), State::Up));
  std::vector<std::uint64_t> got;
  EXPECT_TRUE(store.changesSince(2, [&](const Published& p) { got.push_back(p.serial()); }));
  EXPECT_EQ(got, (std::vector<std::uint64_t>{3, 4, 5}));
  EXPECT_TRUE(store.changesSince(5, [&](const Published&) { FAIL(); }));
  EXPECT_FALSE(store.changesSince(6, [&](const Published&) {}));
}

TEST(StoreHistory, BoundedHistoryForgetsOldest) {
  Store::Options o;
  o.historyMax = 2;
  Store store(nullptr, {}, o, 0);
  std::uint64_t serial;
  for (int i = 0; i < 5; ++i) store.set(in("n" + std::to_string(i), State::Up), 0, 0, nullptr, serial);
  EXPECT_FALSE(store.changesSince(1, [](const Published&) {}));
  EXPECT_TRUE(store.changesSince(3, [](const Published&) {}));
}

TEST(StoreRecovery, StartsAboveTheCeilingAndRestartsTtls) {
  Recovery rec;
  Record r;
  r.name = "a";
  r.state = State::Up;
  r.serial = 7;
  r.ttlMs = 1000;
  rec.records.push_back(Version::make(r));
  rec.ceiling = 100;
  rec.base = 7;
  Store store(nullptr, std::move(rec), {}, 5'000'000);
  std::uint64_t serial;
  store.set(in("b", State::Up), 0, 5'000'000, nullptr, serial);
  EXPECT_GT(serial, 100u);
  EXPECT_EQ(store.expire(0, 5'500'000), 0u);  // ttl restarted at construction
  EXPECT_EQ(store.expire(0, 6'000'001), 1u);
}

// A ttl longer than the protocol allows (from a file an older faild wrote) is clamped:
// it used to overflow the deadline and expire at once.
TEST(StoreRecovery, AnOverlongTtlIsClampedNotExpiredAtOnce) {
  Recovery rec;
  Record r;
  r.name = "long";
  r.state = State::Up;
  r.serial = 1;
  r.ttlMs = 200000000LL * 86'400'000;  // 200000000d
  rec.records.push_back(Version::make(r));
  Store store(nullptr, std::move(rec), {}, 5'000'000);
  EXPECT_EQ(store.expire(0, 6'000'000), 0u);
  EXPECT_EQ(store.get("long")->state(), State::Up);
  EXPECT_EQ(store.nextDeadline(), 5'000'000 + kMaxTtlMs * 1000);
  std::uint64_t serial;
  store.set(in("long2", State::Up, "", 200000000LL * 86'400'000), 0, 5'000'000, nullptr, serial);
  EXPECT_EQ(store.expire(0, 6'000'000), 0u);
  EXPECT_EQ(store.get("long2")->state(), State::Up);
}

}  // namespace
}  // namespace fail::state
