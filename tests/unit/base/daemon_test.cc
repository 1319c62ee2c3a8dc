// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// base/daemon: what can be tried inside a test process.
#include "base/daemon.hh"

#include <sys/resource.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

namespace fail::daemon {
namespace {

TEST(DaemonTest, RaiseFileLimitLiftsTheSoftLimitToTheHardOne) {
  rlimit before{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &before), 0);
  rlimit low = before;
  low.rlim_cur = 256 < before.rlim_max ? 256 : before.rlim_max;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  raiseFileLimit();
  rlimit after{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &after), 0);
  EXPECT_EQ(after.rlim_cur, before.rlim_max);
  EXPECT_EQ(after.rlim_max, before.rlim_max);
  raiseFileLimit();  // already there: nothing changes
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &after), 0);
  EXPECT_EQ(after.rlim_cur, before.rlim_max);
  ::setrlimit(RLIMIT_NOFILE, &before);
}

TEST(DaemonTest, RunAsRunsTheCheckAsTheUserInAChild) {
  EXPECT_NE(runAs("no-such-user-here", [] { return std::string("ran"); }).find("no such user"), std::string::npos);
  if (::geteuid() != 0) GTEST_SKIP() << "switching user needs root";
  EXPECT_EQ(runAs("nobody", [] { return std::to_string(::geteuid()); }), std::to_string(lookUpUser("nobody").uid));
  EXPECT_EQ(::geteuid(), 0u);  // this process kept its user
  EXPECT_EQ(runAs("nobody", []() -> std::string { throw std::runtime_error("thrown"); }), "thrown");
}

}  // namespace
}  // namespace fail::daemon
