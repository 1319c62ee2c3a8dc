// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// lib/dns's RFC 2136 updater against real BIND named and Knot knotd on loopback
// (tests/common/dns_servers.hh): updates applied and seen by dig, wrong keys refused,
// lost compare-and-swaps re-read by follow, records changed behind its back put right,
// a server that comes late, a secondary's lag, batching.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "../common/dns_servers.hh"
#include "dns/follow.hh"
#include "dns/tsig_sign.hh"
#include "dns/update_client.hh"
#include "ev/ev.hh"
#include "harness.hh"

namespace fail::test {
namespace {

using namespace dns;

net::Address loopbackPort(int port) { return *net::resolveHostPort("127.0.0.1:" + std::to_string(port)); }

TsigKey libKey(const TestKey& k) {
  TsigKey out;
  std::string err;
  EXPECT_TRUE(parseTsigKeyInline(k.inlineText(), out, &err)) << err;
  return out;
}

// What `dig` (the reference client) sees for NAME A at 127.0.0.1:port, sorted.
std::vector<std::string> dig(int port, const std::string& name, const char* type = "A") {
  std::string cmd = "dig +short +tries=1 +time=2 @127.0.0.1 -p " + std::to_string(port) + " " + name + " " + type;
  std::vector<std::string> out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char line[256];
    while (std::fgets(line, sizeof line, p)) {
      std::string l = line;
      while (!l.empty() && (l.back() == '\n' || l.back() == '\r')) l.pop_back();
      if (!l.empty()) out.push_back(l);
    }
    ::pclose(p);
  }
  std::sort(out.begin(), out.end());
  return out;
}

class DnsUpdateLib : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access("/usr/bin/dig", X_OK) != 0) GTEST_SKIP() << "dig (bind9-dnsutils) is not installed";
  }

  // Starts a named primary for example.test with `key` (and NOTIFY to `notify`).
  DnsServer named(const TempDir& dir, const TestKey& key, std::vector<int> notify = {}, int port = 0) {
    NamedSpec s;
    s.key = &key;
    s.notifyPorts = std::move(notify);
    std::string why;
    DnsServer srv = startNamed(dir.path(), port ? port : freeLoopbackPort(), s, &why);
    if (!srv.child) ADD_FAILURE() << why;
    return srv;
  }

  // Sends and runs the loop until the result.
  Result exchange(const net::Address& to, Request req, ExchangeOptions opt = {}) {
    std::optional<Result> got;
    client.send(to, std::move(req), opt, [&](const Result& r) { got = r; });
    runUntil([&] { return got.has_value(); });
    return got.value_or(Result{});
  }

  // Runs the loop until `done` holds (checked every 10 ms) or kDeadline passes.
  bool runUntil(const std::function<bool()>& done, std::chrono::milliseconds limit = kDeadline) {
    bool ok = false;
    auto end = Clock::now() + limit;
    ev::Timer poll(loop.base(), [&] {
      if (done()) {
        ok = true;
        return loop.stop();
      }
      if (Clock::now() > end) return loop.stop();
      poll.arm(10ms);
    });
    poll.arm(0ms);
    loop.run();
    return ok;
  }

  static Request casUpdate(const std::string& name, std::vector<std::string> want,
                           std::optional<std::vector<std::string>> expect, const TsigKey& key) {
    std::string err;
    auto r = Request::update("example.test", {RrsetChange{name, kTypeA, 30, std::move(want), std::move(expect)}}, &key, &err);
    EXPECT_TRUE(r) << err;
    return std::move(*r);
  }

  FollowSpec followSpec(const std::string& name, int port, const TsigKey& key) {
    FollowSpec s;
    s.name = name;
    s.zone = "example.test";
    s.server = loopbackPort(port);
    s.key = key;
    s.ttl = 30;
    s.members = {{"203.0.113.10", "web1"}, {"203.0.113.20", "web2"}};
    return s;
  }

  // Fast enough for tests on a loaded machine, slow enough not to spin.
  static FollowTiming timing() {
    FollowTiming t;
    t.exchange.deadline = 2000ms;
    t.exchange.firstTimeout = 300ms;
    t.retryFirst = 200ms;
    t.retryMax = 1000ms;
    t.verifyDeadline = 10000ms;
    return t;
  }

  ev::Loop loop;
  UpdateClient client{loop};
  std::vector<FollowOutcome> outcomes;
  FollowCallback record = [this](const FollowOutcome& o) { outcomes.push_back(o); };

  bool saw(FollowOutcome::Kind kind, const std::string& name) const {
    return std::any_of(outcomes.begin(), outcomes.end(), [&](const FollowOutcome& o) { return o.kind == kind && o.name == name; });
  }
};

