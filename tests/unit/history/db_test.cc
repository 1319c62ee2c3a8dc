// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "history/db.hh"
#include "history/availability.hh"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "../../common/temp_dir.hh"
#include "changes.hh"

namespace fail::history {
namespace {

constexpr Micros kS = 1'000'000;

using test::change;

std::vector<Change> all(const Db& db, Query q = {}) {
  std::vector<Change> out;
  db.query(q, [&](const Change& c) { out.push_back(c); });
  return out;
}

TEST(HistoryDb, WritesReadsBackAndKeepsEachSerialOnce) {
  fail::test::TempDir dir;
  auto db = Db::open(dir.file("history.db"));
  EXPECT_EQ(db->lastSerial(), 0u);
  std::vector<Change> batch = {change(1, "www", "UP", 10 * kS), change(2, "www", "FAIL", 20 * kS),
                               change(3, "db", "UP", 30 * kS)};
  db->append(batch);
  db->append({batch[1], change(4, "www", "UP", 40 * kS)});  // 2 again: kept once
  EXPECT_EQ(db->lastSerial(), 4u);
  EXPECT_EQ(db->rows(), 4u);
  std::vector<Change> got = all(*db);
  ASSERT_EQ(got.size(), 4u);
  batch[1].prev = "UP";  // what the history itself saw before serial 2
  EXPECT_EQ(got[0], batch[0]);
  EXPECT_EQ(got[1], batch[1]);
  EXPECT_EQ(got[0].prev, "");  // new
  EXPECT_EQ(got[2].prev, "");
  EXPECT_EQ(got[3].prev, "FAIL");  // the history's own: www was FAIL at serial 2

  // Reopened: the same rows.
  db.reset();
  db = Db::open(dir.file("history.db"));
  EXPECT_EQ(db->lastSerial(), 4u);
  EXPECT_EQ(all(*db).size(), 4u);
}

TEST(HistoryDb, QueriesByGlobTimeAndNewestLimit) {
  fail::test::TempDir dir;
  auto db = Db::open(dir.file("history.db"));
  std::vector<Change> batch;
  for (std::uint64_t i = 1; i <= 30; ++i)
    batch.push_back(change(i, i % 3 == 0 ? "web-" + std::to_string(i) : i % 3 == 1 ? "www" : "db[1]",
                           i % 2 ? "UP" : "FAIL", static_cast<Micros>(i) * kS));
  db->append(batch);

  auto names = [](const std::vector<Change>& cs) {
    std::vector<std::uint64_t> s;
    for (const Change& c : cs) s.push_back(c.serial);
    return s;
  };
  Query exact;
  exact.pattern = "www";
  EXPECT_EQ(all(*db, exact).size(), 10u);
  Query bracket;  // a name holding a glob's special byte, matched by escaping it
  bracket.pattern = "db\\[1]";
  EXPECT_EQ(all(*db, bracket).size(), 10u);
  Query glob;
  glob.pattern = "web-*";
  glob.since = 10 * kS;
  glob.until = 22 * kS;
  EXPECT_EQ(names(all(*db, glob)), (std::vector<std::uint64_t>{12, 15, 18, 21}));
  Query newest;
  newest.pattern = "*";
  newest.limit = 3;
  EXPECT_EQ(names(all(*db, newest)), (std::vector<std::uint64_t>{28, 29, 30}));
  Query none;
  none.pattern = "nothing-*";
  EXPECT_TRUE(all(*db, none).empty());
}

TEST(HistoryDb, TimelineGivesTheStateBeforeTheWindowThenTheWindow) {
  fail::test::TempDir dir;
  auto db = Db::open(dir.file("history.db"));
  db->append({change(1, "a", "UP", 10 * kS), change(2, "a", "FAIL", 20 * kS),
              change(3, "a", "UP", 150 * kS), change(4, "b", "FAIL", 120 * kS),
              change(5, "a", "FAIL", 250 * kS)});
  std::vector<std::string> seen;
  db->timeline(
      "*", 100 * kS, 200 * kS, [&](std::string_view name) { seen.push_back(std::string(name)); },
      [&](Micros since, std::string_view state) {
        seen.push_back(std::to_string(since / kS) + ":" + std::string(state));
      });
  // a: FAIL since 20 s (before the window), UP at 150 s; b: FAIL at 120 s.
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "20:FAIL", "150:UP", "b", "120:FAIL"}));
}

TEST(HistoryDb, RetentionKeepsEachRecordsLatestChange) {
  fail::test::TempDir dir;
  auto db = Db::open(dir.file("history.db"));
  db->append({change(1, "old", "UP", 1 * kS), change(2, "a", "UP", 2 * kS),
              change(3, "a", "FAIL", 3 * kS), change(4, "a", "UP", 50 * kS),
              change(5, "b", "UP", 60 * kS), change(6, "b", "FAIL", 70 * kS)});
  EXPECT_EQ(db->prune(10 * kS, 0), 2u);  // a's 2 and 3; "old" is its latest
  EXPECT_EQ(db->rows(), 4u);
  EXPECT_EQ(db->prune(0, 3), 1u);  // the oldest that is not a latest: b's 5
  std::vector<std::uint64_t> left;
  db->query({}, [&](const Change& c) { left.push_back(c.serial); });
  EXPECT_EQ(left, (std::vector<std::uint64_t>{1, 4, 6}));
}

