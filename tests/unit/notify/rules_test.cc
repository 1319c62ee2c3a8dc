// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The notification rules on a ManualClock (exact times, no sleeping): flap damping,
// one Alert for a FAIL that lasts, -repeat, Resolved, quiet windows, a restart through a
// fake AlertMemory, deletion, reloads by name, and 100,000 records under one pattern.
#include "notify/rules.hh"

#include <gtest/gtest.h>

#include <map>
#include <utility>
#include <vector>

namespace fail::notify {
namespace {

using namespace std::chrono_literals;
using proto::State;

constexpr Micros kSecond = 1'000'000;
constexpr Micros kMinute = 60 * kSecond;

class FakeMemory : public AlertMemory {
 public:
  std::optional<Alerted> recall(const std::string& rule, const std::string& record) override {
    ++recalls;
    auto it = rows.find({rule, record});
    if (it == rows.end()) return std::nullopt;
    return it->second;
  }
  void remember(const std::string& rule, const std::string& record, const Alerted& a) override {
    rows[{rule, record}] = a;
  }
  void forget(const std::string& rule, const std::string& record) override {
    rows.erase({rule, record});
  }
  std::map<std::pair<std::string, std::string>, Alerted> rows;
  int recalls = 0;
};

// A loop on a ManualClock, a wall clock that follows it, and the rules under test.
struct Fixture {
  ev::ManualClock clock;
  ev::Loop loop{clock};
  const ev::Clock::time_point t0 = clock.now();
  const Micros wall0 = 1'800'000'000LL * kSecond;  // 2027-01-15
  FakeMemory memory;
  std::vector<Event> events;
  Rules rules{loop, memory, [this](const Event& e) { events.push_back(e); },
              [this] { return wall(); }};

