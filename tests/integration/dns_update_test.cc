// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// RFC 2136 updates against real name servers (failover(n) "DNS UPDATES", failc(1)
// update): fail::dns update in failsh against BIND named and Knot knotd (the result
// dict, the error codes of a wrong key and a stale -expect), fail::dns follow in failsh
// (a SET FAIL in faild removes the address in named, a record changed with nsupdate is
// put right at the next reconcile, a reload keeps an unchanged follow and drops a
// removed one), failc update, a BIND secondary's lag, and samples/dns-update-bind
// (SamplesDnsUpdate.*). The servers come from
// tests/common/dns_servers.hh, on loopback ports chosen here.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <sstream>

#include "../common/dns_servers.hh"
#include "failsh_fixture.hh"
#include "harness.hh"

namespace fail::test {
namespace {

// The A records `name` has in the server at 127.0.0.1:port, sorted ("" when none).
std::string digA(int port, const std::string& name) {
  RunResult r = runProgram("/usr/bin/dig", {"+short", "+tries=1", "+time=2", "@127.0.0.1", "-p", std::to_string(port),
                                            name, "A"});
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) lines.push_back(l);
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : " ") + l;
  return out;
}

// An attribute of a record dict ("" when absent).
std::string attr(const std::string& rec, const std::string& key) { return field(field(rec, "attrs"), key); }

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class DnsUpdate : public FailshFixture {
 public:
  // A named primary for example.test that takes updates signed with `key`; skips the
  // test when bind9 is missing. `notify`: secondaries' ports.
  DnsServer named(const std::string& tag, std::vector<int> notify = {}) {
    ::chmod(dir.path().c_str(), 0711);  // named runs as bind: it must reach its folder
    std::string d = dir.file(tag);
    ::mkdir(d.c_str(), 0755);
    NamedSpec spec;
    spec.key = &key;
    spec.notifyPorts = std::move(notify);
    std::string why;
    DnsServer s = startNamed(d, freeLoopbackPort(), spec, &why);
    if (!s.child) why_ = why;
    // Installed but not started: a failure, not a skip.
    EXPECT_TRUE(s.child || why.find("not installed") != std::string::npos) << why;
    return s;
  }
  std::string keyFile() {
    std::string f = dir.file("tsig.key");
    if (!exists(f)) writeFile(f, key.keyFileText());
    noteSecret(key.secret);
    return f;
  }
  // A policy that runs `script` once the shell is up and logs "RESULT <value>" or
  // "ERROR <errorcode> <message>" for each `fail::dns update` in `updates`.
  std::string updatePolicy(const Daemon& faild, const std::vector<std::string>& updates) {
    std::string p = "failhost localhost port " + portOf(faild) + "\n";
    p += "proc try_update {args} {\n"
         "  try { fail::log notice \"RESULT [fail::dns update {*}$args]\" }"
         " trap {FAILOVER} {msg opts} { fail::log notice \"ERROR [dict get $opts -errorcode] $msg\" }\n}\n";
    p += "fail::after 0 {\n";
    for (const auto& u : updates) p += "  try_update " + u + "\n";
    p += "  fail::log notice DONE\n}\n";
    return p;
  }
  TestKey key = makeTestKey();
  std::string why_;
};

