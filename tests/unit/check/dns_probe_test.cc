// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The dns probe against an in-test DNS server (UDP and TCP, its answers built with ldns)
// and against a real BIND 9 `named -g` serving a tiny zone on a loopback port.
#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <functional>
#include <thread>

#include "peer_util.hh"

// Before ldns: without it, ldns/common.h defines bool, true and false as macros.
#include <stdbool.h>

#include <ldns/ldns.h>

namespace fail::check {
namespace {

using namespace std::chrono_literals;
using test::attr;
using test::probeOnce;

// A reply to `query` (its wire form): the same ID (plus `idDelta`) and question, QR and
// AA set, `answers` in presentation form ("www.example.test. 60 IN A 203.0.113.10").
std::string reply(const std::string& query, int rcode, const std::vector<std::string>& answers,
                  bool tc = false, int idDelta = 0) {
  ldns_pkt* q = nullptr;
  EXPECT_EQ(ldns_wire2pkt(&q, reinterpret_cast<const uint8_t*>(query.data()), query.size()),
            LDNS_STATUS_OK);
  ldns_pkt* p = ldns_pkt_new();
  ldns_pkt_set_id(p, static_cast<uint16_t>(ldns_pkt_id(q) + idDelta));
  ldns_pkt_set_qr(p, true);
  ldns_pkt_set_aa(p, true);
  ldns_pkt_set_tc(p, tc);
  ldns_pkt_set_rcode(p, static_cast<uint8_t>(rcode));
  ldns_pkt_push_rr(p, LDNS_SECTION_QUESTION, ldns_rr_clone(ldns_rr_list_rr(ldns_pkt_question(q), 0)));
  for (const auto& a : answers) {
    ldns_rr* rr = nullptr;
    EXPECT_EQ(ldns_rr_new_frm_str(&rr, a.c_str(), 0, nullptr, nullptr), LDNS_STATUS_OK) << a;
    ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
  }
  uint8_t* wire = nullptr;
  size_t size = 0;
  EXPECT_EQ(ldns_pkt2wire(&wire, p, &size), LDNS_STATUS_OK);
  std::string out(reinterpret_cast<char*>(wire), size);
  free(wire);
  ldns_pkt_free(p);
  ldns_pkt_free(q);
  return out;
}

// Serves 127.0.0.1:port over UDP and TCP from its own thread. For each query, `answer`
// gives the messages to send back (none: silence).
class FakeDns {
 public:
  using Answer = std::function<std::vector<std::string>(const std::string& query, bool tcp)>;
  explicit FakeDns(Answer answer) : answer_(std::move(answer)) {
    port_ = test::freePort();
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port_));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    udp_.reset(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    tcp_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    EXPECT_EQ(::bind(udp_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::bind(tcp_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(tcp_.get(), 8), 0);
    thread_ = std::thread([this] { run(); });
  }
  ~FakeDns() {
    stop_ = true;
    thread_.join();
  }
  std::string port() const { return std::to_string(port_); }
  int udpQueries() const { return udpQueries_; }
  int tcpQueries() const { return tcpQueries_; }

 private:
  void run() {
    while (!stop_) {
      pollfd p[2] = {{udp_.get(), POLLIN, 0}, {tcp_.get(), POLLIN, 0}};
      if (::poll(p, 2, 20) <= 0) continue;
      if (p[0].revents & POLLIN) serveUdp();
      if (p[1].revents & POLLIN) serveTcp();
    }
  }
  void serveUdp() {
    char buf[65536];
    sockaddr_storage from{};
    socklen_t len = sizeof from;
    ssize_t n = ::recvfrom(udp_.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n <= 0) return;
    ++udpQueries_;
    for (const auto& r : answer_(std::string(buf, static_cast<size_t>(n)), false))
      ::sendto(udp_.get(), r.data(), r.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
  }
  bool readFull(int fd, char* buf, size_t len) {
    while (len > 0 && !stop_) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      ssize_t n = ::recv(fd, buf, len, MSG_DONTWAIT);
      if (n <= 0) return false;
      buf += n;
      len -= static_cast<size_t>(n);
    }
    return len == 0;
  }
  void serveTcp() {
    UniqueFd c(::accept(tcp_.get(), nullptr, nullptr));
    if (!c) return;
    char hdr[2];
    if (!readFull(c.get(), hdr, 2)) return;
    std::string q(static_cast<size_t>((static_cast<uint8_t>(hdr[0]) << 8) | static_cast<uint8_t>(hdr[1])), '\0');
    if (!readFull(c.get(), q.data(), q.size())) return;
    ++tcpQueries_;
    auto replies = answer_(q, true);
    for (const auto& r : replies) {
      std::string framed{static_cast<char>(r.size() >> 8), static_cast<char>(r.size() & 0xff)};
      framed += r;
      ::send(c.get(), framed.data(), framed.size(), MSG_NOSIGNAL);
    }
    if (replies.empty()) readFull(c.get(), hdr, 1);  // silent: hold until the client goes
  }

  Answer answer_;
  int port_ = 0;
  UniqueFd udp_, tcp_;
  std::atomic<bool> stop_{false};
  std::atomic<int> udpQueries_{0}, tcpQueries_{0};
  std::thread thread_;
};

std::map<std::string, std::string> ask(const FakeDns& s, std::map<std::string, std::string> more = {}) {
  more["server"] = "127.0.0.1";
  more["port"] = s.port();
  if (!more.count("name")) more["name"] = "www.example.test";
  return more;
}

const std::string kA = "www.example.test. 60 IN A 203.0.113.10";
const std::string kA2 = "www.example.test. 60 IN A 203.0.113.11";

TEST(DnsProbe, AnswerAndExpect) {
  FakeDns s([](const std::string& q, bool) { return std::vector{reply(q, LDNS_RCODE_NOERROR, {kA, kA2})}; });
  ProbeResult r = probeOnce("dns", ask(s, {{"expect", "203.0.113.11 203.0.113.10"}}));
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  EXPECT_EQ(attr(r, "answer"), "203.0.113.10, 203.0.113.11");
  EXPECT_EQ(attr(r, "rcode"), "NOERROR");
  EXPECT_EQ(attr(r, "transport"), "udp");

  r = probeOnce("dns", ask(s, {{"expect", "203.0.113.10 203.0.113.12"}}));
  EXPECT_EQ(r.outcome, Outcome::Fail);
  EXPECT_EQ(r.note, "answer mismatch");
}

TEST(DnsProbe, RdataComparedCanonically) {
  FakeDns s([](const std::string& q, bool) {
    return std::vector{reply(q, LDNS_RCODE_NOERROR,
                             {"example.test. 60 IN MX 10 Mail.Example.Test.",
                              "example.test. 60 IN MX 20 backup.example.test."})};
  });
  ProbeResult r = probeOnce("dns", ask(s, {{"name", "example.test"}, {"type", "mx"},
                                           {"expect", "{10 mail.example.test}"}}));
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  r = probeOnce("dns", ask(s, {{"name", "example.test"}, {"type", "MX"},
                               {"expect", "{30 mail.example.test.}"}}));
  EXPECT_EQ(r.note, "answer mismatch");
}

TEST(DnsProbe, Rcodes) {
  FakeDns s([](const std::string& q, bool) { return std::vector{reply(q, LDNS_RCODE_SERVFAIL, {})}; });
  ProbeResult r = probeOnce("dns", ask(s));
  EXPECT_EQ(r.outcome, Outcome::Fail);
  EXPECT_EQ(r.note, "rcode SERVFAIL");
  FakeDns nx([](const std::string& q, bool) { return std::vector{reply(q, LDNS_RCODE_NXDOMAIN, {})}; });
  EXPECT_EQ(probeOnce("dns", ask(nx, {{"rcode", "nxdomain"}})).outcome, Outcome::Ok);
  EXPECT_EQ(probeOnce("dns", ask(nx)).note, "rcode NXDOMAIN");
}

TEST(DnsProbe, TruncatedGoesToTcp) {
  FakeDns s([](const std::string& q, bool tcp) {
    if (!tcp) return std::vector{reply(q, LDNS_RCODE_NOERROR, {}, true)};
    return std::vector{reply(q, LDNS_RCODE_NOERROR, {kA})};
  });
  ProbeResult r = probeOnce("dns", ask(s, {{"expect", "203.0.113.10"}}));
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  EXPECT_EQ(attr(r, "transport"), "tcp");
  EXPECT_EQ(s.udpQueries(), 1);
  EXPECT_EQ(s.tcpQueries(), 1);

  r = probeOnce("dns", ask(s, {{"tcp", "1"}}));
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  EXPECT_EQ(s.udpQueries(), 1);  // straight to TCP
}

TEST(DnsProbe, MismatchedIdsAreIgnored) {
  FakeDns s([](const std::string& q, bool) {
    return std::vector{reply(q, LDNS_RCODE_SERVFAIL, {}, false, 1), reply(q, LDNS_RCODE_NOERROR, {kA})};
  });
  EXPECT_EQ(probeOnce("dns", ask(s)).outcome, Outcome::Ok);
  FakeDns only([](const std::string& q, bool) { return std::vector{reply(q, LDNS_RCODE_NOERROR, {kA}, false, 7)}; });
  ProbeResult r = probeOnce("dns", ask(only), 300ms);
  EXPECT_EQ(r.outcome, Outcome::Fail);
  EXPECT_EQ(r.note, "wrong ID or question");
}

TEST(DnsProbe, QuestionMustMatch) {
  FakeDns s([](const std::string& q, bool) {
    std::string other = q;
    other[other.size() - 3] = 28;  // asks AAAA instead of A: the QTYPE's low byte
    return std::vector{reply(other, LDNS_RCODE_NOERROR, {})};
  });
  EXPECT_EQ(probeOnce("dns", ask(s), 300ms).note, "wrong ID or question");
}

TEST(DnsProbe, MalformedSilentRefused) {
  FakeDns bad([](const std::string& q, bool) { return std::vector{q.substr(0, 2) + "\x81\x80garbage"}; });
  ProbeResult r = probeOnce("dns", ask(bad));
  EXPECT_EQ(r.outcome, Outcome::Fail);
  EXPECT_EQ(r.note, "malformed answer");

  FakeDns silent([](const std::string&, bool) { return std::vector<std::string>{}; });
  r = probeOnce("dns", ask(silent), 300ms);
  EXPECT_EQ(r.outcome, Outcome::Timeout);
  EXPECT_EQ(r.note, "timeout");
  r = probeOnce("dns", ask(silent, {{"tcp", "1"}}), 300ms);
  EXPECT_EQ(r.note, "timeout");

  int closed = test::freePort();  // nothing listens there: ICMP port unreachable
  r = probeOnce("dns", {{"server", "127.0.0.1"}, {"port", std::to_string(closed)}, {"name", "a.test"}});
  EXPECT_EQ(r.outcome, Outcome::Unreachable);
  EXPECT_EQ(r.note, "connection refused");
}

TEST(DnsProbe, ConfigErrors) {
  auto make = [](std::map<std::string, std::string> opts) {
    CheckSpec spec;
    spec.name = "d";
    spec.file = "Hcfile";
    spec.line = 7;
    spec.options = std::move(opts);
    const KindDesc* k = findKind("dns");
    validate(spec, *k);
    auto loop = test::newLoop();
    k->make(ProbeContext{loop.get()}, spec);
  };
  std::map<std::string, std::string> ok{{"server", "127.0.0.1"}, {"name", "www.example.test"}};
  EXPECT_NO_THROW(make(ok));
  auto with = [&](const char* k, const char* v) {
    auto o = ok;
    o[k] = v;
    return o;
  };
  EXPECT_THROW(make(with("type", "BOGUS")), ConfigError);
  EXPECT_THROW(make(with("rcode", "FINE")), ConfigError);
  EXPECT_THROW(make(with("expect", "{not-an-address}")), ConfigError);
  EXPECT_THROW(make(with("expect", "{203.0.113.1")), ConfigError);  // not a Tcl list
  EXPECT_THROW(make(with("name", "")), ConfigError);
  EXPECT_THROW(make({{"server", "127.0.0.1"}}), ConfigError);  // -name is required
  try {
    make(with("type", "BOGUS"));
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("Hcfile:7"), std::string::npos) << e.what();
  }
}

// BIND 9 on a loopback port: an authoritative zone with A, MX, a large TXT set (over 512
// bytes: truncated over UDP) and no recursion.
TEST(DnsPeer, Bind) {
  test::TempDir dir;
  int port = test::freePort();
  std::string txt;
  for (int i = 0; i < 12; ++i)
    txt += "big TXT \"record number " + std::to_string(i) + " with some padding to make it long\"\n";
  std::string zone = "$TTL 60\n"
                     "@ SOA ns.example.test. hostmaster.example.test. 1 3600 600 86400 60\n"
                     "@ NS ns.example.test.\n"
                     "@ MX 10 mail.example.test.\n"
                     "ns A 127.0.0.1\n"
                     "www A 203.0.113.10\n"
                     "www A 203.0.113.11\n"
                     "www AAAA 2001:db8::10\n" + txt;
  std::string why;
  auto named = test::startNamed(dir.path(), port, "example.test", zone, &why);
  if (!named && why.find("not installed") != std::string::npos) GTEST_SKIP() << why;
  ASSERT_TRUE(named) << why;

  std::map<std::string, std::string> base{{"server", "127.0.0.1"}, {"port", std::to_string(port)}};
  auto with = [&](std::map<std::string, std::string> more) {
    more.insert(base.begin(), base.end());
    return more;
  };
  ProbeResult r = probeOnce("dns", with({{"name", "www.example.test"}, {"expect", "203.0.113.10 203.0.113.11"}}));
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note << "\n" << test::readAll(dir.file("named.log"));
  r = probeOnce("dns", with({{"name", "www.example.test"}, {"type", "AAAA"}, {"expect", "2001:db8:0::10"}}));
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  r = probeOnce("dns", with({{"name", "example.test"}, {"type", "MX"}, {"expect", "{10 mail.example.test.}"}}));
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  r = probeOnce("dns", with({{"name", "example.test"}, {"type", "SOA"}}));
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  r = probeOnce("dns", with({{"name", "big.example.test"}, {"type", "TXT"},
                             {"expect", "{\"record number 11 with some padding to make it long\"}"}}));
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  EXPECT_EQ(attr(r, "transport"), "tcp");
  EXPECT_EQ(attr(r, "answers"), "12");
  r = probeOnce("dns", with({{"name", "nope.example.test"}}));
  EXPECT_EQ(r.note, "rcode NXDOMAIN");
  r = probeOnce("dns", with({{"name", "nope.example.test"}, {"rcode", "NXDOMAIN"}}));
  EXPECT_EQ(r.outcome, Outcome::Ok);
  r = probeOnce("dns", with({{"name", "www.elsewhere.test"}}));  // not ours, no recursion
  EXPECT_EQ(r.note, "rcode REFUSED");
  r = probeOnce("dns", with({{"name", "www.example.test"}, {"expect", "203.0.113.99"}}));
  EXPECT_EQ(r.note, "answer mismatch");

  named->stop();
  r = probeOnce("dns", with({{"name", "www.example.test"}}));
  EXPECT_EQ(r.outcome, Outcome::Unreachable);
  EXPECT_EQ(r.note, "connection refused");
}

}  // namespace
}  // namespace fail::check