TEST_F(DnsUpdateLib, AnUpdateIsAppliedByBindAndKnot) {
  TempDir d1, d2;
  TestKey key = makeTestKey();
  DnsServer bind = named(d1, key);
  ASSERT_TRUE(bind.child);
  std::string why;
  DnsServer knot = startKnot(d2.path(), freeLoopbackPort(), "example.test", key, &why);
  if (!knot.child && why.find("not installed") != std::string::npos) GTEST_SKIP() << why;
  ASSERT_TRUE(knot.child) << why;
  ExchangeOptions readSerial;
  readSerial.readSerial = true;
  for (const DnsServer* srv : {&bind, &knot}) {
    Result r = exchange(loopbackPort(srv->port),
                        casUpdate("www.example.test", {"203.0.113.20", "203.0.113.21"},
                                  std::vector<std::string>{"203.0.113.10"}, libKey(key)),
                        readSerial);
    EXPECT_TRUE(r.ok()) << r.error << "\n" << srv->logText();
    EXPECT_EQ(r.status(), "NOERROR");
    EXPECT_EQ(r.transport, Transport::Udp);
    EXPECT_EQ(r.attempts, 1);
    ASSERT_TRUE(r.soaSerial);
    EXPECT_GT(*r.soaSerial, 1u);
    EXPECT_EQ(dig(srv->port, "www.example.test"), (std::vector<std::string>{"203.0.113.20", "203.0.113.21"}));
    auto soa = Request::query("example.test", kTypeSoa, nullptr, nullptr);
    Result s = exchange(loopbackPort(srv->port), std::move(*soa));
    EXPECT_EQ(s.soaSerial, r.soaSerial);
  }
}

TEST_F(DnsUpdateLib, AWrongKeyIsBadkeyAndAWrongSecretBadsig) {
  TempDir d1, d2;
  TestKey key = makeTestKey();
  DnsServer bind = named(d1, key);
  ASSERT_TRUE(bind.child);
  std::string why;
  DnsServer knot = startKnot(d2.path(), freeLoopbackPort(), "example.test", key, &why);
  std::vector<const DnsServer*> servers{&bind};
  if (knot.child) servers.push_back(&knot);
  TsigKey wrongName = libKey(makeTestKey("other-key")), wrongSecret = libKey(makeTestKey());
  for (const DnsServer* srv : servers) {
    Result r = exchange(loopbackPort(srv->port), casUpdate("www.example.test", {"203.0.113.99"}, std::nullopt, wrongName));
    EXPECT_EQ(r.status(), "NOTAUTH") << r.error;
    EXPECT_EQ(tsigErrorName(r.tsigError), "BADKEY") << r.error;
    EXPECT_EQ(r.error, "NOTAUTH (BADKEY) from 127.0.0.1:" + std::to_string(srv->port));
    r = exchange(loopbackPort(srv->port), casUpdate("www.example.test", {"203.0.113.99"}, std::nullopt, wrongSecret));
    EXPECT_EQ(r.status(), "NOTAUTH") << r.error;
    EXPECT_EQ(tsigErrorName(r.tsigError), "BADSIG") << r.error;
    EXPECT_EQ(dig(srv->port, "www.example.test"), std::vector<std::string>{"203.0.113.10"});
  }
}