// fail::dns update against a primary (`port`): a replace, a stale -expect, -expect {}
// on an RRset that exists, a wrong key, a key the server does not know.
void updateAgainst(DnsUpdate& t, const Daemon& fd, int port, const std::string& keyFile,
                   const std::function<std::unique_ptr<Daemon>(const std::string&)>& start) {
  std::string srv = "-server 127.0.0.1:" + std::to_string(port) + " -zone example.test -ttl 30 ";
  TestKey wrong = makeTestKey(), other = makeTestKey("other-key");
  auto sh = start(t.updatePolicy(fd, {
      srv + "-key-file " + keyFile + " -replace www.example.test A {203.0.113.20 203.0.113.21}",
      srv + "-key-file " + keyFile + " -replace www.example.test A {203.0.113.30} -expect {203.0.113.99}",
      srv + "-key-file " + keyFile + " -replace www.example.test A {203.0.113.30} -expect {}",
      srv + "-key " + wrong.inlineText() + " -replace www.example.test A {203.0.113.40}",
      srv + "-key " + other.inlineText() + " -replace www.example.test A {203.0.113.40}",
      srv + "-key-file " + keyFile + " -replace www.example.com A {203.0.113.40}",
  }));
  ASSERT_TRUE(eventually([&] { return sh->log().find("DONE") != std::string::npos; })) << sh->log();
  std::string log = sh->log();
  EXPECT_NE(log.find("RESULT rcode NOERROR serial 2 server 127.0.0.1:" + std::to_string(port) + " transport udp ms "),
            std::string::npos) << log;
  EXPECT_NE(log.find("ERROR FAILOVER DNS NXRRSET fail::dns update www.example.test A"), std::string::npos) << log;
  EXPECT_NE(log.find("ERROR FAILOVER DNS YXRRSET"), std::string::npos) << log;
  EXPECT_NE(log.find("ERROR FAILOVER DNS NOTAUTH BADSIG"), std::string::npos) << log;
  EXPECT_NE(log.find("ERROR FAILOVER DNS NOTAUTH BADKEY"), std::string::npos) << log;
  EXPECT_NE(log.find("ERROR FAILOVER ARGS -replace: \"www.example.com\" is not inside the zone \"example.test\""),
            std::string::npos) << log;
  EXPECT_EQ(count(log, "RESULT "), 1u) << log;
  EXPECT_EQ(digA(port, "www.example.test"), "203.0.113.20 203.0.113.21");
  noteSecret(wrong.secret);
  noteSecret(other.secret);
}

TEST_F(DnsUpdate, TclUpdateAgainstBind) {
  DnsServer ns = named("named");
  if (!ns.child) GTEST_SKIP() << why_;
  auto fd = faild("faild");
  updateAgainst(*this, *fd, ns.port, keyFile(), [&](const std::string& p) { return failsh("failsh", p); });
}

TEST_F(DnsUpdate, TclUpdateAgainstKnot) {
  std::string d = dir.file("knot");
  ::mkdir(d.c_str(), 0755);
  std::string why;
  DnsServer kn = startKnot(d, freeLoopbackPort(), "example.test", key, &why);
  if (!kn.child) {
    if (why.find("not installed") != std::string::npos) GTEST_SKIP() << why;
    FAIL() << why;
  }
  auto fd = faild("faild");
  updateAgainst(*this, *fd, kn.port, keyFile(), [&](const std::string& p) { return failsh("failsh", p); });
}

// A policy following www.example.test in the primary at `port`, members web1 and web2.
std::string followPolicy(const Daemon& fd, int port, const std::string& keyFile, const std::string& extra = "") {
  return "failhost localhost port " + portOf(fd) + "\n" +
         "fail::dns follow www.example.test -zone example.test -server 127.0.0.1:" + std::to_string(port) +
         " -key-file " + keyFile + " -select all -ttl 30s -all-down all -reconcile 2s " + extra +
         " -members {{127.0.0.11 -check web1} {127.0.0.12 -check web2}}\n";
}

