// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The DNS front-end's threads in process (dns/frontend.hh) against a real faild, with
// dig and raw UDP and TCP sockets: answers, health followed, dns:NAME published,
// forwarding for allowed clients only, TCP per RFC 7766 and its limits, binding.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "client/options.hh"
#include "dns/frontend.hh"
#include "dns/ldns.hh"
#include "harness.hh"

namespace fail::test {
namespace {

using namespace fail::dns;

IpAddress ip(const std::string& text) {
  IpAddress a;
  a.text = text;
  a.family = text.find(':') != std::string::npos ? AF_INET6 : AF_INET;
  EXPECT_EQ(inet_pton(a.family, text.c_str(), a.bytes.data()), 1);
  return a;
}

// example.com with the pool www.example.com: 203.0.113.10 (-check web1), then
// 203.0.113.20 (-check web2), priority.
Config exampleConfig() {
  Config c;
  Zone z;
  z.name = "example.com";
  z.ns = {"ns1.example.com"};
  z.mbox = "hostmaster.example.com";
  c.zones[z.name] = z;
  Pool p;
  p.name = "www.example.com";
  p.ttl = 30;
  Member a, b;
  a.address = ip("203.0.113.10");
  a.check = "web1";
  b.address = ip("203.0.113.20");
  b.check = "web2";
  p.members = {a, b};
  c.pools[p.name] = p;
  c.serve.listen = {"127.0.0.1:0"};
  c.serve.udpThreads = 2;
  c.serve.startTimeout = std::chrono::milliseconds(3000);
  c.serving = true;
  return c;
}

// A query for NAME/TYPE with ID, RD set.
std::string query(std::uint16_t id, const std::string& name, std::uint16_t type = LDNS_RR_TYPE_A) {
  std::string q;
  q += static_cast<char>(id >> 8);
  q += static_cast<char>(id);
  q += std::string("\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 10);
  std::size_t start = 0;
  while (start <= name.size()) {
    auto dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    q += static_cast<char>(dot - start);
    q += name.substr(start, dot - start);
    start = dot + 1;
  }
  q += '\0';
  q += static_cast<char>(type >> 8);
  q += static_cast<char>(type);
  q += std::string("\x00\x01", 2);
  return q;
}

// A response read by ldns (the independent check).
struct Parsed {
  bool ok = false;
  std::uint16_t id = 0;
  int rcode = -1;
  bool ra = false;
  std::vector<std::string> a;  // A/AAAA addresses in the answer
  std::uint32_t ttl = 0;       // of the last of them
};

Parsed parse(const std::string& wire) {
  Parsed p;
  ldns_pkt* pkt = nullptr;
  if (ldns_wire2pkt(&pkt, reinterpret_cast<const uint8_t*>(wire.data()), wire.size()) != LDNS_STATUS_OK) return p;
  p.ok = true;
  p.id = ldns_pkt_id(pkt);
  p.rcode = ldns_pkt_get_rcode(pkt);
  p.ra = ldns_pkt_ra(pkt);
  ldns_rr_list* an = ldns_pkt_answer(pkt);
  for (size_t i = 0; i < ldns_rr_list_rr_count(an); ++i) {
    ldns_rr* rr = ldns_rr_list_rr(an, i);
    if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_A && ldns_rr_get_type(rr) != LDNS_RR_TYPE_AAAA) continue;
    p.ttl = ldns_rr_ttl(rr);
    char* s = ldns_rdf2str(ldns_rr_rdf(rr, 0));
    p.a.push_back(s);
    free(s);
  }
  ldns_pkt_free(pkt);
  return p;
}

sockaddr_in loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

int portOfBound(const std::string& bound) { return std::stoi(bound.substr(bound.rfind(':') + 1)); }

// One UDP exchange; "" when nothing came within `timeout`.
std::string udpAsk(int port, const std::string& q, std::chrono::milliseconds timeout = std::chrono::seconds(3)) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  auto to = loopback(port);
  ::sendto(fd, q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  pollfd p{fd, POLLIN, 0};
  std::string out;
  if (::poll(&p, 1, static_cast<int>(timeout.count())) == 1) {
    char buf[65536];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) out.assign(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

int tcpConnect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  auto to = loopback(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string framed(const std::string& msg) {
  std::string f;
  f += static_cast<char>(msg.size() >> 8);
  f += static_cast<char>(msg.size());
  return f + msg;
}

// Reads one length-prefixed message; "" on close or timeout.
std::string tcpRead(int fd, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  std::string buf;
  auto until = Clock::now() + timeout;
  auto need = [&]() -> std::size_t {
    return buf.size() < 2 ? 2 : 2 + (static_cast<unsigned char>(buf[0]) << 8 | static_cast<unsigned char>(buf[1]));
  };
  while (buf.size() < need()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) != 1) return "";
    char c[1];
    // one byte at a time: the next message stays in the socket for the next read
    if (::recv(fd, c, 1, 0) != 1) return "";
    buf += c[0];
  }
  return buf.substr(2);
}

// True when the peer closes `fd` within `timeout` (reads 0 or an error).
bool closedWithin(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return false;
  char c;
  return ::recv(fd, &c, 1, MSG_DONTWAIT) <= 0;
}

std::string dig(int port, const std::string& name, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"@127.0.0.1", "-p", std::to_string(port), "+short", "+time=2", "+tries=2", name, "A"};
  args.insert(args.end(), extra.begin(), extra.end());
  return runProgram("/usr/bin/dig", args).out;
}

long rssKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

class DnsFrontEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    faild_ = std::make_unique<Daemon>("faild/faild", std::vector<std::string>{"--memory", "--listen", "127.0.0.1:0"},
                                      dir_, "faild");
    ASSERT_TRUE(faild_->start()) << faild_->log();
  }
  void TearDown() override {
    if (HasFailure() && faild_) std::cerr << "--- faild.log:\n" << faild_->log();
  }
  std::string faildSay(const std::string& line) {
    LineClient c(faild_->address());
    return c.request(line);
  }
  FrontEndOptions options() {
    FrontEndOptions o;
    o.faild.name = "local";
    std::string err;
    EXPECT_TRUE(client::parseTarget(faild_->address(), "1847", o.faild.target, err)) << err;
    o.published = [this](const PoolView& v) {
      std::lock_guard lock(mu_);
      published_.push_back(v);
    };
    return o;
  }
  // Binds and starts `fe` with `c`, waits until it answers; returns its UDP/TCP port.
  int serve(FrontEnd& fe, const Config& c) {
    std::string err;
    EXPECT_TRUE(fe.bind(c, &err)) << err;
    std::atomic<bool> ready{false};
    fe.start(c, [&] { ready = true; });
    EXPECT_TRUE(eventually([&] { return ready.load(); }));
    return portOfBound(fe.bound().at(0));
  }
  std::vector<PoolView> published() {
    std::lock_guard lock(mu_);
    return published_;
  }

