// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The exec probe with /bin/sh scripts: Nagios exit codes, the timeout that kills the
// whole process group, bounded output, and a loop that never blocks.
#include <dirent.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include "base/unique_fd.hh"
#include "check/registry.hh"
#include "loop_util.hh"
#include "proto/list.hh"

namespace fail::check {
namespace {

using namespace std::chrono_literals;
using test::runUntil;

class ExecProbeTest : public ::testing::Test {
 protected:
  std::unique_ptr<Probe> make(const std::string& script, std::map<std::string, std::string> more = {}) {
    return makeCommand(proto::encodeList({"/bin/sh", "-c", script}), std::move(more));
  }
  std::unique_ptr<Probe> makeCommand(const std::string& command,
                                     std::map<std::string, std::string> more = {}) {
    CheckSpec spec;
    spec.name = "x";
    spec.kind = "exec";
    spec.options = std::move(more);
    spec.options["command"] = command;
    validate(spec, execKind());
    ProbeContext ctx;
    ctx.loop = loop_.get();
    return execKind().make(ctx, spec);
  }
  ProbeResult run(Probe& p, std::chrono::milliseconds timeout = 5s) {
    std::optional<ProbeResult> got;
    p.start(timeout, [&](ProbeResult r) { got = std::move(r); });
    EXPECT_FALSE(got) << "done called from inside start()";
    EXPECT_TRUE(runUntil(loop_->base(), [&] { return got.has_value(); }, 20s));
    return got.value_or(ProbeResult{});
  }
  static std::string attr(const ProbeResult& r, const std::string& key) {
    for (auto& [k, v] : r.attrs)
      if (k == key) return v;
    return "";
  }

  test::LoopPtr loop_ = test::newLoop();
};

// Live (not zombie) processes whose process group is `pgid`.
int liveMembers(pid_t pgid) {
  int n = 0;
  DIR* d = ::opendir("/proc");
  if (!d) return -1;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::ifstream f(std::string("/proc/") + e->d_name + "/stat");
    std::string line;
    if (!std::getline(f, line)) continue;
    auto close = line.rfind(')');  // comm may hold spaces
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    char state = 0;
    long ppid = 0, pgrp = 0;
    rest >> state >> ppid >> pgrp;
    if (pgrp == pgid && state != 'Z' && state != 'X') ++n;
  }
  ::closedir(d);
  return n;
}

TEST_F(ExecProbeTest, ExitZeroIsOk) {
  auto p = make("echo 'OK - all fine | time=0.1s'; exit 0");
  ProbeResult r = run(*p);
  EXPECT_EQ(r.outcome, Outcome::Ok);
  EXPECT_EQ(r.note, "");
  EXPECT_EQ(r.warning, "");
  EXPECT_EQ(attr(r, "exit"), "0");
}

TEST_F(ExecProbeTest, ExitOneIsOkWithTheFirstLineAsWarning) {
  auto p = make("echo 'WARNING - disk 91% used | used=91%'; echo second line; exit 1");
  ProbeResult r = run(*p);
  EXPECT_EQ(r.outcome, Outcome::Ok);
  EXPECT_EQ(r.warning, "WARNING - disk 91% used");
  auto q = make("exit 1");
  EXPECT_EQ(run(*q).warning, "exit 1");
}

TEST_F(ExecProbeTest, ExitTwoIsFailWithTheFirstLine) {
  auto p = make("printf '  CRITICAL - connection refused  \\r\\nmore\\n'; exit 2");
  ProbeResult r = run(*p);
  EXPECT_EQ(r.outcome, Outcome::Fail);
  EXPECT_EQ(r.note, "CRITICAL - connection refused");
  auto q = make("exit 2");
  EXPECT_EQ(run(*q).note, "exit 2");
}

TEST_F(ExecProbeTest, LongFirstLineIsCutTo100Bytes) {
  auto p = make("printf '%0300d\\n' 0; exit 2");
  ProbeResult r = run(*p);
  EXPECT_EQ(r.outcome, Outcome::Fail);
  EXPECT_EQ(r.note, std::string(100, '0'));
}

TEST_F(ExecProbeTest, ExitThreeAndOthersAreLocalErrors) {
  auto p = make("echo 'UNKNOWN - cannot parse arguments'; exit 3");
  ProbeResult r = run(*p);
  EXPECT_EQ(r.outcome, Outcome::LocalError);
  EXPECT_EQ(r.note, "unknown: UNKNOWN - cannot parse arguments");
  auto q = make("exit 7");
  ProbeResult r7 = run(*q);
  EXPECT_EQ(r7.outcome, Outcome::LocalError);
  EXPECT_EQ(r7.note, "unknown: exit 7");
  auto s = make("kill -TERM $$");
  ProbeResult rs = run(*s);
  EXPECT_EQ(rs.outcome, Outcome::LocalError);
  EXPECT_EQ(rs.note, "unknown: killed by signal 15");
}

TEST_F(ExecProbeTest, ProgramThatCannotRunIsALocalError) {
  auto p = makeCommand("/nonexistent/check_nothing -H x");
  ProbeResult r = run(*p);
  EXPECT_EQ(r.outcome, Outcome::LocalError);
  EXPECT_NE(r.note.find("cannot run /nonexistent/check_nothing"), std::string::npos) << r.note;
}

TEST_F(ExecProbeTest, RunsWithoutAShellAndSearchesPath) {
  // One argument with spaces and a '$': no shell is involved.
  auto p = makeCommand("printf {%s|x\\n} {a $HOME b}");
  // printf exits 0: Ok, and the output is not looked at.
  EXPECT_EQ(run(*p).outcome, Outcome::Ok);
  auto q = makeCommand("sh -c {printf '%s\\n' \"$0\"; exit 2} {a $HOME b}");
  EXPECT_EQ(run(*q).note, "a $HOME b");
}

TEST_F(ExecProbeTest, EnvironmentAdded) {
  auto p = make("echo \"$CHECK_TARGET\"; exit 2", {{"env", "CHECK_TARGET {web 1}"}});
  ProbeResult r = run(*p);
  EXPECT_EQ(r.note, "web 1");
  EXPECT_THROW(make("exit 0", {{"env", "{A}"}}), ConfigError);
  EXPECT_THROW(makeCommand("{}"), ConfigError);
}

TEST_F(ExecProbeTest, TimeoutKillsTheWholeProcessGroup) {
  char dir[] = "/tmp/exec_probe_test.XXXXXX";
  ASSERT_TRUE(::mkdtemp(dir));
  std::string pidFile = std::string(dir) + "/pid";
  // The shell, a background sleep and a foreground sleep, all in the probe's group.
  auto p = make("echo $$ > " + pidFile + "; sleep 30 & sleep 30");
  auto t0 = std::chrono::steady_clock::now();
  ProbeResult r = run(*p, 300ms);
  EXPECT_EQ(r.outcome, Outcome::Timeout);
  EXPECT_EQ(r.note, "timeout");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 300ms + test::kLate);  // the sleeps: 30 s
  std::ifstream f(pidFile);
  pid_t pgid = 0;
  f >> pgid;
  ASSERT_GT(pgid, 0);
  EXPECT_TRUE(runUntil(loop_->base(), [&] { return liveMembers(pgid) == 0; }, 10s))
      << liveMembers(pgid) << " processes left in group " << pgid;
  ::unlink(pidFile.c_str());
  ::rmdir(dir);
}

