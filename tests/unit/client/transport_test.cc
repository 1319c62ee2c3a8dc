// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// client::Transport (the connection under Link and hc's Reporter) and client::Link on
// top of it, against the threaded FakeServer.
#include "client/transport.hh"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../hc/loop.hh"
#include "base/version.hh"
#include "client/link.hh"
#include "fake_server.hh"

namespace fail::client {
namespace {

using test::FakeServer;
using Loop = hc::test::Loop;
using namespace std::chrono_literals;

LinkSpec specFor(const FakeServer& s, std::string secret = {}) {
  LinkSpec spec;
  spec.name = "test";
  spec.target.host = "127.0.0.1";
  spec.target.port = s.port();
  spec.secret = std::move(secret);
  return spec;
}

LinkOptions fast(std::string client = "tester") {
  LinkOptions o;
  o.client = std::move(client);
  o.minBackoff = 10ms;
  o.maxBackoff = 40ms;
  return o;
}

struct Recorder {
  int ready = 0;
  std::vector<std::string> lines;
  std::vector<Transport::Break> breaks;
  Transport::Events events() {
    return {[this] { ++ready; }, [this](const std::string& l) { lines.push_back(l); },
            [this](const Transport::Break& b) { breaks.push_back(b); }, {}};
  }
};

TEST(Transport, GreetsWithItsNameAndSecretThenPassesLines) {
  FakeServer server([](const std::string& req) -> std::vector<std::string> {
    if (req.rfind("HELLO", 0) == 0) return {"OK faild 0.1.0 proto 1 auth required"};
    if (req.rfind("AUTH", 0) == 0) return {"OK rw alice"};
    return {"OK " + req};
  });
  Loop loop;
  Recorder rec;
  Transport t(loop.base(), specFor(server, "s3cret"), fast("hc"), rec.events());
  t.start();
  ASSERT_TRUE(loop.until([&] { return t.ready(); }));
  EXPECT_EQ(rec.ready, 1);
  t.write("PING\n");
  ASSERT_TRUE(loop.until([&] { return !rec.lines.empty(); }));
  EXPECT_EQ(rec.lines[0], "OK PING");
  auto reqs = server.requests();
  ASSERT_GE(reqs.size(), 3u);
  EXPECT_EQ(reqs[0], std::string("HELLO hc ") + kVersion);
  EXPECT_EQ(reqs[1], "AUTH s3cret");
  EXPECT_TRUE(rec.breaks.empty());
}

TEST(Transport, ASecretMissingOrRefusedIsSaidApart) {
  FakeServer server([](const std::string& req) -> std::vector<std::string> {
    if (req.rfind("HELLO", 0) == 0) return {"OK faild 0.1.0 proto 1 auth required"};
    return {"ERR DENIED wrong secret"};
  });
  Loop loop;
  Recorder none, wrong;
  Transport a(loop.base(), specFor(server), fast(), none.events());
  a.start();
  ASSERT_TRUE(loop.until([&] { return !none.breaks.empty(); }));
  EXPECT_EQ(none.breaks[0].end, Transport::End::NeedSecret);
  EXPECT_FALSE(none.breaks[0].wasReady);
  a.stop();
  Transport b(loop.base(), specFor(server, "guess"), fast(), wrong.events());
  b.start();
  ASSERT_TRUE(loop.until([&] { return !wrong.breaks.empty(); }));
  EXPECT_EQ(wrong.breaks[0].end, Transport::End::AuthRefused);
  EXPECT_NE(wrong.breaks[0].why.find("DENIED"), std::string::npos) << wrong.breaks[0].why;
  EXPECT_EQ(none.ready + wrong.ready, 0);
}

TEST(Transport, ReconnectsAfterTheServerCloses) {
  FakeServer server([](const std::string& req) -> std::vector<std::string> {
    if (req.rfind("HELLO", 0) == 0) return {"OK faild 0.1.0 proto 1 auth none"};
    return {"<close>"};
  });
  Loop loop;
  Recorder rec;
  Transport t(loop.base(), specFor(server), fast(), rec.events());
  t.start();
  ASSERT_TRUE(loop.until([&] { return t.ready(); }));
  t.write("BYE\n");
  ASSERT_TRUE(loop.until([&] { return rec.ready == 2; }));
  ASSERT_EQ(rec.breaks.size(), 1u);
  EXPECT_TRUE(rec.breaks[0].wasReady);
  EXPECT_EQ(rec.breaks[0].end, Transport::End::Lost);
  t.stop();
  EXPECT_EQ(rec.breaks.back().end, Transport::End::Stopped);
  EXPECT_FALSE(t.running());
}

TEST(Transport, TheOwnersFailBreaksAndRetries) {
  FakeServer server(FakeServer::canned({}));
  Loop loop;
  Recorder rec;
  Transport t(loop.base(), specFor(server), fast(), rec.events());
  t.start();
  ASSERT_TRUE(loop.until([&] { return t.ready(); }));
  t.fail("no answer in time");
  EXPECT_FALSE(t.ready());
  ASSERT_EQ(rec.breaks.size(), 1u);
  EXPECT_EQ(rec.breaks[0].why, "no answer in time");
  ASSERT_TRUE(loop.until([&] { return rec.ready == 2; }));
}

TEST(Link, RequestsMadeWhileConnectingAreAnsweredInOrder) {
  FakeServer server(FakeServer::canned({{"GET", {"ERR NOTFOUND no such record"}}, {"PING", {"OK PONG"}}}));
  Loop loop;
  Link link(loop.base(), specFor(server), fast());
  link.start();
  std::vector<std::string> got;
  link.request("PING", [&](const Reply& r) { got.push_back(r.ok ? "ok" : r.code); }, 5s);
  link.request("GET x", [&](const Reply& r) { got.push_back(r.ok ? "ok" : r.code); }, 5s);
  ASSERT_TRUE(loop.until([&] { return got.size() == 2; }));
  EXPECT_EQ(got, (std::vector<std::string>{"ok", "NOTFOUND"}));
  EXPECT_EQ(server.requests().at(0), std::string("HELLO tester ") + kVersion);
  link.stop();
  link.request("PING", [&](const Reply& r) { got.push_back(r.ok ? "ok" : r.code); }, 5s);
  EXPECT_EQ(got.back(), "DOWN");
}

}  // namespace
}  // namespace fail::client