TEST_F(DnsUpdate, FollowInFailsh) {
  DnsServer ns = named("named");
  if (!ns.child) GTEST_SKIP() << why_;
  auto fd = faild("faild");
  LineClient c(fd->address());
  ASSERT_EQ(c.request("SET web1 UP").substr(0, 9), "OK CHANGE");
  ASSERT_EQ(c.request("SET web2 UP").substr(0, 9), "OK CHANGE");
  std::string policy = followPolicy(*fd, ns.port, keyFile());
  auto sh = failsh("failsh", policy);
  ASSERT_TRUE(eventually([&] { return digA(ns.port, "www.example.test") == "127.0.0.11 127.0.0.12"; }));
  // A SET FAIL in faild: the address leaves the RRset in named.
  ASSERT_EQ(c.request("SET web1 FAIL").substr(0, 9), "OK CHANGE");
  ASSERT_TRUE(eventually([&] { return digA(ns.port, "www.example.test") == "127.0.0.12"; }));
  ASSERT_TRUE(eventually([&] { return field(recordOf(fd->address(), "dns:www.example.test"), "note") == "127.0.0.12"; }));
  std::string rec = recordOf(fd->address(), "dns:www.example.test");
  EXPECT_EQ(field(rec, "state"), "UP") << rec;
  // Changed behind failsh's back with nsupdate: put right at the next reconcile (2s).
  std::string script = dir.file("nsupdate.txt");
  writeFile(script, "server 127.0.0.1 " + std::to_string(ns.port) +
                        "\nzone example.test\nupdate delete www.example.test. A\n"
                        "update add www.example.test. 30 A 203.0.113.99\nsend\n");
  RunResult r = runProgram("/bin/sh", {"-c", "/usr/bin/nsupdate -k " + keyFile() + " < " + script});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(eventually([&] { return digA(ns.port, "www.example.test") == "127.0.0.12"; }));
  // A reload with the same declaration keeps it running: no update, and it still follows.
  size_t updates = count(sh->log(), "+dns-update");
  size_t reloads = count(sh->log(), "reloaded ");
  sh->signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return count(sh->log(), "reloaded ") > reloads; })) << sh->log();
  EXPECT_EQ(count(sh->log(), "+dns-update"), updates) << sh->log();
  ASSERT_EQ(c.request("SET web1 UP").substr(0, 9), "OK CHANGE");
  ASSERT_TRUE(eventually([&] { return digA(ns.port, "www.example.test") == "127.0.0.11 127.0.0.12"; }));
  // A reload without it: no longer followed, its record is gone; the RRset stays.
  writeFile(dir.file("failsh.tcl"), "failhost localhost port " + portOf(*fd) + "\n");
  reloads = count(sh->log(), "reloaded ");
  sh->signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return count(sh->log(), "reloaded ") > reloads; })) << sh->log();
  EXPECT_TRUE(eventually([&] { return recordOf(fd->address(), "dns:www.example.test").empty(); }));
  EXPECT_NE(sh->log().find("-follow www.example.test: removed from the policy"), std::string::npos);
  EXPECT_EQ(digA(ns.port, "www.example.test"), "127.0.0.11 127.0.0.12");
}

TEST_F(DnsUpdate, FollowAllDownAndPriority) {
  DnsServer ns = named("named");
  if (!ns.child) GTEST_SKIP() << why_;
  auto fd = faild("faild");
  LineClient c(fd->address());
  ASSERT_EQ(c.request("SET web1 UP").substr(0, 9), "OK CHANGE");
  ASSERT_EQ(c.request("SET web2 UP").substr(0, 9), "OK CHANGE");
  std::string policy = "failhost localhost port " + portOf(*fd) + "\n" +
                       "fail::dns follow www.example.test -zone example.test -server 127.0.0.1:" +
                       std::to_string(ns.port) + " -key-file " + keyFile() +
                       " -select priority -all-down none -members {{127.0.0.11 -check web1} {127.0.0.12 -check web2}}\n";
  auto sh = failsh("failsh", policy);
  ASSERT_TRUE(eventually([&] { return digA(ns.port, "www.example.test") == "127.0.0.11"; }));
  ASSERT_EQ(c.request("SET web1 FAIL").substr(0, 9), "OK CHANGE");
  ASSERT_TRUE(eventually([&] { return digA(ns.port, "www.example.test") == "127.0.0.12"; }));
  ASSERT_EQ(c.request("SET web2 FAIL").substr(0, 9), "OK CHANGE");
  ASSERT_TRUE(eventually([&] { return digA(ns.port, "www.example.test").empty(); }));
}

TEST_F(DnsUpdate, FollowWrongKeyIsAFailedRecord) {
  DnsServer ns = named("named");
  if (!ns.child) GTEST_SKIP() << why_;
  auto fd = faild("faild");
  LineClient c(fd->address());
  ASSERT_EQ(c.request("SET web1 UP").substr(0, 9), "OK CHANGE");
  TestKey wrong = makeTestKey();
  writeFile(dir.file("wrong.key"), wrong.keyFileText());
  noteSecret(wrong.secret);
  auto sh = failsh("failsh", followPolicy(*fd, ns.port, dir.file("wrong.key")));
  ASSERT_TRUE(eventually([&] {
    return field(recordOf(fd->address(), "dns:www.example.test"), "state") == "FAIL";
  })) << sh->log();
  std::string rec = recordOf(fd->address(), "dns:www.example.test");
  EXPECT_NE(field(rec, "note").find("BADSIG"), std::string::npos) << rec;
  EXPECT_EQ(digA(ns.port, "www.example.test"), "203.0.113.10");
}