TEST_F(DnsUpdateLib, AStaleExpectIsRefusedAndFollowReadsAgain) {
  TempDir d;
  TestKey key = makeTestKey();
  DnsServer bind = named(d, key);
  ASSERT_TRUE(bind.child);
  auto to = loopbackPort(bind.port);
  Result r = exchange(to, casUpdate("www.example.test", {"203.0.113.20"}, std::vector<std::string>{"203.0.113.99"}, libKey(key)));
  EXPECT_EQ(r.status(), "NXRRSET") << r.error;
  r = exchange(to, casUpdate("www.example.test", {"203.0.113.20"}, std::vector<std::string>{}, libKey(key)));
  EXPECT_EQ(r.status(), "YXRRSET") << r.error;
  EXPECT_EQ(dig(bind.port, "www.example.test"), std::vector<std::string>{"203.0.113.10"});

  // follow's last known RRset goes stale behind its back; its CAS loses, it reads again.
  Followers f(loop, record, timing());
  std::string err;
  ASSERT_TRUE(f.follow(followSpec("www.example.test", bind.port, libKey(key)), &err)) << err;
  f.setHealth("web1", proto::State::Up);
  f.setHealth("web2", proto::State::Up);
  f.start();
  ASSERT_TRUE(runUntil([&] { return saw(FollowOutcome::Kind::Updated, "www.example.test"); }));
  r = exchange(to, casUpdate("www.example.test", {"203.0.113.77"}, std::nullopt, libKey(key)));
  ASSERT_TRUE(r.ok()) << r.error;
  outcomes.clear();
  f.setHealth("web2", proto::State::Fail);
  ASSERT_TRUE(runUntil([&] { return saw(FollowOutcome::Kind::Updated, "www.example.test"); }));
  auto it = std::find_if(outcomes.begin(), outcomes.end(), [](const FollowOutcome& o) { return o.kind == FollowOutcome::Kind::Updated; });
  EXPECT_EQ(it->races, 1);
  EXPECT_EQ(f.stats().races, 1u);
  EXPECT_EQ(dig(bind.port, "www.example.test"), std::vector<std::string>{"203.0.113.10"});
}

TEST_F(DnsUpdateLib, ARecordChangedBehindItsBackIsPutRightAtTheNextReconcile) {
  TempDir d;
  TestKey key = makeTestKey();
  DnsServer bind = named(d, key);
  ASSERT_TRUE(bind.child);
  Followers f(loop, record, timing());
  auto spec = followSpec("www.example.test", bind.port, libKey(key));
  spec.reconcile = 500ms;
  std::string err;
  ASSERT_TRUE(f.follow(spec, &err)) << err;
  f.setHealth("web1", proto::State::Up);
  f.setHealth("web2", proto::State::Up);
  f.start();
  ASSERT_TRUE(runUntil([&] { return saw(FollowOutcome::Kind::Updated, "www.example.test"); }));
  EXPECT_EQ(dig(bind.port, "www.example.test"), (std::vector<std::string>{"203.0.113.10", "203.0.113.20"}));
  Result r = exchange(loopbackPort(bind.port), casUpdate("www.example.test", {"203.0.113.66"}, std::nullopt, libKey(key)));
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(dig(bind.port, "www.example.test"), std::vector<std::string>{"203.0.113.66"});
  outcomes.clear();
  ASSERT_TRUE(runUntil([&] { return saw(FollowOutcome::Kind::Updated, "www.example.test"); }));
  EXPECT_EQ(dig(bind.port, "www.example.test"), (std::vector<std::string>{"203.0.113.10", "203.0.113.20"}));
}

