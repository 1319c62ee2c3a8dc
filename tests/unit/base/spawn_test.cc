// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "base/spawn.hh"

#include <event2/event.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

namespace fail::spawn {
namespace {

using namespace std::chrono_literals;

Options sh(const std::string& script) { return Options{{"/bin/sh", "-c", script}, {}, {}, {}, 0ms, 16u << 20}; }

// True while `pid` exists and is not a zombie.
bool alive(pid_t pid) {
  std::ifstream st("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(st, line))
    if (line.rfind("State:", 0) == 0) return line.find('Z') == std::string::npos;
  return false;
}

TEST(Spawn, ExitCodesAndOutput) {
  Result r = run(sh("echo out; echo err >&2; exit 3"));
  EXPECT_EQ(r.end, Result::End::Exited);
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.describe(), "exited with status 3");
  EXPECT_TRUE(run(sh("true")).ok());
}

TEST(Spawn, InputIsWrittenAndClosed) {
  Options o{{"cat"}, {}, "hello\nworld", {}, 0ms, 1u << 20};  // found in PATH
  Result r = run(o);
  EXPECT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(r.out, "hello\nworld");
  // A child that never reads a large input: no SIGPIPE for us, no hang.
  Options ignore = sh("exec 0<&-; exit 0");
  ignore.input = std::string(1 << 20, 'x');
  EXPECT_TRUE(run(ignore).ok());
}

TEST(Spawn, EnvironmentNoShellAndFdsClosed) {
  Options o{{"/bin/sh", "-c", "echo \"$FAIL_SPAWN_TEST\"; ls /proc/self/fd | wc -l", "$HOME"}, {"FAIL_SPAWN_TEST=a b"}, {}, {}, 0ms, 1u << 20};
  Result r = run(o);
  ASSERT_TRUE(r.ok()) << r.describe() << r.err;
  // 0, 1, 2 and the one ls opens to read the directory: nothing of ours leaked.
  EXPECT_EQ(r.out, "a b\n4\n");
}

TEST(Spawn, SignalsAreResetAndUnblocked) {
  // Ignored and blocked in the parent; default in the child.
  struct sigaction ign{}, old{};
  ign.sa_handler = SIG_IGN;
  ::sigaction(SIGTERM, &ign, &old);
  sigset_t set, oldMask;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  ::pthread_sigmask(SIG_BLOCK, &set, &oldMask);
  Result r = run(sh("kill -TERM $$; sleep 5"));
  EXPECT_EQ(r.end, Result::End::Signaled);
  EXPECT_EQ(r.code, SIGTERM);
  Result r2 = run(sh("grep -E '^(SigBlk|SigIgn)' /proc/self/status"));
  EXPECT_EQ(r2.out, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
  ::pthread_sigmask(SIG_SETMASK, &oldMask, nullptr);
  ::sigaction(SIGTERM, &old, nullptr);
}

TEST(Spawn, CrashIsDescribedAsSuch) {
  Result r = run(sh("kill -SEGV $$"));
  EXPECT_EQ(r.end, Result::End::Signaled);
  EXPECT_EQ(r.code, SIGSEGV);
  EXPECT_EQ(r.describe(), "killed by SIGSEGV (crashed)");
}

TEST(Spawn, SpawnFailure) {
  Result r = run(Options{{"/nonexistent/program"}, {}, {}, {}, 0ms, 1024});
  EXPECT_EQ(r.end, Result::End::SpawnFailed);
  EXPECT_EQ(r.describe(), "could not be started: No such file or directory");
  EXPECT_EQ(run(Options{{"no-such-program-in-path"}, {}, {}, {}, 0ms, 1024}).end, Result::End::SpawnFailed);
}

TEST(Spawn, TimeoutKillsTheWholeGroup) {
  // The child ignores SIGTERM and leaves a grandchild behind that holds stdout open.
  char dir[] = "/tmp/spawn-test.XXXXXX";
  ASSERT_TRUE(::mkdtemp(dir));
  std::string pidFile = std::string(dir) + "/grandchild";
  auto start = std::chrono::steady_clock::now();
  Result r = run(Options{{"/bin/sh", "-c", "trap '' TERM; sleep 60 & echo $! > " + pidFile + "; echo started; wait"},
                         {}, {}, {}, 300ms, 1024});
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.end, Result::End::TimedOut);
  EXPECT_EQ(r.out, "started\n");
  EXPECT_EQ(r.describe(), "timed out after 300 ms (killed)");
  EXPECT_LT(took, 10s);
  pid_t grandchild = 0;
  std::ifstream(pidFile) >> grandchild;
  ASSERT_GT(grandchild, 0);
  auto until = std::chrono::steady_clock::now() + 10s;
  while (alive(grandchild) && std::chrono::steady_clock::now() < until) ::usleep(10000);
  EXPECT_FALSE(alive(grandchild));
  ::unlink(pidFile.c_str());
  ::rmdir(dir);
}

TEST(Spawn, GrandchildHoldingThePipeDoesNotHoldUsUp) {
  auto start = std::chrono::steady_clock::now();
  Result r = run(sh("sleep 30 & echo done"));
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.out, "done\n");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 20s);
}

TEST(Spawn, OutputIsCut) {
  Options o = sh("yes");
  o.maxOutput = 100000;
  Result r = run(o);
  EXPECT_EQ(r.end, Result::End::TooMuchOutput);
  EXPECT_EQ(r.out.size(), 100000u);
  EXPECT_EQ(r.describe(), "wrote more than 100000 bytes (killed)");
}