class DnsUpdateSecondary : public DnsUpdate, public ::testing::WithParamInterface<bool> {};

TEST_P(DnsUpdateSecondary, FollowSecondaryLagReported) {
  // The secondary first (the primary notifies it), then the primary it transfers from.
  int primaryPort = freeLoopbackPort(), secondaryPort = 0;
  std::string sd = dir.file("secondary");
  ::mkdir(sd.c_str(), 0755);
  for (int i = 0; i < 10 && (secondaryPort == 0 || secondaryPort == primaryPort); ++i)
    secondaryPort = freeLoopbackPort();
  ::chmod(dir.path().c_str(), 0711);  // named runs as bind: it must reach its folder
  std::string pd = dir.file("primary");
  ::mkdir(pd.c_str(), 0755);
  NamedSpec ps;
  ps.key = &key;
  ps.notifyPorts = {secondaryPort};
  std::string why;
  DnsServer primary = startNamed(pd, primaryPort, ps, &why);
  if (!primary.child) {
    if (why.find("not installed") != std::string::npos) GTEST_SKIP() << why;
    FAIL() << why;
  }
  NamedSpec ss;
  ss.role = NamedSpec::Role::Secondary;
  ss.primaryPort = primaryPort;
  DnsServer secondary = startNamed(sd, secondaryPort, ss, &why);
  ASSERT_TRUE(secondary.child) << why;
  auto fd = faild("faild");
  LineClient c(fd->address());
  ASSERT_EQ(c.request("SET web1 UP").substr(0, 9), "OK CHANGE");
  ASSERT_EQ(c.request("SET web2 FAIL").substr(0, 9), "OK CHANGE");
  // The secondary named outright, or found in the zone's NS set (ns1 is 127.0.0.1).
  std::string secondaries = GetParam() ? "{ns:" + std::to_string(secondaryPort) + "}"
                                       : "{127.0.0.1:" + std::to_string(secondaryPort) + "}";
  auto sh = failsh("failsh", followPolicy(*fd, primaryPort, keyFile(), "-secondaries " + secondaries));
  ASSERT_TRUE(eventually([&] { return digA(secondaryPort, "www.example.test") == "127.0.0.11"; }));
  // The read-back of primary and secondary: the lag, in the record.
  ASSERT_TRUE(eventually([&] { return !attr(recordOf(fd->address(), "dns:www.example.test"), "lag").empty(); }))
      << recordOf(fd->address(), "dns:www.example.test") << sh->log();
  std::string rec = recordOf(fd->address(), "dns:www.example.test");
  EXPECT_EQ(attr(rec, "lagging"), "") << rec;
  EXPECT_NE(attr(rec, "verified").find("127.0.0.1:" + std::to_string(secondaryPort)), std::string::npos) << rec;
  EXPECT_NE(attr(rec, "serial"), "") << rec;
}

INSTANTIATE_TEST_SUITE_P(DnsUpdate, DnsUpdateSecondary, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& i) { return i.param ? "FromNs" : "Named"; });