  TempDir dir_;
  std::unique_ptr<Daemon> faild_;
  std::mutex mu_;
  std::vector<PoolView> published_;
};

TEST_F(DnsFrontEnd, AnswersWithDigAndFollowsFaild) {
  ASSERT_EQ(faildSay("SET web1 UP").rfind("OK", 0), 0u);
  ASSERT_EQ(faildSay("SET web2 UP").rfind("OK", 0), 0u);
  FrontEnd fe(options());
  int port = serve(fe, exampleConfig());
  EXPECT_EQ(dig(port, "www.example.com"), "203.0.113.10\n");
  ASSERT_EQ(faildSay("SET web1 FAIL").rfind("OK", 0), 0u);
  EXPECT_TRUE(eventually([&] { return dig(port, "www.example.com") == "203.0.113.20\n"; }));
  ASSERT_EQ(faildSay("SET web1 UP").rfind("OK", 0), 0u);
  EXPECT_TRUE(eventually([&] { return dig(port, "www.example.com") == "203.0.113.10\n"; }));
  // the letter case of the question is kept, over TCP as well
  EXPECT_EQ(dig(port, "WwW.Example.COM", {"+tcp"}), "203.0.113.10\n");
}

TEST_F(DnsFrontEnd, PublishesDnsRecordsInFaild) {
  ASSERT_EQ(faildSay("SET web1 UP").rfind("OK", 0), 0u);
  FrontEnd fe(options());
  serve(fe, exampleConfig());
  std::string rec;
  EXPECT_TRUE(eventually([&] {
    auto w = words(faildSay("GET dns:www.example.com"));
    rec = w.size() == 2 ? w[1] : "";
    return field(rec, "state") == "UP";
  })) << rec;
  EXPECT_NE(rec.find("203.0.113.10"), std::string::npos) << rec;
  auto attrs = field(rec, "attrs");
  EXPECT_EQ(field(attrs, "answer"), "203.0.113.10") << rec;
  EXPECT_EQ(field(attrs, "answer_ttl"), "30") << rec;
  EXPECT_EQ(field(attrs, "members"), "203.0.113.10=in 203.0.113.20=out") << rec;
  EXPECT_EQ(field(rec, "ttl"), "0") << rec;  // no expiry
  ASSERT_EQ(faildSay("SET web1 FAIL").rfind("OK", 0), 0u);
  // web2 has no record: all members out, the -all-down rule answers
  EXPECT_TRUE(eventually([&] {
    auto w = words(faildSay("GET dns:www.example.com"));
    rec = w.size() == 2 ? w[1] : "";
    return field(rec, "state") == "FAIL";
  })) << rec;
  EXPECT_NE(field(rec, "note").find("out"), std::string::npos) << rec;
  EXPECT_TRUE(eventually([&] {
    auto p = published();
    return !p.empty() && p.back().name == "www.example.com" && p.back().allDown;
  }));
  PoolView v;
  ASSERT_TRUE(fe.explain("www.example.com", v));
  EXPECT_TRUE(v.allDown);
  EXPECT_FALSE(fe.explain("nope.example.com", v));
}

