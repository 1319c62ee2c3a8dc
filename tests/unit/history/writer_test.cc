// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "history/writer.hh"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

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
    Writer w(Db::open(dir.file("h.db")), o, [&](const std::string& s) {
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
  {
    Writer w(Db::open(dir.file("h.db")), o, [&](const std::string& s) {
      std::lock_guard lk(mu);
      logged.push_back(s);
      said.notify_all();
    });
    // Retention runs once as the writer starts (then hourly), with nothing pushed.
    std::unique_lock lk(mu);
    ASSERT_TRUE(said.wait_for(lk, std::chrono::seconds(20), [&] { return !logged.empty(); }));
    EXPECT_NE(logged[0].find("retention removed 90 changes"), std::string::npos) << logged[0];
  }
  auto db = Db::open(dir.file("h.db"));
  EXPECT_EQ(db->rows(), 10u);
  EXPECT_EQ(db->lastSerial(), 100u);
}

}  // namespace
}  // namespace fail::history