TEST_F(DnsUpdate, TimeoutAndSafePolicy) {
  // Nobody answers on a closed loopback port: FAILOVER DNS TIMEOUT within the 5 s.
  auto fd = faild("faild");
  std::string closed = "-server 127.0.0.1:" + std::to_string(freeLoopbackPort()) +
                       " -zone example.test -ttl 30 -key-file " + keyFile() + " -replace www.example.test A {}";
  auto sh = failsh("failsh", updatePolicy(*fd, {closed}));
  ASSERT_TRUE(eventually([&] { return sh->log().find("DONE") != std::string::npos; })) << sh->log();
  EXPECT_NE(sh->log().find("ERROR FAILOVER DNS TIMEOUT"), std::string::npos) << sh->log();
  // A --safe policy sends no update (it would read a key file and reach a name server
  // the administrator did not name).
  auto safe = failsh("safe",
                     "fail::after 0 {\n"
                     "  catch {fail::dns update " + closed + "} m o\n"
                     "  fail::log notice \"SAFE [dict get $o -errorcode]\"\n"
                     "  catch {fail::dns follow www.example.test -zone example.test -server 127.0.0.1 -key-file " +
                         keyFile() + " -members {{127.0.0.11}}} m o\n"
                     "  fail::log notice \"SAFE [dict get $o -errorcode]\"\n}\n",
                     {"--safe"});
  ASSERT_TRUE(eventually([&] { return count(safe->log(), "SAFE FAILOVER SAFE DNS") == 2; })) << safe->log();
}

TEST_F(DnsUpdate, FollowServerComesBack) {
  // failsh follows a name in a primary that is not running yet: dns:NAME says FAIL; once
  // named is up, a retry puts the RRset right and dns:NAME turns UP.
  auto fd = faild("faild");
  LineClient c(fd->address());
  ASSERT_EQ(c.request("SET web1 UP").substr(0, 9), "OK CHANGE");
  int port = freeLoopbackPort();
  auto sh = failsh("failsh", followPolicy(*fd, port, keyFile()));
  ASSERT_TRUE(eventually([&] { return field(recordOf(fd->address(), "dns:www.example.test"), "state") == "FAIL"; }))
      << sh->log();
  ::chmod(dir.path().c_str(), 0711);
  std::string d = dir.file("named");
  ::mkdir(d.c_str(), 0755);
  NamedSpec spec;
  spec.key = &key;
  std::string why;
  DnsServer ns = startNamed(d, port, spec, &why);
  if (!ns.child) {
    if (why.find("not installed") != std::string::npos) GTEST_SKIP() << why;
    FAIL() << why;
  }
  ASSERT_TRUE(eventually([&] { return digA(ns.port, "www.example.test") == "127.0.0.11"; }, std::chrono::seconds(60)))
      << sh->log();
  EXPECT_TRUE(eventually([&] { return field(recordOf(fd->address(), "dns:www.example.test"), "state") == "UP"; }));
}

TEST_F(DnsUpdate, FailcUpdate) {
  DnsServer ns = named("named");
  if (!ns.child) GTEST_SKIP() << why_;
  std::string server = "127.0.0.1:" + std::to_string(ns.port);
  std::vector<std::string> base = {"update", "www.example.test", "A", "203.0.113.50", "203.0.113.51",
                                   "--server", server, "--zone", "example.test", "--tsig-file", keyFile()};
  RunResult r = runProgram("failc/failc", base);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, 16), "NOERROR serial 2") << r.out;
  EXPECT_EQ(digA(ns.port, "www.example.test"), "203.0.113.50 203.0.113.51");
  // A stale --expect: NXRRSET, exit status 5; --json says so on stderr.
  auto stale = base;
  stale.insert(stale.end(), {"--expect", "203.0.113.99", "--json"});
  r = runProgram("failc/failc", stale);
  EXPECT_EQ(r.status, 5);
  EXPECT_NE(r.err.find("\"code\":\"NXRRSET\""), std::string::npos) << r.err;
  // A wrong key: NOTAUTH BADSIG, exit status 3.
  TestKey wrong = makeTestKey();
  writeFile(dir.file("wrong.key"), wrong.keyFileText());
  noteSecret(wrong.secret);
  auto bad = base;
  bad.back() = dir.file("wrong.key");
  r = runProgram("failc/failc", bad);
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(r.err.find("NOTAUTH (BADSIG)"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(wrong.secret), std::string::npos);
  // Usage errors name what is wrong: exit status 2.
  r = runProgram("failc/failc", {"update", "www.example.org", "A", "203.0.113.5", "--server", server, "--zone",
                                 "example.test", "--tsig-file", keyFile()});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("not inside the zone"), std::string::npos) << r.err;
  r = runProgram("failc/failc", {"update", "www.example.test", "AAAA", "203.0.113.5", "--server", server, "--zone",
                                 "example.test", "--tsig-file", keyFile()});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("not an IPv6 address"), std::string::npos) << r.err;
  EXPECT_EQ(digA(ns.port, "www.example.test"), "203.0.113.50 203.0.113.51");
}

}  // namespace
}  // namespace fail::test