TEST_F(DnsFrontEnd, AnswersAfterStartTimeoutWithoutFaild) {
  FrontEndOptions o = options();
  faild_->kill9();  // nobody there: answering begins after the start timeout
  Config c = exampleConfig();
  c.serve.startTimeout = std::chrono::milliseconds(300);
  FrontEnd fe(std::move(o));
  int port = serve(fe, c);
  // every check Unknown: the -all-down rule (all) answers both members
  auto p = parse(udpAsk(port, query(7, "www.example.com")));
  EXPECT_EQ(p.rcode, 0);
  EXPECT_EQ(p.a.size(), 2u);
}

// A tiny upstream: answers each query with QR and RA set and the same ID and question;
// `from` gets one reply from a wrong ID first, to be dropped.
class Upstream {
 public:
  Upstream() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    auto a = loopback(0);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t l = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &l);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~Upstream() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RD);
    thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }
  int seen() const { return seen_; }

 private:
  void run() {
    char buf[4096];
    while (!stop_) {
      sockaddr_storage from{};
      socklen_t l = sizeof from;
      ssize_t n = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &l);
      if (n < 12) continue;
      ++seen_;
      std::string r(buf, static_cast<size_t>(n));
      r[2] = static_cast<char>(r[2] | 0x80);
      r[3] = static_cast<char>(0x80);
      std::string wrong = r;
      wrong[0] = static_cast<char>(wrong[0] ^ 0x55);  // a wrong ID first: must be dropped
      ::sendto(fd_, wrong.data(), wrong.size(), 0, reinterpret_cast<sockaddr*>(&from), l);
      ::sendto(fd_, r.data(), r.size(), 0, reinterpret_cast<sockaddr*>(&from), l);
    }
  }
  int fd_ = -1, port_ = 0;
  std::atomic<int> seen_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_F(DnsFrontEnd, ForwardsOnlyForAllowedClients) {
  Upstream up;
  Config c = exampleConfig();
  c.serve.forward = {"127.0.0.1:" + std::to_string(up.port())};
  c.serve.allow = {"10.0.0.0/8"};  // not us
  FrontEnd fe(options());
  int port = serve(fe, c);
  auto refused = parse(udpAsk(port, query(0x1234, "other.test")));
  EXPECT_EQ(refused.rcode, LDNS_RCODE_REFUSED);
  EXPECT_EQ(up.seen(), 0);

  c.serve.allow = {"127.0.0.0/8"};
  std::string err;
  ASSERT_TRUE(fe.reconfigure(c, &err)) << err;
  auto udp = parse(udpAsk(port, query(0x1234, "other.test")));
  EXPECT_TRUE(udp.ok);
  EXPECT_EQ(udp.id, 0x1234);  // the client's ID restored
  EXPECT_EQ(udp.rcode, 0);
  EXPECT_TRUE(udp.ra);  // the upstream's answer, not ours
  EXPECT_EQ(up.seen(), 1);

  int fd = tcpConnect(port);
  ASSERT_GE(fd, 0);
  std::string two = framed(query(0x0101, "other.test")) + framed(query(0x0202, "www.example.com"));
  ASSERT_EQ(::send(fd, two.data(), two.size(), 0), static_cast<ssize_t>(two.size()));
  auto first = parse(tcpRead(fd)), second = parse(tcpRead(fd));
  EXPECT_EQ(first.id, 0x0101);  // in order, although the first waited for the upstream
  EXPECT_TRUE(first.ra);
  EXPECT_EQ(second.id, 0x0202);
  ::close(fd);
  EXPECT_GE(fe.stats().total.forwarded, 2u);
}

