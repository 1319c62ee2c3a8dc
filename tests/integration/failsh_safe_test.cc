// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failsh --safe and policies that cannot crash or hang failsh (issue 10 items 1, 6 and
// 10): what a safe policy may call, the hosts it may reach, the policy read first in a
// child under limits (at start, -t, SIGHUP), after callbacks under the time limit, the
// crash vectors refused at run time, SIGTERM while a callback is stuck, and `exit`.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string_view>

#include "harness.hh"

namespace fail::test {
namespace {

// A TCP listener on 127.0.0.1 that nobody should ever connect to.
class Trap {
 public:
  Trap() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 16);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~Trap() { ::close(fd_); }
  std::string port() const { return std::to_string(port_); }
  bool connectedTo() const {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, 0) == 1;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

class FailshSafeTest : public ::testing::Test {
 protected:
  std::unique_ptr<Daemon> faild(const std::string& tag, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--memory", "--listen", "127.0.0.1:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto d = std::make_unique<Daemon>("faild/faild", args, dir, tag);
    EXPECT_TRUE(d->start()) << d->log();
    tags_.push_back(tag);
    return d;
  }
  std::unique_ptr<Daemon> failsh(const std::string& tag, const std::string& policy, std::vector<std::string> extra = {}) {
    writeFile(dir.file(tag + ".tcl"), policy);
    std::vector<std::string> args = {"-f", dir.file(tag + ".tcl"), "-m", "127.0.0.1:0", "-l", dir.file(tag + ".dump")};
    args.insert(args.end(), extra.begin(), extra.end());
    auto d = std::make_unique<Daemon>("failsh/failsh", args, dir, tag);
    EXPECT_TRUE(d->start()) << d->log();
    tags_.push_back(tag);
    return d;
  }
  // failsh -t on `policy` (bounded by timeout(1), so a hang fails rather than blocks).
  RunResult check(const std::string& name, const std::string& policy, std::vector<std::string> extra = {}) {
    writeFile(dir.file(name), policy);
    std::vector<std::string> args = {"30", buildDir() + "/failsh/failsh", "-t", "-f", dir.file(name)};
    args.insert(args.end(), extra.begin(), extra.end());
    return runProgram("/usr/bin/timeout", args);
  }
  static std::string recordOf(const Daemon& faild, const std::string& name) {
    LineClient c(faild.address());
    auto w = words(c.request("GET " + name));
    return w.size() == 2 && w[0] == "OK" ? w[1] : "";
  }
  static std::string noteOf(const Daemon& faild, const std::string& name) { return field(recordOf(faild, name), "note"); }
  static bool alive(const Daemon& failsh) {
    LineClient mon(failsh.address());
    return mon.request("PING") == "OK PONG";
  }
  void TearDown() override {
    if (!HasFailure()) return;
    for (const auto& t : tags_) std::cerr << "--- " << t << ".log:\n" << readFile(dir.file(t + ".log"));
  }
  TempDir dir;
  std::vector<std::string> tags_;
};

// failover(n), SAFE POLICIES: exactly these commands, and every other one is absent or refuses.
TEST_F(FailshSafeTest, SafePolicyHasExactlyTheDocumentedCommands) {
  RunResult r = check("list.tcl", "error [lsort [info commands]]|[lsort [info commands ::fail::*]]|[lsort [dict keys [namespace ensemble configure chan -map]]]\n",
                      {"--safe"});
  ASSERT_EQ(r.status, 1) << r.err;
  std::string got = r.err.substr(0, r.err.find('\n'));
  EXPECT_EQ(got,
            "failsh: " + dir.file("list.tcl") +
                ":1: after append apply array binary break case catch chan clock close concat continue coroutine dict "
                "eof error eval exit expr fail failhost failsvc failtrap fblocked fcopy fileevent flush for foreach "
                "format gets global if incr info join lappend lassign lindex linsert list llength lmap lrange lrepeat "
                "lreplace lreverse lsearch lset lsort namespace package pid proc puts read regexp regsub rename return "
                "scan seek set split string subst switch tailcall tell throw time trace try unset update uplevel upvar "
                "variable vwait while yield yieldto zlib"
                "|::fail::after ::fail::cancel ::fail::dns ::fail::every ::fail::log ::fail::notify ::fail::on ::fail::quorum ::fail::state"
                "|blocked close configure copy eof event flush gets names pending pop postevent push puts read seek "
                "tell truncate");
  // Each forbidden thing, tried: all refuse.
  writeFile(dir.file("secret"), "s3cret\n");
  std::string tries =
      "set out {}\n"
      "foreach try {\n"
      "  {exec id} {open /etc/passwd} {socket 127.0.0.1 1} {source /etc/passwd} {load libc.so.6} {file exists /}\n"
      "  {glob /*} {cd /} {pwd} {fconfigure stdout} {encoding system} {interp create x} {chan pipe}\n"
      "  {chan create read x} {fail::exec id} {fail::ip list -dev lo} {exit 0}\n"
      "  {failhost evil address 127.0.0.1 port 1 secret-file " + dir.file("secret") + "}\n"
      "  {failhost localhost port 1} {fail::state get -host evil x} {failsvc www masters {evil}}\n"
      "} { lappend out [list [catch $try msg] $try] }\n"
      "error $out\n";
  r = check("tries.tcl", tries, {"--safe"});
  ASSERT_EQ(r.status, 1);
  EXPECT_EQ(r.err.find("{0 "), std::string::npos) << "a forbidden command worked: " << r.err;
  EXPECT_NE(r.err.find("{1 {exit 0}}"), std::string::npos) << r.err;
  // The trusted interpreter keeps fail::exec and fail::ip.
  r = check("trusted.tcl", "error [lsort [info commands ::fail::*]]\n");
  EXPECT_NE(r.err.find("::fail::exec ::fail::ip"), std::string::npos) << r.err;
  // --allow-host is checked on the command line.
  r = check("empty.tcl", "", {"--allow-host", "peer"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--allow-host: want NAME=ADDRESS:PORT"), std::string::npos) << r.err;
  r = check("empty.tcl", "", {"--allow-host", "peer=127.0.0.1:1,secret-file=" + dir.file("nope")});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("cannot read the secret file"), std::string::npos) << r.err;
}

// A safe policy runs no program, sends no secret it can choose a file for, and reaches
// only the hosts the administrator named (here one with a secret read by failsh).
TEST_F(FailshSafeTest, SafePolicyRunsNoProgramAndReachesOnlyNamedHosts) {
  writeFile(dir.file("access"), "* peer-secret RW\n");
  writeFile(dir.file("peer.secret"), "peer-secret\n");
  writeFile(dir.file("root.secret"), "root-only-secret\n");
  auto local = faild("faild-local");
  auto peer = faild("faild-peer", {"--access", dir.file("access")});
  Trap trap;
  {
    LineClient p(peer->address());
    ASSERT_EQ(words(p.request("AUTH peer-secret")).at(0), "OK");
    ASSERT_EQ(words(p.request("SET www UP note=peer")).at(0), "OK");
  }
  std::string policy =
      "proc try {name script} {\n"
      "  set code [catch {uplevel #0 $script} msg]\n"
      "  fail::state set $name [expr {$code ? {FAIL} : {UP}}] -note $msg\n"
      "}\n"
      "fail::after 10ms {\n"
      "  try exec {fail::exec sh -c \"id > " + dir.file("pwned") + "\"}\n"
      "  try secret {failhost evil address 127.0.0.1 port " + trap.port() + " secret-file " + dir.file("root.secret") + "}\n"
      "  try evil {fail::state get -host evil www}\n"
      "  try svc {failsvc www interval 1s masters {evil}}\n"
      "  try peer {fail::state get -host peer www}\n"
      "}\n";
  auto sh = failsh("failsh", policy,
                   {"--safe", "--allow-host", "localhost=127.0.0.1:" + portOf(*local), "--allow-host",
                    "peer=127.0.0.1:" + portOf(*peer) + ",secret-file=" + dir.file("peer.secret")});
  ASSERT_TRUE(eventually([&] { return !recordOf(*local, "peer").empty(); }));
  EXPECT_EQ(field(recordOf(*local, "peer"), "state"), "UP") << recordOf(*local, "peer");
  EXPECT_NE(noteOf(*local, "peer").find("peer"), std::string::npos);
  EXPECT_NE(noteOf(*local, "exec").find("invalid command name \"fail::exec\""), std::string::npos) << noteOf(*local, "exec");
  EXPECT_NE(noteOf(*local, "secret").find("was not named by the administrator"), std::string::npos);
  EXPECT_NE(noteOf(*local, "evil").find("was not named by the administrator"), std::string::npos);
  EXPECT_NE(noteOf(*local, "svc").find("was not named by the administrator"), std::string::npos);
  EXPECT_FALSE(exists(dir.file("pwned")));
  EXPECT_FALSE(trap.connectedTo()) << "the policy reached an address of its choosing";
  std::string log = sh->log();
  EXPECT_EQ(log.find("peer-secret"), std::string::npos);
  EXPECT_EQ(log.find("root-only-secret"), std::string::npos);
}

// `after 0 {while 1 {}}` used to hang failsh for good: now it overruns like any callback.
TEST_F(FailshSafeTest, AfterCallbacksRunUnderTheTimeLimit) {
  auto local = faild("faild-local");
  std::string policy =
      "after 0 {while 1 {}}\n"
      "after idle {while 1 {}}\n"
      "set id [after 50 {error never}]\n"
      "after cancel $id\n"
      "after 100 {set ::x 1; after 10 {fail::state set after UP -note [after info]}}\n";
  auto sh = failsh("failsh", policy, {"--safe", "--limit", "300ms", "--allow-host", "localhost=127.0.0.1:" + portOf(*local)});
  ASSERT_TRUE(eventually([&] { return field(recordOf(*local, "after"), "state") == "UP"; }));
  EXPECT_TRUE(alive(*sh));
  std::string log = sh->log();
  EXPECT_NE(log.find("after callback after#0: overran its time limit of 300ms"), std::string::npos) << log;
  EXPECT_NE(log.find("after callback after#1: overran its time limit of 300ms"), std::string::npos) << log;
  EXPECT_EQ(log.find("never"), std::string::npos);
  sh->signal(SIGTERM);
  EXPECT_EQ(sh->wait(), 0);
}

// fileevent and chan event scripts too (a trusted policy: a safe one has no channel).
// The crash vectors, reached at run time (not while reading): refused, logged, and
// failsh carries on.
TEST_F(FailshSafeTest, CrashVectorsAreRefusedAtRunTime) {
  auto local = faild("faild-local");
  std::string policy =
      "fail::after 10ms {\n"
      "  set p [string repeat ( 200000]a[string repeat ) 200000]\n"
      "  fail::state set regexp [expr {[catch {regexp $p a} m] ? {FAIL} : {UP}}] -note $m\n"
      "  set s x\n"
      "  fail::state set append [expr {[catch {while 1 {append s $s}} m] ? {FAIL} : {UP}}] -note $m\n"
      "  set l [lrepeat 1000 x]\n"
      "  fail::state set list [expr {[catch {while 1 {set l [concat $l $l]}} m] ? {FAIL} : {UP}}] -note $m\n"
      "  fail::state set sw [expr {[catch {switch -regexp -- a [list $p {}]} m] ? {FAIL} : {UP}}] -note $m\n"
      "}\n";
  auto sh = failsh("failsh", policy, {"--safe", "--allow-host", "localhost=127.0.0.1:" + portOf(*local)});
  ASSERT_TRUE(eventually([&] { return !recordOf(*local, "sw").empty(); })) << sh->log();
  EXPECT_NE(noteOf(*local, "regexp").find("regular expression refused in a --safe policy: 200000 groups"), std::string::npos);
  EXPECT_NE(noteOf(*local, "append").find("append: a value of 33554432 bytes is refused"), std::string::npos)
      << noteOf(*local, "append");
  EXPECT_NE(noteOf(*local, "list").find("elements is refused in a --safe policy"), std::string::npos) << noteOf(*local, "list");
  EXPECT_NE(noteOf(*local, "sw").find("regular expression refused"), std::string::npos) << noteOf(*local, "sw");
  EXPECT_TRUE(alive(*sh));
}

// -t reads the policy in a child under limits: a crash, an abort and a hang are each a
// clear error within seconds, in a trusted policy too.
TEST_F(FailshSafeTest, CheckConfigReadsInAChildUnderLimits) {
  struct Case {
    const char* name;
    std::string policy;
    const char* expect;
    std::chrono::milliseconds limit;  // --limit; the reader's wall time is this + kReaderSlack
  };
  constexpr auto kReaderSlack = 2s;  // shell::kReaderSlack (lib/shell/policy_reader.hh)
  std::vector<Case> cases = {
      {"regexp.tcl", "set p [string repeat ( 200000]a[string repeat ) 200000]; regexp $p a\n", "killed by SIGSEGV (crashed)", 1s},
      // Out of memory (Tcl panics), or out of time first where copying is slow (ASan).
      // The attack faults in about 800 MiB (some 0.9 s of CPU, mostly the kernel's, more
      // under ASan) and one append of hundreds of MiB is one command that Tcl's time
      // limit cannot cut short: on a loaded 2-core machine that took more than the
      // reader's 3 s of wall time of --limit 1s ("timed out after 3 s"). --limit 10s
      // gives it 12 s, still ending the reader if it neither aborts nor overruns.
      {"append.tcl", "set s x; while 1 {append s $s}\n", "killed by SIGABRT (crashed)|overran its time limit of 10s", 10s},
      {"expr.tcl", "expr {3**1000000}\n", "timed out after", 1s},
      {"loop.tcl", "while 1 {}\n", "overran its time limit of 1s", 1s},
  };
  for (const Case& c : cases) {
    auto began = Clock::now();
    RunResult r = check(c.name, c.policy, {"--limit", std::to_string(c.limit.count()) + "ms"});
    auto took = Clock::now() - began;
    EXPECT_EQ(r.status, 1) << c.name << ": " << r.err;
    bool said = false;  // any of the '|'-separated endings
    for (size_t from = 0, bar; !said; from = bar + 1) {
      bar = std::string_view(c.expect).find('|', from);
      said = r.err.find(std::string_view(c.expect).substr(from, bar - from)) != std::string::npos;
      if (bar == std::string_view::npos) break;
    }
    EXPECT_TRUE(said) << c.name << ": " << r.err;
    // Ended by the reader's own wall-time limit at the latest, with room for starting
    // failsh and its reader on a loaded machine (timeout(1) would end a hang at 30 s).
    EXPECT_LT(took, c.limit + kReaderSlack + 8s) << c.name;
  }
  RunResult r = check("good.tcl", "failsvc www interval 1s\n");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("policy OK (1 services"), std::string::npos) << r.out;
}

// SIGHUP with a policy that crashes while read: the running policy stays; a good one
// afterwards is read.
TEST_F(FailshSafeTest, SighupWithAFailingSafePolicyKeepsTheRunningOne) {
  auto local = faild("faild-local");
  std::string good = "fail::after 10ms {fail::state set version UP -note ";
  auto sh = failsh("failsh", good + "one}\n", {"--safe", "--allow-host", "localhost=127.0.0.1:" + portOf(*local)});
  ASSERT_TRUE(eventually([&] { return noteOf(*local, "version") == "one"; }));
  // Small arguments, a result past the reader's 1 GiB of address space.
  writeFile(dir.file("failsh.tcl"), "string repeat [string repeat x 1000] 1500000\n");
  sh->signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return sh->log().find("reload refused, the running policy stays") != std::string::npos; }));
  EXPECT_NE(sh->log().find("out of memory allocating 1500000001 bytes"), std::string::npos) << sh->log();
  EXPECT_TRUE(alive(*sh));
  writeFile(dir.file("failsh.tcl"), good + "two}\n");
  sh->signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return noteOf(*local, "version") == "two"; }));
  sh->signal(SIGTERM);
  EXPECT_EQ(sh->wait(), 0);
}

