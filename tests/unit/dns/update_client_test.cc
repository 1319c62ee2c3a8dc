// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The I/O of RFC 2136 exchanges against a scripted server on loopback, on the same loop.
#include "dns/update_client.hh"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <functional>

#include "base/unique_fd.hh"
#include "dns/ldns.hh"
#include "ev/ev.hh"

namespace fail::dns {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;

// The reply to `query` with its question, RRs `answers` (texts) and `tc`.
Bytes answer(const Bytes& query, const std::vector<std::string>& answers, bool tc = false, int idDelta = 0) {
  ldns_pkt* p = nullptr;
  EXPECT_EQ(ldns_wire2pkt(&p, query.data(), query.size()), LDNS_STATUS_OK);
  ldns_pkt_set_qr(p, true);
  ldns_pkt_set_tc(p, tc);
  ldns_pkt_set_id(p, static_cast<std::uint16_t>(ldns_pkt_id(p) + idDelta));
  for (const auto& t : answers) {
    ldns_rr* rr = nullptr;
    EXPECT_EQ(ldns_rr_new_frm_str(&rr, t.c_str(), 0, nullptr, nullptr), LDNS_STATUS_OK);
    ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
  }
  std::uint8_t* w = nullptr;
  size_t n = 0;
  EXPECT_EQ(ldns_pkt2wire(&w, p, &n), LDNS_STATUS_OK);
  Bytes out(w, w + n);
  free(w);
  ldns_pkt_free(p);
  return out;
}

std::uint16_t idOf(const Bytes& m) { return static_cast<std::uint16_t>(m[0] << 8 | m[1]); }

sockaddr_in loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// A DNS server on 127.0.0.1 (UDP and TCP on one port) whose replies a test scripts.
class ScriptedServer {
 public:
  // Given the query and whether it came over TCP, the messages to send back (UDP: from
  // the server's socket unless `stranger`).
  std::function<std::vector<Bytes>(const Bytes&, bool tcp)> script;
  bool stranger = false;  // UDP replies from another socket
  std::vector<Bytes> udpQueries, tcpQueries;