  Micros wall() const {
    return wall0 + std::chrono::duration_cast<std::chrono::microseconds>(clock.now() - t0).count();
  }
  void advance(Micros d) { loop.advance(ev::Micros(d)); }
  // The record as faild reports it: since = now.
  void seen(const std::string& name, State s, Seen how = Seen::Change, std::string note = "") {
    state::Record r;
    r.name = name;
    r.state = s;
    r.since = wall();
    r.note = std::move(note);
    rules.record(r, how);
  }
  std::vector<Kind> kinds() const {
    std::vector<Kind> out;
    for (const auto& e : events) out.push_back(e.kind);
    return out;
  }
};

state::Record at(std::string name, State s, Micros since) {
  state::Record r;
  r.name = std::move(name);
  r.state = s;
  r.since = since;
  return r;
}

RuleSpec rule(std::string pattern, std::chrono::milliseconds after = 0ms,
              std::chrono::milliseconds repeat = 0ms) {
  RuleSpec r;
  r.name = pattern;
  r.pattern = std::move(pattern);
  r.to = {"ops"};
  r.after = after;
  r.repeat = repeat;
  return r;
}

TEST(Rules, AFlapShorterThanAfterSendsNothing) {
  Fixture f;
  f.rules.set({rule("www*", 30s)}, {});
  f.seen("www", State::Up);
  f.seen("www", State::Fail);
  f.advance(29 * kSecond);
  f.seen("www", State::Up);
  f.advance(10 * kMinute);
  EXPECT_TRUE(f.events.empty());
  EXPECT_EQ(f.rules.counts().damped, 1u);
  EXPECT_EQ(f.rules.tracked(), 0u);
  EXPECT_TRUE(f.memory.rows.empty());
}

TEST(Rules, AFailThatLastsSendsOneAlert) {
  Fixture f;
  f.rules.set({rule("www*", 30s)}, {});
  f.seen("www", State::Up);
  f.advance(5 * kMinute);
  const Micros failedAt = f.wall();
  f.seen("www", State::Fail, Seen::Change, "connection refused");
  f.advance(30 * kSecond - 1000);
  EXPECT_TRUE(f.events.empty());
  f.advance(1000);
  ASSERT_EQ(f.events.size(), 1u);
  const Event& e = f.events[0];
  EXPECT_EQ(e.kind, Kind::Alert);
  EXPECT_EQ(e.rule, "www*");
  EXPECT_EQ(e.to, std::vector<std::string>{"ops"});
  EXPECT_EQ(e.record.name, "www");
  EXPECT_EQ(e.record.state, State::Fail);
  EXPECT_EQ(e.record.note, "connection refused");
  EXPECT_EQ(e.previous, State::Up);
  EXPECT_EQ(e.previousFor, 5 * kMinute);
  ASSERT_EQ(f.memory.rows.count({"www*", "www"}), 1u);
  const Alerted& a = f.memory.rows[{"www*", "www"}];
  EXPECT_EQ(a.state, State::Fail);
  EXPECT_EQ(a.at, failedAt);
  EXPECT_EQ(a.lastSent, f.wall());
  f.advance(24 * 60 * kMinute);
  EXPECT_EQ(f.events.size(), 1u);  // -repeat 0: never again
  EXPECT_EQ(f.rules.counts().emitted, 1u);
}

TEST(Rules, AfterZeroAlertsAtOnce) {
  Fixture f;
  f.rules.set({rule("*")}, {});
  f.seen("db", State::Fail);
  ASSERT_EQ(f.events.size(), 1u);  // from record(), no tick needed
  EXPECT_EQ(f.events[0].previous, State::Unknown);
  EXPECT_EQ(f.events[0].previousFor, 0);
}

TEST(Rules, UnwatchedStatesAndOtherNamesAreIgnored) {
  Fixture f;
  f.rules.set({rule("www*")}, {});
  f.seen("www", State::Recover);
  f.seen("www", State::Up);
  f.seen("db", State::Fail);
  EXPECT_TRUE(f.events.empty());
  EXPECT_EQ(f.rules.tracked(), 0u);
}

TEST(Rules, RepeatsWhileItStays) {
  Fixture f;
  f.rules.set({rule("www", 30s, 10min)}, {});
  f.seen("www", State::Fail);
  f.advance(30 * kSecond);
  f.advance(35 * kMinute);
  EXPECT_EQ(f.kinds(), (std::vector<Kind>{Kind::Alert, Kind::Repeat, Kind::Repeat, Kind::Repeat}));
  EXPECT_EQ(f.memory.rows.at({"www", "www"}).lastSent, f.wall() - 5 * kMinute);
  f.seen("www", State::Up);
  f.advance(60 * kMinute);
  EXPECT_EQ(f.events.back().kind, Kind::Resolved);
  EXPECT_EQ(f.events.size(), 5u);
  EXPECT_EQ(f.rules.tracked(), 0u);
}

TEST(Rules, ResolvedWhenItLeaves) {
  Fixture f;
  f.rules.set({rule("www", 30s)}, {});
  f.seen("www", State::Fail);
  f.advance(10 * kMinute);
  f.seen("www", State::Up, Seen::Change, "back");
  ASSERT_EQ(f.kinds(), (std::vector<Kind>{Kind::Alert, Kind::Resolved}));
  const Event& e = f.events[1];
  EXPECT_EQ(e.record.state, State::Up);
  EXPECT_EQ(e.record.note, "back");
  EXPECT_EQ(e.previous, State::Fail);
  EXPECT_EQ(e.previousFor, 10 * kMinute);
  EXPECT_TRUE(f.memory.rows.empty());
}

TEST(Rules, NoResolvedWhenNotAsked) {
  Fixture f;
  auto r = rule("www");
  r.resolved = false;
  f.rules.set({r}, {});
  f.seen("www", State::Fail);
  f.seen("www", State::Up);
  EXPECT_EQ(f.kinds(), std::vector<Kind>{Kind::Alert});
  EXPECT_TRUE(f.memory.rows.empty());  // forgotten all the same
}

TEST(Rules, FromOneWatchedStateToAnother) {
  Fixture f;
  auto r = rule("www");
  r.states = {State::Fail, State::Recover};
  f.rules.set({r}, {});
  f.seen("www", State::Fail);
  f.advance(kMinute);
  f.seen("www", State::Recover);
  ASSERT_EQ(f.kinds(), (std::vector<Kind>{Kind::Alert, Kind::Resolved, Kind::Alert}));
  EXPECT_EQ(f.events[2].record.state, State::Recover);
  EXPECT_EQ(f.events[2].previous, State::Fail);
  EXPECT_EQ(f.events[2].previousFor, kMinute);
  EXPECT_EQ(f.memory.rows.at({"www", "www"}).state, State::Recover);
}

TEST(Rules, ANewNoteInTheSameStateIsShownNextTime) {
  Fixture f;
  f.rules.set({rule("www", 30s, 1h)}, {});
  f.seen("www", State::Fail, Seen::Change, "first");
  f.advance(10 * kSecond);
  f.seen("www", State::Fail, Seen::Change, "second");
  f.advance(20 * kSecond);
  ASSERT_EQ(f.events.size(), 1u);  // the note's change did not restart -after
  EXPECT_EQ(f.events[0].record.note, "second");
}

TEST(Rules, QuietWindowDropsCountsAndLogsOnce) {
  Fixture f;
  QuietSpec q{"www*", f.wall() + 2 * 60 * kMinute, "maintenance"};
  f.rules.set({rule("*", 0ms, 10min)}, {q});
  ASSERT_NE(f.rules.quietFor("www1"), nullptr);
  EXPECT_EQ(f.rules.quietFor("www1")->reason, "maintenance");
  EXPECT_EQ(f.rules.quietFor("db"), nullptr);
  f.seen("www1", State::Fail);
  f.seen("db", State::Fail);
  EXPECT_EQ(f.events.size(), 1u);  // db only
  EXPECT_EQ(f.events[0].record.name, "db");
  f.advance(60 * kMinute);
  EXPECT_EQ(f.rules.counts().quieted, 1u);  // the held Alert is not retried in the window
  // www2 fails and recovers within the window: nothing at all.
  f.seen("www2", State::Fail);
  f.seen("www2", State::Up);
  EXPECT_EQ(f.rules.counts().quieted, 2u);
  EXPECT_EQ(f.rules.counts().damped, 0u);
  for (const auto& e : f.events) EXPECT_EQ(e.record.name, "db");
  // The window ends with www1 still failing: it is told then.
  f.advance(60 * kMinute + kSecond);
  EXPECT_EQ(f.rules.quietFor("www1"), nullptr);
  bool told = false;
  for (const auto& e : f.events)
    if (e.record.name == "www1") told = e.kind == Kind::Alert;
  EXPECT_TRUE(told);
  EXPECT_EQ(f.memory.rows.count({"*", "www1"}), 1u);
  EXPECT_EQ(f.memory.rows.count({"*", "www2"}), 0u);
}

TEST(Rules, QuietWindowHoldsRepeatsAndResolved) {
  Fixture f;
  f.rules.set({rule("www", 0ms, 10min)}, {});
  f.seen("www", State::Fail);
  ASSERT_EQ(f.events.size(), 1u);
  f.rules.set({rule("www", 0ms, 10min)}, {QuietSpec{"www", f.wall() + 30 * kMinute, ""}});
  f.advance(25 * kMinute);
  EXPECT_EQ(f.events.size(), 1u);
  EXPECT_EQ(f.rules.counts().quieted, 2u);
  f.seen("www", State::Up);  // within the window: no Resolved, and the alert forgotten
  EXPECT_EQ(f.events.size(), 1u);
  EXPECT_TRUE(f.memory.rows.empty());
  f.advance(60 * kMinute);
  EXPECT_EQ(f.events.size(), 1u);
}

TEST(Rules, ARemovedQuietWindowReleasesHeldAlerts) {
  Fixture f;
  QuietSpec q{"www", f.wall() + 10 * 60 * kMinute, "maintenance"};
  f.rules.set({rule("www")}, {q});
  f.seen("www", State::Fail);
  EXPECT_TRUE(f.events.empty());
  f.rules.set({rule("www")}, {});
  f.advance(1000);
  ASSERT_EQ(f.events.size(), 1u);
  EXPECT_EQ(f.events[0].kind, Kind::Alert);
}

TEST(Rules, AReloadWithTheSameWindowsHoldsWithoutCountingAgain) {
  Fixture f;
  QuietSpec q{"www", f.wall() + 60 * kMinute, "maintenance"};
  f.rules.set({rule("www")}, {q});
  f.seen("www", State::Fail);
  EXPECT_EQ(f.rules.counts().quieted, 1u);
  f.rules.set({rule("www")}, {q});
  f.advance(kMinute);
  EXPECT_EQ(f.rules.counts().quieted, 1u);
  EXPECT_TRUE(f.events.empty());
  // A longer window (-for counted again at a reload): held again, counted again.
  q.until += 30 * kMinute;
  f.rules.set({rule("www")}, {q});
  f.advance(kMinute);
  EXPECT_EQ(f.rules.counts().quieted, 2u);
  f.advance(90 * kMinute);
  EXPECT_EQ(f.kinds(), std::vector<Kind>{Kind::Alert});
}

TEST(Rules, RestartAlertedAndStillFailingSendsNothingThenRepeatsOnTime) {
  Fixture f;
  // What the previous failsh remembered: alerted 7 minutes ago, failing for 20.
  f.memory.rows[{"www", "www"}] =
      Alerted{State::Fail, f.wall() - 20 * kMinute, f.wall() - 7 * kMinute};
  f.rules.set({rule("www", 30s, 10min)}, {});
  state::Record r = at("www", State::Fail, f.wall() - 20 * kMinute);
  f.rules.record(r, Seen::Sync);
  EXPECT_TRUE(f.events.empty());
  f.advance(3 * kMinute - 1000);
  EXPECT_TRUE(f.events.empty());
  f.advance(1000);
  EXPECT_EQ(f.kinds(), std::vector<Kind>{Kind::Repeat});
  // A second Sync (failsh reconnects to faild) changes nothing.
  f.rules.record(r, Seen::Sync);
  EXPECT_EQ(f.events.size(), 1u);
}

TEST(Rules, RestartAlertedButRecoveredSendsResolved) {
  Fixture f;
  f.memory.rows[{"www", "www"}] =
      Alerted{State::Fail, f.wall() - 20 * kMinute, f.wall() - 19 * kMinute};
  f.rules.set({rule("www", 30s)}, {});
  state::Record r = at("www", State::Up, f.wall() - 5 * kMinute);
  f.rules.record(r, Seen::Sync);
  ASSERT_EQ(f.kinds(), std::vector<Kind>{Kind::Resolved});
  EXPECT_EQ(f.events[0].previous, State::Fail);
  EXPECT_EQ(f.events[0].previousFor, 15 * kMinute);
  EXPECT_TRUE(f.memory.rows.empty());
}

TEST(Rules, RestartNotAlertedCountsAfterFromSince) {
  Fixture f;
  f.rules.set({rule("www", 30s)}, {});
  state::Record r = at("www", State::Fail, f.wall() - 20 * kSecond);
  f.rules.record(r, Seen::Sync);
  f.advance(10 * kSecond - 1000);
  EXPECT_TRUE(f.events.empty());
  f.advance(1000);
  EXPECT_EQ(f.kinds(), std::vector<Kind>{Kind::Alert});
  // Failing long before the restart: at once.
  r.name = "www2";
  f.rules.set({rule("www*", 30s)}, {});
  r.since = f.wall() - 60 * kMinute;
  f.rules.record(r, Seen::Sync);
  EXPECT_EQ(f.events.size(), 2u);
}

TEST(Rules, DeletionCancelsAndForgetsWithoutAMessage) {
  Fixture f;
  f.rules.set({rule("*", 30s, 1h)}, {});
  for (const char* name : {"a", "b"}) f.seen(name, State::Fail);
  f.advance(30 * kSecond);
  EXPECT_EQ(f.events.size(), 2u);
  f.seen("c", State::Fail);
  EXPECT_EQ(f.rules.tracked(), 3u);
  f.seen("a", State::Fail, Seen::Delete);
  f.seen("c", State::Fail, Seen::Delete);
  EXPECT_EQ(f.rules.tracked(), 1u);
  EXPECT_EQ(f.memory.rows.count({"*", "a"}), 0u);
  EXPECT_EQ(f.memory.rows.count({"*", "b"}), 1u);
  f.advance(2 * 60 * kMinute);
  for (const auto& e : f.events) EXPECT_EQ(e.record.name == "b" || e.kind == Kind::Alert, true);
  EXPECT_EQ(f.events.size(), 4u);  // two Alerts, b's two Repeats
}

TEST(Rules, DropMissingTreatsRecordsGoneAsDeleted) {
  Fixture f;
  f.rules.set({rule("*", 30s, 10min)}, {});
  for (const char* name : {"a", "b", "c"}) f.seen(name, State::Fail);
  f.advance(30 * kSecond);
  f.seen("d", State::Fail);
  EXPECT_EQ(f.events.size(), 3u);
  f.rules.dropMissing([](const std::string& r) { return r == "b"; });
  EXPECT_EQ(f.rules.tracked(), 1u);
  EXPECT_EQ(f.memory.rows.size(), 1u);
  EXPECT_EQ(f.memory.rows.count({"*", "b"}), 1u);
  f.advance(10 * kMinute);
  ASSERT_EQ(f.events.size(), 4u);  // b's Repeat only; d's -after was cancelled
  EXPECT_EQ(f.events[3].record.name, "b");
  // A record that comes back is new: no previous state.
  f.seen("a", State::Fail);
  f.advance(30 * kSecond);
  ASSERT_EQ(f.events.size(), 5u);
  EXPECT_EQ(f.events[4].previous, State::Unknown);
}

TEST(Rules, ReloadKeepsAnUnchangedRulesTimers) {
  Fixture f;
  f.rules.set({rule("www", 30s)}, {});
  f.seen("www", State::Fail);
  f.advance(20 * kSecond);
  f.rules.set({rule("www", 30s), rule("db")}, {});
  f.advance(10 * kSecond);
  EXPECT_EQ(f.kinds(), std::vector<Kind>{Kind::Alert});
}

TEST(Rules, ReloadChangedRulePicksUpFromTheSync) {
  Fixture f;
  f.rules.set({rule("www", 30s, 1h)}, {});
  f.seen("www", State::Fail);
  f.seen("db", State::Fail);
  f.advance(30 * kSecond);
  ASSERT_EQ(f.events.size(), 1u);
  // -repeat changes; a new rule on db: both take the records from the Sync that follows.
  auto changed = rule("www", 30s, 10min);
  f.rules.set({changed, rule("db", 1min)}, {});
  EXPECT_EQ(f.rules.tracked(), 0u);
  state::Record www = at("www", State::Fail, f.wall() - 30 * kSecond);
  state::Record db = at("db", State::Fail, f.wall() - 30 * kSecond);
  f.rules.record(www, Seen::Sync);
  f.rules.record(db, Seen::Sync);
  EXPECT_EQ(f.events.size(), 1u);  // www's alert is remembered
  f.advance(30 * kSecond);
  EXPECT_EQ(f.events.size(), 2u);  // db's -after, counted from its since
  EXPECT_EQ(f.events[1].record.name, "db");
  f.advance(9 * kMinute + 30 * kSecond);
  ASSERT_EQ(f.events.size(), 3u);  // www's new -repeat, from its last Alert
  EXPECT_EQ(f.events[2].kind, Kind::Repeat);
  // The Sync of an unchanged rule asks the memory nothing.
  int recalls = f.memory.recalls;
  f.rules.record(www, Seen::Sync);
  EXPECT_EQ(f.memory.recalls, recalls);
}

TEST(Rules, ReloadRemovedRuleForgetsItsAlerts) {
  Fixture f;
  f.rules.set({rule("www", 0ms, 1h)}, {});
  f.seen("www", State::Fail);
  EXPECT_EQ(f.memory.rows.size(), 1u);
  f.rules.set({}, {});
  EXPECT_TRUE(f.memory.rows.empty());
  EXPECT_EQ(f.rules.tracked(), 0u);
  f.advance(2 * 60 * kMinute);
  EXPECT_EQ(f.events.size(), 1u);
}

TEST(Rules, TwoRulesOnOneRecordAreIndependent) {
  Fixture f;
  auto fast = rule("www");
  fast.name = "fast";
  fast.to = {"chat"};
  auto slow = rule("w*", 5min);
  slow.name = "slow";
  f.rules.set({fast, slow}, {});
  f.seen("www", State::Fail);
  f.advance(5 * kMinute);
  ASSERT_EQ(f.events.size(), 2u);
  EXPECT_EQ(f.events[0].rule, "fast");
  EXPECT_EQ(f.events[0].to, std::vector<std::string>{"chat"});
  EXPECT_EQ(f.events[1].rule, "slow");
  EXPECT_EQ(f.rules.tracked(), 2u);
}

TEST(Rules, AHundredThousandRecordsUnderOnePattern) {
  Fixture f;
  f.rules.set({rule("check*", 30s)}, {});
  const int n = 100'000;
  state::Record r;
  r.state = State::Fail;
  for (int i = 0; i < n; ++i) {
    r.name = "check" + std::to_string(i);
    r.since = f.wall();
    f.rules.record(r, Seen::Change);
  }
  EXPECT_EQ(f.rules.tracked(), static_cast<size_t>(n));
  EXPECT_EQ(f.loop.wheel().size(), static_cast<size_t>(n));
  // Half recover within -after.
  r.state = State::Up;
  for (int i = 0; i < n; i += 2) {
    r.name = "check" + std::to_string(i);
    f.rules.record(r, Seen::Change);
  }
  f.advance(30 * kSecond);
  EXPECT_EQ(f.events.size(), static_cast<size_t>(n / 2));
  EXPECT_EQ(f.rules.counts().damped, static_cast<size_t>(n / 2));
  EXPECT_EQ(f.loop.wheel().size(), 0u);  // -repeat 0: no timer left
  f.rules.set({}, {});
  EXPECT_EQ(f.rules.tracked(), 0u);
}

TEST(Rules, EventFields) {
  Event e{Kind::Resolved, "r", {"ops"}, {}, State::Fail, 125 * kSecond};
  e.record.name = "http-www@paris";
  e.record.state = State::Up;
  e.record.since = 1'764'000'000LL * kSecond;
  e.record.note = "200 OK";
  e.record.origin = "hc@b";
  e.record.attrs = {{"code", "200"}, {"ms", "12"}};
  Fields f = eventFields(e);
  EXPECT_EQ(f["kind"], "resolved");
  EXPECT_EQ(f["record"], "http-www@paris");
  EXPECT_EQ(f["state"], "UP");
  EXPECT_EQ(f["previous"], "FAIL");
  EXPECT_EQ(f["duration"], "2m5s");
  EXPECT_EQ(f["since"], isoTime(e.record.since));
  EXPECT_EQ(f["note"], "200 OK");
  EXPECT_EQ(f["origin"], "hc@b");
  EXPECT_EQ(f["location"], "paris");
  EXPECT_EQ(f["attributes"], "code=200 ms=12");
  e.record.name = "www";
  e.previousFor = 0;
  f = eventFields(e);
  EXPECT_EQ(f["location"], "");
  EXPECT_EQ(f["duration"], "");
}

}  // namespace
}  // namespace fail::notify
