// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failsh with the DNS front-end (fail::dns, failsh(8) "DNS front-end"), end to end: a
// real faild, a real failsh and dig. Answers follow faild; -t never binds; --daemon
// returns only once the socket answers; a reload adds a pool on the same port while
// queries go on; a failed reload changes nothing; ADDRESS:0 logs the port; fail::dns
// member moves the answer and explain says why; the package in a stock tclsh serves.
// (DNS correctness against kdig, unbound and BIND is tests/integration's DNS peers.)
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <regex>
#include <thread>

#include "failsh_fixture.hh"
#include "harness.hh"

namespace fail::test {
namespace {

bool haveDig() { return ::access("/usr/bin/dig", X_OK) == 0; }

// dig +short for NAME/A at 127.0.0.1:PORT (UDP, or TCP with "+tcp").
std::string dig(int port, const std::string& name, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"@127.0.0.1", "-p", std::to_string(port), "+short", "+time=2", "+tries=2", name, "A"};
  args.insert(args.end(), extra.begin(), extra.end());
  return runProgram("/usr/bin/dig", args).out;
}

// The port of the log line "dns: serving on 127.0.0.1:PORT udp+tcp"; 0 when absent.
int servingPort(const std::string& log) {
  std::smatch m;
  static const std::regex line(R"(dns: serving on 127\.0\.0\.1:(\d+) udp\+tcp)");
  return std::regex_search(log, m, line) ? std::stoi(m[1]) : 0;
}

// A loopback port that is free now (bound to 0 for UDP, then released).
int freePort() {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// True when `port` can be bound on loopback for UDP (a plain bind) and for TCP (with
// SO_REUSEADDR, as a listener would: a connection of ours that happened to get this
// port as its source may linger in TIME_WAIT, and that is no socket held open).
bool portFree(int port) {
  bool ok = true;
  for (int type : {SOCK_DGRAM, SOCK_STREAM}) {
    int fd = ::socket(AF_INET, type, 0);
    int one = 1;
    if (type == SOCK_STREAM) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = ok && ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
  }
  return ok;
}

class FailshDns : public FailshFixture {
 protected:
  void SetUp() override {
    if (!haveDig()) GTEST_SKIP() << "dig (bind9-dnsutils) is not installed";
    fa = faild("faild");
    set("web1", "UP");
    set("web2", "UP");
  }
  void set(const std::string& name, const std::string& state) {
    LineClient c(fa->address());
    EXPECT_EQ(words(c.request("SET " + name + " " + state)).at(0), "OK");
  }
  // example.com, www priority (web1 then web2), an MX, served on `listen`.
  std::string policy(const std::string& listen = "127.0.0.1:0", const std::string& more = "") {
    return "failhost localhost port " + portOf(*fa) + "\n" +
           "fail::dns zone example.com -ns {ns1.example.com ns2.example.com} -soa-minimum 30s\n"
           "fail::dns record example.com MX 3600 {10 mail.example.com}\n"
           "fail::dns record ns1 A 3600 203.0.113.53\n"
           "fail::dns pool www.example.com -select priority -ttl 30s -members {\n"
           "    {203.0.113.10 -check web1} {203.0.113.20 -check web2}}\n" +
           more + "fail::dns serve -listen " + listen + " -start-timeout 3s\n";
  }
  std::unique_ptr<Daemon> fa;
};

TEST_F(FailshDns, AnswersFromThePoolAndFollowsFaild) {
  auto sh = failsh("failsh", policy());
  int port = servingPort(sh->log());
  ASSERT_NE(port, 0) << sh->log();  // logged before READY
  EXPECT_EQ(dig(port, "www.example.com"), "203.0.113.10\n");  // READY: synced, answering
  EXPECT_EQ(dig(port, "ns1.example.com"), "203.0.113.53\n");
  EXPECT_EQ(runProgram("/usr/bin/dig", {"@127.0.0.1", "-p", std::to_string(port), "+short", "example.com", "MX"}).out,
            "10 mail.example.com.\n");
  set("web1", "FAIL");
  EXPECT_TRUE(eventually([&] { return dig(port, "www.example.com") == "203.0.113.20\n"; }));
  // dns:NAME on the monitor port, and the SIGUSR1 dump.
  EXPECT_TRUE(eventually([&] {
    std::string r = recordOf(sh->address(), "dns:www.example.com");
    return field(r, "state") == "UP" && field(r, "note") == "203.0.113.20";
  })) << recordOf(sh->address(), "dns:www.example.com");
  sh->signal(SIGUSR1);
  EXPECT_TRUE(eventually([&] {
    std::string d = readFile(dir.file("failsh.dump"));
    return d.find("dns serving on 127.0.0.1:" + std::to_string(port)) != std::string::npos &&
           d.find("dns pool www.example.com answer={203.0.113.20}") != std::string::npos;
  })) << readFile(dir.file("failsh.dump"));
  set("web1", "UP");
  EXPECT_TRUE(eventually([&] { return dig(port, "www.example.com", {"+tcp"}) == "203.0.113.10\n"; }));
}

TEST_F(FailshDns, ListenPortZeroIsLoggedAndServesUdpAndTcp) {
  auto sh = failsh("failsh", policy("{127.0.0.1:0}"));
  int port = servingPort(sh->log());
  ASSERT_GT(port, 0) << sh->log();
  EXPECT_EQ(dig(port, "www.example.com"), "203.0.113.10\n");
  EXPECT_EQ(dig(port, "www.example.com", {"+tcp"}), "203.0.113.10\n");
}

TEST_F(FailshDns, CheckNeverBindsAndAFailedBindIsAStartUpError) {
  int port = freePort();
  writeFile(dir.file("policy.tcl"), policy("127.0.0.1:" + std::to_string(port)));
  // Someone else holds the port (a plain UDP bind): -t still passes, as it binds nothing.
  int held = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(held, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  RunResult t = runProgram("failsh/failsh", {"-t", "-f", dir.file("policy.tcl")});
  EXPECT_EQ(t.status, 0) << t.err;
  EXPECT_NE(t.out.find("policy OK (0 services, 1 hosts, 1 zones, 1 pools, serving on 127.0.0.1:" + std::to_string(port) + ")"),
            std::string::npos) << t.out;
  // A start is refused, the message naming the address.
  RunResult s = runProgram("failsh/failsh", {"-f", dir.file("policy.tcl"), "-m", "127.0.0.1:0", "-l", dir.file("d")});
  EXPECT_NE(s.status, 0);
  EXPECT_NE(s.err.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << s.err;
  ::close(held);
  // -t checks the declarations: an error names the file and the line.
  writeFile(dir.file("bad.tcl"), policy("127.0.0.1:0", "fail::dns pool api.example.com -members {203.0.113.30} -ttl soon\n"));
  t = runProgram("failsh/failsh", {"-t", "-f", dir.file("bad.tcl")});
  EXPECT_NE(t.status, 0);
  EXPECT_EQ(t.err.find("failsh: " + dir.file("bad.tcl") +
                       ":7: fail::dns pool api.example.com -ttl: bad duration \"soon\""),
            0u)
      << t.err;
}

TEST_F(FailshDns, DaemonReturnsOnlyOnceTheSocketAnswers) {
  writeFile(dir.file("policy.tcl"), policy());
  std::string pid = dir.file("failsh.pid"), log = dir.file("failsh.daemon.log");
  RunResult r = runProgram("failsh/failsh", {"--daemon", "-f", dir.file("policy.tcl"), "-m", "127.0.0.1:0", "-l",
                                             dir.file("d"), "--pidfile", pid, "-L", log});
  ASSERT_EQ(r.status, 0) << r.err;
  pid_t p = static_cast<pid_t>(std::stol(readFile(pid)));
  int port = servingPort(readFile(log));
  EXPECT_GT(port, 0) << readFile(log);
  // No waiting: ready means answering.
  EXPECT_EQ(dig(port, "www.example.com"), "203.0.113.10\n") << readFile(log);
  ::kill(p, SIGTERM);
  EXPECT_TRUE(eventually([&] { return portFree(port); })) << readFile(log);
}

TEST_F(FailshDns, AReloadAddsAPoolOnTheSamePortWhileQueriesGoOn) {
  auto sh = failsh("failsh", policy());
  int port = servingPort(sh->log());
  ASSERT_GT(port, 0);
  std::atomic<bool> done{false};
  std::atomic<int> asked{0}, wrong{0};
  std::thread client([&] {
    while (!done) {
      if (dig(port, "www.example.com") != "203.0.113.10\n") ++wrong;
      ++asked;
    }
  });
  EXPECT_TRUE(eventually([&] { return asked > 2; }));
  set("api1", "UP");
  // -listen unchanged ("127.0.0.1:0"): the sockets stay, and so does the port.
  writeFile(dir.file("failsh.tcl"), policy("127.0.0.1:0",
                                           "fail::dns pool api.example.com -select wrr -members {"
                                           "{203.0.113.30 -weight 3 -check api1}}\n"));
  int before = asked;
  sh->signal(SIGHUP);
  EXPECT_TRUE(eventually([&] { return dig(port, "api.example.com") == "203.0.113.30\n"; })) << sh->log();
  EXPECT_TRUE(eventually([&] { return asked > before + 2; }));
  done = true;
  client.join();
  EXPECT_EQ(wrong, 0) << "of " << asked << " queries during the reload\n" << sh->log();
  EXPECT_NE(sh->log().find("reloaded"), std::string::npos);
}

TEST_F(FailshDns, AFailedReloadChangesNothing) {
  auto sh = failsh("failsh", policy());
  int port = servingPort(sh->log());
  ASSERT_GT(port, 0);
  // A policy with an error: refused, the running declarations stay.
  writeFile(dir.file("failsh.tcl"), policy("127.0.0.1:0",
                                           "fail::dns pool api.example.com -members {203.0.113.30}\n"
                                           "fail::dns pool www.example.com -members {203.0.113.99}\n"
                                           "error broken\n"));
  sh->signal(SIGHUP);
  EXPECT_TRUE(eventually([&] { return sh->log().find("reload refused") != std::string::npos; })) << sh->log();
  EXPECT_EQ(dig(port, "www.example.com"), "203.0.113.10\n");
  EXPECT_EQ(dig(port, "api.example.com"), "");
  // A new -listen address that cannot be bound: refused too, nothing changed.
  int other = freePort();
  int held = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(other));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(held, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  writeFile(dir.file("failsh.tcl"), policy("{127.0.0.1:0 127.0.0.1:" + std::to_string(other) + "}",
                                           "fail::dns pool api.example.com -members {203.0.113.30}\n"));
  size_t refusals = 0;
  for (size_t at = 0; (at = sh->log().find("reload refused", at)) != std::string::npos; ++at) ++refusals;
  sh->signal(SIGHUP);
  EXPECT_TRUE(eventually([&] {
    size_t n = 0;
    std::string l = sh->log();
    for (size_t at = 0; (at = l.find("reload refused", at)) != std::string::npos; ++at) ++n;
    return n > refusals;
  })) << sh->log();
  ::close(held);
  EXPECT_NE(sh->log().find("127.0.0.1:" + std::to_string(other)), std::string::npos) << sh->log();
  EXPECT_EQ(dig(port, "www.example.com"), "203.0.113.10\n");
  EXPECT_EQ(dig(port, "api.example.com"), "");
}

TEST_F(FailshDns, AReloadWithoutServeStopsTheFrontEndAndOneWithItStartsIt) {
  std::string none = "failhost localhost port " + portOf(*fa) + "\nfail::dns zone example.com -ns ns1.example.com\n";
  auto sh = failsh("failsh", none);
  EXPECT_EQ(servingPort(sh->log()), 0);
  writeFile(dir.file("failsh.tcl"), policy());
  sh->signal(SIGHUP);
  EXPECT_TRUE(eventually([&] { return servingPort(sh->log()) != 0; })) << sh->log();
  int port = servingPort(sh->log());
  EXPECT_TRUE(eventually([&] { return dig(port, "www.example.com") == "203.0.113.10\n"; })) << sh->log();
  EXPECT_TRUE(eventually([&] { return field(recordOf(sh->address(), "dns:www.example.com"), "state") == "UP"; }));
  writeFile(dir.file("failsh.tcl"), none);
  sh->signal(SIGHUP);
  EXPECT_TRUE(eventually([&] { return sh->log().find("dns: stopped serving") != std::string::npos; })) << sh->log();
  EXPECT_TRUE(eventually([&] { return portFree(port); }));
  EXPECT_TRUE(eventually([&] { return recordOf(sh->address(), "dns:www.example.com").empty(); }));
}

TEST_F(FailshDns, MemberForceDownMovesTheAnswerAndExplainSaysWhy) {
  // A drain: when the record `drain` turns UP, the policy forces 203.0.113.10 down and
  // publishes what explain says of it as the record `why`.
  std::string drain =
      "fail::on change drain {apply {{what rec} {\n"
      "  if {[dict get $rec state] ne \"UP\"} return\n"
      "  fail::dns member www.example.com 203.0.113.10 -force down\n"
      "  set m [lindex [dict get [fail::dns explain www.example.com] members] 0]\n"
      "  fail::state set why UP -note \"[dict get $m member] [dict get $m in] [dict get $m why]\"\n"
      "}}}\n";
  auto sh = failsh("failsh", policy("127.0.0.1:0", drain));
  int port = servingPort(sh->log());
  ASSERT_GT(port, 0);
  EXPECT_EQ(dig(port, "www.example.com"), "203.0.113.10\n");
  set("drain", "UP");
  EXPECT_TRUE(eventually([&] { return dig(port, "www.example.com") == "203.0.113.20\n"; })) << sh->log();
  EXPECT_TRUE(eventually([&] { return field(recordOf(fa->address(), "why"), "note") == "203.0.113.10 0 forced down"; }))
      << recordOf(fa->address(), "why") << sh->log();
}

TEST_F(FailshDns, SigtermStopsTheShellAndItsThreadsPromptly) {
  auto sh = failsh("failsh", policy());
  int port = servingPort(sh->log());
  ASSERT_GT(port, 0);
  auto t0 = std::chrono::steady_clock::now();
  sh->signal(SIGTERM);
  EXPECT_EQ(sh->wait(), 0) << sh->log();
  // The main loop used to notice the stop only at its next Tcl event (8.5 s here).
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(4)) << sh->log();
  EXPECT_NE(sh->log().find("dns: stopped serving"), std::string::npos) << sh->log();
  EXPECT_TRUE(eventually([&] { return portFree(port); }));
}

TEST_F(FailshDns, ThePackageInAStockTclshServes) {
  if (::access("/usr/bin/tclsh8.6", X_OK) != 0) GTEST_SKIP() << "tclsh8.6 is not installed";
  // The script asks its own front-end with dig through exec: exec blocks the Tcl thread,
  // the front-end's threads answer anyway.
  writeFile(dir.file("serve.tcl"),
            "package require failover\n"
            "failhost localhost port $env(FAILD_PORT)\n"
            "fail::dns zone example.com -ns ns1.example.com\n"
            "fail::dns pool www.example.com -members {{203.0.113.10 -check web1} {203.0.113.20 -check web2}}\n"
            "set bound [fail::dns serve -listen 127.0.0.1:0 -start-timeout 3s]\n"
            "set port [lindex [split [lindex $bound 0] :] end]\n"
            "set deadline [expr {[clock milliseconds] + 20000}]\n"
            "while {[clock milliseconds] < $deadline} {\n"
            "  set r [exec dig @127.0.0.1 -p $port +short +time=1 www.example.com A]\n"
            "  if {$r eq \"203.0.113.10\"} break\n"
            "  after 50\n"
            "}\n"
            "puts \"$bound $r [dict get [fail::dns stats] serving]\"\n");
  std::vector<std::string> env = tclshSanitizerEnv();
  env.push_back("TCLLIBPATH=" + buildDir() + "/tcl");
  env.push_back("FAILD_PORT=" + portOf(*fa));
  RunResult r = runProgram("/usr/bin/tclsh8.6", {dir.file("serve.tcl")}, env);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(std::regex_match(r.out, std::regex(R"(127\.0\.0\.1:\d+ 203\.0\.113\.10 1\n)"))) << r.out << r.err;
}

}  // namespace
}  // namespace fail::test
