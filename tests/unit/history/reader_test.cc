// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "history/reader.hh"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "../../common/temp_dir.hh"
#include "changes.hh"
#include "ev/ev.hh"

namespace fail::history {
namespace {

constexpr Micros kS = 1'000'000;

using test::change;

// A database of www (UP at 10 s, FAIL at 20 s, UP at 30 s) and db (UP at 15 s).
std::string makeDb(const fail::test::TempDir& dir) {
  std::string path = dir.file("h.db");
  auto db = Db::open(path);
  db->append({change(1, "www", "UP", 10 * kS), change(2, "db", "UP", 15 * kS),
              change(3, "www", "FAIL", 20 * kS), change(4, "www", "UP", 30 * kS)});
  return path;
}

// Runs the loop until `done` holds, at most 30 s (however busy the machine).
template <class F>
bool runUntil(ev::Loop& loop, F done) {
  bool timedOut = false;
  ev::Timer deadline(loop.base(), [&] {
    timedOut = true;
    loop.stop();
  });
  deadline.arm(std::chrono::seconds(30));
  ev::Timer poll(loop.base(), [] {});
  while (!done() && !timedOut) {
    poll.arm(std::chrono::milliseconds(5));
    event_base_loop(loop.base(), EVLOOP_ONCE);
  }
  return done();
}

TEST(HistoryReader, AnswersOnTheLoopThread) {
  fail::test::TempDir dir;
  std::string path = makeDb(dir);
  ev::Loop loop;
  Reader r(loop, path);
  auto owner = std::make_shared<int>(0);
  std::thread::id loopThread = std::this_thread::get_id();
  std::vector<Change> got;
  Reader::Availabilities rows;
  int answers = 0;
  Query q;
  q.pattern = "www";
  ASSERT_TRUE(r.changes(q, owner, [&](std::vector<Change> c, std::string error) {
    EXPECT_EQ(std::this_thread::get_id(), loopThread);
    EXPECT_EQ(error, "");
    got = std::move(c);
    ++answers;
  }));
  ASSERT_TRUE(r.availability("*", 10 * kS, 40 * kS, owner, [&](Reader::Availabilities a, std::string error) {
    EXPECT_EQ(std::this_thread::get_id(), loopThread);
    EXPECT_EQ(error, "");
    rows = std::move(a);
    ++answers;
  }));
  ASSERT_TRUE(runUntil(loop, [&] { return answers == 2; }));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].serial, 1u);
  EXPECT_EQ(got[1].state, "FAIL");
  EXPECT_EQ(got[1].prev, "UP");
  EXPECT_EQ(got[2].serial, 4u);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].first, "db");
  EXPECT_EQ(rows[1].first, "www");
  EXPECT_EQ(rows[1].second.up, 20 * kS);    // 10-20 and 30-40
  EXPECT_EQ(rows[1].second.down, 10 * kS);  // 20-30
  EXPECT_EQ(rows[1].second.outages, 1u);
  EXPECT_EQ(rows[1].second.mttr(), 10 * kS);
  EXPECT_EQ(rows[0].second.absent, 5 * kS);  // before 15 s
}

TEST(HistoryReader, AppliesTheFilterBeforeTheLimit) {
  fail::test::TempDir dir;
  std::string path = makeDb(dir);
  ev::Loop loop;
  Reader r(loop, path);
  auto owner = std::make_shared<int>(0);
  std::vector<Change> got;
  bool answered = false;
  Query q;
  q.limit = 2;
  q.visible = [](std::string_view name) { return name == "www"; };
  ASSERT_TRUE(r.changes(q, owner, [&](std::vector<Change> c, std::string) {
    got = std::move(c);
    answered = true;
  }));
  ASSERT_TRUE(runUntil(loop, [&] { return answered; }));
  ASSERT_EQ(got.size(), 2u);  // the newest two of www's, not db's among them
  EXPECT_EQ(got[0].serial, 3u);
  EXPECT_EQ(got[1].serial, 4u);
}

TEST(HistoryReader, AnExpiredOwnerGetsNoCallback) {
  fail::test::TempDir dir;
  std::string path = makeDb(dir);
  ev::Loop loop;
  Reader r(loop, path);
  auto gone = std::make_shared<int>(0);
  auto stays = std::make_shared<int>(0);
  bool goneCalled = false, staysCalled = false;
  ASSERT_TRUE(r.changes({}, gone, [&](std::vector<Change>, std::string) { goneCalled = true; }));
  ASSERT_TRUE(r.changes({}, stays, [&](std::vector<Change>, std::string) { staysCalled = true; }));
  gone.reset();  // the client went away before its answer came back
  // Answers come back in order: once the second is here, the first was handled.
  ASSERT_TRUE(runUntil(loop, [&] { return staysCalled; }));
  EXPECT_FALSE(goneCalled);
}

