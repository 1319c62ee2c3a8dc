// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failsh's default dump file is under the runtime directory (failsh(8), -l): the one
// systemd names in RUNTIME_DIRECTORY, and --help says so.
#include <gtest/gtest.h>
#include <signal.h>

#include "harness.hh"

namespace fail::test {
namespace {

TEST(FailshDump, WithoutDashLTheDumpGoesToTheRuntimeDirectory) {
  TempDir dir;
  Daemon fa("faild/faild", {"--memory", "--listen", "127.0.0.1:0"}, dir, "faild");
  ASSERT_TRUE(fa.start()) << fa.log();
  writeFile(dir.file("policy.tcl"), "failhost localhost port " + portOf(fa) + "\nfailsvc www interval 1s\n");
  Daemon sh("failsh/failsh", {"-f", dir.file("policy.tcl"), "-m", "none"}, dir, "failsh");
  sh.env("RUNTIME_DIRECTORY=" + dir.path());
  ASSERT_TRUE(sh.start()) << sh.log();
  sh.signal(SIGUSR1);
  EXPECT_TRUE(eventually([&] { return readFile(dir.file("failsh.dump")).find("service www") != std::string::npos; }))
      << sh.log();
  sh.signal(SIGTERM);
  EXPECT_EQ(sh.wait(), 0);
}

TEST(FailshDump, HelpNamesTheDefault) {
  RunResult r = runProgram("failsh/failsh", {"--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("$RUNTIME_DIRECTORY/failsh.dump, else /run/failsh/failsh.dump"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("/var/tmp"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace fail::test
