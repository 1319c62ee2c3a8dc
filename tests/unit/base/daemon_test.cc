// base/daemon: what can be tried inside a test process.
#include "base/daemon.hh"

#include <sys/resource.h>

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

}  // namespace
}  // namespace fail::daemon
