// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The README's first command: `./demo` (the DNS failover demo, demo.d/dns) ends by
// itself within 90 s with status 0, shows each step it promises (the primary answered,
// the kill, hc's FAIL, the answer on the standby, the primary's return, where to look
// next) and leaves no process behind; `./demo faild` still runs.
#include <gtest/gtest.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "../common/peers.hh"
#include "dig.hh"
#include "harness.hh"

namespace fail::test {
namespace {

// Runs `argv` with more environment, its stdout and stderr in `log`; kills it (and says
// so with status -1) when it has not ended within `limit`.
int runWithin(std::vector<std::string> argv, const std::vector<std::string>& env, const std::string& log,
              std::chrono::seconds limit) {
  ExecPlan plan(argv[0], std::vector<std::string>(argv.begin() + 1, argv.end()), env);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    plan.exec();
  }
  auto end = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (std::chrono::steady_clock::now() < end) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::kill(-pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -1;
}

// The processes whose command line mentions `text`.
std::vector<std::string> processesMentioning(const std::string& text) {
  std::vector<std::string> found;
  DIR* d = ::opendir("/proc");
  if (!d) return found;
  while (dirent* e = ::readdir(d)) {
    std::string pid = e->d_name;
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmd = readAll("/proc/" + pid + "/cmdline"), status = readAll("/proc/" + pid + "/status");
    for (char& c : cmd)
      if (c == '\0') c = ' ';
    if (cmd.find(text) != std::string::npos && status.find("State:\tZ") == std::string::npos) found.push_back(pid + ": " + cmd);
  }
  ::closedir(d);
  return found;
}

TEST(Demo, DnsFailoverEndsByItselfWithTheExpectedLines) {
  if (!haveProgram(kDig)) GTEST_SKIP() << "dig (bind9-dnsutils) is not installed";
  TempDir tmp;
  std::string dir = tmp.file("demo"), log = tmp.file("demo.out");
  auto started = std::chrono::steady_clock::now();
  int status = runWithin({"/bin/bash", sourceDir() + "/demo"},
                         {"BUILD=" + buildDir(), "DEMO_PAUSE=0", "DEMO_DIR=" + dir}, log, std::chrono::seconds(95));
  auto took = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
  std::string out = readAll(log);
  ASSERT_EQ(status, 0) << out;
  EXPECT_LE(took.count(), 90) << out;
  for (const char* line : {"samples/dns-failover starts", "the live state", "-> 127.0.0.11: web1, the primary",
                           "+0.00s   web1 killed", "hc: web1 FAIL", "dig: www.example.test -> 127.0.0.12",
                           "web1 started", "hc: web1 UP", "dig: www.example.test -> 127.0.0.11",
                           "watch | ", "where to look next", "demo: done"})
    EXPECT_NE(out.find(line), std::string::npos) << "missing: " << line << "\n" << out;
  // The steps come in order.
  EXPECT_LT(out.find("-> 127.0.0.11: web1"), out.find("web1 killed")) << out;
  EXPECT_LT(out.find("web1 killed"), out.find("hc: web1 FAIL")) << out;
  EXPECT_LT(out.find("hc: web1 FAIL"), out.find("dig: www.example.test -> 127.0.0.12")) << out;
  EXPECT_LT(out.find("dig: www.example.test -> 127.0.0.12"), out.find("dig: www.example.test -> 127.0.0.11")) << out;
  // Nothing it started is left.
  EXPECT_TRUE(eventually([&] { return processesMentioning(dir).empty(); }, std::chrono::seconds(10)))
      << ::testing::PrintToString(processesMentioning(dir));
}

TEST(Demo, InterruptedDemoStopsEverything) {
  if (!haveProgram(kDig)) GTEST_SKIP() << "dig (bind9-dnsutils) is not installed";
  TempDir tmp;
  std::string dir = tmp.file("demo"), log = tmp.file("demo.out");
  Child demo({"/usr/bin/env", "BUILD=" + buildDir(), "DEMO_PAUSE=2", "DEMO_DIR=" + dir, "/bin/bash",
              sourceDir() + "/demo"},
             log);
  ASSERT_TRUE(demo.waitFor([&] { return readAll(log).find("dig asks the front-end") != std::string::npos; },
                           std::chrono::seconds(60)))
      << readAll(log);
  ASSERT_FALSE(processesMentioning(dir).empty());
  ::kill(demo.pid(), SIGINT);  // as Ctrl-C (the terminal would send it to the whole group)
  EXPECT_TRUE(eventually([&] { return !demo.alive(); }, std::chrono::seconds(40))) << readAll(log);
  EXPECT_TRUE(eventually([&] { return processesMentioning(dir).empty(); }, std::chrono::seconds(10)))
      << ::testing::PrintToString(processesMentioning(dir)) << readAll(log);
}

TEST(Demo, FaildDemoStillRuns) {
  TempDir tmp;
  std::string log = tmp.file("demo.out");
  int status = runWithin({"/bin/bash", sourceDir() + "/demo", "faild"}, {"BUILD=" + buildDir(), "DEMO_PAUSE=0"}, log,
                         std::chrono::seconds(60));
  std::string out = readAll(log);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("nothing acknowledged is lost"), std::string::npos) << out;
}

}  // namespace
}  // namespace fail::test
