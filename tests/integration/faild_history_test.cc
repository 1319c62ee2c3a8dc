// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// faild's history database (faild(8) "HISTORY"), read with the sqlite3 shell: what a
// change writes, a damaged database moved aside and filled again from the state file, a
// compaction under load before a kill -9, a full disk, and -t's check. Under load and
// across kill -9 without compaction: FaildPromisesTest.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "../common/sqlite_lock.hh"
#include "faild_disk.hh"
#include "harness.hh"

namespace fail::test {
namespace {

std::string sqlite(const std::string& path, const std::string& query) {
  RunResult r = runProgram("/usr/bin/sqlite3", {"-readonly", "-separator", " ", path, query});
  return r.status == 0 ? r.out : "sqlite3 failed: " + r.err;
}

class FaildHistoryTest : public ::testing::Test {
 protected:
  std::unique_ptr<Daemon> startFaild(std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"-s", dir.file("faild.state"), "--listen", "127.0.0.1:0"};
    args.insert(args.end(), more.begin(), more.end());
    auto d = std::make_unique<Daemon>("faild/faild", args, dir, "faild" + std::to_string(++n_));
    EXPECT_TRUE(d->start()) << d->log();
    return d;
  }
  std::string history() const { return dir.file("faild.state.history"); }
  void TearDown() override {
    if (HasFailure())
      for (int i = 1; i <= n_; ++i)
        std::cerr << "--- faild" << i << ".log:\n" << readFile(dir.file("faild" + std::to_string(i) + ".log"));
  }
  TempDir dir;
  int n_ = 0;
};

// How many times `what` occurs in `text`.
size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

ino_t inodeOf(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

TEST_F(FaildHistoryTest, EachChangeIsARowWithTheStateBeforeIt) {
  auto d = startFaild();
  LineClient c(d->address());
  ASSERT_EQ(c.request("HELLO tester").rfind("OK", 0), 0u);
  ASSERT_EQ(c.request("SET www FAIL {note=HTTP 503} latency=12ms"), "OK CHANGE 1");
  ASSERT_EQ(c.request("SET www FAIL {note=HTTP 503} latency=13ms").rfind("OK REFRESH", 0), 0u);
  ASSERT_EQ(c.request("SET www UP"), "OK CHANGE 2");
  ASSERT_EQ(c.request("DEL www").rfind("OK DELETED 3", 0), 0u);
  std::string want =
      "1 www FAIL  HTTP 503 tester latency 12ms\n"
      "2 www UP FAIL  tester latency 13ms\n"
      "3 www DELETED UP   \n";
  std::string got;
  EXPECT_TRUE(eventually([&] {
    got = sqlite(history(), "SELECT serial, name, state, prev, note, origin, attrs FROM change");
    return got == want;
  })) << got;
}

TEST_F(FaildHistoryTest, ADamagedDatabaseIsMovedAsideAndFilledFromTheStateFile) {
  auto d = startFaild();
  {
    LineClient c(d->address());
    for (int i = 0; i < 20; ++i)
      ASSERT_EQ(c.request("SET r" + std::to_string(i % 4) + (i / 4 % 2 ? " UP" : " FAIL")),
                "OK CHANGE " + std::to_string(i + 1));
  }
  ASSERT_TRUE(eventually([&] { return sqlite(history(), "SELECT MAX(serial) FROM change") == "20\n"; }));
  d->kill9();  // the state file keeps every change line (no compaction on the way out)
  {
    std::fstream f(history(), std::ios::in | std::ios::out | std::ios::binary);
    std::string junk(8192, '#');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  std::filesystem::remove(history() + "-wal");
  std::filesystem::remove(history() + "-shm");

  auto d2 = startFaild();
  EXPECT_TRUE(eventually([&] { return d2->log().find("was damaged: moved aside to") != std::string::npos; }))
      << d2->log();
  bool aside = false;
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    aside = aside || e.path().filename().string().rfind("faild.state.history.corrupt-", 0) == 0;
  EXPECT_TRUE(aside);
  std::string got;
  EXPECT_TRUE(eventually([&] {
    got = sqlite(history(), "SELECT COUNT(*), MIN(serial), MAX(serial) FROM change");
    return got == "20 1 20\n";
  })) << got;
}

TEST_F(FaildHistoryTest, NoDatabaseWhenTurnedOff) {
  auto d = startFaild({"--no-history-db"});
  LineClient c(d->address());
  ASSERT_EQ(c.request("SET www UP").rfind("OK CHANGE ", 0), 0u);
  d->signal(SIGTERM);
  EXPECT_EQ(d->wait(), 0);
  EXPECT_FALSE(exists(history()));
}

// A compaction of the state file at run time keeps the changes the history has not
// written yet: after a kill -9 right behind it, the catch-up at the next start writes
// every acknowledged change. The history is held back meanwhile (another connection
// holds its lock), so that the compaction finds much unwritten.
TEST_F(FaildHistoryTest, ACompactionKeepsWhatTheHistoryHasNotWrittenAcrossKill9) {
  auto d = startFaild();
  LineClient c(d->address());
  ASSERT_EQ(c.request("SET first UP"), "OK CHANGE 1");
  ASSERT_TRUE(eventually([&] { return sqlite(history(), "SELECT MAX(serial) FROM change") == "1\n"; }));
  SqliteWriteLock lock(history());
  ASSERT_TRUE(lock.locked());

  // Changes with 4 kB notes, 50 at a time, until the 8 MB state file is compacted (it
  // is replaced: a new inode), then 50 more.
  const std::string state = dir.file("faild.state");
  const ino_t before = inodeOf(state);
  std::vector<std::uint64_t> acked = {1};
  const std::string note(4000, 'n');
  auto burst = [&](int k) {
    std::string out;
    for (int i = 0; i < 50; ++i)
      out += "SET r" + std::to_string(i) + (k % 2 ? " UP" : " FAIL") + " {note=" + note + std::to_string(k) + "}\n";
    c.sendRaw(out);
    for (int i = 0; i < 50; ++i) {
      auto line = c.readLine();
      if (!line || line->rfind("OK CHANGE ", 0) != 0) return false;
      acked.push_back(std::stoull(line->substr(10)));
    }
    return true;
  };
  int k = 0;
  auto start = std::chrono::steady_clock::now();
  while (inodeOf(state) == before && std::chrono::steady_clock::now() - start < kDeadline)
    ASSERT_TRUE(burst(k++));
  ASSERT_NE(inodeOf(state), before) << "no compaction after " << acked.size() << " changes";
  ASSERT_TRUE(burst(k++));
  EXPECT_LT(sqlite(history(), "SELECT COUNT(*) FROM change"), "2\n") << "the lock did not hold the history back";
  d->kill9();
  lock.release();

  auto d2 = startFaild();
  std::string got;
  std::string want = std::to_string(acked.size()) + " " + std::to_string(acked.back()) + "\n";
  EXPECT_TRUE(eventually([&] {
    got = sqlite(history(), "SELECT COUNT(*), MAX(serial) FROM change");
    return got == want;
  })) << got << " (rows, last serial) instead of " << want;
  EXPECT_EQ(d2->log().find("no longer in the state file"), std::string::npos) << d2->log();
  EXPECT_TRUE(eventually([&] {
    return d2->log().find("caught up to serial " + std::to_string(acked.back())) != std::string::npos;
  }));
}

// A new history beside a state file whose early changes were compacted away starts from
// the records' states, and says so as such (not as a gap "after serial 0").
TEST_F(FaildHistoryTest, ANewHistoryStartsFromTheRecordsStates) {
  {
    auto d = startFaild({"--no-history-db", "--history", "5"});
    LineClient c(d->address());
    for (int i = 0; i < 30; ++i)
      ASSERT_EQ(c.request("SET r" + std::to_string(i % 3) + (i % 2 ? " UP" : " FAIL")).rfind("OK CHANGE", 0), 0u);
    d->signal(SIGTERM);  // compacted on the way out: the file keeps the last 5 changes
    ASSERT_EQ(d->wait(), 0);
  }
  auto d = startFaild();
  EXPECT_TRUE(eventually([&] { return d->log().find("caught up to serial 30") != std::string::npos; }))
      << d->log();
  EXPECT_NE(d->log().find("notice history: history " + history() + " is new: it starts from the 3 records' states"),
            std::string::npos)
      << d->log();
  EXPECT_EQ(d->log().find("ends at serial 0"), std::string::npos) << d->log();
  // The records' states, then the changes the file still holds.
  EXPECT_EQ(sqlite(history(), "SELECT MAX(serial) FROM change"), "30\n");
}

// -t checks that the user faild runs as can create and write the history database.
TEST_F(FaildHistoryTest, CheckConfigRefusesAHistoryTheUserCannotWrite) {
  if (::geteuid() != 0) GTEST_SKIP() << "-u nobody needs root";
  ::chmod(dir.path().c_str(), 0711);  // nobody may pass through
  std::string home = dir.file("state"), rootOnly = dir.file("root-only");
  ::mkdir(home.c_str(), 0755);
  ::mkdir(rootOnly.c_str(), 0755);
  ASSERT_EQ(::chown(home.c_str(), 65534, 65534), 0);
  std::vector<std::string> args = {"-t", "-u", "nobody", "-s", home + "/faild.state"};
  RunResult good = runProgram("faild/faild", args);
  EXPECT_EQ(good.status, 0) << good.err;
  args.insert(args.end(), {"--history-db", rootOnly + "/h.db"});
  RunResult bad = runProgram("faild/faild", args);
  EXPECT_EQ(bad.status, 1) << bad.out;
  EXPECT_NE(bad.err.find("user nobody cannot create files in the history database's directory " + rootOnly),
            std::string::npos)
      << bad.err;
  EXPECT_NE(bad.err.find("--no-history-db"), std::string::npos) << bad.err;
  args.push_back("--no-history-db");
  RunResult off = runProgram("faild/faild", args);
  EXPECT_EQ(off.status, 0) << off.err;
}

// History on a full disk (a small tmpfs of its own; the state file elsewhere): faild
// keeps answering, says so once, writes again when there is room, and no acknowledged
// change is missing from the history after.
class FaildHistoryDiskTest : public FaildDiskTest {};

TEST_F(FaildHistoryDiskTest, AFullDiskHoldsHistoryBackButNotFaild) {
  std::string why;
  if (!mountDisk("16m", why)) GTEST_SKIP() << "cannot mount a tmpfs: " << why;
  const std::string db = disk_ + "/h.db";
  Daemon d("faild/faild", {"-s", dir.file("faild.state"), "--listen", "127.0.0.1:0", "--history-db", db}, dir,
           "faild" + std::to_string(++n_));
  ASSERT_TRUE(d.start()) << d.log();
  LineClient c(d.address());
  ASSERT_EQ(c.request("SET www UP"), "OK CHANGE 1");
  ASSERT_TRUE(eventually([&] { return sqlite(db, "SELECT MAX(serial) FROM change") == "1\n"; }));
  ASSERT_TRUE(fill(disk_ + "/filler"));

  const std::string note(300, 'x');
  std::uint64_t last = 1;
  int k = 0;
  auto changes = [&](int n) {
    for (int i = 0; i < n; ++i, ++k) {
      std::string r = c.request("SET r" + std::to_string(k % 10) + (k / 10 % 2 ? " FAIL" : " UP") + " {note=" + note + "}");
      ASSERT_EQ(r, "OK CHANGE " + std::to_string(last + 1));
      ++last;
    }
  };
  changes(300);  // more than the WAL file has room for (after one change, a few pages)
  const std::string failed = "err history: history " + db + ": database or disk is full";
  ASSERT_TRUE(eventually([&] { return d.log().find(failed) != std::string::npos; })) << d.log();
  // Still served while the history cannot be written, for long enough that the writer
  // tries again twice (after 1 s, then 2 s more) without saying so again.
  auto fullSince = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - fullSince < std::chrono::milliseconds(3500)) changes(10);
  EXPECT_EQ(c.request("GET r3").rfind("OK ", 0), 0u);
  ASSERT_EQ(::unlink((disk_ + "/filler").c_str()), 0);
  ASSERT_TRUE(eventually([&] { return d.log().find("notice history: history " + db + ": writing again") != std::string::npos; }))
      << d.log();
  std::string want = std::to_string(last) + " " + std::to_string(last) + "\n", got;
  EXPECT_TRUE(eventually([&] {
    got = sqlite(db, "SELECT COUNT(*), MAX(serial) FROM change");
    return got == want;
  })) << got;
  EXPECT_EQ(occurrences(d.log(), "database or disk is full"), 1u) << d.log();
}

}  // namespace
}  // namespace fail::test
