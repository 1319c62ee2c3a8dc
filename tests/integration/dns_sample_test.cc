// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// samples/dns-failover run as a user runs it: `samples/dns-failover/run DIR` starts two
// web servers, faild, hc and failsh with the DNS front-end; dig asks for
// www.example.test; the primary web server is killed, the answer moves to the standby;
// it is started again (`backend start web1 DIR`), the answer returns; SIGTERM (Ctrl-C)
// stops everything the sample started. The policy's notification rule tells web1's
// failure once, and its return, to DIR/notifications.log (an -exec channel) and to a
// webhook receiver (NOTIFY_WEBHOOK, tests/common/webhook_peer.hh).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "../common/peers.hh"
#include "../common/webhook_peer.hh"
#include "dig.hh"
#include "harness.hh"

namespace fail::test {
namespace {

// Whether process `pid` is alive and not a zombie (doc/traps.md: kill -0 succeeds on a zombie).
bool processLives(const std::string& pid) {
  std::string status = readAll("/proc/" + pid + "/status");
  return !status.empty() && status.find("State:\tZ") == std::string::npos;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

TEST(SamplesDns, AnswerMovesToTheStandbyAndBack) {
  if (!haveProgram(kDig)) GTEST_SKIP() << "dig (bind9-dnsutils) is not installed";
  TempDir tmp;
  std::string dir = tmp.file("sample"), sample = sourceDir() + "/samples/dns-failover";
  int webPort = freeLoopbackPort();
  WebhookPeer hook(tmp.path());
  std::string why;
  ASSERT_TRUE(hook.start(&why)) << why;
  Child run({"/usr/bin/env", "BUILD=" + buildDir(), "DNS_LISTEN=127.0.0.1:0", "WEB_PORT=" + std::to_string(webPort),
             "NOTIFY_WEBHOOK=" + hook.url(), "/bin/bash", sample + "/run", dir},
            tmp.file("run.log"));
  auto fail = [&] { return "run's output:\n" + readAll(tmp.file("run.log")) + "\nfailsh.log:\n" + readAll(dir + "/failsh.log"); };
  ASSERT_TRUE(run.waitFor([&] { return exists(dir + "/ready"); }, std::chrono::seconds(60))) << fail();
  int port = std::atoi(readAll(dir + "/dns.port").c_str());
  ASSERT_GT(port, 0);
  std::vector<std::string> pids;
  for (const char* p : {"web1", "web2", "faild", "hc", "failsh"}) pids.push_back(trimmed(readAll(dir + "/" + p + ".pid")));
  auto answer = [&] { return digShort(port, {"www.example.test", "A"}); };
  using V = std::vector<std::string>;
  EXPECT_EQ(answer(), V{"127.0.0.11"}) << fail();
  DigResult d = runDig(port, {"www.example.test"});
  EXPECT_TRUE(d.flag("aa")) << d.out;
  // The primary web server dies.
  ASSERT_EQ(::kill(std::atoi(pids[0].c_str()), SIGKILL), 0);
  ASSERT_TRUE(eventually([&] { return answer() == V{"127.0.0.12"}; }, std::chrono::seconds(30))) << fail();
  // The front-end published its answer in the local faild.
  RunResult rec = runProgram("failc/failc", {"-p", trimmed(readAll(dir + "/faild.port")), "get", "dns:www.example.test"});
  EXPECT_EQ(rec.status, 0) << rec.out << rec.err;
  EXPECT_NE(rec.out.find("127.0.0.12"), std::string::npos) << rec.out;
  // Told once, after the rule's -after, to both channels (before web1 comes back: a
  // shorter failure would be a flap, not told).
  std::string notes = dir + "/notifications.log";
  auto lines = [&](const std::string& what) {
    std::string text = readAll(notes);
    size_t n = 0;
    for (size_t at = 0; (at = text.find(what, at)) != std::string::npos; ++at) ++n;
    return n;
  };
  EXPECT_TRUE(eventually([&] { return lines(" alert web1 FAIL (was UP)") == 1; }, std::chrono::seconds(30)))
      << readAll(notes) << fail();
  auto hookFor = [](const std::vector<HookSeen>& seen, const std::string& kind) {
    return std::count_if(seen.begin(), seen.end(), [&](const HookSeen& h) {
      return h.header("X-Failover-Event") == kind && h.body.find("\"web1\"") != std::string::npos;
    });
  };
  EXPECT_EQ(hookFor(hook.waitSeen([&](auto& s) { return hookFor(s, "alert") >= 1; }), "alert"), 1) << fail();
  // It comes back.
  RunResult again = runProgram("/bin/bash", {sample + "/backend", "start", "web1", dir});
  ASSERT_EQ(again.status, 0) << again.out << again.err;
  ASSERT_TRUE(eventually([&] { return answer() == V{"127.0.0.11"}; }, std::chrono::seconds(30))) << fail();
  pids[0] = trimmed(readAll(dir + "/web1.pid"));
  EXPECT_TRUE(eventually([&] { return lines(" resolved web1 UP (was FAIL)") == 1; }, std::chrono::seconds(30)))
      << readAll(notes) << fail();
  auto seen = hook.waitSeen([&](auto& s) { return hookFor(s, "resolved") >= 1; });
  EXPECT_EQ(hookFor(seen, "alert"), 1);
  EXPECT_EQ(hookFor(seen, "resolved"), 1);
  EXPECT_EQ(lines(" alert "), 1u) << readAll(notes);  // web2 never failed
  RunResult channel = runProgram("failc/failc", {"-p", trimmed(readAll(dir + "/faild.port")), "get", "notify:log"});
  EXPECT_NE(channel.out.find("UP"), std::string::npos) << channel.out << channel.err;
  // Ctrl-C (SIGTERM here): everything the sample started stops. (Child::stop would
  // SIGKILL `run` after 5 s, before it has stopped its children.)
  ::kill(run.pid(), SIGTERM);
  EXPECT_TRUE(eventually([&] { return !run.alive(); }, std::chrono::seconds(40))) << fail();
  for (const auto& pid : pids)
    EXPECT_TRUE(eventually([&] { return !processLives(pid); }, std::chrono::seconds(10))) << "pid " << pid << " lives";
  EXPECT_FALSE(exists(dir + "/ready"));
}

// The sample's files pass the programs' own checks (what a user runs before deploying).
TEST(SamplesDns, PolicyAndHcfilePassTheirChecks) {
  std::string sample = sourceDir() + "/samples/dns-failover";
  TempDir tmp;  // -t opens the notification queue (as run's --notify-db would)
  RunResult policy = runProgram("failsh/failsh", {"-t", "-f", sample + "/policy.tcl", "--notify-db", tmp.file("notify.db")},
                                {"DNS_LISTEN=127.0.0.1:0", "NOTIFY_LOG=" + tmp.file("notifications.log")});
  EXPECT_EQ(policy.status, 0) << policy.out << policy.err;
  RunResult hcfile = runProgram("hc/hc", {"-t", "-f", sample + "/Hcfile"});
  EXPECT_EQ(hcfile.status, 0) << hcfile.out << hcfile.err;
}

}  // namespace
}  // namespace fail::test
