// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// No daemon writes a secret to its log, at any level (issue 10, item 9): faild with an
// access file, hc reporting with -secret and -secret-file, failsh with a failhost secret,
// all at -d all, and a client guessing wrong; then every log is searched for every
// secret. (Every Daemon of the suite also searches its own log when it is destroyed: see
// noteSecret in harness.hh.)
#include <gtest/gtest.h>
#include <signal.h>

#include <memory>
#include <string>

#include "harness.hh"

namespace fail::test {
namespace {

TEST(Secrets, NoDaemonLogsASecretAtDebug) {
  TempDir dir;
  const std::string hcSecret = "hc-Secret-4711", hcFileSecret = "hc-FileSecret-0815",
                    shSecret = "failsh-Secret-1234", roSecret = "reader-Secret-9876",
                    wrongSecret = "wrong-Guess-5555", monitorSecret = "monitor-Secret-2468";
  for (const auto& s : {hcSecret, hcFileSecret, shSecret, roSecret, wrongSecret, monitorSecret}) noteSecret(s);
  writeFile(dir.file("access"), "* " + hcSecret + " RW hc\n* " + hcFileSecret + " RW hc2\n* " + shSecret +
                                    " RW failsh\n* " + roSecret + " RO\n");
  writeFile(dir.file("monitor-access"), "* " + monitorSecret + " RO\n");
  writeFile(dir.file("secret"), hcFileSecret + "\n");

  std::vector<std::unique_ptr<Daemon>> failds;
  for (int i = 0; i < 2; ++i) {
    failds.push_back(std::make_unique<Daemon>(
        "faild/faild", std::vector<std::string>{"--memory", "--listen", "127.0.0.1:0", "-c", dir.file("access"), "-d", "all"},
        dir, "faild" + std::to_string(i)));
    ASSERT_TRUE(failds.back()->start()) << failds.back()->log();
  }
  std::string a0 = failds[0]->address(), a1 = failds[1]->address();
  writeFile(dir.file("Hcfile"), "report " + a0 + " -secret " + hcSecret + "\nreport " + a1 + " -secret-file " +
                                    dir.file("secret") + "\ncheck self tcp -host 127.0.0.1 -port " +
                                    std::to_string(failds[0]->port()) + " -interval 300ms -rise 1\n");
  Daemon hc("hc/hc", {"-f", dir.file("Hcfile"), "--monitor", "127.0.0.1:0", "-c", dir.file("monitor-access"), "-d", "all"},
            dir, "hc");
  ASSERT_TRUE(hc.start()) << hc.log();
  writeFile(dir.file("policy.tcl"), "failhost localhost port " + std::to_string(failds[0]->port()) + " secret " +
                                        shSecret + "\nfail::every 300ms {if {![catch {fail::state get self} r]} {" +
                                        "set f [open " + dir.file("sh-got") + " w]; puts $f $r; close $f}}\n");
  Daemon sh("failsh/failsh", {"-f", dir.file("policy.tcl"), "-m", "127.0.0.1:0", "-l", dir.file("dump"), "-d", "all"},
            dir, "failsh");
  ASSERT_TRUE(sh.start()) << sh.log();

  // Every secret in use: hc's records reach both faild, failsh's link is up, a reader
  // and a wrong guess authenticate (or not) on faild and on hc's monitor port.
  auto reported = [&](const std::string& address) {
    LineClient c(address);
    if (c.request("AUTH " + roSecret).rfind("OK", 0) != 0) return false;
    return field(words(c.request("GET self")).back(), "state") == "UP";
  };
  EXPECT_TRUE(eventually([&] { return reported(a0) && reported(a1); })) << hc.log();
  EXPECT_TRUE(eventually([&] { return readFile(dir.file("sh-got")).find("state UP") != std::string::npos; }))
      << sh.log();
  {
    LineClient c(a0);
    EXPECT_EQ(c.request("AUTH " + wrongSecret).rfind("ERR", 0), 0u);
    LineClient m(hc.address());
    EXPECT_EQ(m.request("AUTH " + monitorSecret).rfind("OK", 0), 0u);
    EXPECT_EQ(m.request("AUTH " + wrongSecret).rfind("ERR", 0), 0u);
  }
  EXPECT_TRUE(eventually([&] { return failds[0]->log().find("wrong secret") != std::string::npos; }));
  // Something was logged at debug, or the test proves nothing.
  EXPECT_NE(hc.log().find(" > AUTH"), std::string::npos) << hc.log();

  for (Daemon* d : {&hc, &sh, failds[0].get(), failds[1].get()}) {
    d->signal(SIGTERM);
    d->wait();
    EXPECT_TRUE(secretsIn(d->log()).empty()) << "a secret is in this log:\n" << d->log();
  }
}

// A policy error quotes the command that failed (errorInfo): a secret in that command
// is still never shown, whether failsh reports it on stderr (-t) or in its log.
TEST(Secrets, APolicyErrorQuotingAFailhostSecretShowsNoSecret) {
  TempDir dir;
  const std::string secret = "quoted-Secret-3141";
  noteSecret(secret);
  writeFile(dir.file("policy.tcl"), "failhost beta colour blue secret " + secret + "\n");
  RunResult t = runProgram("failsh/failsh", {"-t", "-f", dir.file("policy.tcl")});
  EXPECT_EQ(t.status, 1);
  EXPECT_NE(t.err.find("colour"), std::string::npos) << t.err;
  EXPECT_EQ(t.err.find(secret), std::string::npos) << t.err;

  writeFile(dir.file("late.tcl"), "fail::after 10ms {failhost beta secret " + secret + " colour blue}\n");
  Daemon sh("failsh/failsh", {"-f", dir.file("late.tcl"), "-m", "127.0.0.1:0", "-d", "all"}, dir, "failsh");
  ASSERT_TRUE(sh.start()) << sh.log();
  EXPECT_TRUE(eventually([&] { return sh.log().find("colour") != std::string::npos; })) << sh.log();
  sh.signal(SIGTERM);
  sh.wait();
  EXPECT_EQ(sh.log().find(secret), std::string::npos) << sh.log();
}

}  // namespace
}  // namespace fail::test