TEST_F(DnsFrontEnd, ForwardTimeoutIsServfail) {
  // an upstream port where nobody answers
  int hole = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  auto a = loopback(0);
  ::bind(hole, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t l = sizeof a;
  ::getsockname(hole, reinterpret_cast<sockaddr*>(&a), &l);
  Config c = exampleConfig();
  c.serve.forward = {"127.0.0.1:" + std::to_string(ntohs(a.sin_port))};
  c.serve.allow = {"127.0.0.1"};
  FrontEnd fe(options());
  int port = serve(fe, c);
  auto p = parse(udpAsk(port, query(0x4321, "other.test"), std::chrono::seconds(10)));
  EXPECT_EQ(p.id, 0x4321);
  EXPECT_EQ(p.rcode, LDNS_RCODE_SERVFAIL);
  EXPECT_EQ(fe.stats().forwardTimeouts, 1u);
  ::close(hole);
}

TEST_F(DnsFrontEnd, TcpPipelinedQueriesAnsweredInOrder) {
  ASSERT_EQ(faildSay("SET web1 UP").rfind("OK", 0), 0u);
  FrontEnd fe(options());
  int port = serve(fe, exampleConfig());
  int fd = tcpConnect(port);
  ASSERT_GE(fd, 0);
  std::string two = framed(query(1, "www.example.com")) + framed(query(2, "nothing.example.com"));
  ASSERT_EQ(::send(fd, two.data(), two.size(), 0), static_cast<ssize_t>(two.size()));
  auto first = parse(tcpRead(fd)), second = parse(tcpRead(fd));
  EXPECT_EQ(first.id, 1);
  EXPECT_EQ(first.a, std::vector<std::string>{"203.0.113.10"});
  EXPECT_EQ(second.id, 2);
  EXPECT_EQ(second.rcode, LDNS_RCODE_NXDOMAIN);
  // a name outside our zones without a forwarder: REFUSED, on TCP too
  std::string q = framed(query(3, "other.test"));
  ::send(fd, q.data(), q.size(), 0);
  EXPECT_EQ(parse(tcpRead(fd)).rcode, LDNS_RCODE_REFUSED);
  ::close(fd);
  EXPECT_GE(fe.stats().total.tcp, 3u);
}

TEST_F(DnsFrontEnd, TcpStalledLengthPrefixClosedAtIdleWhileOthersAnswered) {
  Config c = exampleConfig();
  c.serve.tcpIdle = std::chrono::milliseconds(800);
  FrontEnd fe(options());
  int port = serve(fe, c);
  int stalled = tcpConnect(port);
  ASSERT_GE(stalled, 0);
  ASSERT_EQ(::send(stalled, "\x00", 1, 0), 1);  // half a length prefix, then nothing
  auto t0 = Clock::now();
  // others are answered meanwhile, over TCP and UDP
  int other = tcpConnect(port);
  std::string q = framed(query(9, "www.example.com"));
  ::send(other, q.data(), q.size(), 0);
  EXPECT_EQ(parse(tcpRead(other)).id, 9);
  EXPECT_EQ(parse(udpAsk(port, query(10, "www.example.com"))).id, 10);
  EXPECT_TRUE(closedWithin(stalled, std::chrono::seconds(10)));
  EXPECT_GE(Clock::now() - t0, std::chrono::milliseconds(700));
  ::close(stalled);
  ::close(other);
}

TEST_F(DnsFrontEnd, TcpMaxRefusesFurtherConnections) {
  Config c = exampleConfig();
  c.serve.tcpMax = 2;
  FrontEnd fe(options());
  int port = serve(fe, c);
  std::vector<int> fds;
  for (int i = 0; i < 2; ++i) {
    fds.push_back(tcpConnect(port));
    std::string q = framed(query(static_cast<std::uint16_t>(20 + i), "www.example.com"));
    ::send(fds.back(), q.data(), q.size(), 0);
    EXPECT_EQ(parse(tcpRead(fds.back())).id, 20 + i);  // accepted and answered
  }
  int third = tcpConnect(port);
  ASSERT_GE(third, 0);
  EXPECT_TRUE(closedWithin(third, std::chrono::seconds(5)));
  EXPECT_EQ(fe.stats().tcpRefused, 1u);
  EXPECT_EQ(fe.stats().tcpOpen, 2u);
  for (int fd : fds) ::close(fd);
  ::close(third);
  EXPECT_TRUE(eventually([&] { return fe.stats().tcpOpen == 0; }));
}

TEST_F(DnsFrontEnd, ManyIdleTcpConnectionsCostBoundedMemory) {
  constexpr int kConnections = 2500;
  Config c = exampleConfig();
  c.serve.tcpMax = 10000;
  c.serve.tcpIdle = std::chrono::milliseconds(60000);
  FrontEnd fe(options());
  int port = serve(fe, c);
  long before = rssKb();
  std::vector<int> fds;
  for (int i = 0; i < kConnections; ++i) {
    int fd = tcpConnect(port);
    ASSERT_GE(fd, 0) << "connection " << i << ": " << std::strerror(errno);
    fds.push_back(fd);
  }
  EXPECT_TRUE(eventually([&] { return fe.stats().tcpOpen == kConnections; })) << fe.stats().tcpOpen;
  long grown = rssKb() - before;
  RecordProperty("rss_growth_kib", std::to_string(grown));
  std::cout << "RSS grew " << grown << " KiB for " << kConnections << " idle TCP connections (both ends)\n";
  // a connection costs a bufferevent and a little state: 2,500 of them well under 20 MiB
  EXPECT_LT(grown, 20 * 1024) << grown << " KiB for " << kConnections << " connections";
  // and the others are still answered
  EXPECT_EQ(parse(udpAsk(port, query(11, "www.example.com"))).id, 11);
  for (int fd : fds) ::close(fd);
  EXPECT_TRUE(eventually([&] { return fe.stats().tcpOpen == 0; }));
}

TEST_F(DnsFrontEnd, StopJoinsQuickly) {
  FrontEnd fe(options());
  int port = serve(fe, exampleConfig());
  EXPECT_TRUE(parse(udpAsk(port, query(5, "www.example.com"))).ok);
  auto t0 = Clock::now();
  fe.stop();
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(2));
  EXPECT_EQ(udpAsk(port, query(6, "www.example.com"), std::chrono::milliseconds(300)), "");
}

