// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// faild's history database (faild(8) "HISTORY"), read with the sqlite3 shell: what a
// change writes, and a damaged database moved aside and filled again from the state file.
// Under load and across kill -9: FaildPromisesTest.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

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
  TempDir dir;
  int n_ = 0;
};

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

}  // namespace
}  // namespace fail::test