TEST_F(FailshSafeTest, ATrustedPolicysTopLevelRunsOnceAtStartAndOnReload) {
  auto local = faild("faild-local");
  std::string marks = dir.file("marks");
  auto sh = failsh("failsh", "failhost localhost port " + portOf(*local) +
                                 "\nset f [open " + marks + " a]; puts $f x; close $f\n"
                                 "fail::after 10ms {fail::state set started UP}\n");
  ASSERT_TRUE(eventually([&] { return field(recordOf(*local, "started"), "state") == "UP" && readFile(marks) == "x\n"; }));
  sh->signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return sh->log().find("reloaded ") != std::string::npos; }));
  EXPECT_EQ(readFile(marks), "x\nx\n");
  sh->signal(SIGTERM);
  EXPECT_EQ(sh->wait(), 0);
}

// One long command cannot be stopped by Tcl's limit; SIGTERM still ends failsh.
TEST_F(FailshSafeTest, SigtermStopsFailshStuckInACallback) {
  auto local = faild("faild-local");
  std::string policy = "fail::after 10ms {expr {3**3000000}}\n";
  auto sh = failsh("failsh", policy, {"--safe", "--limit", "300ms", "--allow-host", "localhost=127.0.0.1:" + portOf(*local)});
  ASSERT_TRUE(eventually([&] { return sh->log().find("has held the shell for more than 300ms") != std::string::npos; }));
  sh->signal(SIGTERM);
  bool stopped = eventually([&] { return sh->log().find("stopping on signal 15: the loop did not answer within 1300ms, held by timer after") !=
                                      std::string::npos; }, 5s);
  if (!stopped) sh->signal(SIGKILL);  // bounded even when SIGTERM goes unheard
  int status = sh->wait();
  EXPECT_TRUE(stopped) << sh->log();
  EXPECT_EQ(status, 1);
}

