// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// mon::Watcher on the test's loop against the real protocol server over an in-memory
// store (MiniFaild), a server that greets and then says nothing (SilentFaild), one that
// sends garbage, and a port nobody listens on.
#include "mon/target.hh"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../client/fake_server.hh"
#include "../hc/loop.hh"

namespace fail::mon {
namespace {

using hc::test::Loop;
using hc::test::MiniFaild;
using hc::test::SilentFaild;
using namespace std::chrono_literals;

TargetSpec spec(const std::string& address) {
  TargetSpec t;
  std::string err;
  EXPECT_TRUE(client::parseTarget(address, "1847", t.link.target, err)) << err;
  t.name = t.link.name = address;
  return t;
}

WatcherOptions fast() {
  WatcherOptions o;
  o.connectTimeout = 500ms;
  o.minBackoff = 20ms;
  o.maxBackoff = 200ms;
  return o;
}

void set(MiniFaild& f, const std::string& name, state::State s, const std::string& note = {}) {
  state::SetInput in;
  in.name = name;
  in.state = s;
  in.note = note;
  in.origin = "test";
  std::uint64_t serial = 0;
  f.store.set(in, wallNow(), steadyNow(), [](bool, std::uint64_t, const std::string&) {}, serial);
}

TEST(MonWatcher, ListsThenFollowsChangesOfAFaild) {
  Loop loop;
  MiniFaild faild(loop.ev());
  set(faild, "www", state::State::Up);
  Model m;
  Watcher w(loop.base(), m, {spec(faild.address())}, fast());
  int updates = 0;
  w.onUpdate([&] { ++updates; });
  w.start();
  ASSERT_TRUE(loop.until([&] { return m.at(0).synced; }));
  EXPECT_EQ(m.at(0).kind, Kind::Faild);
  EXPECT_EQ(m.at(0).reach, Reach::Up);
  EXPECT_EQ(m.at(0).records.size(), 1u);
  set(faild, "www", state::State::Fail, "HTTP 503");
  ASSERT_TRUE(loop.until([&] { return m.at(0).records.at("www").record.state == state::State::Fail; }));
  EXPECT_EQ(m.at(0).records.at("www").record.note, "HTTP 503");
  EXPECT_GT(updates, 0);
}

TEST(MonWatcher, OneUpdatePerBatchOfLines) {
  Loop loop;
  MiniFaild faild(loop.ev());
  for (int i = 0; i < 2000; ++i) set(faild, "r" + std::to_string(i), state::State::Up);
  Model m;
  Watcher w(loop.base(), m, {spec(faild.address())}, fast());
  int updates = 0;
  w.onUpdate([&] { ++updates; });
  w.start();
  ASSERT_TRUE(loop.until([&] { return m.at(0).synced; }));
  EXPECT_EQ(m.at(0).records.size(), 2000u);
  // 2002 lines (OK WATCH, the records, SYNCED) came in a few reads, not one call each.
  EXPECT_LT(updates, 200);
}

TEST(MonWatcher, AnUnreachableTargetIsDownWithTheReason) {
  Loop loop;
  int port;
  {
    SilentFaild gone(loop.base());
    port = gone.port();
  }
  Model m;
  Watcher w(loop.base(), m, {spec("127.0.0.1:" + std::to_string(port))}, fast());
  w.start();
  ASSERT_TRUE(loop.until([&] { return m.at(0).reach == Reach::Down; }));
  EXPECT_NE(m.at(0).why.find("refused"), std::string::npos) << m.at(0).why;
}

TEST(MonWatcher, ATargetThatGreetsThenStallsIsDownWithinSeconds) {
  Loop loop;
  SilentFaild silent(loop.base());
  Model m;
  Watcher w(loop.base(), m, {spec(silent.address())}, fast());
  w.start();
  auto sent = [&](const std::string& what) {
    for (const auto& l : silent.lines())
      if (l.starts_with(what)) return true;
    return false;
  };
  ASSERT_TRUE(loop.until([&] { return sent("WATCH"); }, 10s));
  auto watchAt = std::chrono::steady_clock::now();
  // Greeted, but WATCH is not answered: not reachable, and down once PING is not either.
  EXPECT_EQ(m.at(0).reach, Reach::Connecting);
  ASSERT_TRUE(loop.until([&] { return m.at(0).reach == Reach::Down; }, 15s));
  EXPECT_LT(std::chrono::steady_clock::now() - watchAt, 10s);
  EXPECT_NE(m.at(0).why.find("PING"), std::string::npos) << m.at(0).why;
  bool pinged = false;
  for (const auto& l : silent.lines()) pinged |= l == "PING";
  EXPECT_TRUE(pinged);
}

TEST(MonWatcher, AQuietTargetThatAnswersPingStaysUp) {
  Loop loop;
  MiniFaild faild(loop.ev());
  set(faild, "www", state::State::Up);
  Model m;
  Watcher w(loop.base(), m, {spec(faild.address())}, fast());  // PING after 1 s of silence
  w.start();
  ASSERT_TRUE(loop.until([&] { return m.at(0).synced; }));
  Micros upSince = m.at(0).reachSince;
  loop.runFor(3500ms);
  EXPECT_EQ(m.at(0).reach, Reach::Up);
  EXPECT_EQ(m.at(0).reachSince, upSince);
  EXPECT_TRUE(m.at(0).synced);
}

TEST(MonWatcher, ResumesWithSinceAfterAReconnectAndMissesNoChange) {
  Loop loop;
  auto faild = std::make_unique<MiniFaild>(loop.ev());
  std::string address = faild->address();
  set(*faild, "a", state::State::Up);
  Model m;
  Watcher w(loop.base(), m, {spec(address)}, fast());
  w.start();
  ASSERT_TRUE(loop.until([&] { return m.at(0).synced; }));
  // The same store behind a new server on the same port: the link resumes with since=.
  faild->srv->stop();
  ASSERT_TRUE(loop.until([&] { return m.at(0).reach == Reach::Down; }));
  set(*faild, "a", state::State::Fail);
  set(*faild, "b", state::State::Up);
  faild->srv.reset();
  server::ServerConfig c;
  std::string err;
  c.listens.push_back(*net::parseListen(address, err));
  faild->srv = std::make_unique<server::Server>(loop.ev(), c, faild->store);
  faild->srv->start();
  ASSERT_TRUE(loop.until([&] { return m.at(0).synced && m.at(0).records.size() == 2; }));
  EXPECT_EQ(m.at(0).records.at("a").record.state, state::State::Fail);
  EXPECT_EQ(m.at(0).restartedAt, 0);
  EXPECT_EQ(m.at(0).changes, 2u);  // the two missed changes came as CHANGE (since=), not a listing
}

TEST(MonWatcher, AFaildRestartedWithAnEmptyStateShowsAsRestarted) {
  Loop loop;
  auto faild = std::make_unique<MiniFaild>(loop.ev());
  std::string address = faild->address();
  for (int i = 0; i < 5; ++i) set(*faild, "a", i % 2 ? state::State::Up : state::State::Fail);
  Model m;
  Watcher w(loop.base(), m, {spec(address)}, fast());
  w.start();
  ASSERT_TRUE(loop.until([&] { return m.at(0).synced; }));
  faild.reset();
  ASSERT_TRUE(loop.until([&] { return m.at(0).reach == Reach::Down; }));
  faild = std::make_unique<MiniFaild>(loop.ev(), address);  // serials start again at 0
  set(*faild, "fresh", state::State::Up);
  ASSERT_TRUE(loop.until([&] { return m.at(0).synced; }));
  EXPECT_NE(m.at(0).restartedAt, 0);
  EXPECT_EQ(m.at(0).records.size(), 1u);
  EXPECT_TRUE(m.at(0).records.count("fresh"));
}

TEST(MonWatcher, BackfillBringsTheChangesTheServerHolds) {
  Loop loop;
  MiniFaild faild(loop.ev());
  set(faild, "www", state::State::Up);
  set(faild, "www", state::State::Fail);
  set(faild, "other", state::State::Up);
  set(faild, "www", state::State::Recover);
  Model m;
  Watcher w(loop.base(), m, {spec(faild.address())}, fast());
  int updates = 0;
  w.onUpdate([&] { ++updates; });
  w.start();
  ASSERT_TRUE(loop.until([&] { return m.at(0).synced; }));
  EXPECT_EQ(m.at(0).records.at("www").recent.size(), 1u);
  w.backfill(0, "www");
  ASSERT_TRUE(loop.until([&] { return m.at(0).records.at("www").recent.size() == 3; }));
  const auto& recent = m.at(0).records.at("www").recent;
  EXPECT_EQ(recent[0].state, state::State::Up);
  EXPECT_EQ(recent[1].state, state::State::Fail);
  EXPECT_EQ(recent[2].state, state::State::Recover);
  w.backfill(0, "nosuch");  // nothing to add, quietly
  loop.runFor(200ms);
}

// A server that no longer holds its oldest changes answers since=0 with ERR GONE naming
// where its history starts; the backfill asks again from there.
TEST(MonWatcher, BackfillAsksAgainFromTheStartOfAShortHistory) {
  Loop loop;
  state::Store::Options so;
  so.historyMax = 3;
  state::Store store(nullptr, state::Recovery{}, so, steadyNow());
  server::ServerConfig c;
  std::string err;
  c.listens.push_back(*net::parseListen("127.0.0.1:0", err));
  server::Server srv(loop.ev(), c, store);
  srv.start();
  auto setIn = [&](const std::string& name, state::State st) {
    state::SetInput in;
    in.name = name;
    in.state = st;
    std::uint64_t serial = 0;
    store.set(in, wallNow(), steadyNow(), [](bool, std::uint64_t, const std::string&) {}, serial);
  };
  const state::State states[] = {state::State::Up, state::State::Fail, state::State::Recover, state::State::Up,
                                 state::State::Fail};
  for (state::State st : states) setIn("www", st);  // serials 1-5; 3, 4 and 5 are held
  Model m;
  Watcher w(loop.base(), m, {spec(srv.boundAddresses().at(0))}, fast());
  w.start();
  ASSERT_TRUE(loop.until([&] { return m.at(0).synced; }));
  w.backfill(0, "www");
  ASSERT_EQ(store.historyBase(), 2u);
  ASSERT_TRUE(loop.until([&] { return m.at(0).records.at("www").recent.size() == 3; }));
  const auto& recent = m.at(0).records.at("www").recent;
  EXPECT_EQ(recent[0].serial, 3u);  // the changes after serial 2, the history's base
  EXPECT_EQ(recent[0].state, state::State::Recover);
  EXPECT_EQ(recent[1].serial, 4u);
  EXPECT_EQ(recent[2].serial, 5u);
  srv.stop();
}

TEST(MonWatcher, ATargetThatSendsGarbageIsDownWithTheReasonAndRetriedWithBackoff) {
  Loop loop;
  // Greets like faild, then answers WATCH with garbage.
  client::test::FakeServer garbage(client::test::FakeServer::canned({{"WATCH", {"OK WATCH 0", "\x01\x02 garbage {", "<close>"}}}));
  Model m;
  WatcherOptions o = fast();
  o.maxBackoff = 1000ms;
  Watcher w(loop.base(), m, {spec("127.0.0.1:" + garbage.port())}, o);
  w.start();
  ASSERT_TRUE(loop.until([&] { return m.at(0).reach == Reach::Down && !m.at(0).why.empty(); }));
  std::string why = m.at(0).why;
  EXPECT_FALSE(why.empty());
  loop.runFor(1500ms);
  // At most a few attempts in 1.5 s: the backoff after a greeting that led nowhere is full.
  std::size_t hellos = 0;
  for (const auto& r : garbage.requests()) hellos += r.starts_with("HELLO");
  EXPECT_LE(hellos, 4u);
}

}  // namespace
}  // namespace fail::mon