TEST_F(DnsFrontEnd, SecondBindOfTheSameAddressFailsClearly) {
  FrontEnd first(options());
  int port = serve(first, exampleConfig());
  Config c = exampleConfig();
  c.serve.listen = {"127.0.0.1:" + std::to_string(port)};
  FrontEnd second(options());
  std::string err;
  EXPECT_FALSE(second.bind(c, &err));
  EXPECT_NE(err.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << err;
  EXPECT_NE(err.find("in use"), std::string::npos) << err;
  EXPECT_NE(err.find("held by pid " + std::to_string(::getpid())), std::string::npos) << err;
  EXPECT_TRUE(second.bound().empty());
  // the first still gets every query
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(parse(udpAsk(port, query(static_cast<std::uint16_t>(i), "www.example.com"))).ok);
}

TEST_F(DnsFrontEnd, BindsUdpAndTcpOnThePickedPort) {
  Config c = exampleConfig();
  c.serve.listen = {"127.0.0.1:0", "[::1]:0"};
  FrontEnd fe(options());
  std::string err;
  ASSERT_TRUE(fe.bind(c, &err)) << err;
  auto b = fe.bound();
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].rfind("127.0.0.1:", 0), 0u) << b[0];
  EXPECT_EQ(b[1].rfind("[::1]:", 0), 0u) << b[1];
  EXPECT_NE(portOfBound(b[0]), 0);
  std::atomic<bool> ready{false};
  fe.start(c, [&] { ready = true; });
  ASSERT_TRUE(eventually([&] { return ready.load(); }));
  int port = portOfBound(b[0]);
  EXPECT_TRUE(parse(udpAsk(port, query(1, "www.example.com"))).ok);
  int fd = tcpConnect(port);
  ASSERT_GE(fd, 0);
  std::string q = framed(query(2, "www.example.com"));
  ::send(fd, q.data(), q.size(), 0);
  EXPECT_EQ(parse(tcpRead(fd)).id, 2);
  ::close(fd);
  EXPECT_NE(runProgram("/usr/bin/dig", {"@::1", "-p", std::to_string(portOfBound(b[1])), "+short", "www.example.com"})
                .out.find("203.0.113."),
            std::string::npos);
}

}  // namespace
}  // namespace fail::test