// `exit` in a (trusted) callback is an error naming SIGTERM; failsh carries on.
TEST_F(FailshSafeTest, ExitInACallbackIsAnError) {
  auto local = faild("faild-local");
  std::string policy = "failhost localhost port " + portOf(*local) +
                       "\nfail::after 10ms {exit 3}\n"
                       "fail::after 200ms {fail::state set alive UP}\n";
  auto sh = failsh("failsh", policy);
  ASSERT_TRUE(eventually([&] { return field(recordOf(*local, "alive"), "state") == "UP"; }));
  EXPECT_NE(sh->log().find("exit: a policy callback cannot end failsh; stop it with SIGTERM"), std::string::npos)
      << sh->log();
  EXPECT_TRUE(alive(*sh));
  // At the top level of a trusted policy read at start (a script run as a program), exit
  // ends failsh with its code and a log line.
  writeFile(dir.file("program.tcl"), "puts hello\nexit 3\n");
  Daemon prog("failsh/failsh", {"-f", dir.file("program.tcl"), "-m", "none"}, dir, "program");
  EXPECT_EQ(prog.runToExit(), 3);
  EXPECT_NE(prog.log().find("+exit the policy called exit 3"), std::string::npos) << prog.log();
}

}  // namespace
}  // namespace fail::test
