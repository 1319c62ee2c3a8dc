// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The reporter against the real protocol server (in process, same loop) and against a
// fake faild that stops answering: pipelining, refreshes, attribute removal, reconnects
// with at= replays, uncertain changes settled by GET, a bounded output, AUTH and TLS.
#include "hc/reporter.hh"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "loop.hh"

namespace fail::hc {
namespace {

using namespace std::chrono_literals;
using state::State;
using test::Loop;
using test::MiniFaild;
using test::SilentFaild;

ReportSpec spec(const std::string& address, const std::string& secret = "") {
  ReportSpec s;
  s.address = address;
  std::string err;
  EXPECT_TRUE(client::parseTarget(address, "1847", s.target, err)) << err;
  s.secret = secret;
  return s;
}

ReporterOptions fast() {
  ReporterOptions o;
  o.minBackoff = 10ms;
  o.maxBackoff = 200ms;
  o.connectTimeout = 3s;
  o.replyTimeout = 3s;
  return o;
}

Update upd(const std::string& name, State s, const std::string& note, bool changed, state::Attrs attrs = {},
           Micros when = 0) {
  Update u;
  u.name = name;
  u.state = s;
  u.note = note;
  u.ttlMs = 15000;
  u.attrs = std::move(attrs);
  u.when = when ? when : wallNow();
  u.changed = changed;
  return u;
}

std::string attr(const state::Record* r, const std::string& key) {
  if (!r) return "(no record)";
  for (const auto& [k, v] : r->attrs)
    if (k == key) return v;
  return "(absent)";
}

TEST(Reporter, ChangesRefreshesAndAttributes) {
  Loop loop;
  MiniFaild faild(loop.ev());
  Reporter rep(loop.base(), spec(faild.address()), fast());
  rep.start();
  ASSERT_TRUE(loop.until([&] { return rep.ready(); }));
  rep.update(upd("web1", State::Up, "HTTP 200", true, {{"latency", "1.5ms"}, {"warning", "slow"}}));
  ASSERT_TRUE(loop.until([&] { return rep.counters().acked == 1; }));
  const state::Record* r = faild.get("web1");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->state, State::Up);
  EXPECT_EQ(r->note, "HTTP 200");
  EXPECT_EQ(r->ttlMs, 15000);
  EXPECT_EQ(attr(r, "warning"), "slow");
  std::uint64_t serial = r->serial;
  // Same state and note: a refresh; the warning went away, so it is removed.
  rep.update(upd("web1", State::Up, "HTTP 200", false, {{"latency", "2ms"}}));
  ASSERT_TRUE(loop.until([&] { return rep.counters().acked == 2; }));
  r = faild.get("web1");
  EXPECT_EQ(r->serial, serial);
  EXPECT_EQ(attr(r, "latency"), "2ms");
  EXPECT_EQ(attr(r, "warning"), "(absent)");
  rep.update(upd("web1", State::Fail, "HTTP 503", true, {{"latency", "3ms"}}));
  ASSERT_TRUE(loop.until([&] { return rep.counters().acked == 3; }));
  EXPECT_GT(faild.get("web1")->serial, serial);
  EXPECT_EQ(faild.get("web1")->note, "HTTP 503");
  EXPECT_EQ(rep.counters().errors, 0u);
}

// Refresh pacing: an unchanged result waits until the last SET is paceMs old; a change of
// state, note or a (non-paced) attribute goes out at once.
TEST(Reporter, PacesUnchangedRefreshesButSendsChangesAtOnce) {
  Loop loop;
  MiniFaild faild(loop.ev());
  Reporter rep(loop.base(), spec(faild.address()), fast());
  rep.start();
  ASSERT_TRUE(loop.until([&] { return rep.ready(); }));
  const Micros s = 1'000'000, t0 = wallNow();
  auto send = [&](Update u) {
    u.paceMs = 7500;
    rep.update(u);
    return rep.counters().sets;
  };
  EXPECT_EQ(send(upd("w", State::Up, "ok", true, {{"latency", "1ms"}, {"ok_streak", "1"}}, t0)), 1u);
  EXPECT_EQ(send(upd("w", State::Up, "ok", false, {{"latency", "2ms"}, {"ok_streak", "2"}}, t0 + s)), 1u);
  EXPECT_EQ(rep.counters().paced, 1u);
  // A non-paced attribute appears: at once.
  EXPECT_EQ(send(upd("w", State::Up, "ok", false, {{"latency", "2ms"}, {"status", "200"}}, t0 + 2 * s)), 2u);
  // A new note is a change: at once.
  EXPECT_EQ(send(upd("w", State::Up, "fine", true, {{"latency", "3ms"}, {"status", "200"}}, t0 + 3 * s)), 3u);
  EXPECT_EQ(send(upd("w", State::Up, "fine", false, {{"latency", "4ms"}, {"status", "200"}}, t0 + 4 * s)), 3u);
  EXPECT_EQ(send(upd("w", State::Up, "fine", false, {{"latency", "5ms"}, {"status", "200"}}, t0 + 10 * s)), 3u);
  // More than paceMs after the last SET: the refresh is due, with the newest latency.
  EXPECT_EQ(send(upd("w", State::Up, "fine", false, {{"latency", "6ms"}, {"status", "200"}}, t0 + 3 * s + 7'500'001)),
            4u);
  // A wall clock that went back: sent, rather than trust it.
  EXPECT_EQ(send(upd("w", State::Up, "fine", false, {{"latency", "7ms"}, {"status", "200"}}, t0)), 5u);
  // A state change: at once.
  EXPECT_EQ(send(upd("w", State::Fail, "fine", true, {{"latency", "7ms"}, {"status", "200"}}, t0 + 1)), 6u);
  ASSERT_TRUE(loop.until([&] { return rep.counters().acked == 6; }));
  EXPECT_EQ(attr(faild.get("w"), "latency"), "7ms");
  EXPECT_EQ(faild.get("w")->state, State::Fail);
  EXPECT_EQ(rep.counters().paced, 3u);
}

// As the Checker paces a check at a 1 s interval (ttl 3 s, timeout 500 ms: paceMs 1250):
// whatever the phase of the results within their timeout, a SET goes out at least a
// quarter interval before the record could expire, mostly every other result.
TEST(Reporter, RefreshesWellBeforeTheTtlRunsOut) {
  Loop loop;
  MiniFaild faild(loop.ev());
  Reporter rep(loop.base(), spec(faild.address()), fast());
  rep.start();
  ASSERT_TRUE(loop.until([&] { return rep.ready(); }));
  const Micros t0 = wallNow();
  Micros lastSent = 0, longest = 0;
  for (int i = 0; i < 40; ++i) {
    Micros when = t0 + i * 1'000'000 + (i * 7919 % 500) * 1000;  // up to a timeout after the slot
    Update u = upd("w", State::Up, "ok", i == 0, {{"latency", std::to_string(i) + "ms"}}, when);
    u.ttlMs = 3000;
    u.paceMs = 1250;
    auto before = rep.counters().sets;
    rep.update(u);
    if (rep.counters().sets == before) continue;
    if (lastSent) longest = std::max(longest, when - lastSent);
    lastSent = when;
  }
  EXPECT_LE(longest, 2'750'000);
  EXPECT_GT(rep.counters().paced, 10u);
  // paceMs 0: every result is sent.
  Reporter every(loop.base(), spec(faild.address()), fast());
  every.start();
  ASSERT_TRUE(loop.until([&] { return every.ready(); }));
  for (int i = 0; i < 5; ++i) every.update(upd("v", State::Up, "ok", i == 0, {{"latency", "1ms"}}, t0 + i));
  EXPECT_EQ(every.counters().sets, 5u);
  EXPECT_EQ(every.counters().paced, 0u);
}

TEST(Reporter, PipelinesWithoutWaitingForReplies) {
  Loop loop;
  MiniFaild faild(loop.ev());
  Reporter rep(loop.base(), spec(faild.address()), fast());
  rep.start();
  ASSERT_TRUE(loop.until([&] { return rep.ready(); }));
  for (int i = 0; i < 2000; ++i) rep.update(upd("c" + std::to_string(i), State::Up, "ok", true));
  EXPECT_EQ(rep.inFlight(), 2000u);  // all written before a single reply was read
  ASSERT_TRUE(loop.until([&] { return rep.counters().acked == 2000; }));
  EXPECT_EQ(faild.store.size(), 2000u);
  EXPECT_EQ(rep.inFlight(), 0u);
}

TEST(Reporter, ErrorRepliesAreCountedAndTheStreamGoesOn) {
  Loop loop;
  MiniFaild faild(loop.ev());
  Reporter rep(loop.base(), spec(faild.address()), fast());
  rep.start();
  ASSERT_TRUE(loop.until([&] { return rep.ready(); }));
  rep.update(upd("bad name!", State::Up, "", true));
  rep.update(upd("good", State::Up, "", true));
  ASSERT_TRUE(loop.until([&] { return rep.counters().acked + rep.counters().errors == 2; }));
  EXPECT_EQ(rep.counters().errors, 1u);
  EXPECT_NE(faild.get("good"), nullptr);
}

TEST(Reporter, ReconnectsAfterARestartAndReplaysWhatItMissed) {
  Loop loop;
  auto faild = std::make_unique<MiniFaild>(loop.ev());
  std::string address = faild->address();
  Reporter rep(loop.base(), spec(address), fast());
  rep.start();
  ASSERT_TRUE(loop.until([&] { return rep.ready(); }));
  rep.update(upd("web1", State::Up, "HTTP 200", true));
  rep.update(upd("db", State::Up, "ok", true));
  ASSERT_TRUE(loop.until([&] { return rep.counters().acked == 2; }));
  faild.reset();  // faild goes away
  ASSERT_TRUE(loop.until([&] { return !rep.ready(); }));
  Micros t1 = wallNow() - 3'000'000, t2 = t1 + 1'000'000, t3 = t2 + 1'000'000;
  rep.update(upd("web1", State::Fail, "HTTP 503", true, {}, t1));
  rep.update(upd("web1", State::Fail, "HTTP 503", false, {}, t1 + 500'000));  // a refresh: not a transition
  rep.update(upd("web1", State::Up, "HTTP 200", true, {}, t2));
  rep.update(upd("web1", State::Fail, "timeout", true, {}, t3));
  EXPECT_EQ(rep.missed(), 3u);
  faild = std::make_unique<MiniFaild>(loop.ev(), address);  // back, empty (--memory)
  ASSERT_TRUE(loop.until([&] { return rep.ready() && rep.inFlight() == 0 && faild->get("db"); }));
  auto ch = faild->changes();
  std::vector<std::pair<State, Micros>> web1;
  for (const auto& r : ch)
    if (r.name == "web1") web1.emplace_back(r.state, r.since);
  ASSERT_EQ(web1.size(), 3u);
  EXPECT_EQ(web1[0], std::make_pair(State::Fail, t1));
  EXPECT_EQ(web1[1], std::make_pair(State::Up, t2));
  EXPECT_EQ(web1[2], std::make_pair(State::Fail, t3));
  EXPECT_EQ(faild->get("web1")->note, "timeout");
  EXPECT_EQ(faild->get("db")->state, State::Up);  // unchanged checks are sent again too
  EXPECT_EQ(rep.counters().replayed, 3u);
  EXPECT_EQ(rep.counters().connects, 2u);
}

TEST(Reporter, KeepsRetryingUntilFaildAppears) {
  Loop loop;
  int port;
  {
    SilentFaild probe(loop.base());  // find a free port, then free it
    port = probe.port();
  }
  std::string address = "127.0.0.1:" + std::to_string(port);
  Reporter rep(loop.base(), spec(address), fast());
  rep.start();
  rep.update(upd("web1", State::Up, "ok", true));
  loop.runFor(300ms);
  EXPECT_FALSE(rep.ready());
  EXPECT_NE(rep.describe().find("refused"), std::string::npos) << rep.describe();
  MiniFaild faild(loop.ev(), address);
  ASSERT_TRUE(loop.until([&] { return faild.get("web1") != nullptr; }));
  EXPECT_EQ(faild.get("web1")->state, State::Up);
}

// A change written but never acknowledged may or may not have reached faild.
class Uncertain : public ::testing::TestWithParam<bool> {};

TEST_P(Uncertain, ChangeIsSettledByGet) {
  bool faildHadIt = GetParam();
  Loop loop;
  auto silent = std::make_unique<SilentFaild>(loop.base());
  int port = silent->port();
  Reporter rep(loop.base(), spec(silent->address()), fast());
  rep.start();
  ASSERT_TRUE(loop.until([&] { return rep.ready(); }));
  Micros when = wallNow() - 1'000'000;
  rep.update(upd("web1", State::Fail, "HTTP 503", true, {}, when));
  ASSERT_TRUE(loop.until([&] { return silent->lines().size() == 2; }));  // HELLO, SET
  silent.reset();
  ASSERT_TRUE(loop.until([&] { return !rep.ready(); }));
  MiniFaild faild(loop.ev(), "127.0.0.1:" + std::to_string(port));
  std::uint64_t serial = 0;
  state::SetInput in;
  in.name = "web1";
  in.state = faildHadIt ? State::Fail : State::Up;
  in.note = faildHadIt ? "HTTP 503" : "HTTP 200";
  faild.store.set(in, wallNow(), steadyNow(), [](bool, std::uint64_t, const std::string&) {}, serial);
  ASSERT_TRUE(loop.until([&] { return rep.ready() && rep.inFlight() == 0 && rep.counters().acked >= 1; }));
  auto ch = faild.changes();
  if (faildHadIt) {
    EXPECT_EQ(ch.size(), 1u);  // no duplicate transition
    EXPECT_EQ(rep.counters().duplicates, 1u);
  } else {
    ASSERT_EQ(ch.size(), 2u);
    EXPECT_EQ(ch[1].state, State::Fail);
    EXPECT_EQ(ch[1].since, when);  // sent again with at=
  }
  EXPECT_EQ(faild.get("web1")->state, State::Fail);
}

INSTANTIATE_TEST_SUITE_P(FaildHadIt, Uncertain, ::testing::Bool());

TEST(Reporter, ASlowFaildNeverBlocksAndMemoryStaysBounded) {
  Loop loop;
  SilentFaild silent(loop.base());
  ReporterOptions o = fast();
  o.maxOutput = 64 << 10;
  o.maxMissed = 4;
  o.replyTimeout = 500ms;
  Reporter rep(loop.base(), spec(silent.address()), o);
  rep.start();
  ASSERT_TRUE(loop.until([&] { return rep.ready(); }));
  silent.stall();
  std::string big(900, 'x');
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 20000; ++i)
    rep.update(upd("c" + std::to_string(i % 50), i % 2 ? State::Up : State::Fail, big, true));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  EXPECT_LE(rep.missed(), 50u * 4 + 50u * 64);  // per check: missed + uncertain, bounded
  EXPECT_GT(rep.counters().dropped, 0u);
  // Nothing answers: the reporter gives up on this connection and tries again.
  ASSERT_TRUE(loop.until([&] { return silent.accepted() >= 2; }));
}

TEST(Reporter, Authenticates) {
  Loop loop;
  char tmpl[] = "/tmp/hc-reporter-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  std::ofstream(dir + "/access") << "* s3cret RW hc-fra\n";
  MiniFaild faild(loop.ev(), "127.0.0.1:0", dir + "/access");
  Reporter good(loop.base(), spec(faild.address(), "s3cret"), fast());
  Reporter none(loop.base(), spec(faild.address()), fast());
  Reporter wrong(loop.base(), spec(faild.address(), "guess"), fast());
  for (Reporter* r : {&good, &none, &wrong}) r->start();
  good.update(upd("a", State::Up, "", true));
  none.update(upd("b", State::Up, "", true));
  wrong.update(upd("c", State::Up, "", true));
  ASSERT_TRUE(loop.until([&] { return faild.get("a") != nullptr; }));
  EXPECT_EQ(faild.get("a")->origin, "hc-fra");
  loop.runFor(300ms);
  EXPECT_FALSE(none.ready());
  EXPECT_FALSE(wrong.ready());
  EXPECT_EQ(faild.get("b"), nullptr);
  EXPECT_EQ(faild.get("c"), nullptr);
  std::system(("rm -rf " + dir).c_str());
}

TEST(Reporter, SpeaksTlsAndVerifiesTheServer) {
  char tmpl[] = "/tmp/hc-reporter-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  for (const char* name : {"good", "other"}) {
    std::string cmd = std::string("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 ") +
                      "-subj /CN=faild -addext subjectAltName=IP:127.0.0.1 -keyout " + dir + "/" + name +
                      ".key -out " + dir + "/" + name + ".crt 2>/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }
  Loop loop;
  MiniFaild faild(loop.ev(), "tls:127.0.0.1:0", "", {dir + "/good.crt", dir + "/good.key", ""});
  std::string address = faild.address();
  if (address.rfind("tls:", 0) == 0) address.erase(0, 4);
  ReportSpec ok = spec(address), bad = spec(address);
  ok.tls.enabled = bad.tls.enabled = true;
  ok.tls.ca = dir + "/good.crt";
  bad.tls.ca = dir + "/other.crt";
  Reporter good(loop.base(), ok, fast()), rejected(loop.base(), bad, fast());
  good.start();
  rejected.start();
  good.update(upd("a", State::Up, "", true));
  rejected.update(upd("b", State::Up, "", true));
  ASSERT_TRUE(loop.until([&] { return faild.get("a") != nullptr; })) << good.describe();
  loop.runFor(200ms);
  EXPECT_FALSE(rejected.ready());
  EXPECT_NE(rejected.describe().find("certificate"), std::string::npos) << rejected.describe();
  EXPECT_EQ(faild.get("b"), nullptr);
  std::system(("rm -rf " + dir).c_str());
}

}  // namespace
}  // namespace fail::hc