namespace fail::test {
namespace {

std::uint64_t poolQueries(const dns::Stats& s, const std::string& pool) {
  for (const auto& p : s.pools)
    if (p.name == pool) return p.queries;
  return ~0ull;
}

TEST_F(DnsFrontEnd, ReloadKeepsSocketsHealthAndCounts) {
  ASSERT_EQ(faildSay("SET web1 FAIL").rfind("OK", 0), 0u);
  ASSERT_EQ(faildSay("SET web2 UP").rfind("OK", 0), 0u);
  ASSERT_EQ(faildSay("SET api1 UP").rfind("OK", 0), 0u);
  FrontEnd fe(options());
  Config c = exampleConfig();
  int port = serve(fe, c);
  EXPECT_TRUE(eventually([&] { return parse(udpAsk(port, query(1, "www.example.com"))).a ==
                                       std::vector<std::string>{"203.0.113.20"}; }));
  int tcp = tcpConnect(port);  // a TCP client across the reload
  ASSERT_GE(tcp, 0);
  // a new pool following a record the old configuration did not follow
  Pool api;
  api.name = "api.example.com";
  dns::Member m;
  m.address = ip("203.0.113.30");
  m.check = "api1";
  api.members = {m};
  c.pools[api.name] = api;
  std::string err;
  ASSERT_TRUE(fe.reconfigure(c, &err)) << err;
  EXPECT_EQ(fe.bound().at(0), "127.0.0.1:" + std::to_string(port));  // the same sockets
  // health carried over (web1 still FAIL) and known for the new record at once
  EXPECT_EQ(parse(udpAsk(port, query(2, "www.example.com"))).a, std::vector<std::string>{"203.0.113.20"});
  EXPECT_EQ(parse(udpAsk(port, query(3, "api.example.com"))).a, std::vector<std::string>{"203.0.113.30"});
  std::string q = framed(query(4, "api.example.com"));
  ::send(tcp, q.data(), q.size(), 0);
  EXPECT_EQ(parse(tcpRead(tcp)).id, 4);
  ::close(tcp);
  EXPECT_TRUE(eventually([&] { return poolQueries(fe.stats(), "api.example.com") == 2; }))
      << poolQueries(fe.stats(), "api.example.com");
  EXPECT_TRUE(eventually([&] { return poolQueries(fe.stats(), "www.example.com") >= 2; }));

  // another listen address: rebound; a taken one: refused, the old configuration runs on
  Config moved = c;
  moved.serve.listen = {"127.0.0.1:" + std::to_string(port)};  // the same, written alike
  moved.serve.listen.push_back("127.0.0.1:" + std::to_string(faild_->port()));  // faild's TCP port
  EXPECT_FALSE(fe.reconfigure(moved, &err));
  EXPECT_NE(err.find("TCP port " + std::to_string(faild_->port())), std::string::npos) << err;
  EXPECT_EQ(fe.bound().size(), 1u);
  EXPECT_TRUE(parse(udpAsk(port, query(5, "www.example.com"))).ok);
  moved.serve.listen = {"127.0.0.1:0"};
  ASSERT_TRUE(fe.reconfigure(moved, &err)) << err;
  ASSERT_EQ(fe.bound().size(), 1u);
  int newPort = portOfBound(fe.bound()[0]);
  EXPECT_TRUE(parse(udpAsk(newPort, query(6, "www.example.com"))).ok);
}

}  // namespace
}  // namespace fail::test

namespace fail::test {
namespace {

TEST_F(DnsFrontEnd, SettleWindowEndsWithoutAnotherChange) {
  ASSERT_EQ(faildSay("SET web1 UP").rfind("OK", 0), 0u);
  ASSERT_EQ(faildSay("SET web2 UP").rfind("OK", 0), 0u);
  Config c = exampleConfig();
  auto& pool = c.pools["www.example.com"];
  pool.ttlOut = 5;
  pool.settle = std::chrono::milliseconds(600);
  FrontEnd fe(options());
  int port = serve(fe, c);
  auto ask = [&] { return parse(udpAsk(port, query(1, "www.example.com"))); };
  EXPECT_TRUE(eventually([&] { return ask().ttl == 30; })) << ask().ttl;
  ASSERT_EQ(faildSay("SET web1 FAIL").rfind("OK", 0), 0u);
  EXPECT_TRUE(eventually([&] {
    auto p = ask();
    return p.ttl == 5 && p.a == std::vector<std::string>{"203.0.113.20"};
  }));
  ASSERT_EQ(faildSay("SET web1 UP").rfind("OK", 0), 0u);
  // back in, the shorter TTL holds for the settle window, then the pool's -ttl returns
  // with no other change to publish it
  EXPECT_TRUE(eventually([&] { return ask().a == std::vector<std::string>{"203.0.113.10"}; }));
  EXPECT_TRUE(eventually([&] { return ask().ttl == 30; })) << ask().ttl;
}

}  // namespace
}  // namespace fail::test

namespace fail::test {
namespace {

TEST_F(DnsFrontEnd, SetMemberForcesUntilReload) {
  ASSERT_EQ(faildSay("SET web1 UP").rfind("OK", 0), 0u);
  ASSERT_EQ(faildSay("SET web2 UP").rfind("OK", 0), 0u);
  Config c = exampleConfig();
  FrontEnd fe(options());
  int port = serve(fe, c);
  auto answer = [&] { return parse(udpAsk(port, query(1, "www.example.com"))).a; };
  EXPECT_TRUE(eventually([&] { return answer() == std::vector<std::string>{"203.0.113.10"}; }));
  std::string err;
  ASSERT_TRUE(fe.setMember("www.example.com", "203.0.113.10", Force::Down, 0, &err)) << err;
  EXPECT_EQ(answer(), std::vector<std::string>{"203.0.113.20"});  // at once: published before it returned
  PoolView v;
  ASSERT_TRUE(fe.explain("www.example.com", v));
  ASSERT_EQ(v.members.size(), 2u);
  EXPECT_FALSE(v.members[0].in);
  EXPECT_EQ(v.members[0].force, Force::Down);
  EXPECT_FALSE(fe.setMember("www.example.com", "203.0.113.99", Force::Down, 0, &err));
  EXPECT_FALSE(err.empty());
  EXPECT_FALSE(fe.setMember("nope.example.com", "203.0.113.10", Force::Down, 0, &err));
  // dns:NAME in faild follows
  EXPECT_TRUE(eventually([&] {
    auto w = words(faildSay("GET dns:www.example.com"));
    return w.size() == 2 && field(w[1], "note").find("forced") != std::string::npos;
  }));
  // a reload puts members back as declared
  c.pools["www.example.com"].ttl = 31;
  ASSERT_TRUE(fe.reconfigure(c, &err)) << err;
  EXPECT_EQ(answer(), std::vector<std::string>{"203.0.113.10"});
}

}  // namespace
}  // namespace fail::test