namespace fail::test {
namespace {

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// samples/dns-update-bind as shipped: hc checks two web servers (127.0.0.11 and
// 127.0.0.12), faild holds web1 and web2, failsh follows www.example.test in a BIND
// primary; a web server killed, `dig @named` no longer returns it.
class SamplesDnsUpdate : public DnsUpdate {};

TEST_F(SamplesDnsUpdate, BackendKilledDigNoLongerReturnsIt) {
  const std::string sample = sourceDir() + "/samples/dns-update-bind/";
  ::chmod(dir.path().c_str(), 0711);
  std::string nd = dir.file("named");
  ::mkdir(nd.c_str(), 0755);
  NamedSpec spec;
  spec.key = &key;
  spec.zoneText = readFile(sample + "example.test.zone");
  std::string why;
  DnsServer ns = startNamed(nd, freeLoopbackPort(), spec, &why);
  if (!ns.child) {
    if (why.find("not installed") != std::string::npos) GTEST_SKIP() << why;
    FAIL() << why;
  }
  // The two web servers: one port, two loopback addresses.
  int webPort = freeLoopbackPort();
  std::vector<std::unique_ptr<Child>> webs;
  for (const char* a : {"127.0.0.11", "127.0.0.12"})
    webs.push_back(std::make_unique<Child>(
        std::vector<std::string>{kPython, "-m", "http.server", "--bind", a, "--directory", dir.path(),
                                 std::to_string(webPort)},
        dir.file(std::string("web-") + a + ".log")));
  auto fd = faild("faild");
  std::string hcfile = readFile(sample + "Hcfile");
  hcfile = replaceAll(hcfile, "127.0.0.1:1847", fd->address());
  hcfile = replaceAll(hcfile, "-port 8080", "-port " + std::to_string(webPort));
  writeFile(dir.file("Hcfile"), hcfile);
  auto hc = std::make_unique<Daemon>("hc/hc", std::vector<std::string>{"-f", dir.file("Hcfile"), "-m", "none"}, dir,
                                     "hc");
  ASSERT_TRUE(hc->start()) << hc->log();
  tags_.push_back("hc");
  ::setenv("FAIL_LOCAL_PORT", portOf(*fd).c_str(), 1);
  ::setenv("DNS_SERVER", ("127.0.0.1:" + std::to_string(ns.port)).c_str(), 1);
  ::setenv("TSIG_KEY_FILE", keyFile().c_str(), 1);
  auto sh = std::make_unique<Daemon>("failsh/failsh", std::vector<std::string>{"-f", sample + "policy.tcl", "-m", "none"},
                                     dir, "failsh");
  bool started = sh->start();
  for (const char* v : {"FAIL_LOCAL_PORT", "DNS_SERVER", "TSIG_KEY_FILE"}) ::unsetenv(v);
  ASSERT_TRUE(started) << sh->log();
  tags_.push_back("failsh");
  ASSERT_TRUE(eventually([&] {
    return field(recordOf(fd->address(), "web1"), "state") == "UP" &&
           field(recordOf(fd->address(), "web2"), "state") == "UP";
  })) << hc->log();
  ASSERT_TRUE(eventually([&] { return digA(ns.port, "www.example.test") == "127.0.0.11 127.0.0.12"; }));
  // web1 dies: hc says FAIL, failsh updates named.
  webs[0]->kill9();
  ASSERT_TRUE(eventually([&] { return digA(ns.port, "www.example.test") == "127.0.0.12"; }, std::chrono::seconds(30)))
      << recordOf(fd->address(), "web1");
  EXPECT_EQ(field(recordOf(fd->address(), "dns:www.example.test"), "state"), "UP");
  EXPECT_TRUE(eventually([&] { return sh->log().find("dns:www.example.test UP: 127.0.0.12") != std::string::npos; }))
      << "the sample's fail::on change logs";
}

}  // namespace
}  // namespace fail::test