TEST_F(DnsUpdateLib, AServerThatDoesNotAnswerIsRetriedUntilItDoes) {
  TempDir d;
  TestKey key = makeTestKey();
  int port = freeLoopbackPort();  // nothing there yet
  Followers f(loop, record, timing());
  std::string err;
  ASSERT_TRUE(f.follow(followSpec("www.example.test", port, libKey(key)), &err)) << err;
  f.setHealth("web2", proto::State::Up);  // the zone has web1's address
  f.start();
  ASSERT_TRUE(runUntil([&] { return saw(FollowOutcome::Kind::Failed, "www.example.test"); }));
  const FollowOutcome& failed = outcomes.front();
  EXPECT_TRUE(failed.result.timedOut);
  EXPECT_EQ(failed.result.status(), "TIMEOUT");
  EXPECT_GE(failed.result.attempts, 2);
  EXPECT_NE(failed.error.find("no reply from 127.0.0.1:" + std::to_string(port)), std::string::npos) << failed.error;
  DnsServer bind = named(d, key, {}, port);
  ASSERT_TRUE(bind.child);
  ASSERT_TRUE(runUntil([&] { return saw(FollowOutcome::Kind::Updated, "www.example.test"); }))
      << [&] {
           std::string all;
           for (const auto& o : outcomes) all += std::string(outcomeName(o.kind)) + " " + o.error + "\n";
           return all + bind.logText();
         }();
  EXPECT_GE(f.stats().failures, 1u);
  EXPECT_EQ(dig(port, "www.example.test"), std::vector<std::string>{"203.0.113.20"});
}

TEST_F(DnsUpdateLib, TheSecondarysLagIsReported) {
  TempDir dp, ds;
  TestKey key = makeTestKey();
  int secondaryPort = freeLoopbackPort();
  DnsServer primary = named(dp, key, {secondaryPort});
  ASSERT_TRUE(primary.child);
  NamedSpec ss;
  ss.role = NamedSpec::Role::Secondary;
  ss.primaryPort = primary.port;
  std::string why;
  DnsServer secondary = startNamed(ds.path(), secondaryPort, ss, &why);
  ASSERT_TRUE(secondary.child) << why;
  int closed = freeLoopbackPort();

  FollowTiming t = timing();
  t.verifyDeadline = 3000ms;
  Followers f(loop, record, t);
  auto spec = followSpec("www.example.test", primary.port, libKey(key));
  spec.secondaries = {loopbackPort(secondaryPort)};
  auto other = followSpec("api.example.test", primary.port, libKey(key));
  other.secondaries = {loopbackPort(closed)};  // a secondary that never answers
  std::string err;
  ASSERT_TRUE(f.follow(spec, &err)) << err;
  f.setHealth("web2", proto::State::Up);
  f.start();
  ASSERT_TRUE(runUntil([&] { return saw(FollowOutcome::Kind::Verified, "www.example.test"); }));
  const FollowOutcome* v = f.last("www.example.test");
  ASSERT_TRUE(v->serial);
  EXPECT_GT(*v->serial, 1u);
  EXPECT_GT(v->lag.count(), 0);
  EXPECT_LT(v->lag, 3000ms);
  EXPECT_EQ(dig(secondaryPort, "www.example.test"), std::vector<std::string>{"203.0.113.20"});
  EXPECT_NE(primary.logText().find("IXFR started"), std::string::npos) << "the secondary was not fed by IXFR";

  EXPECT_EQ(v->servers, (std::vector<std::string>{"127.0.0.1:" + std::to_string(primary.port),
                                                  "127.0.0.1:" + std::to_string(secondaryPort)}));

  // The same secondary found as the zone's name server (ns1, 127.0.0.1) at its port.
  auto fromNs = followSpec("ns.example.test", primary.port, libKey(key));
  fromNs.secondariesFromNs = true;
  fromNs.nsPort = static_cast<std::uint16_t>(secondaryPort);
  ASSERT_TRUE(f.follow(fromNs, &err)) << err;
  ASSERT_TRUE(runUntil([&] { return saw(FollowOutcome::Kind::Verified, "ns.example.test"); }));
  EXPECT_EQ(f.last("ns.example.test")->servers, v->servers);
  EXPECT_EQ(dig(secondaryPort, "ns.example.test"), std::vector<std::string>{"203.0.113.20"});

  ASSERT_TRUE(f.follow(other, &err)) << err;
  ASSERT_TRUE(runUntil([&] { return saw(FollowOutcome::Kind::Lagging, "api.example.test"); }));
  const FollowOutcome* l = f.last("api.example.test");
  EXPECT_EQ(l->lagging, std::vector<std::string>{"127.0.0.1:" + std::to_string(closed)});
  EXPECT_EQ(l->error, "not matching after 3000 ms: 127.0.0.1:" + std::to_string(closed));
}

