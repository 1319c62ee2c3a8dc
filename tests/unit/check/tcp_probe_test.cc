// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The tcp probe against in-test servers on 127.0.0.1, all driven by the same loop.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <optional>

#include "base/unique_fd.hh"
#include "check/registry.hh"
#include "loop_util.hh"
#include "web_server.hh"

namespace fail::check {
namespace {

using namespace std::chrono_literals;
using test::runUntil;

// A listener on 127.0.0.1 with a few behaviours: accept and hold, send a banner (in two
// parts if asked), answer a request, close at once.
class TestServer {
 public:
  explicit TestServer(event_base* base)
      : base_(base),
        acceptW_(base, [this](ev::IoWatch::Ready r) { onAccept(r); }),
        connW_(base, [this](ev::IoWatch::Ready r) { onData(r); }),
        later_(base, [this] { sendPart2(); }) {
    fd_.reset(test::listenLoopback(&port_, SOCK_NONBLOCK));
    EXPECT_TRUE(fd_);
    acceptW_.watch(fd_.get(), EV_READ, 60s);
  }
  int port() const { return port_; }

  std::string banner, banner2;  // banner2 goes 30 ms after banner
  bool closeAtOnce = false;
  std::string request, reply;   // when `request` has been read, send `reply`
  bool closeAfterReply = false;
  int accepted = 0;
  std::string received;