namespace fail::test {
namespace {

TEST_F(DnsFrontEnd, ControlThreadThatCannotStartHangsNoCaller) {
  FrontEndOptions o = options();
  o.faild.tls.enabled = true;
  o.faild.tls.ca = dir_.file("missing-ca.pem");  // the link cannot be made: the thread ends
  FrontEnd fe(std::move(o));
  Config c = exampleConfig();
  std::string err;
  ASSERT_TRUE(fe.bind(c, &err)) << err;
  fe.start(c);
  auto t0 = Clock::now();
  PoolView v;
  fe.explain("www.example.com", v);
  fe.stats();
  EXPECT_TRUE(fe.reconfigure(c, &err)) << err;
  fe.stop();
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(5));
}

}  // namespace
}  // namespace fail::test

namespace fail::test {
namespace {

// Clients query without pause while faild's records flip, the policy reloads and stats
// are read: every query is answered, each with one of the pool's addresses.
TEST_F(DnsFrontEnd, QueriesDuringChangesAndReloadsAllAnswered) {
  ASSERT_EQ(faildSay("SET web1 UP").rfind("OK", 0), 0u);
  ASSERT_EQ(faildSay("SET web2 UP").rfind("OK", 0), 0u);
  Config c = exampleConfig();
  FrontEnd fe(options());
  int port = serve(fe, c);
  std::atomic<bool> stop{false};
  std::atomic<int> answered{0}, lost{0}, wrong{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 3; ++t)
    clients.emplace_back([&, t] {
      for (std::uint16_t id = 1; !stop; ++id) {
        auto p = parse(udpAsk(port, query(id, t == 2 ? "nothing.example.com" : "www.example.com")));
        if (!p.ok)
          ++lost;
        else if (p.id != id || (t < 2 && (p.a.empty() || p.a[0].rfind("203.0.113.", 0) != 0)))
          ++wrong;
        else
          ++answered;
      }
    });
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(faildSay(i % 2 ? "SET web1 UP" : "SET web1 FAIL").rfind("OK", 0), 0u);
    if (i % 4 == 0) {
      c.pools["www.example.com"].ttl = static_cast<std::uint32_t>(30 + i);
      std::string err;
      ASSERT_TRUE(fe.reconfigure(c, &err)) << err;
    }
    fe.stats();
    PoolView v;
    fe.explain("www.example.com", v);
  }
  EXPECT_TRUE(eventually([&] { return answered > 300; }));
  stop = true;
  for (auto& t : clients) t.join();
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(wrong, 0);
  std::cout << answered << " queries answered during 20 changes and 5 reloads\n";
}

}  // namespace
}  // namespace fail::test

namespace fail::test {
namespace {

// A client that writes queries and reads nothing: the front-end stops reading once its
// answers back up, so the client's writes block; then it reads every answer, in order.
TEST_F(DnsFrontEnd, TcpClientThatDoesNotReadIsHeldBack) {
  FrontEnd fe(options());
  int port = serve(fe, exampleConfig());
  int fd = tcpConnect(port);
  ASSERT_GE(fd, 0);
  int small = 16 * 1024;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  std::uint16_t sent = 0;
  std::string pending;
  // write until the writes stay blocked for a while: the server no longer reads
  for (int idle = 0; idle < 20 && sent < 30000;) {
    if (pending.empty()) pending = framed(query(++sent, "www.example.com"));
    ssize_t n = ::send(fd, pending.data(), pending.size(), MSG_DONTWAIT);
    if (n > 0) {
      pending.erase(0, static_cast<std::size_t>(n));
      idle = 0;
      continue;
    }
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, 50) == 0) ++idle;
  }
  ASSERT_LT(sent, 30000) << "the front-end kept reading";
  // now read: every answer comes, in order (the rest of the last query goes as room appears)
  std::uint16_t next = 1;
  std::string in;
  auto until = Clock::now() + kDeadline;
  while (next <= sent && Clock::now() < until) {
    if (!pending.empty()) {
      ssize_t n = ::send(fd, pending.data(), pending.size(), MSG_DONTWAIT);
      if (n > 0) pending.erase(0, static_cast<std::size_t>(n));
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 1000) != 1) continue;
    char buf[65536];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    ASSERT_GT(n, 0) << "closed after " << next - 1 << " of " << sent << " answers";
    in.append(buf, static_cast<std::size_t>(n));
    while (in.size() >= 2) {
      std::size_t len = static_cast<unsigned char>(in[0]) << 8 | static_cast<unsigned char>(in[1]);
      if (in.size() < 2 + len) break;
      auto answer = parse(in.substr(2, len));
      in.erase(0, 2 + len);
      ASSERT_EQ(answer.id, next) << "out of order";
      ++next;
    }
  }
  EXPECT_EQ(next, sent + 1) << "answers missing";
  std::cout << "held back after " << sent << " queries\n";
  ::close(fd);
}

}  // namespace
}  // namespace fail::test