TEST_F(ExecProbeTest, ExitStatusCountsWhenAChildKeepsStdoutOpen) {
  // The plugin exits 1 at once; a leftover child holds the pipe until the deadline.
  auto p = make("echo 'WARNING - slow'; sleep 30 & exit 1");
  ProbeResult r = run(*p, 300ms);
  EXPECT_EQ(r.outcome, Outcome::Ok);
  EXPECT_EQ(r.warning, "WARNING - slow");
}

TEST_F(ExecProbeTest, OutputBeyondTheBoundIsDrainedNotStored) {
  // 1 MiB after the first line: the plugin is not blocked on a full pipe, and only the
  // first line matters.
  auto p = make("echo 'CRITICAL - big'; head -c 1048576 /dev/zero; exit 2");
  ProbeResult r = run(*p, 10s);
  EXPECT_EQ(r.outcome, Outcome::Fail);
  EXPECT_EQ(r.note, "CRITICAL - big");
  EXPECT_LT(r.latency, std::chrono::microseconds(8'000'000));
  // One endless line: cut, and still judged by the exit code.
  auto q = make("head -c 200000 /dev/zero | tr '\\0' x; exit 2");
  ProbeResult rq = run(*q, 10s);
  EXPECT_EQ(rq.outcome, Outcome::Fail);
  EXPECT_EQ(rq.note, std::string(100, 'x'));
}

TEST_F(ExecProbeTest, TheLoopKeepsTurningWhileACommandRuns) {
  auto p = make("sleep 0.3; exit 0");
  int ticks = 0;
  std::optional<ProbeResult> got;
  p->start(5s, [&](ProbeResult r) { got = std::move(r); });
  ASSERT_TRUE(runUntil(loop_->base(), [&] {
    ++ticks;
    return got.has_value();
  }));
  EXPECT_EQ(got->outcome, Outcome::Ok);
  EXPECT_GE(ticks, 10);  // runUntil wakes every 10 ms: the loop was never held
}

TEST_F(ExecProbeTest, CancelKillsTheGroup) {
  char dir[] = "/tmp/exec_probe_test.XXXXXX";
  ASSERT_TRUE(::mkdtemp(dir));
  std::string pidFile = std::string(dir) + "/pid";
  auto p = make("echo $$ > " + pidFile + "; sleep 30");
  bool called = false;
  p->start(10s, [&](ProbeResult) { called = true; });
  pid_t pgid = 0;
  ASSERT_TRUE(runUntil(loop_->base(), [&] {
    std::ifstream f(pidFile);
    return bool(f >> pgid) && pgid > 0;
  }));
  p->cancel();
  EXPECT_TRUE(runUntil(loop_->base(), [&] { return liveMembers(pgid) == 0; }, 10s));
  EXPECT_FALSE(called);
  p.reset();  // the destructor reaps (or leaves the pid to the next probe)
  ::unlink(pidFile.c_str());
  ::rmdir(dir);
}

}  // namespace
}  // namespace fail::check