TEST_F(DnsUpdateLib, TenNamesChangedAtOnceGoOutInOneUpdate) {
  TempDir d;
  TestKey key = makeTestKey();
  DnsServer bind = named(d, key);
  ASSERT_TRUE(bind.child);
  FollowTiming t = timing();
  t.verifyDeadline = 0ms;  // count UPDATEs only
  Followers f(loop, record, t);
  std::string err;
  for (int i = 0; i < 10; ++i) {
    auto s = followSpec("n" + std::to_string(i) + ".example.test", bind.port, libKey(key));
    s.select = FollowSelect::Priority;
    ASSERT_TRUE(f.follow(s, &err)) << err;
  }
  f.setHealth("web1", proto::State::Up);
  f.setHealth("web2", proto::State::Up);
  f.start();
  auto updated = [&] {
    return std::count_if(outcomes.begin(), outcomes.end(), [](const FollowOutcome& o) { return o.kind == FollowOutcome::Kind::Updated; });
  };
  ASSERT_TRUE(runUntil([&] { return updated() == 10; }));
  EXPECT_EQ(f.stats().updates, 1u);
  EXPECT_EQ(dig(bind.port, "n7.example.test"), std::vector<std::string>{"203.0.113.10"});
  outcomes.clear();
  f.setHealth("web1", proto::State::Fail);  // all ten move to web2 at once
  ASSERT_TRUE(runUntil([&] { return updated() == 10; }));
  EXPECT_EQ(f.stats().updates, 2u);
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(dig(bind.port, "n" + std::to_string(i) + ".example.test"), std::vector<std::string>{"203.0.113.20"});
}

// A whole site fails: a thousand names of one zone move at once. They go out in as few
// UPDATEs as fit in 64 KiB messages (the time is printed; bench/ measures it properly).
TEST_F(DnsUpdateLib, AThousandNamesMoveInAFewUpdates) {
  TempDir d;
  TestKey key = makeTestKey();
  DnsServer bind = named(d, key);
  ASSERT_TRUE(bind.child);
  FollowTiming t = timing();
  t.verifyDeadline = 0ms;
  t.exchange.deadline = 10000ms;
  t.exchange.firstTimeout = 2000ms;
  Followers f(loop, record, t);
  std::string err;
  for (int i = 0; i < 1000; ++i) {
    auto s = followSpec("n" + std::to_string(i) + ".example.test", bind.port, libKey(key));
    s.select = FollowSelect::Priority;
    ASSERT_TRUE(f.follow(s, &err)) << err;
  }
  f.setHealth("web1", proto::State::Up);
  f.setHealth("web2", proto::State::Up);
  f.start();
  auto updated = [&] {
    return std::count_if(outcomes.begin(), outcomes.end(), [](const FollowOutcome& o) { return o.kind == FollowOutcome::Kind::Updated; });
  };
  ASSERT_TRUE(runUntil([&] { return updated() == 1000; }, 60s));
  auto first = f.stats().updates;
  outcomes.clear();
  auto start = Clock::now();
  f.setHealth("web1", proto::State::Fail);
  ASSERT_TRUE(runUntil([&] { return updated() == 1000; }, 60s));
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  auto updates = f.stats().updates - first;
  std::printf("1000 names moved in %lld ms with %llu UPDATEs (first placement: %llu)\n", static_cast<long long>(ms),
              static_cast<unsigned long long>(updates), static_cast<unsigned long long>(first));
  EXPECT_LE(updates, 3u);
  EXPECT_EQ(dig(bind.port, "n999.example.test"), std::vector<std::string>{"203.0.113.20"});
  EXPECT_EQ(dig(bind.port, "n0.example.test"), std::vector<std::string>{"203.0.113.20"});
}

}  // namespace
}  // namespace fail::test
