// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// mon::Feed: what a target's link events mean to the Model, without a server; and
// Model::backfilled, historyStart (the backfill's pure parts).
#include "mon/watcher_feed.hh"

#include <gtest/gtest.h>

#include "mon/watcher_backfill.hh"

namespace fail::mon {
namespace {

using K = client::WatchEvent::Kind;

state::Record rec(const std::string& name, state::State s, std::uint64_t serial, Micros since = 1000) {
  state::Record r;
  r.name = name;
  r.state = s;
  r.serial = serial;
  r.since = since;
  return r;
}

client::WatchEvent recordEv(const state::Record& r) {
  client::WatchEvent e;
  e.kind = K::Record;
  e.record = r;
  e.name = r.name;
  return e;
}

client::WatchEvent changeEv(const state::Record& r) {
  client::WatchEvent e = recordEv(r);
  e.kind = K::Change;
  e.serial = r.serial;
  return e;
}

client::WatchEvent syncedEv(std::uint64_t serial) {
  client::WatchEvent e;
  e.kind = K::Synced;
  e.serial = serial;
  return e;
}

client::WatchEvent deleteEv(const std::string& name, std::uint64_t serial) {
  client::WatchEvent e;
  e.kind = K::Delete;
  e.name = name;
  e.serial = serial;
  e.time = 5000;
  return e;
}

TEST(MonFeed, AListingThenChangesFillTheModel) {
  Model m;
  m.add("t");
  Feed f(m, 0);
  f.up("faild", "0.1.0", false, 10);
  f.event(recordEv(rec("www", state::State::Up, 3)), 11);
  EXPECT_EQ(m.at(0).kind, Kind::Faild);
  EXPECT_EQ(m.at(0).version, "0.1.0");
  EXPECT_EQ(m.at(0).reach, Reach::Up);
  EXPECT_EQ(m.at(0).reachSince, 11);
  f.event(recordEv(rec("db", state::State::Fail, 5)), 11);
  EXPECT_FALSE(f.synced());
  f.event(syncedEv(5), 12);
  EXPECT_TRUE(f.synced());
  f.event(changeEv(rec("www", state::State::Fail, 6, 2000)), 13);
  f.event(deleteEv("db", 7), 14);
  const Target& t = m.at(0);
  ASSERT_EQ(t.records.size(), 1u);
  EXPECT_EQ(t.records.at("www").record.state, state::State::Fail);
  EXPECT_EQ(t.records.at("www").recent.size(), 2u);
  EXPECT_EQ(t.serial, 7u);
  EXPECT_EQ(t.changes, 2u);
  EXPECT_EQ(t.restartedAt, 0);
}

// A greeting alone is not a working target: one that greets and then stalls, refuses
// WATCH or answers it with garbage stays unreachable since it first failed.
TEST(MonFeed, OnlyAnAnsweredWatchMakesATargetReachable) {
  Model m;
  m.add("t");
  Feed f(m, 0);
  f.down("Connection refused", 5);
  f.up("faild", "1", false, 10);
  EXPECT_EQ(m.at(0).reach, Reach::Down);
  f.down("malformed line", 11);
  EXPECT_EQ(m.at(0).reach, Reach::Down);
  EXPECT_EQ(m.at(0).reachSince, 5);
  EXPECT_EQ(m.at(0).why, "malformed line");
  EXPECT_EQ(m.at(0).kind, Kind::Unknown);
  f.up("faild", "1", false, 20);
  f.event(syncedEv(0), 21);
  EXPECT_EQ(m.at(0).reach, Reach::Up);
  EXPECT_EQ(m.at(0).reachSince, 21);
  EXPECT_TRUE(f.synced());
}

TEST(MonFeed, DownKeepsTheRecordsAndSaysWhy) {
  Model m;
  m.add("t");
  Feed f(m, 0);
  f.up("failsh", "1", false, 10);
  f.event(recordEv(rec("service:www", state::State::Up, 1)), 11);
  f.event(syncedEv(1), 11);
  f.down("Connection refused", 20);
  EXPECT_EQ(m.at(0).reach, Reach::Down);
  EXPECT_EQ(m.at(0).why, "Connection refused");
  EXPECT_EQ(m.at(0).reachSince, 20);
  EXPECT_FALSE(f.synced());
  EXPECT_EQ(m.at(0).records.size(), 1u);
}

TEST(MonFeed, AResumeKeepsWhatIsKnownAndAddsTheMissedChanges) {
  Model m;
  m.add("t");
  Feed f(m, 0);
  f.up("faild", "1", false, 10);
  f.event(recordEv(rec("a", state::State::Up, 1)), 11);
  f.event(recordEv(rec("b", state::State::Up, 2)), 11);
  f.event(syncedEv(2), 11);
  f.down("Connection reset by peer", 12);
  f.up("faild", "1", true, 13);
  f.event(changeEv(rec("b", state::State::Fail, 3)), 14);
  f.event(syncedEv(3), 14);
  EXPECT_EQ(m.at(0).records.size(), 2u);
  EXPECT_EQ(m.at(0).records.at("b").record.state, state::State::Fail);
  EXPECT_EQ(m.at(0).restartedAt, 0);
}

TEST(MonFeed, ErrGoneMarksARestartAndTheNewListingReplacesTheOld) {
  Model m;
  m.add("t");
  Feed f(m, 0);
  f.up("hc", "1", false, 10);
  f.event(recordEv(rec("old", state::State::Up, 4)), 11);
  f.event(syncedEv(9), 11);
  f.down("Connection reset by peer", 12);
  f.up("hc", "1", true, 13);
  f.gone(14);
  EXPECT_EQ(m.at(0).restartedAt, 14);
  f.event(recordEv(rec("new", state::State::Recover, 1)), 15);
  f.event(syncedEv(1), 15);
  EXPECT_EQ(m.at(0).records.size(), 1u);
  EXPECT_TRUE(m.at(0).records.count("new"));
  EXPECT_EQ(m.at(0).serial, 1u);
}

TEST(MonFeed, AListingWhoseSerialWentBackIsARestart) {
  Model m;
  m.add("t");
  Feed f(m, 0);
  f.up("failsh", "1", false, 10);
  f.event(recordEv(rec("a", state::State::Up, 50)), 11);
  f.event(syncedEv(50), 11);
  f.down("Connection refused", 12);
  f.up("failsh", "1", false, 13);  // the link had no serial to resume from
  f.event(recordEv(rec("a", state::State::Up, 2)), 14);
  f.event(syncedEv(2), 14);
  EXPECT_EQ(m.at(0).restartedAt, 14);
  EXPECT_EQ(m.at(0).serial, 2u);
  // The mark stays through the changes that follow.
  f.event(changeEv(rec("a", state::State::Fail, 3)), 15);
  EXPECT_EQ(m.at(0).restartedAt, 14);
}

TEST(MonFeed, PingPongAndErrorsLeaveTheModelAlone) {
  Model m;
  m.add("t");
  Feed f(m, 0);
  f.up("faild", "1", false, 10);
  std::uint64_t gen = m.generation();
  client::WatchEvent e;
  e.kind = K::Pong;
  f.event(e, 11);
  e.kind = K::Ping;
  f.event(e, 11);
  EXPECT_EQ(m.generation(), gen);
}

TEST(MonBackfill, EarlierChangesAreMergedBySerialOnce) {
  Model m;
  m.add("t");
  m.record(0, rec("www", state::State::Up, 9, 900));
  std::vector<Change> older = {{3, 300, state::State::Fail, false}, {9, 900, state::State::Up, false},
                               {6, 600, state::State::Recover, false}};
  m.backfilled(0, "www", older);
  const auto& recent = m.at(0).records.at("www").recent;
  ASSERT_EQ(recent.size(), 3u);
  EXPECT_EQ(recent[0].serial, 3u);
  EXPECT_EQ(recent[1].serial, 6u);
  EXPECT_EQ(recent[2].serial, 9u);
  m.backfilled(0, "nosuch", older);  // unknown record: nothing
  EXPECT_EQ(m.at(0).records.size(), 1u);
}

TEST(MonBackfill, AtMostKRecentAreKeptTheNewest) {
  Model m;
  m.add("t");
  m.record(0, rec("www", state::State::Up, 1000, 900));
  std::vector<Change> older;
  for (std::uint64_t s = 1; s <= 100; ++s) older.push_back({s, static_cast<Micros>(s), state::State::Fail, false});
  m.backfilled(0, "www", older);
  const auto& recent = m.at(0).records.at("www").recent;
  ASSERT_EQ(recent.size(), Model::kRecent);
  EXPECT_EQ(recent.back().serial, 1000u);
  EXPECT_EQ(recent.front().serial, 100 - Model::kRecent + 2);
}

TEST(MonBackfill, HistoryStartIsReadFromErrGone) {
  EXPECT_EQ(historyStart("changes after serial 0 are no longer held (history from 120 to 450): WATCH again"), 120u);
  EXPECT_EQ(historyStart("no longer held"), 0u);
  EXPECT_EQ(historyStart("history from x"), 0u);
  EXPECT_EQ(historyStart("history from 99999999999999999999999"), 0u);
}

}  // namespace
}  // namespace fail::mon