TEST(Spawn, OutputPastTheBoundCanBeDropped) {
  // 1 MiB after the first line: read and discarded, the child is not killed and is
  // judged by its exit.
  Options o = sh("echo first; head -c 1048576 /dev/zero; exit 3");
  o.maxOutput = 1000;
  o.overflow = Options::Overflow::Drop;
  Result r = run(o);
  EXPECT_EQ(r.end, Result::End::Exited);
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.out.size(), 1000u);
  EXPECT_EQ(r.out.substr(0, 6), "first\n");
}

TEST(Spawn, StderrCanGoToDevNull) {
  Options o = sh("echo out; echo err >&2; readlink /proc/$$/fd/2");
  o.captureStderr = false;
  Result r = run(o);
  EXPECT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(r.out, "out\n/dev/null\n");
  EXPECT_EQ(r.err, "");
}

TEST(Spawn, LimitsAreApplied) {
  Options o = sh("ulimit -v; ulimit -s; ulimit -t");
  o.limits = {512u << 20, 7, 4u << 20};
  Result r = run(o);
  ASSERT_TRUE(r.ok()) << r.describe();
#if defined(__SANITIZE_ADDRESS__)
  // Under AddressSanitizer the address-space limit becomes ASan's allocation bound.
  EXPECT_EQ(r.out, "unlimited\n4096\n7\n");
#else
  EXPECT_EQ(r.out, "524288\n4096\n7\n");
#endif
}

#if !defined(__SANITIZE_ADDRESS__)
TEST(Spawn, AllocatingPastTheAddressSpaceLimitFails) {
  // The same allocation succeeds without the limit.
  std::string grow = "s=x; i=0; while [ $i -lt 25 ]; do s=$s$s; i=$((i+1)); done; echo ${#s}";
  Options o = sh(grow);
  Result free = run(o);
  ASSERT_TRUE(free.ok()) << free.describe();
  o.limits.addressSpace = 24u << 20;
  Result r = run(o);
  EXPECT_FALSE(r.ok()) << r.out;
}
#endif

TEST(Spawn, CpuLimit) {
  Options o = sh("while :; do :; done");
  o.limits.cpuSeconds = 1;
  o.timeout = 20s;
  Result r = run(o);
  EXPECT_EQ(r.end, Result::End::Signaled);
  EXPECT_EQ(r.describe(), "killed by SIGXCPU (CPU time limit)");
}

TEST(Spawn, AsyncOnALoopWhileTheLoopRuns) {
  std::unique_ptr<event_base, void (*)(event_base*)> base(event_base_new(), event_base_free);
  std::optional<Result> got;
  int ticks = 0;
  std::unique_ptr<Child> child;
  child = std::make_unique<Child>(base.get(), sh("sleep 0.3; echo done"), [&](Result r) {
    got = std::move(r);
    child.reset();  // the owner may destroy it from here
  });
  EXPECT_TRUE(child->running());
  EXPECT_GT(child->pid(), 0);
  // The loop keeps turning while the child runs.
  struct Tick {
    int* n;
    event* ev;
  } tick{&ticks, nullptr};
  tick.ev = event_new(base.get(), -1, EV_PERSIST, [](evutil_socket_t, short, void* a) { ++*static_cast<Tick*>(a)->n; }, &tick);
  timeval tenMs{0, 10000};
  event_add(tick.ev, &tenMs);
  auto until = std::chrono::steady_clock::now() + 20s;
  while (!got && std::chrono::steady_clock::now() < until) event_base_loop(base.get(), EVLOOP_ONCE);
  event_free(tick.ev);
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->ok());
  EXPECT_EQ(got->out, "done\n");
  EXPECT_FALSE(child);
  EXPECT_GE(ticks, 5);
}

TEST(Spawn, DestroyingAChildKillsItsGroup) {
  std::unique_ptr<event_base, void (*)(event_base*)> base(event_base_new(), event_base_free);
  bool called = false;
  pid_t pid;
  {
    Child child(base.get(), sh("sleep 60"), [&](Result) { called = true; });
    pid = child.pid();
    ASSERT_GT(pid, 0);
    EXPECT_TRUE(alive(pid));
  }
  EXPECT_FALSE(alive(pid));
  event_base_loop(base.get(), EVLOOP_NONBLOCK);
  EXPECT_FALSE(called);
}

TEST(Spawn, AsyncSpawnFailureIsDeliveredFromTheLoop) {
  std::unique_ptr<event_base, void (*)(event_base*)> base(event_base_new(), event_base_free);
  std::optional<Result> got;
  Child child(base.get(), Options{{"/nonexistent"}, {}, {}, {}, 0ms, 1024}, [&](Result r) { got = r; });
  EXPECT_FALSE(got);  // never from inside the constructor
  EXPECT_FALSE(child.running());
  event_base_loop(base.get(), EVLOOP_ONCE);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->end, Result::End::SpawnFailed);
}


TEST(Spawn, StderrMergedIntoStdoutInOrder) {
  Options o = sh("echo one; echo two >&2; echo three");
  o.mergeStderr = true;
  Result r = run(o);
  EXPECT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(r.out, "one\ntwo\nthree\n");
  EXPECT_EQ(r.err, "");
}


}  // namespace
}  // namespace fail::spawn
