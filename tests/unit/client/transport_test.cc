// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// client::Transport (the connection under Link and hc's Reporter) and client::Link on
// top of it, against the threaded FakeServer.
#include "client/transport.hh"

#include <gtest/gtest.h>

#include <cstdio>
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

// The deadline is the earliest of the requests in flight, not the oldest's: a request
// with a short timeout behind one with a long timeout breaks the link in time.
TEST(Link, TheEarliestDeadlineBreaksTheLinkWhateverItsPlace) {
  bool hung = false;  // the server's thread only: after HANG it answers nothing
  FakeServer::Handler canned = FakeServer::canned({{"PING", {"OK PONG"}}});
  FakeServer server([&hung, canned](const std::string& req) -> std::vector<std::string> {
    hung = hung || req == "HANG";
    return hung ? std::vector<std::string>{} : canned(req);
  });
  Loop loop;
  Link link(loop.base(), specFor(server), fast());
  link.start();
  ASSERT_TRUE(loop.until([&] { return link.up(); }));
  std::vector<std::string> got;
  auto start = std::chrono::steady_clock::now();
  link.request("HANG", [&](const Reply& r) { got.push_back(r.ok ? "ok" : r.code + " " + r.message); }, 60s);
  link.request("PING", [&](const Reply& r) { got.push_back(r.ok ? "ok" : r.code + " " + r.message); }, 200ms);
  ASSERT_TRUE(loop.until([&] { return got.size() == 2; }));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 30s);  // not the 60 s of the first
  EXPECT_EQ(got, (std::vector<std::string>{"DOWN no answer in time", "DOWN no answer in time"}));
}

// Pipelined requests (the DNS front-end SETs dns:NAME for each of its pools at start),
// with two timeouts mixed, all answered in order. Each request and each reply used to
// scan every request in flight for the next deadline: O(n²), 0.9 to 1.6 s for 20,000 and
// 30 s for 100,000 (a shared 2-core machine); now 30 to 100 ms and 0.35 s. The bound is
// generous, for a loaded machine, yet well below what the scan took.
void pipelined(int requests, std::chrono::milliseconds bound) {
  FakeServer server(FakeServer::canned({{"PING", {"OK PONG"}}}));
  Loop loop;
  Link link(loop.base(), specFor(server), fast());
  link.start();
  ASSERT_TRUE(loop.until([&] { return link.up(); }));
  const int kRequests = requests;
  int answered = 0, inOrder = 0;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRequests; ++i)
    link.request("PING", [&, i](const Reply& r) { answered++, inOrder += r.ok && i == answered - 1; },
                 i % 2 ? 60s : 30s);
  ASSERT_TRUE(loop.until([&] { return answered == kRequests; }, bound + 60s)) << answered << " answered";
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  EXPECT_EQ(inOrder, kRequests);
  EXPECT_LT(took, bound);
  std::printf("%d pipelined requests answered in %lld ms\n", kRequests, static_cast<long long>(took.count()));
  EXPECT_TRUE(link.up());
}

TEST(Link, TwentyThousandPipelinedRequestsAreAnsweredQuickly) { pipelined(20000, 20s); }

TEST(Link, AHundredThousandPipelinedRequestsTakeLinearTime) { pipelined(100000, 10s); }

}  // namespace
}  // namespace fail::client