TEST(HistoryDb, ADamagedFileIsMovedAsideAndANewOneMade) {
  fail::test::TempDir dir;
  std::string path = dir.file("history.db");
  {
    auto db = Db::open(path);
    db->append({change(1, "a", "UP", kS)});
  }
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  {
    // Garbage over the first page: the header SQLite checks first.
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    std::string junk(4096, 'x');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  std::string movedTo;
  auto db = Db::open(path, &movedTo);
  ASSERT_FALSE(movedTo.empty());
  EXPECT_NE(movedTo.find("history.db.corrupt-"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(movedTo));
  EXPECT_EQ(db->rows(), 0u);
  db->append({change(7, "a", "UP", kS)});
  EXPECT_EQ(db->lastSerial(), 7u);
}

TEST(HistoryDb, AFileThatCannotBeCreatedIsAClearError) {
  fail::test::TempDir dir;
  try {
    Db::open(dir.file("missing/dir/history.db"));
    FAIL() << "opened";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("missing/dir/history.db"), std::string::npos) << e.what();
  }
}

// The roll-ups give exactly what counting every change gives, on random histories and
// windows: days and outages that cross the window's edges, long and short outages,
// UNKNOWN inside outages, deletions, records that appear late or stop changing early.
TEST(HistoryDb, ReportsFromRollupsEqualCountingEveryChange) {
  fail::test::TempDir dir;
  auto db = Db::open(dir.file("history.db"));
  std::mt19937_64 rng(20261207);
  const Micros t0 = 1'765'000'000LL * kS;  // late 2025
  const char* states[] = {"UP", "UP", "FAIL", "FAIL", "UNKNOWN", "RECOVER", kDeleted};
  std::uint64_t serial = 0;
  for (int r = 0; r < 12; ++r) {
    std::vector<Change> cs;
    Micros t = t0 + static_cast<Micros>(rng() % (20 * kDay));
    int n = static_cast<int>(rng() % 60);
    for (int k = 0; k < n; ++k) {
      // Gaps from seconds to several days.
      Micros gap = rng() % 3 == 0 ? static_cast<Micros>(rng() % (3 * kDay))
                                  : static_cast<Micros>(rng() % (3 * 3600 * kS));
      t += gap;
      cs.push_back(change(++serial, "r" + std::to_string(r), states[rng() % 7], t));
    }
    // In batches of random sizes, as the writer does.
    for (size_t at = 0; at < cs.size();) {
      size_t take = std::min(cs.size() - at, 1 + rng() % 9);
      db->append(std::vector<Change>(cs.begin() + static_cast<long>(at),
                                     cs.begin() + static_cast<long>(at + take)));
      at += take;
    }
  }
  for (int w = 0; w < 200; ++w) {
    Micros from = t0 + static_cast<Micros>(rng() % (90 * kDay)) - 5 * kDay;
    if (w % 5 == 0) from -= from % kDay;  // some windows start at midnight UTC
    Micros to = from + static_cast<Micros>(rng() % (60 * kDay));
    std::map<std::string, Availability> expect;
    std::string cur;
    std::unique_ptr<AvailabilityCounter> counter;
    auto done = [&] {
      if (counter) expect[cur] = counter->finish();
    };
    // The reference is fed every change from the start: what came before the window
    // says whether an outage was under way when it began (FAIL, then UNKNOWN, say).
    db->timeline(
        "*", 0, to,
        [&](std::string_view name) {
          done();
          cur = std::string(name);
          counter = std::make_unique<AvailabilityCounter>(from, to);
        },
        [&](Micros since, std::string_view state) { counter->add(since, state); });
    done();
    size_t seen = 0;
    db->availability("*", from, to, [&](std::string_view name, const Availability& a) {
      ++seen;
      const Availability& e = expect[std::string(name)];
      SCOPED_TRACE(std::string(name) + " window " + std::to_string(w));
      EXPECT_EQ(a.up, e.up);
      EXPECT_EQ(a.recover, e.recover);
      EXPECT_EQ(a.down, e.down);
      EXPECT_EQ(a.unknown, e.unknown);
      EXPECT_EQ(a.absent, e.absent);
      EXPECT_EQ(a.outages, e.outages);
      EXPECT_EQ(a.longest, e.longest);
      EXPECT_EQ(a.recoveries, e.recoveries);
      EXPECT_EQ(a.recovering, e.recovering);
    });
    EXPECT_EQ(seen, expect.size());
    if (HasFailure()) break;
  }
}

}  // namespace
}  // namespace fail::history