namespace fail::test {
namespace {

// From faild's OK to a SET to the first UDP answer that reflects it (queries back to
// back); the bound is generous (a loaded machine), the figures are printed.
TEST_F(DnsFrontEnd, HealthChangeReachesAnswersQuickly) {
  ASSERT_EQ(faildSay("SET web1 UP").rfind("OK", 0), 0u);
  ASSERT_EQ(faildSay("SET web2 UP").rfind("OK", 0), 0u);
  FrontEnd fe(options());
  int port = serve(fe, exampleConfig());
  LineClient faild(faild_->address());
  std::vector<double> ms;
  for (int i = 0; i < 30; ++i) {
    bool up = i % 2 == 1;
    std::string want = up ? "203.0.113.10" : "203.0.113.20";
    ASSERT_EQ(faild.request(up ? "SET web1 UP" : "SET web1 FAIL").rfind("OK", 0), 0u);
    auto t0 = Clock::now();
    bool seen = false;
    while (!seen && Clock::now() - t0 < kDeadline) {
      auto p = parse(udpAsk(port, query(static_cast<std::uint16_t>(i), "www.example.com")));
      seen = p.a.size() == 1 && p.a[0] == want;
    }
    ASSERT_TRUE(seen) << "change " << i;
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  std::cout << "SET OK to answer: median " << ms[ms.size() / 2] << " ms, worst " << ms.back() << " ms (30 changes)\n";
  EXPECT_LT(ms[ms.size() / 2], 200.0);
}

}  // namespace
}  // namespace fail::test

namespace fail::test {
namespace {

// faild killed and started afresh (in memory, so its serials start again): the watch
// reconnects, its since= is refused, the records are listed again, and a record the new
// faild does not hold is Unknown.
TEST_F(DnsFrontEnd, FollowsAFaildRestartedAfresh) {
  ASSERT_EQ(faildSay("SET web1 FAIL").rfind("OK", 0), 0u);
  ASSERT_EQ(faildSay("SET web2 UP").rfind("OK", 0), 0u);
  FrontEnd fe(options());
  int port = serve(fe, exampleConfig());
  auto answer = [&] { return parse(udpAsk(port, query(1, "www.example.com"))).a; };
  EXPECT_TRUE(eventually([&] { return answer() == std::vector<std::string>{"203.0.113.20"}; }));
  std::string where = faild_->address();
  faild_->kill9();
  faild_ = std::make_unique<Daemon>("faild/faild", std::vector<std::string>{"--memory", "--listen", where}, dir_,
                                    "faild2");
  ASSERT_TRUE(faild_->start()) << faild_->log();
  ASSERT_EQ(faildSay("SET web1 UP").rfind("OK", 0), 0u);
  EXPECT_TRUE(eventually([&] { return answer() == std::vector<std::string>{"203.0.113.10"}; }));
  PoolView v;
  EXPECT_TRUE(eventually([&] {
    return fe.explain("www.example.com", v) && v.members.size() == 2 && v.members[1].state == State::Unknown;
  }));
}

}  // namespace
}  // namespace fail::test

namespace fail::test {
namespace {

TEST_F(DnsFrontEnd, TcpClientDrippingOneMessageIsClosed) {
  Config c = exampleConfig();
  c.serve.tcpIdle = std::chrono::milliseconds(800);
  FrontEnd fe(options());
  int port = serve(fe, c);
  int fd = tcpConnect(port);
  ASSERT_GE(fd, 0);
  std::string q = framed(query(1, "www.example.com"));
  auto t0 = Clock::now();
  bool closed = false;
  // one byte every 300 ms: never idle for 800 ms, yet the message takes seconds
  for (std::size_t i = 0; i < q.size() && !closed; ++i) {
    ::send(fd, q.data() + i, 1, MSG_NOSIGNAL);
    closed = closedWithin(fd, std::chrono::milliseconds(300));
  }
  EXPECT_TRUE(closed);
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(5));
  ::close(fd);
}

}  // namespace
}  // namespace fail::test
