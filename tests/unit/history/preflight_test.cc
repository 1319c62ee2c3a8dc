// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// history/preflight: faild -t's check of the history database's place.
#include "history/preflight.hh"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "../../common/temp_dir.hh"

namespace fail::history {
namespace {

TEST(HistoryPreflight, AWritableDirectoryPassesAndIsLeftAsItWas) {
  fail::test::TempDir dir;
  EXPECT_EQ(checkDb(dir.file("h.db"), "root"), "");
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(HistoryPreflight, AMissingDirectorySaysWhatToDo) {
  fail::test::TempDir dir;
  std::string e = checkDb(dir.file("nosuch/h.db"), "failover");
  EXPECT_NE(e.find("the history database's directory " + dir.file("nosuch")), std::string::npos) << e;
  EXPECT_NE(e.find("--history-db FILE"), std::string::npos) << e;
  EXPECT_NE(e.find("--no-history-db"), std::string::npos) << e;
}

TEST(HistoryPreflight, ADirectoryInPlaceOfTheFileIsRefused) {
  fail::test::TempDir dir;
  ::mkdir(dir.file("h.db-wal").c_str(), 0700);
  std::string e = checkDb(dir.file("h.db"), "root");
  EXPECT_NE(e.find(dir.file("h.db-wal") + " is not a plain file"), std::string::npos) << e;
}

TEST(HistoryPreflight, AFileTheUserCannotWriteIsRefusedWhenNotRoot) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes anything (faild_history_test uses -u nobody)";
  fail::test::TempDir dir;
  ::close(::creat(dir.file("h.db").c_str(), 0400));
  std::string e = checkDb(dir.file("h.db"), "me");
  EXPECT_NE(e.find("user me cannot write " + dir.file("h.db")), std::string::npos) << e;
}

}  // namespace
}  // namespace fail::history