TEST(HistoryReader, RefusesWhenMaxWaitingQueriesWait) {
  fail::test::TempDir dir;
  std::string path = makeDb(dir);
  ev::Loop loop;
  Reader r(loop, path, 2);
  auto owner = std::make_shared<int>(0);
  // The first query is held inside its filter (on the Reader's thread) until released.
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::atomic<bool> running{false};
  Query held;
  held.visible = [&](std::string_view) {
    running = true;
    std::unique_lock lk(mu);
    cv.wait(lk, [&] { return release; });
    return true;
  };
  int answers = 0;
  auto count = [&](std::vector<Change>, std::string) { ++answers; };
  ASSERT_TRUE(r.changes(held, owner, count));
  ASSERT_TRUE(runUntil(loop, [&] { return running.load(); }));
  EXPECT_TRUE(r.changes({}, owner, count));
  EXPECT_TRUE(r.changes({}, owner, count));
  EXPECT_EQ(r.waiting(), 2u);
  EXPECT_FALSE(r.changes({}, owner, count));  // busy: no callback ever
  EXPECT_FALSE(r.availability("*", 0, kS, owner, [&](Reader::Availabilities, std::string) { ++answers; }));
  {
    std::lock_guard lk(mu);
    release = true;
  }
  cv.notify_all();
  ASSERT_TRUE(runUntil(loop, [&] { return answers == 3; }));
  EXPECT_TRUE(r.changes({}, owner, count));  // room again
  ASSERT_TRUE(runUntil(loop, [&] { return answers == 4; }));
}

TEST(HistoryReader, AMissingDatabaseIsAnErrorNamingIt) {
  fail::test::TempDir dir;
  ev::Loop loop;
  Reader r(loop, dir.file("none.db"));
  auto owner = std::make_shared<int>(0);
  std::string error;
  bool answered = false;
  ASSERT_TRUE(r.changes({}, owner, [&](std::vector<Change> c, std::string e) {
    EXPECT_TRUE(c.empty());
    error = e;
    answered = true;
  }));
  ASSERT_TRUE(runUntil(loop, [&] { return answered; }));
  EXPECT_NE(error.find(dir.file("none.db")), std::string::npos) << error;
  EXPECT_FALSE(std::filesystem::exists(dir.file("none.db")));  // nothing created
  // Once the Writer has made it, the next query reads it.
  makeDb(dir);
  std::rename(dir.file("h.db").c_str(), dir.file("none.db").c_str());
  answered = false;
  size_t n = 0;
  ASSERT_TRUE(r.changes({}, owner, [&](std::vector<Change> c, std::string e) {
    EXPECT_EQ(e, "");
    n = c.size();
    answered = true;
  }));
  ASSERT_TRUE(runUntil(loop, [&] { return answered; }));
  EXPECT_EQ(n, 4u);
}

TEST(HistoryReader, TheLimitIsBounded) {
  fail::test::TempDir dir;
  std::string path = dir.file("h.db");
  {
    auto db = Db::open(path);
    std::vector<Change> batch;
    for (std::uint64_t i = 1; i <= Reader::kMaxChanges + 50; ++i)
      batch.push_back(change(i, "r" + std::to_string(i % 10), i % 2 ? "UP" : "FAIL", static_cast<Micros>(i) * kS));
    db->append(batch);
  }
  ev::Loop loop;
  Reader r(loop, path);
  auto owner = std::make_shared<int>(0);
  std::vector<size_t> sizes;
  Query all, huge, exact;
  all.more = std::make_shared<bool>(false);
  huge.limit = 1'000'000;
  huge.more = std::make_shared<bool>(false);
  exact.limit = 50;
  exact.since = static_cast<Micros>(Reader::kMaxChanges + 1) * kS;  // the last 50 only
  exact.more = std::make_shared<bool>(true);
  auto keep = [&](std::vector<Change> c, std::string) { sizes.push_back(c.size()); };
  ASSERT_TRUE(r.changes(all, owner, keep));
  ASSERT_TRUE(r.changes(huge, owner, keep));
  ASSERT_TRUE(r.changes(exact, owner, keep));
  ASSERT_TRUE(runUntil(loop, [&] { return sizes.size() == 3; }));
  EXPECT_EQ(sizes[0], Reader::kDefaultChanges);
  EXPECT_TRUE(*all.more);
  EXPECT_EQ(sizes[1], Reader::kMaxChanges);
  EXPECT_TRUE(*huge.more);
  EXPECT_EQ(sizes[2], 50u);
  EXPECT_FALSE(*exact.more);  // exactly the limit matched: nothing left out
}

TEST(HistoryReader, TheAnswerIsBoundedInBytes) {
  fail::test::TempDir dir;
  std::string path = dir.file("h.db");
  {
    auto db = Db::open(path);
    std::vector<Change> batch;
    for (std::uint64_t i = 1; i <= 2000; ++i) {
      batch.push_back(change(i, "www", i % 2 ? "UP" : "FAIL", static_cast<Micros>(i) * kS));
      batch.back().note.assign(4096, 'n');  // the longest note
    }
    db->append(batch);
  }
  ev::Loop loop;
  Reader r(loop, path);
  auto owner = std::make_shared<int>(0);
  Query q;
  q.limit = 2000;
  q.more = std::make_shared<bool>(false);
  std::vector<Change> got;
  bool answered = false;
  ASSERT_TRUE(r.changes(q, owner, [&](std::vector<Change> c, std::string) {
    got = std::move(c);
    answered = true;
  }));
  ASSERT_TRUE(runUntil(loop, [&] { return answered; }));
  size_t bytes = 0;
  for (const Change& c : got) bytes += c.note.size();
  EXPECT_LE(bytes, Reader::kMaxBytes);
  EXPECT_GT(got.size(), 900u);
  EXPECT_LT(got.size(), 2000u);
  EXPECT_EQ(got.back().serial, 2000u);  // the newest, in serial order
  EXPECT_TRUE(*q.more);
}

}  // namespace
}  // namespace fail::history
