// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failsh's reload as a transaction (failsh(8), RELOAD): the new policy is read into a
// fresh interpreter and swapped in only when it loaded completely; callbacks and timers
// of the old one are gone; services and hosts are matched by name. And the initial
// listing of the local faild delivered as `sync`, not as changes (failover(n)).
#include <gtest/gtest.h>
#include <signal.h>

#include <sstream>

#include "failsh_fixture.hh"
#include "harness.hh"

namespace fail::test {
namespace {

class FailshReloadTest : public FailshFixture {
 protected:
  std::unique_ptr<Daemon> failsh(const std::string& policy) { return FailshFixture::failsh("failsh", policy); }
  // Rewrites the policy, sends SIGHUP and waits for the reload's verdict in the log:
  // "reloaded" or "reload refused". True when it reloaded.
  bool reload(Daemon& sh, const std::string& policy) {
    writeFile(dir.file("failsh.tcl"), policy);
    size_t before = count(sh.log(), "reloaded ") + count(sh.log(), "reload refused");
    sh.signal(SIGHUP);
    EXPECT_TRUE(eventually([&] { return count(sh.log(), "reloaded ") + count(sh.log(), "reload refused") > before; }));
    return sh.log().rfind("reloaded ") != std::string::npos &&
           (sh.log().rfind("reload refused") == std::string::npos ||
            sh.log().rfind("reloaded ") > sh.log().rfind("reload refused"));
  }
  // Waits until failsh has read the local faild's listing (its dump says so): a record
  // set from now on reaches the policy as a change.
  void waitSynced(Daemon& sh) {
    ASSERT_TRUE(eventually([&] {
      sh.signal(SIGUSR1);
      return readFile(dir.file("failsh.dump")).find("local synced") != std::string::npos;
    }));
  }
  static size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  }
  static std::vector<std::string> lines(const std::string& path) {
    std::vector<std::string> out;
    std::istringstream in(readFile(path));
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }
  static void set(const Daemon& d, const std::string& name, const std::string& state) {
    LineClient c(d.address());
    EXPECT_EQ(words(c.request("SET " + name + " " + state)).at(0), "OK");
  }
  // A Tcl command prefix that appends its arguments' words to FILE.
  std::string appender(const std::string& file) {
    return "apply {{args} { set f [open " + dir.file(file) + " a]; puts $f $args; close $f }}";
  }
};

// After two reloads one change runs a `fail::on change` callback once, not three times,
// and `fail::every 100ms` ticks ten times a second, not thirty.
TEST_F(FailshReloadTest, CallbacksAndTimersRunOnceAfterTwoReloads) {
  auto fa = faild("faild");
  std::string policy = "failhost localhost port " + portOf(*fa) + "\n" +
                       "proc seen {kind rec} { set f [open " + dir.file("seen") +
                       " a]; puts $f \"$kind [dict get $rec state]\"; close $f }\n"
                       "fail::on change probe seen\n"
                       "fail::every 100ms {" + appender("ticks") + " t}\n";
  auto sh = failsh(policy);
  ASSERT_TRUE(eventually([&] { return lines(dir.file("ticks")).size() >= 2; }));
  ASSERT_TRUE(reload(*sh, policy));
  ASSERT_TRUE(reload(*sh, policy));
  waitSynced(*sh);
  set(*fa, "probe", "UP");
  set(*fa, "probe", "FAIL");
  ASSERT_TRUE(eventually([&] { return count(readFile(dir.file("seen")), "change FAIL") >= 1; }));
  EXPECT_EQ(count(readFile(dir.file("seen")), "change UP"), 1u) << readFile(dir.file("seen"));
  EXPECT_EQ(count(readFile(dir.file("seen")), "change FAIL"), 1u) << readFile(dir.file("seen"));
  // Ten ticks take about a second with one timer (a third of it with three).
  size_t from = lines(dir.file("ticks")).size();
  auto began = Clock::now();
  ASSERT_TRUE(eventually([&] { return lines(dir.file("ticks")).size() >= from + 10; }));
  EXPECT_GE(Clock::now() - began, 800ms);
}

// After two reloads a quorum is declared once: a verdict is judged and set once.
TEST_F(FailshReloadTest, AQuorumIsDeclaredOnceAfterTwoReloads) {
  auto fa = faild("faild");
  std::string policy = "failhost localhost port " + portOf(*fa) + "\n" +
                       "fail::quorum web -checks web@* -up 50% -down 50%\n";
  auto sh = failsh(policy);
  waitSynced(*sh);
  set(*fa, "web@a", "UP");
  ASSERT_TRUE(eventually([&] { return field(recordOf(fa->address(), "web"), "state") == "UP"; }));
  ASSERT_TRUE(reload(*sh, policy));
  ASSERT_TRUE(reload(*sh, policy));
  set(*fa, "web@a", "FAIL");
  ASSERT_TRUE(eventually([&] { return field(recordOf(fa->address(), "web"), "state") == "FAIL"; }));
  set(*fa, "web@a", "UP");  // a later verdict: by then every quorum has judged the FAIL
  ASSERT_TRUE(eventually([&] { return count(sh->log(), "quorum web -> UP") >= 2; }));
  EXPECT_EQ(count(sh->log(), "quorum web -> FAIL"), 1u) << sh->log();
  EXPECT_EQ(count(sh->log(), "quorum web -> UP"), 2u) << sh->log();
}

// A quorum judges the local faild's records as failsh finds them at start (no check
// needs to change first), and one no longer declared leaves at a reload: its record is
// deleted from the local faild.
TEST_F(FailshReloadTest, AQuorumJudgesAtStartAndLeavesWhenNoLongerDeclared) {
  auto fa = faild("faild");
  set(*fa, "web@a", "UP");
  std::string head = "failhost localhost port " + portOf(*fa) + "\n";
  auto sh = failsh(head + "fail::quorum web -checks web@* -up 50% -down 50%\n");
  ASSERT_TRUE(eventually([&] { return field(recordOf(fa->address(), "web"), "state") == "UP"; })) << sh->log();
  ASSERT_TRUE(reload(*sh, head));
  EXPECT_TRUE(eventually([&] { return recordOf(fa->address(), "web").empty(); }));
  EXPECT_NE(sh->log().find("quorums removed {web}"), std::string::npos) << sh->log();
}

// A reload that fails (here at its last line) changes nothing: the interval that the
// new file set before the error is not applied. A good reload then applies it.
TEST_F(FailshReloadTest, AFailedReloadChangesNothingAndSaysWhy) {
  auto fa = faild("faild");
  std::string head = "failhost localhost port " + portOf(*fa) + "\n";
  auto sh = failsh(head + "failsvc www interval 1s\nfail::every 100ms {" + appender("ticks") + " t}\n");
  auto interval = [&] { return field(field(recordOf(sh->address(), "service:www"), "attrs"), "interval"); };
  ASSERT_TRUE(eventually([&] { return interval() == "1s"; }));
  EXPECT_FALSE(reload(*sh, head + "failsvc www interval 3s\nfailsvc db interval 1s\nerror {no such thing}\n"));
  EXPECT_NE(sh->log().find("reload refused, the running policy stays"), std::string::npos) << sh->log();
  EXPECT_NE(sh->log().find("no such thing"), std::string::npos) << sh->log();
  EXPECT_EQ(interval(), "1s");
  EXPECT_EQ(recordOf(sh->address(), "service:db"), "");
  // A file that reads but calls a start proc it does not define is refused too.
  EXPECT_FALSE(reload(*sh, head + "failsvc www interval 3s start nosuch\n"));
  EXPECT_NE(sh->log().find("failsvc www start: no command \"nosuch\""), std::string::npos) << sh->log();
  EXPECT_EQ(interval(), "1s");
  // The old policy's timer still ticks.
  size_t ticks = lines(dir.file("ticks")).size();
  ASSERT_TRUE(eventually([&] { return lines(dir.file("ticks")).size() > ticks; }));
  ASSERT_TRUE(reload(*sh, head + "failsvc www interval 3s\n"));
  EXPECT_EQ(interval(), "3s");
}

// A service removed from the file is released (its stop proc runs, as this host holds
// it, and its record leaves the local faild); an unchanged one keeps its state and is
// not started again.
TEST_F(FailshReloadTest, ARemovedServiceIsStoppedAndReleasedAnUnchangedOneKeepsRunning) {
  auto fa = faild("faild");
  std::string head = "failhost localhost port " + portOf(*fa) + "\n" +
                     "proc start {name} { " + appender("procs") + " start $name; return UP }\n" +
                     "proc stop {name} { " + appender("procs") + " stop $name; return RECOVER }\n" +
                     "failsvc db interval 200ms start {start db} stop {stop db}\n";
  auto sh = failsh(head + "failsvc www interval 200ms start {start www} stop {stop www}\n");
  auto state = [&](const std::string& name) { return field(recordOf(fa->address(), name), "state"); };
  ASSERT_TRUE(eventually([&] { return state("www") == "UP" && state("db") == "UP"; }));
  ASSERT_TRUE(reload(*sh, head));
  ASSERT_TRUE(eventually([&] { return count(readFile(dir.file("procs")), "stop www") == 1; })) << readFile(dir.file("procs"));
  ASSERT_TRUE(eventually([&] { return recordOf(fa->address(), "www").empty(); }));
  EXPECT_TRUE(eventually([&] { return recordOf(sh->address(), "service:www").empty(); }));
  EXPECT_EQ(state("db"), "UP");
  EXPECT_EQ(count(readFile(dir.file("procs")), "start db"), 1u) << readFile(dir.file("procs"));
  EXPECT_EQ(count(readFile(dir.file("procs")), "stop db"), 0u) << readFile(dir.file("procs"));
  EXPECT_NE(sh->log().find("removed {www}"), std::string::npos) << sh->log();
}

// `fail::on change` and `fail::state watch` get the state at start as `sync`, a later
// change as `change`, and nothing again at a reload.
TEST_F(FailshReloadTest, TheInitialStateIsDeliveredAsSyncAndNotReplayedAtReload) {
  auto fa = faild("faild");
  set(*fa, "probe", "UP");
  std::string policy = "failhost localhost port " + portOf(*fa) + "\n" +
                       "proc seen {who kind rec} { set f [open " + dir.file("seen") +
                       " a]; puts $f \"$who $kind [dict get $rec state]\"; close $f }\n"
                       "fail::on change probe {seen on}\n"
                       "fail::state watch probe {seen watch}\n";
  auto sh = failsh(policy);
  ASSERT_TRUE(eventually([&] { return lines(dir.file("seen")).size() >= 2; }));
  ASSERT_TRUE(reload(*sh, policy));
  set(*fa, "probe", "FAIL");
  ASSERT_TRUE(eventually([&] { return lines(dir.file("seen")).size() >= 4; }));
  std::vector<std::string> want = {"on sync UP", "watch sync UP", "on change FAIL", "watch change FAIL"};
  EXPECT_EQ(lines(dir.file("seen")), want) << readFile(dir.file("seen"));
}

// A host that the policy no longer names leaves at the reload: its host:NAME record is
// deleted from the local faild.
TEST_F(FailshReloadTest, AHostNoLongerNamedLeavesAtReload) {
  auto fa = faild("faild");
  auto fb = faild("faild-beta");
  std::string head = "failhost localhost port " + portOf(*fa) + "\n";
  auto sh = failsh(head + "failhost beta address 127.0.0.1 port " + portOf(*fb) + "\n" +
                   "fail::after 10ms {fail::state get -host beta anything}\n");
  ASSERT_TRUE(eventually([&] { return field(recordOf(fa->address(), "host:beta"), "state") == "UP"; }));
  ASSERT_TRUE(reload(*sh, head));
  EXPECT_TRUE(eventually([&] { return recordOf(fa->address(), "host:beta").empty(); }));
  EXPECT_TRUE(eventually([&] { return recordOf(sh->address(), "host:beta").empty(); }));
  EXPECT_NE(sh->log().find("hosts removed {beta}"), std::string::npos) << sh->log();
}

}  // namespace
}  // namespace fail::test