  explicit ScriptedServer(ev::Loop& loop)
      : udpWatch_(loop.base(), [this](ev::IoWatch::Ready) { onUdp(); }),
        listenWatch_(loop.base(), [this](ev::IoWatch::Ready) { onAccept(); }),
        connWatch_(loop.base(), [this](ev::IoWatch::Ready) { onConn(); }) {
    listen_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    int one = 1;
    ::setsockopt(listen_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a = loopback(0);
    EXPECT_EQ(::bind(listen_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ::getsockname(listen_.get(), reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(listen_.get(), 4);
    udp_.reset(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    EXPECT_EQ(::bind(udp_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    other_.reset(::socket(AF_INET, SOCK_DGRAM, 0));
    udpWatch_.watch(udp_.get(), EV_READ | EV_PERSIST);
    listenWatch_.watch(listen_.get(), EV_READ | EV_PERSIST);
  }
  int port() const { return port_; }
  net::Address address() const { return *net::resolveHostPort("127.0.0.1:" + std::to_string(port_)); }

 private:
  void onUdp() {
    std::uint8_t buf[65536];
    sockaddr_storage from{};
    socklen_t flen = sizeof from;
    ssize_t n = ::recvfrom(udp_.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &flen);
    if (n <= 0) return;
    Bytes q(buf, buf + n);
    udpQueries.push_back(q);
    for (const auto& r : script(q, false))
      ::sendto(stranger ? other_.get() : udp_.get(), r.data(), r.size(), 0, reinterpret_cast<sockaddr*>(&from), flen);
  }
  void onAccept() {
    conn_.reset(::accept(listen_.get(), nullptr, nullptr));
    in_.clear();
    if (conn_) connWatch_.watch(conn_.get(), EV_READ | EV_PERSIST);
  }
  void onConn() {
    std::uint8_t buf[65536];
    ssize_t n = ::read(conn_.get(), buf, sizeof buf);
    if (n <= 0) {
      connWatch_.stop();
      conn_.reset();
      return;
    }
    in_.insert(in_.end(), buf, buf + n);
    if (in_.size() < 2 || in_.size() < 2u + (in_[0] << 8 | in_[1])) return;
    Bytes q(in_.begin() + 2, in_.end());
    tcpQueries.push_back(q);
    for (const auto& r : script(q, true)) {
      Bytes framed{static_cast<std::uint8_t>(r.size() >> 8), static_cast<std::uint8_t>(r.size())};
      framed.insert(framed.end(), r.begin(), r.end());
      EXPECT_EQ(::write(conn_.get(), framed.data(), framed.size()), static_cast<ssize_t>(framed.size()));
    }
  }

  UniqueFd listen_, udp_, other_, conn_;
  int port_ = 0;
  Bytes in_;
  ev::IoWatch udpWatch_, listenWatch_, connWatch_;
};

class UpdateClientTest : public ::testing::Test {
 protected:
  ev::Loop loop;
  ScriptedServer server{loop};
  UpdateClient client{loop};

  // Sends and runs the loop until the result (or 20 s, a failure).
  Result exchange(Request req, ExchangeOptions opt = {}, const net::Address* to = nullptr) {
    std::optional<Result> got;
    client.send(to ? *to : server.address(), std::move(req), opt, [&](const Result& r) {
      got = r;
      loop.stop();
    });
    ev::Timer guard(loop.base(), [&] { loop.stop(); });
    guard.arm(20s);
    loop.run();
    EXPECT_TRUE(got) << "no result within 20 s";
    return got.value_or(Result{});
  }
  static Request query() { return *Request::query("www.example.test", kTypeA, nullptr, nullptr); }
};

TEST_F(UpdateClientTest, IgnoresWrongIdsAndStrangersAndKeepsWaiting) {
  server.script = [](const Bytes& q, bool) {
    return std::vector<Bytes>{answer(q, {"www.example.test. 60 IN A 203.0.113.66"}, false, 1),
                              {1, 2, 3},
                              answer(q, {"www.example.test. 60 IN A 203.0.113.10"})};
  };
  Result r = exchange(query());
  EXPECT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.records, std::vector<std::string>{"203.0.113.10"});
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.transport, Transport::Udp);
  EXPECT_EQ(r.server, "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(client.counters().ignored, 2u);
}

TEST_F(UpdateClientTest, RepliesFromAnotherAddressAreIgnored) {
  server.stranger = true;
  server.script = [](const Bytes& q, bool) { return std::vector<Bytes>{answer(q, {})}; };
  ExchangeOptions opt;
  opt.deadline = 300ms;
  opt.firstTimeout = 100ms;
  Result r = exchange(query(), opt);
  EXPECT_FALSE(r.answered);
  EXPECT_TRUE(r.timedOut);
  EXPECT_EQ(r.status(), "TIMEOUT");
  EXPECT_NE(r.error.find("(ignored: a datagram from another address)"), std::string::npos) << r.error;
}

TEST_F(UpdateClientTest, RetriesWithAFreshIdAfterSilence) {
  server.script = [this](const Bytes& q, bool) {
    if (server.udpQueries.size() < 3) return std::vector<Bytes>{};
    return std::vector<Bytes>{answer(q, {"www.example.test. 60 IN A 203.0.113.10"})};
  };
  ExchangeOptions opt;
  opt.firstTimeout = 50ms;
  Result r = exchange(query(), opt);
  EXPECT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.attempts, 3);
  ASSERT_EQ(server.udpQueries.size(), 3u);
  EXPECT_NE(idOf(server.udpQueries[0]), idOf(server.udpQueries[1]));
  EXPECT_EQ(client.counters().sent, 3u);
}

TEST_F(UpdateClientTest, TruncatedRepliesAreAskedAgainOverTcp) {
  server.script = [](const Bytes& q, bool tcp) {
    if (!tcp) return std::vector<Bytes>{answer(q, {}, true)};
    return std::vector<Bytes>{answer(q, {"www.example.test. 60 IN A 203.0.113.10", "www.example.test. 60 IN A 203.0.113.11"})};
  };
  Result r = exchange(query());
  EXPECT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.transport, Transport::Tcp);
  EXPECT_EQ(r.records.size(), 2u);
  EXPECT_EQ(server.udpQueries.size(), 1u);
  ASSERT_EQ(server.tcpQueries.size(), 1u);
  EXPECT_NE(idOf(server.udpQueries[0]), idOf(server.tcpQueries[0]));
}

TEST_F(UpdateClientTest, LargeUpdatesGoOverTcp) {
  RrsetChange c{"www.example.test", kTypeAaaa, 60, {}, std::nullopt};
  for (int i = 1; i <= 40; ++i) c.records.push_back("2001:db8::" + std::to_string(i));
  auto up = Request::update("example.test", {c}, nullptr, nullptr);
  ASSERT_TRUE(up);
  server.script = [](const Bytes& q, bool) {
    Bytes r(q.begin(), q.begin() + 12);
    r[2] |= 0x80;
    r[4] = r[5] = r[6] = r[7] = r[8] = r[9] = r[10] = r[11] = 0;  // no sections: a reply without the question
    r[3] = (r[3] & 0xf0) | kRefused;
    return std::vector<Bytes>{r};
  };
  Result r = exchange(std::move(*up));
  EXPECT_TRUE(r.answered) << r.error;
  EXPECT_EQ(r.status(), "REFUSED");
  EXPECT_EQ(r.error, "REFUSED from 127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(r.transport, Transport::Tcp);
  EXPECT_TRUE(server.udpQueries.empty());
  EXPECT_EQ(client.counters().updates, 1u);
}

TEST_F(UpdateClientTest, AClosedPortTimesOutAfterRetries) {
  UniqueFd s(::socket(AF_INET, SOCK_DGRAM, 0));
  sockaddr_in a = loopback(0);
  ::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(s.get(), reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  s.reset();  // closed: nothing answers there
  net::Address closed = *net::resolveHostPort("127.0.0.1:" + std::to_string(port));
  ExchangeOptions opt;
  opt.deadline = 700ms;
  opt.firstTimeout = 100ms;
  Result r = exchange(query(), opt, &closed);
  EXPECT_FALSE(r.answered);
  EXPECT_TRUE(r.timedOut);
  EXPECT_EQ(r.attempts, 3);  // 100 + 200 + 400 ms
  EXPECT_EQ(r.error.rfind("no reply from 127.0.0.1:" + std::to_string(port) + " within 700 ms after 3 attempts", 0), 0u)
      << r.error;
  EXPECT_GE(r.elapsed, 650ms);
}

TEST_F(UpdateClientTest, CancelDropsTheCallback) {
  server.script = [](const Bytes& q, bool) { return std::vector<Bytes>{answer(q, {})}; };
  bool called = false;
  auto id = client.send(server.address(), query(), {}, [&](const Result&) { called = true; });
  EXPECT_EQ(client.pending(), 1u);
  client.cancel(id);
  EXPECT_EQ(client.pending(), 0u);
  ev::Timer stop(loop.base(), [&] { loop.stop(); });
  stop.arm(100ms);
  loop.run();
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace fail::dns
