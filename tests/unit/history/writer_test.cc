// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "history/writer.hh"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>


#include "../../common/sqlite_lock.hh"
#include "../../common/temp_dir.hh"

namespace fail::history {
namespace {

state::VersionRef version(std::uint64_t serial, const std::string& name, proto::State st,
                          const std::string& note) {
  state::Record r;
  r.name = name;
  r.state = st;
  r.serial = serial;
  r.since = static_cast<Micros>(serial) * 1'000'000;
  r.origin = "hc";
  r.note = note;
  r.attrs = {{"latency", "12 ms"}, {"weight", "3"}};
  return state::Version::make(r);
}

TEST(HistoryWriter, ChangeOfKeepsEveryFieldAndDeletions) {
  Change c = changeOf(*version(5, "www", proto::State::Fail, "HTTP 503"));
  EXPECT_EQ(c.serial, 5u);
  EXPECT_EQ(c.name, "www");
  EXPECT_EQ(c.state, "FAIL");
  EXPECT_EQ(c.note, "HTTP 503");
  EXPECT_EQ(c.origin, "hc");
  EXPECT_EQ(c.since, 5'000'000);
  EXPECT_EQ(c.attrs, "latency 12\\ ms weight 3");
  Change d = changeOf(*state::Version::tombstone("www", 6, 7'000'000));
  EXPECT_EQ(d.state, kDeleted);
  EXPECT_EQ(d.since, 7'000'000);
}

TEST(HistoryWriter, EveryPushedChangeIsWrittenOnceInBatches) {
  fail::test::TempDir dir;
  std::vector<std::string> logged;
  std::mutex mu;
  Writer::Options o;
  o.batchWait = 20'000;
  {
    Writer w(Db::open(dir.file("h.db")), o, [&](log::Level, const std::string& s) {
      std::lock_guard lk(mu);
      logged.push_back(s);
    });
    for (std::uint64_t i = 1; i <= 5000; ++i)
      w.push(version(i, "r" + std::to_string(i % 7), i % 2 ? proto::State::Up : proto::State::Fail,
                     "n" + std::to_string(i)));
    w.flush();
    EXPECT_EQ(w.written(), 5000u);
    EXPECT_EQ(w.lag(), 0);
    EXPECT_EQ(w.dropped(), 0u);
    for (std::uint64_t i = 5001; i <= 5010; ++i)
      w.push(version(i, "late", proto::State::Up, "x"));
    // Destroyed with changes still queued: they are written before it returns.
  }
  auto db = Db::open(dir.file("h.db"));
  EXPECT_EQ(db->rows(), 5010u);
  EXPECT_EQ(db->lastSerial(), 5010u);
  Query q;
  q.pattern = "r3";
  size_t n = db->query(q, [&](const Change& c) {
    EXPECT_EQ(c.note, "n" + std::to_string(c.serial));
    // The state before, as the history itself saw it (r3 alternates with every change).
    EXPECT_EQ(c.prev, c.serial == 3 ? "" : c.serial % 2 ? "FAIL" : "UP");
    EXPECT_EQ(c.state, c.serial % 2 ? "UP" : "FAIL");
  });
  EXPECT_EQ(n, 714u);  // 3, 10, ..., 4999
  EXPECT_TRUE(logged.empty());
}

TEST(HistoryWriter, RetentionRunsOnTheWritersThread) {
  fail::test::TempDir dir;
  {
    auto db = Db::open(dir.file("h.db"));
    std::vector<Change> old;
    for (std::uint64_t i = 1; i <= 100; ++i) old.push_back(changeOf(*version(i, "a", proto::State::Up, "n" + std::to_string(i))));
    db->append(old);
  }
  Writer::Options o;
  o.maxRows = 10;
  std::mutex mu;
  std::condition_variable said;
  std::vector<std::string> logged;
  std::vector<log::Level> levels;
  {
    Writer w(Db::open(dir.file("h.db")), o, [&](log::Level level, const std::string& s) {
      std::lock_guard lk(mu);
      logged.push_back(s);
      levels.push_back(level);
      said.notify_all();
    });
    // Retention runs once as the writer starts (then hourly), with nothing pushed.
    std::unique_lock lk(mu);
    ASSERT_TRUE(said.wait_for(lk, std::chrono::seconds(20), [&] { return !logged.empty(); }));
    EXPECT_NE(logged[0].find("retention removed 90 changes"), std::string::npos) << logged[0];
    EXPECT_EQ(levels[0], log::Level::Notice) << "retention is routine, not a warning";
  }
  auto db = Db::open(dir.file("h.db"));
  EXPECT_EQ(db->rows(), 10u);
  EXPECT_EQ(db->lastSerial(), 100u);
}

// What a compaction of the journal must keep (Store's ChangeListener::unsaved): every
// change queued and not yet written, but none from before a change that was dropped.
// Failures are errors in the log, said once; the recovery is a notice.
TEST(HistoryWriter, UnsavedChangesAreTheQueueSinceTheLastDrop) {
  fail::test::TempDir dir;
  Db::open(dir.file("h.db"));  // made, so that another connection can lock it
  fail::test::SqliteWriteLock lock(dir.file("h.db"));
  ASSERT_TRUE(lock.locked());
  std::mutex mu;
  std::vector<std::pair<log::Level, std::string>> logged;
  Writer::Options o;
  o.maxQueued = 10;
  o.batchWait = 1'000;
  Writer w(Db::open(dir.file("h.db")), o, [&](log::Level level, const std::string& s) {
    std::lock_guard lk(mu);
    logged.emplace_back(level, s);
  });
  auto serials = [&] {
    std::vector<state::VersionRef> out;
    w.unsaved(out);
    std::vector<std::uint64_t> s;
    for (const auto& v : out) s.push_back(v->serial());
    return s;
  };
  for (std::uint64_t i = 1; i <= 4; ++i) w.push(version(i, "a", proto::State::Up, "n"));
  EXPECT_EQ(serials(), (std::vector<std::uint64_t>{1, 2, 3, 4}));
  for (std::uint64_t i = 5; i <= 12; ++i) w.push(version(i, "a", proto::State::Up, "n"));
  EXPECT_EQ(w.dropped(), 2u);  // 11 and 12: ten wait already
  EXPECT_TRUE(serials().empty()) << "1 to 10 cannot make the history whole again: 11 is lost";
  // SQLite gives up waiting for the lock after 5 s: the failure is said, then the lock goes.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  auto saidFailure = [&] {
    std::lock_guard lk(mu);
    for (const auto& l : logged)
      if (l.second.find("kept and retried") != std::string::npos) return true;
    return false;
  };
  while (!saidFailure() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  lock.release();
  w.flush();
  EXPECT_EQ(w.written(), 10u);
  w.push(version(13, "a", proto::State::Up, "n"));
  EXPECT_EQ(serials(), (std::vector<std::uint64_t>{13}));
  w.flush();
  EXPECT_TRUE(serials().empty());
  std::lock_guard lk(mu);
  size_t failures = 0, again = 0, drops = 0;
  for (const auto& [level, s] : logged) {
    if (s.find("kept and retried") != std::string::npos) {
      ++failures;
      EXPECT_EQ(level, log::Level::Err) << s;
    }
    if (s.find("writing again") != std::string::npos) {
      ++again;
      EXPECT_EQ(level, log::Level::Notice) << s;
    }
    if (s.find("2 changes dropped") != std::string::npos) {
      ++drops;
      EXPECT_EQ(level, log::Level::Err) << s;
    }
  }
  EXPECT_EQ(failures, 1u);
  EXPECT_EQ(again, 1u);
  EXPECT_EQ(drops, 1u);
}

TEST(HistoryWriter, ANoticeOnceTheCatchUpIsWritten) {
  fail::test::TempDir dir;
  std::mutex mu;
  std::condition_variable said;
  std::vector<std::pair<log::Level, std::string>> logged;
  Writer w(Db::open(dir.file("h.db")), {}, [&](log::Level level, const std::string& s) {
    std::lock_guard lk(mu);
    logged.emplace_back(level, s);
    said.notify_all();
  });
  for (std::uint64_t i = 1; i <= 3; ++i) w.push(version(i, "a", proto::State::Up, "n"));
  w.noticeWhenWritten(3, "caught up");
  std::unique_lock lk(mu);
  ASSERT_TRUE(said.wait_for(lk, std::chrono::seconds(30), [&] { return !logged.empty(); }));
  EXPECT_EQ(logged[0], std::make_pair(log::Level::Notice, std::string("caught up")));
  EXPECT_GE(w.written(), 3u);
}

}  // namespace
}  // namespace fail::history
