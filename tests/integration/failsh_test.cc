// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failsh end to end on loopback: two hosts, each a real faild and a real failsh, with
// start and stop procs that create and remove a marker file. The master/slave rule and
// the two-phase hand-back, an unreachable master, contained policy errors, the monitor
// port, the dump and -t. (Address takeover in network namespaces: failsh_netns_test.)
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "failsh_fixture.hh"
#include "harness.hh"

namespace fail::test {
namespace {

class FailshTest : public FailshFixture {
 protected:
  // A policy for host `self` whose faild listens on `localPort`; the service www with
  // `peers` ("masters {alpha}"), start and stop procs that create and remove SELF.up.
  std::string policy(const std::string& self, const std::string& localPort, const std::string& peerName,
                     const std::string& peerPort, const std::string& role) {
    std::string up = dir.file(self + ".up"), traps = dir.file(self + ".traps");
    return "failhost localhost port " + localPort + "\n" +
           "failhost " + peerName + " address 127.0.0.1 port " + peerPort + "\n" +
           "proc start {} { fail::exec touch " + up + "; return UP }\n" +
           "proc stop {} { file delete " + up + "; return RECOVER }\n" +
           "failtrap {apply {{s from to note} { set f [open " + traps + " a]; puts $f \"$s $from $to\"; close $f }}}\n" +
           "failsvc www interval 1s " + role + " start start stop stop\n";
  }
  static std::string stateOf(const Daemon& faild, const std::string& name) {
    LineClient c(faild.address());
    auto w = words(c.request("GET " + name));
    return w.size() == 2 && w[0] == "OK" ? field(w[1], "state") : "";
  }
};

// A sampler thread that records whether both markers ever existed at once.
class BothUp {
 public:
  BothUp(std::string a, std::string b) : a_(std::move(a)), b_(std::move(b)) {
    thread_ = std::thread([this] {
      while (!stop_) {
        if (exists(a_) && exists(b_)) both_ = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    });
  }
  ~BothUp() {
    stop_ = true;
    thread_.join();
  }
  bool seen() const { return both_; }

 private:
  std::string a_, b_;
  std::atomic<bool> stop_{false}, both_{false};
  std::thread thread_;
};

TEST_F(FailshTest, MasterRunsSlaveTakesOverOnFailAndHandsBackOnRecover) {
  auto fa = faild("faild-a"), fb = faild("faild-b");
  BothUp both(dir.file("alpha.up"), dir.file("beta.up"));
  auto sa = failsh("failsh-a", policy("alpha", portOf(*fa), "beta", portOf(*fb), "slaves {beta}"));
  auto sb = failsh("failsh-b", policy("beta", portOf(*fb), "alpha", portOf(*fa), "masters {alpha}"));
  // Both start together: the master runs the service, the slave stays RECOVER.
  ASSERT_TRUE(eventually([&] { return stateOf(*fa, "www") == "UP" && stateOf(*fb, "www") == "RECOVER"; }));
  EXPECT_TRUE(exists(dir.file("alpha.up")));
  EXPECT_FALSE(exists(dir.file("beta.up")));
  EXPECT_EQ(stateOf(*fa, "host:beta"), "UP");
  EXPECT_EQ(stateOf(*fb, "host:alpha"), "UP");

  // An administrator sets the master's service FAIL: its stop proc runs, the slave takes over.
  ASSERT_EQ(runProgram("failc/failc", {"-h", "127.0.0.1", "-p", portOf(*fa), "set", "www", "FAIL"}).status, 0);
  ASSERT_TRUE(eventually([&] { return !exists(dir.file("alpha.up")) && stateOf(*fb, "www") == "UP"; }));
  EXPECT_TRUE(exists(dir.file("beta.up")));
  EXPECT_EQ(stateOf(*fa, "www"), "FAIL");  // stays FAIL until someone says RECOVER

  // RECOVER: the master announces, the slave stops, then the master starts.
  ASSERT_EQ(runProgram("failc/failc", {"-h", "127.0.0.1", "-p", portOf(*fa), "set", "www", "RECOVER"}).status, 0);
  ASSERT_TRUE(eventually([&] { return stateOf(*fa, "www") == "UP" && stateOf(*fb, "www") == "RECOVER"; }));
  EXPECT_TRUE(exists(dir.file("alpha.up")));
  EXPECT_FALSE(exists(dir.file("beta.up")));
  EXPECT_FALSE(both.seen()) << "both hosts ran the service at once";

  // Traps saw every change of the local record.
  std::string traps = readFile(dir.file("beta.traps"));
  EXPECT_NE(traps.find("www RECOVER UP"), std::string::npos) << traps;
  EXPECT_NE(traps.find("www UP RECOVER"), std::string::npos) << traps;
}

TEST_F(FailshTest, UnreachableMasterCountsAsFailAndTakesBackWhenItReturns) {
  auto fa = faild("faild-a"), fb = faild("faild-b");
  std::string portA = portOf(*fa);
  auto sa = failsh("failsh-a", policy("alpha", portA, "beta", portOf(*fb), "slaves {beta}"));
  auto sb = failsh("failsh-b", policy("beta", portOf(*fb), "alpha", portA, "masters {alpha}"));
  ASSERT_TRUE(eventually([&] { return stateOf(*fa, "www") == "UP" && stateOf(*fb, "www") == "RECOVER"; }));
  // Host alpha dies (its faild and failsh): beta cannot reach it and takes over.
  sa->kill9();
  fa->kill9();
  ::unlink(dir.file("alpha.up").c_str());
  ASSERT_TRUE(eventually([&] { return stateOf(*fb, "www") == "UP"; }));
  EXPECT_TRUE(exists(dir.file("beta.up")));
  EXPECT_EQ(stateOf(*fb, "host:alpha"), "FAIL");
  // alpha comes back on the same port: it announces RECOVER, beta yields, alpha runs it.
  Daemon fa2("faild/faild", {"--memory", "--listen", "127.0.0.1:" + portA}, dir, "faild-a2");
  tags_.push_back("faild-a2");
  ASSERT_TRUE(fa2.start()) << fa2.log();
  auto sa2 = failsh("failsh-a2", policy("alpha", portA, "beta", portOf(*fb), "slaves {beta}"));
  ASSERT_TRUE(eventually([&] { return stateOf(fa2, "www") == "UP" && stateOf(*fb, "www") == "RECOVER"; }));
  EXPECT_TRUE(exists(dir.file("alpha.up")));
  EXPECT_FALSE(exists(dir.file("beta.up")));
  EXPECT_EQ(stateOf(*fb, "host:alpha"), "UP");
}

TEST_F(FailshTest, PolicyErrorsAndOverrunsAreContained) {
  auto fa = faild("faild-a");
  std::string p = "failhost localhost port " + portOf(*fa) + "\n" +
                  "proc broken {} { error \"disk on fire\" }\n"
                  "proc slow {} { while 1 {} }\n"
                  "proc odd {} { return maybe }\n"
                  "failsvc bad interval 1s start broken\n"
                  "failsvc hog interval 1s start slow\n"
                  "failsvc odd interval 1s start odd\n"
                  "proc blocker {} { exec sleep 2; return UP }\n"
                  "failsvc blocker interval 1s start blocker\n"
                  "fail::every 200ms { error \"tick failed\" }\n"
                  "fail::after 100ms { fail::state set good UP -note fine latency=3ms }\n"
                  "fail::after 150ms { catch {fail::exec -timeout 200ms sleep 5} msg; fail::state set exec UP -note $msg }\n";
  // --limit 1s: the exec callback (a 200ms timeout, then the kill, the reap and a state
  // set) needs room within it on a loaded machine; the blocker outlasts it by a second.
  auto sa = failsh("failsh-a", p, {"--limit", "1s"});
  ASSERT_TRUE(eventually([&] { return stateOf(*fa, "bad") == "FAIL" && stateOf(*fa, "hog") == "FAIL" &&
                                      stateOf(*fa, "odd") == "FAIL"; }));
  EXPECT_EQ(field(recordOf(fa->address(), "bad"), "note"), "start proc failed: disk on fire");
  EXPECT_EQ(field(recordOf(fa->address(), "hog"), "note"), "start proc failed: overran its time limit of 1s");
  EXPECT_EQ(field(recordOf(fa->address(), "odd"), "note"), "start proc returned maybe");
  ASSERT_TRUE(eventually([&] { return stateOf(*fa, "good") == "UP" && stateOf(*fa, "exec") == "UP"; }));
  EXPECT_EQ(field(field(recordOf(fa->address(), "good"), "attrs"), "latency"), "3ms");
  EXPECT_NE(field(recordOf(fa->address(), "exec"), "note").find("timed out after 200ms"), std::string::npos);
  // The ticks wait behind the blocking procs and callbacks, so the first may run after
  // exec shows UP: wait for it.
  EXPECT_TRUE(eventually([&] { return sa->log().find("tick failed") != std::string::npos; })) << sa->log();
  std::string log = sa->log();
  EXPECT_NE(log.find("disk on fire\n    while executing"), std::string::npos) << "errorInfo is logged";
  // A blocking exec cannot be stopped by the limit; the watchdog says so, and the
  // overrun is caught as soon as Tcl runs again.
  ASSERT_TRUE(eventually([&] { return stateOf(*fa, "blocker") == "FAIL"; }));
  EXPECT_NE(sa->log().find("start proc of blocker has held the shell for more than 1s"), std::string::npos);
  // Still serving, still running its timers.
  LineClient mon(sa->address());
  EXPECT_EQ(mon.request("PING"), "OK PONG");
  size_t ticks = 0;
  for (size_t at = log.find("tick failed"); at != std::string::npos; at = log.find("tick failed", at + 1)) ++ticks;
  ASSERT_TRUE(eventually([&] {
    std::string l = sa->log();
    size_t n = 0;
    for (size_t at = l.find("tick failed"); at != std::string::npos; at = l.find("tick failed", at + 1)) ++n;
    return n > ticks;
  }));
}

TEST_F(FailshTest, MonitorPortDumpAndCheckConfig) {
  auto fa = faild("faild-a");
  std::string p = "failhost localhost port " + portOf(*fa) + "\n" +
                  "failhost beta address 127.0.0.1 port 1\n"
                  "failsvc www interval 1s slaves {beta}\n";
  auto sa = failsh("failsh-a", p);
  // No procs: start stands for UP. The monitor port shows the service and the host.
  ASSERT_TRUE(eventually([&] { return stateOf(*fa, "www") == "UP"; }));
  ASSERT_TRUE(eventually([&] { return field(recordOf(sa->address(), "service:www"), "state") == "UP"; }));
  std::string svc = recordOf(sa->address(), "service:www");
  EXPECT_EQ(field(field(svc, "attrs"), "interval"), "1s");
  EXPECT_EQ(field(field(svc, "attrs"), "slave.beta"), "unreachable");
  EXPECT_EQ(field(recordOf(sa->address(), "host:beta"), "state"), "FAIL");
  EXPECT_EQ(stateOf(*fa, "host:beta"), "FAIL");
  LineClient hello(sa->address());
  EXPECT_EQ(words(hello.request("HELLO")).at(1), "failsh");
  // faildebug on the monitor port: read and change a facility's level.
  std::string port = std::to_string(sa->port());
  RunResult dbg = runProgram("failc/faildebug", {"-h", "127.0.0.1", "-p", port, "service", "debug"});
  EXPECT_EQ(dbg.status, 0) << dbg.err;
  dbg = runProgram("failc/faildebug", {"-h", "127.0.0.1", "-p", port, "service"});
  EXPECT_NE(dbg.out.find("debug"), std::string::npos) << dbg.out;
  // SIGUSR1 dumps to the -l file.
  sa->signal(SIGUSR1);
  ASSERT_TRUE(eventually([&] { return readFile(dir.file("failsh-a.dump")).find("service www local=UP") != std::string::npos; }));
  EXPECT_NE(readFile(dir.file("failsh-a.dump")).find("host beta"), std::string::npos);
  // -t: a good policy and a broken one.
  RunResult ok = runProgram("failsh/failsh", {"-t", "-f", dir.file("failsh-a.tcl")});
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_NE(ok.out.find("policy OK (1 services"), std::string::npos) << ok.out;
  writeFile(dir.file("bad.tcl"), "failsvc www interval 1s\nfailsvc www colour blue\n");
  RunResult bad = runProgram("failsh/failsh", {"-t", "-f", dir.file("bad.tcl")});
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.err.find("bad subcommand \"colour\""), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("bad.tcl\" line 2"), std::string::npos) << bad.err;
  // --safe: a safe interpreter has no exec, open or socket; the failover commands remain.
  writeFile(dir.file("safe.tcl"), "failsvc www interval 1s\nexec true\n");
  RunResult safe = runProgram("failsh/failsh", {"-t", "--safe", "-f", dir.file("safe.tcl")});
  EXPECT_EQ(safe.status, 1);
  EXPECT_NE(safe.err.find("invalid command name \"exec\""), std::string::npos) << safe.err;
  EXPECT_EQ(runProgram("failsh/failsh", {"-t", "-f", dir.file("safe.tcl")}).status, 0);
  // SIGTERM stops it cleanly.
  sa->signal(SIGTERM);
  EXPECT_EQ(sa->wait(), 0);
}

}  // namespace
}  // namespace fail::test
