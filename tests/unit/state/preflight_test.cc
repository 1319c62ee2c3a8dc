// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// state/preflight: the start-up check of the state files' directory.
#include "state/preflight.hh"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>

namespace fail::state {
namespace {

struct Dir {
  std::string path;
  Dir() {
    char t[] = "/tmp/preflight-XXXXXX";
    path = ::mkdtemp(t);
  }
  ~Dir() {
    std::string cmd = "rm -rf '" + path + "'";
    if (std::system(cmd.c_str()) != 0) {
    }
  }
  int entries() const {
    int n = 0;
    DIR* d = ::opendir(path.c_str());
    while (dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') ++n;
    ::closedir(d);
    return n;
  }
};

TEST(PreflightTest, AWritableDirectoryPassesAndIsLeftAsItWas) {
  Dir d;
  EXPECT_EQ(checkStateFiles(d.path + "/faild.state", "root"), "");
  EXPECT_EQ(d.entries(), 0);
}

TEST(PreflightTest, AMissingDirectorySaysWhatToDo) {
  Dir d;
  std::string e = checkStateFiles(d.path + "/nosuch/faild.state", "failover");
  EXPECT_NE(e.find("the state directory " + d.path + "/nosuch does not exist"), std::string::npos) << e;
  EXPECT_NE(e.find("create " + d.path + "/nosuch writable by failover"), std::string::npos) << e;
  EXPECT_NE(e.find("StateDirectory="), std::string::npos) << e;
  EXPECT_NE(e.find("-s FILE"), std::string::npos) << e;
  EXPECT_NE(e.find("--memory"), std::string::npos) << e;
}

TEST(PreflightTest, APathUnderAFileIsRefused) {
  Dir d;
  std::string file = d.path + "/plain";
  ::close(::creat(file.c_str(), 0600));
  EXPECT_NE(checkStateFiles(file + "/faild.state", "root").find("is not a directory"), std::string::npos);
}

TEST(PreflightTest, ADirectoryNobodyCanWriteIsRefusedWhenNotRoot) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes anywhere (the integration tests use -u nobody)";
  Dir d;
  ::chmod(d.path.c_str(), 0500);
  std::string e = checkStateFiles(d.path + "/faild.state", "me");
  ::chmod(d.path.c_str(), 0700);
  EXPECT_NE(e.find("user me cannot create files in the state directory"), std::string::npos) << e;
}

}  // namespace
}  // namespace fail::state
