// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failsh -t refuses exactly what start refuses (failsh(8), "Checking the policy"): a
// proc body that does not parse, a service proc that does not exist, a monitor
// listener off loopback without an access file; every error of the file in one run,
// each with file, line, proc or service and option. A file -t accepts also starts.
#include <gtest/gtest.h>
#include <signal.h>

#include "harness.hh"

namespace fail::test {
namespace {

class FailshCheckTest : public ::testing::Test {
 protected:
  RunResult check(const std::string& policy, std::vector<std::string> extra = {}) {
    writeFile(dir.file("policy.tcl"), policy);
    std::vector<std::string> args = {"-t", "-f", dir.file("policy.tcl")};
    args.insert(args.end(), extra.begin(), extra.end());
    return runProgram("failsh/failsh", args);
  }
  std::string file() const { return dir.file("policy.tcl"); }
  TempDir dir;
};

const char* const kBrokenProc = "proc broken {} {\n  set a 1\n  set x \"abc\"def\n}\n";

TEST_F(FailshCheckTest, AProcBodyThatDoesNotParseIsRefusedWithFileAndLine) {
  RunResult r = check(kBrokenProc);
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.err.find(file() + ":3: proc broken: extra characters after close-quote"), std::string::npos) << r.err;
  // Also inside a namespace, in a body that if compiles, and in a --safe policy.
  r = check("namespace eval n {\n  proc p {} {\n    if {1} { set x [foo }\n  }\n}\n", {"--safe"});
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.err.find(file() + ":3: proc ::n::p: missing close-bracket"), std::string::npos) << r.err;
}

TEST_F(FailshCheckTest, AServiceProcThatDoesNotExistIsRefused) {
  RunResult r = check("proc up {} { return UP }\n\nfailsvc www interval 1s start startWww stop up\n");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.err.find(file() + ":3: failsvc www start: no command \"startWww\""), std::string::npos) << r.err;
  r = check("failsvc www interval 1s stop {set x 1; nosuch now}\n");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.err.find(file() + ":1: failsvc www stop: no command \"nosuch\""), std::string::npos) << r.err;
}

TEST_F(FailshCheckTest, AMonitorListenerOffLoopbackWithoutAnAccessFileIsRefused) {
  // Nothing is bound: -t only checks.
  RunResult r = check("failsvc www interval 1s\n", {"-m", "0.0.0.0:1848"});
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.err.find("--monitor: listen 0.0.0.0:1848: a listener that is not on loopback needs an access file"),
            std::string::npos) << r.err;
  writeFile(dir.file("access"), "* s3cret-for-test RW\n");
  r = check("failsvc www interval 1s\n", {"-m", "0.0.0.0:1848", "--access", dir.file("access")});
  EXPECT_EQ(r.status, 0) << r.err;
}

TEST_F(FailshCheckTest, EveryErrorOfTheFileInOneRun) {
  RunResult r = check(std::string(kBrokenProc) + "failsvc www interval 1s start startWww\n", {"-m", "0.0.0.0:1848"});
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.err.find(":3: proc broken:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(":5: failsvc www start: no command \"startWww\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--monitor: listen 0.0.0.0:1848"), std::string::npos) << r.err;
  // A Tcl error stops the reading; what was read before it is still checked.
  r = check(std::string(kBrokenProc) + "failsvc www colour blue\n");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.err.find("bad subcommand \"colour\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(":3: proc broken:"), std::string::npos) << r.err;
}

TEST_F(FailshCheckTest, StartRefusesWhatCheckRefuses) {
  writeFile(dir.file("policy.tcl"), std::string(kBrokenProc) + "failsvc www interval 1s start startWww\n");
  // Bounded: a failsh that accepted the file would run until stopped.
  RunResult r = runProgram("/usr/bin/timeout", {"20", buildDir() + "/failsh/failsh", "-f", file(), "--monitor", "none"});
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.err.find(":3: proc broken: extra characters after close-quote"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(":5: failsvc www start: no command \"startWww\""), std::string::npos) << r.err;
}

TEST_F(FailshCheckTest, AFileCheckAcceptsAlsoStarts) {
  Daemon fa("faild/faild", {"--memory", "--listen", "127.0.0.1:0"}, dir, "faild");
  ASSERT_TRUE(fa.start()) << fa.log();
  std::string policy = "failhost localhost port " + portOf(fa) + "\n" +
                       "namespace eval web {\n  proc start {} { if {1} { return UP } }\n}\n"
                       "proc stop {} { return RECOVER }\n"
                       "failsvc www interval 200ms start web::start stop {stop}\n";
  RunResult r = check(policy, {"-m", "127.0.0.1:0"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("policy OK (1 services"), std::string::npos) << r.out;
  Daemon sh("failsh/failsh", {"-f", file(), "-m", "127.0.0.1:0", "-l", dir.file("dump")}, dir, "failsh");
  ASSERT_TRUE(sh.start()) << sh.log();
  EXPECT_TRUE(eventually([&] {
    LineClient c(fa.address());
    auto w = words(c.request("GET www"));
    return w.size() == 2 && field(w[1], "state") == "UP";
  })) << sh.log();
  sh.signal(SIGTERM);
  EXPECT_EQ(sh.wait(), 0);
}

}  // namespace
}  // namespace fail::test