 private:
  void onAccept(ev::IoWatch::Ready r) {
    if (r == ev::IoWatch::Ready::Readable) {
      int c = ::accept4(fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (c >= 0) {
        ++accepted;
        connW_.stop();
        conn_.reset(c);
        if (closeAtOnce) conn_.reset();
        if (conn_ && !banner.empty()) ::send(conn_.get(), banner.data(), banner.size(), MSG_NOSIGNAL);
        if (conn_ && !banner2.empty()) later_.arm(30ms);
        if (conn_) connW_.watch(conn_.get(), EV_READ, 60s);
      }
    }
    acceptW_.watch(fd_.get(), EV_READ, 60s);
  }
  void onData(ev::IoWatch::Ready r) {
    if (r != ev::IoWatch::Ready::Readable || !conn_) return;
    char buf[4096];
    ssize_t n = ::recv(conn_.get(), buf, sizeof buf, 0);
    if (n <= 0) return;  // peer closed: stop watching
    received.append(buf, static_cast<size_t>(n));
    if (!request.empty() && received.find(request) != std::string::npos) {
      ::send(conn_.get(), reply.data(), reply.size(), MSG_NOSIGNAL);
      if (closeAfterReply) return conn_.reset();
    }
    connW_.watch(conn_.get(), EV_READ, 60s);
  }
  void sendPart2() {
    if (conn_) ::send(conn_.get(), banner2.data(), banner2.size(), MSG_NOSIGNAL);
  }

  event_base* base_;
  UniqueFd fd_, conn_;
  ev::IoWatch acceptW_, connW_;
  ev::Timer later_;
  std::uint16_t port_ = 0;
};

// A port on 127.0.0.1 on which nothing listens (bound once, then closed).
int closedPort() {
  UniqueFd s(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(s.get(), reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

class TcpProbeTest : public ::testing::Test {
 protected:
  // A probe on `loop` (the fixture's when null).
  std::unique_ptr<Probe> make(int port, std::map<std::string, std::string> more = {}, ev::Loop* loop = nullptr) {
    CheckSpec spec;
    spec.name = "t";
    spec.kind = "tcp";
    spec.options = std::move(more);
    spec.options["host"] = "127.0.0.1";
    spec.options["port"] = std::to_string(port);
    validate(spec, tcpKind());
    ProbeContext ctx;
    ctx.loop = loop ? loop : loop_.get();
    return tcpKind().make(ctx, spec);
  }
  ProbeResult run(Probe& p, std::chrono::milliseconds timeout = 2s) {
    std::optional<ProbeResult> got;
    p.start(timeout, [&](ProbeResult r) { got = std::move(r); });
    EXPECT_FALSE(got) << "done called from inside start()";
    EXPECT_TRUE(runUntil(loop_->base(), [&] { return got.has_value(); }));
    return got.value_or(ProbeResult{});
  }

  test::LoopPtr loop_ = test::newLoop();
};

TEST_F(TcpProbeTest, ConnectsToAListener) {
  TestServer srv(loop_->base());
  auto p = make(srv.port());
  ProbeResult r = run(*p);
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  EXPECT_EQ(r.note, "");
  EXPECT_GT(r.latency.count(), 0);
  // Again on the same probe object: nothing left over from the first attempt.
  EXPECT_EQ(run(*p).outcome, Outcome::Ok);
  EXPECT_TRUE(runUntil(loop_->base(), [&] { return srv.accepted == 2; }));
}

TEST_F(TcpProbeTest, ClosedPortIsConnectionRefused) {
  auto p = make(closedPort());
  ProbeResult r = run(*p);
  EXPECT_EQ(r.outcome, Outcome::Unreachable);
  EXPECT_EQ(r.note, "connection refused");
}

TEST_F(TcpProbeTest, ExpectedBannerIsOk) {
  TestServer srv(loop_->base());
  srv.banner = "220 mail.example.com ESMTP ready\r\n";
  auto p = make(srv.port(), {{"expect", "220 "}});
  ProbeResult r = run(*p);
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
}

TEST_F(TcpProbeTest, ExpectFoundAcrossTwoReads) {
  TestServer srv(loop_->base());
  srv.banner = "+OK POP3 ser";
  srv.banner2 = "ver ready\r\n";
  auto p = make(srv.port(), {{"expect", "server ready"}});
  ProbeResult r = run(*p);
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
}

TEST_F(TcpProbeTest, WrongAnswerIsFail) {
  TestServer srv(loop_->base());
  srv.banner = "-ERR go away\r\n";  // and the connection stays open
  auto p = make(srv.port(), {{"expect", "+OK"}});
  // More could come, so the answer is judged at the deadline: wrong, not silent.
  ProbeResult r = run(*p, 300ms);
  EXPECT_EQ(r.outcome, Outcome::Fail);
  EXPECT_EQ(r.note, "unexpected answer");
}

TEST_F(TcpProbeTest, WrongAnswerThenCloseIsFailAtOnce) {
  TestServer srv(loop_->base());
  srv.request = "PING\r\n";
  srv.reply = "-ERR unknown command\r\n";
  srv.closeAfterReply = true;
  auto p = make(srv.port(), {{"expect", "+PONG"}, {"send", "PING\r\n"}});
  ProbeResult r = run(*p, 5s);
  EXPECT_EQ(r.outcome, Outcome::Fail);
  EXPECT_EQ(r.note, "unexpected answer");
  EXPECT_LT(r.latency, std::chrono::microseconds(2'000'000));  // not the timeout
  EXPECT_EQ(srv.received, "PING\r\n");
}

TEST_F(TcpProbeTest, SendThenExpectTheReply) {
  TestServer srv(loop_->base());
  srv.request = "PING\r\n";
  srv.reply = "+PONG\r\n";
  auto p = make(srv.port(), {{"send", "PING\r\n"}, {"expect", "+PONG"}});
  ProbeResult r = run(*p);
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  EXPECT_EQ(srv.received, "PING\r\n");
}

TEST_F(TcpProbeTest, AcceptsButNeverAnswersIsTimeout) {
  TestServer srv(loop_->base());
  auto p = make(srv.port(), {{"expect", "220"}});
  auto t0 = std::chrono::steady_clock::now();
  ProbeResult r = run(*p, 200ms);
  EXPECT_EQ(r.outcome, Outcome::Timeout);
  EXPECT_EQ(r.note, "timeout");
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 190ms);  // libevent rounds
}

TEST_F(TcpProbeTest, ClosedWithoutAWordIsFail) {
  TestServer srv(loop_->base());
  srv.closeAtOnce = true;
  auto p = make(srv.port(), {{"expect", "220"}});
  ProbeResult r = run(*p);
  EXPECT_EQ(r.outcome, Outcome::Fail);
  EXPECT_TRUE(r.note == "connection closed" || r.note == "connection reset") << r.note;
}

TEST_F(TcpProbeTest, ReadIsBoundedTo4KiB) {
  TestServer srv(loop_->base());
  srv.banner = std::string(6000, 'x');  // and the connection stays open
  auto p = make(srv.port(), {{"expect", "220"}});
  ProbeResult r = run(*p, 5s);
  EXPECT_EQ(r.outcome, Outcome::Fail);
  EXPECT_EQ(r.note, "unexpected answer");
  EXPECT_LT(r.latency, std::chrono::microseconds(2'000'000));  // not the timeout
}

TEST_F(TcpProbeTest, CancelReleasesTheAttempt) {
  TestServer srv(loop_->base());
  auto p = make(srv.port(), {{"expect", "220"}});
  bool called = false;
  p->start(2s, [&](ProbeResult) { called = true; });
  ASSERT_TRUE(runUntil(loop_->base(), [&] { return srv.accepted == 1; }));
  p->cancel();
  p->cancel();  // idempotent
  test::runFor(loop_->base(), 50ms);
  EXPECT_FALSE(called);
  srv.banner = "220 hi\r\n";
  EXPECT_EQ(run(*p).outcome, Outcome::Ok);
}

TEST_F(TcpProbeTest, ConfigErrors) {
  CheckSpec spec;
  spec.name = "t";
  spec.options = {{"host", "127.0.0.1"}, {"port", "0"}};
  validate(spec, tcpKind());
  ProbeContext ctx;
  ctx.loop = loop_.get();
  EXPECT_THROW(tcpKind().make(ctx, spec), ConfigError);
  spec.options["port"] = "80";
  spec.options["expect"] = std::string(5000, 'a');
  EXPECT_THROW(tcpKind().make(ctx, spec), ConfigError);
}

// The deadline is on the loop's clock: on a ManualClock a silent server times the probe
// out exactly at its timeout, without sleeping.
TEST_F(TcpProbeTest, TheDeadlineFollowsTheLoopsClock) {
  ev::ManualClock clock;
  ev::Loop manual(clock);
  TestServer srv(manual.base());
  auto p = make(srv.port(), {{"expect", "220"}}, &manual);
  std::optional<ProbeResult> got;
  p->start(200ms, [&](ProbeResult r) { got = std::move(r); });
  manual.advance(199ms);
  EXPECT_FALSE(got.has_value());
  manual.advance(1ms);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->outcome, Outcome::Timeout);
  EXPECT_EQ(got->note, "timeout");
  EXPECT_EQ(got->latency, 200ms);
}

}  // namespace
}  // namespace fail::check
