// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// net::PooledSocket against a real listening socket on loopback: reuse of one socket
// across connections, the reset the peer sees, edge-triggered waits that lose no edge,
// the FIN close, the bound on idle sockets, and nothing left open at the end.
#include "net/socket_pool.hh"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "base/unique_fd.hh"
#include "../check/loop_util.hh"
#include "../check/web_server.hh"

namespace fail::net {
namespace {

namespace test = ::fail::check::test;

using namespace std::chrono_literals;

// A listening socket on 127.0.0.1 and what it accepts.
struct Listener {
  UniqueFd fd;
  net::Address addr;
  Listener() {
    std::uint16_t port = 0;
    fd.reset(test::listenLoopback(&port, 0, 512));
    EXPECT_TRUE(fd);
    addr = *net::resolve("127.0.0.1", port);
  }
  UniqueFd accept() {
    pollfd p{fd.get(), POLLIN, 0};
    if (::poll(&p, 1, 10000) != 1) return UniqueFd();
    return UniqueFd(::accept4(fd.get(), nullptr, nullptr, SOCK_CLOEXEC));
  }
};

// What a peer's blocking read says within 10 s: bytes, 0 (FIN) or -errno.
ssize_t peerRead(int fd) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 10000) != 1) return -ETIMEDOUT;
  char buf[64];
  ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  return n < 0 ? -errno : n;
}

class SocketPoolTest : public ::testing::Test {
 protected:
  // A PooledSocket whose call-backs add up in `readyCalls` / `lastReady`.
  std::unique_ptr<net::PooledSocket> make() {
    return std::make_unique<net::PooledSocket>(
        base_.get(),
        [](void* self, short what) {
          auto* t = static_cast<SocketPoolTest*>(self);
          ++t->readyCalls;
          t->lastReady = what;
        },
        this);
  }
  bool connected(net::PooledSocket& s) {
    s.wait(EV_WRITE);
    int before = readyCalls;
    return test::runUntil(base_.get(), [&] { return readyCalls > before; }) && (lastReady & EV_WRITE);
  }

  // epoll whatever EVENT_* says: the pool keeps sockets only with edge-triggered events.
  static test::BasePtr edgeBase() {
    event_config* cfg = event_config_new();
    event_config_set_flag(cfg, EVENT_BASE_FLAG_IGNORE_ENV);
    event_config_require_features(cfg, EV_FEATURE_ET);
    test::BasePtr b(event_base_new_with_config(cfg));
    event_config_free(cfg);
    return b;
  }

  test::BasePtr base_ = edgeBase();
  int readyCalls = 0;
  short lastReady = 0;
};

TEST_F(SocketPoolTest, ReusesOneSocketAndResetsEachConnection) {
  Listener l;
  int fds = test::openFds();
  {
    auto s = make();
    int first = -1;
    for (int i = 0; i < 3; ++i) {
      ASSERT_EQ(s->connect(l.addr), 0);
      if (i == 0) first = s->fd();
      EXPECT_EQ(s->fd(), first) << "connection " << i << " took another socket";
      ASSERT_TRUE(connected(*s));
      UniqueFd peer = l.accept();
      ASSERT_TRUE(peer);
      s->reset();
      EXPECT_FALSE(*s);
      EXPECT_EQ(peerRead(peer.get()), -ECONNRESET) << "connection " << i;
    }
    EXPECT_EQ(test::openFds(), fds + 1);  // the listener's side closed; one pooled socket
  }
  EXPECT_EQ(test::openFds(), fds);  // the pool went with its last PooledSocket
}

TEST_F(SocketPoolTest, KeepsEachAddressFamilyApart) {
  UniqueFd l6(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  socklen_t len = sizeof a;
  if (!l6 || ::bind(l6.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(l6.get(), 16) != 0 ||
      ::getsockname(l6.get(), reinterpret_cast<sockaddr*>(&a), &len) != 0)
    GTEST_SKIP() << "no IPv6 loopback here";
  net::Address to6 = *net::resolve("::1", ntohs(a.sin6_port));
  Listener l4;
  auto s = make();
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(s->connect(to6), 0);
    int fd6 = s->fd();
    ASSERT_TRUE(connected(*s));
    sockaddr_storage peer{};
    socklen_t plen = sizeof peer;
    UniqueFd p6(::accept4(l6.get(), reinterpret_cast<sockaddr*>(&peer), &plen, SOCK_CLOEXEC));
    ASSERT_TRUE(p6);
    EXPECT_EQ(peer.ss_family, AF_INET6);
    s->reset();
    EXPECT_EQ(peerRead(p6.get()), -ECONNRESET);
    ASSERT_EQ(s->connect(l4.addr), 0);  // an IPv4 target never gets the IPv6 socket
    EXPECT_NE(s->fd(), fd6);
    ASSERT_TRUE(connected(*s));
    UniqueFd p4 = l4.accept();
    ASSERT_TRUE(p4);
    s->reset();
    EXPECT_EQ(peerRead(p4.get()), -ECONNRESET);
  }
}

TEST_F(SocketPoolTest, WaitsAreEdgesThatAreNotLost) {
  Listener l;
  auto s = make();
  ASSERT_EQ(s->connect(l.addr), 0);
  ASSERT_TRUE(connected(*s));
  UniqueFd peer = l.accept();
  ASSERT_TRUE(peer);
  // Bytes that come while the owner waits for writability only are remembered: a later
  // wait for reading is met without a new edge.
  s->wait(EV_WRITE);
  ASSERT_EQ(::send(peer.get(), "hello", 5, 0), 5);
  ASSERT_TRUE(test::runUntil(base_.get(), [&] { return readyCalls == 2; }));
  s->stop();
  test::runFor(base_.get(), 50ms);
  int before = readyCalls;
  s->wait(EV_READ);
  ASSERT_TRUE(test::runUntil(base_.get(), [&] { return readyCalls > before; }));
  EXPECT_TRUE(lastReady & EV_READ);
  char buf[16];
  EXPECT_EQ(::recv(s->fd(), buf, sizeof buf, MSG_PEEK), 5);
  // resume(): called back from the loop while the bytes are still there.
  before = readyCalls;
  s->resume(EV_READ);
  EXPECT_EQ(readyCalls, before);  // never from inside the call
  ASSERT_TRUE(test::runUntil(base_.get(), [&] { return readyCalls > before; }));
  EXPECT_EQ(lastReady, EV_READ);
  // Drained, a wait is met by the next bytes only.
  EXPECT_EQ(::recv(s->fd(), buf, sizeof buf, 0), 5);
  EXPECT_EQ(::recv(s->fd(), buf, sizeof buf, 0), -1);
  before = readyCalls;
  s->wait(EV_READ);
  test::runFor(base_.get(), 100ms);
  EXPECT_EQ(readyCalls, before);
  ASSERT_EQ(::send(peer.get(), "again", 5, 0), 5);
  ASSERT_TRUE(test::runUntil(base_.get(), [&] { return readyCalls > before; }));
  EXPECT_TRUE(lastReady & EV_READ);
  // After a reset the old connection's wake-ups reach nobody.
  s->reset();
  before = readyCalls;
  test::runFor(base_.get(), 100ms);
  EXPECT_EQ(readyCalls, before);
}

TEST_F(SocketPoolTest, WithoutEdgeTriggeringEachConnectionHasItsOwnSocket) {
  // A loop on poll(2), which has no edge-triggered events: nothing is pooled, waits and
  // resume() still work, and a reset is still an RST.
  event_config* cfg = event_config_new();
  event_config_avoid_method(cfg, "epoll");
  base_.reset(event_base_new_with_config(cfg));
  event_config_free(cfg);
  ASSERT_TRUE(base_);
  ASSERT_FALSE(event_base_get_features(base_.get()) & EV_FEATURE_ET) << event_base_get_method(base_.get());
  Listener l;
  int fds = test::openFds();
  auto s = make();
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(s->connect(l.addr), 0);
    ASSERT_TRUE(connected(*s));
    UniqueFd peer = l.accept();
    ASSERT_TRUE(peer);
    ASSERT_EQ(::send(peer.get(), "hello", 5, 0), 5);
    int before = readyCalls;
    s->wait(EV_READ);
    ASSERT_TRUE(test::runUntil(base_.get(), [&] { return readyCalls > before; }));
    EXPECT_EQ(lastReady, EV_READ);
    before = readyCalls;
    s->resume(EV_READ);
    ASSERT_TRUE(test::runUntil(base_.get(), [&] { return readyCalls > before; }));
    s->reset();
    EXPECT_EQ(peerRead(peer.get()), -ECONNRESET);
    peer.reset();
    EXPECT_EQ(test::openFds(), fds);  // not kept
  }
}

TEST_F(SocketPoolTest, CloseSendsAFinAndLeavesThePool) {
  Listener l;
  int fds = test::openFds();
  auto s = make();
  ASSERT_EQ(s->connect(l.addr), 0);
  ASSERT_TRUE(connected(*s));
  UniqueFd peer = l.accept();
  ASSERT_EQ(::send(s->fd(), "bye", 3, MSG_NOSIGNAL), 3);
  s->close();
  EXPECT_EQ(peerRead(peer.get()), 3);  // the bytes arrive, then the FIN
  EXPECT_EQ(peerRead(peer.get()), 0);
  peer.reset();
  EXPECT_EQ(test::openFds(), fds);
}

TEST_F(SocketPoolTest, KeepsAtMostMaxIdleSockets) {
  Listener l;
  int fds = test::openFds();
  {
    std::vector<std::unique_ptr<net::PooledSocket>> many;
    for (int i = 0; i < net::PooledSocket::kMaxIdle + 20; ++i) {
      many.push_back(make());
      ASSERT_EQ(many.back()->connect(l.addr), 0) << i;
    }
    for (auto& s : many) s->reset();
    EXPECT_EQ(test::openFds(), fds + net::PooledSocket::kMaxIdle);
  }
  EXPECT_EQ(test::openFds(), fds);
}

TEST_F(SocketPoolTest, AResetInsideItsOwnCallBackWithThePoolFull) {
  // The owner of a probe resets from inside the call back of its socket; with the pool
  // full that frees the socket's event while libevent runs it (allowed: libevent keeps
  // what it needs before the call; the sanitizer build would catch a use after free).
  Listener l;
  int fds = test::openFds();
  {
    std::vector<std::unique_ptr<net::PooledSocket>> idle;
    for (int i = 0; i < net::PooledSocket::kMaxIdle; ++i) {
      idle.push_back(make());
      ASSERT_EQ(idle.back()->connect(l.addr), 0);
    }
    struct Self {
      std::unique_ptr<net::PooledSocket> s;
      bool called = false;
    } self;
    self.s = std::make_unique<net::PooledSocket>(
        base_.get(),
        [](void* arg, short) {
          auto* me = static_cast<Self*>(arg);
          me->called = true;
          me->s->reset();
        },
        &self);
    ASSERT_EQ(self.s->connect(l.addr), 0);
    for (auto& s : idle) s->reset();  // the pool is full now
    EXPECT_EQ(test::openFds(), fds + net::PooledSocket::kMaxIdle + 1);
    self.s->wait(EV_WRITE);
    ASSERT_TRUE(test::runUntil(base_.get(), [&] { return self.called; }));
    EXPECT_FALSE(*self.s);
    EXPECT_EQ(test::openFds(), fds + net::PooledSocket::kMaxIdle);  // it was closed, not kept
    test::runFor(base_.get(), 50ms);
  }
  EXPECT_EQ(test::openFds(), fds);
}

TEST_F(SocketPoolTest, AFailedConnectKeepsNothing) {
  int fds = test::openFds();
  auto s = make();
  // 255.255.255.255 is refused by the kernel at once (no TCP to a broadcast address).
  int err = s->connect(*net::resolve("255.255.255.255", 80));
  EXPECT_NE(err, 0);
  EXPECT_FALSE(*s);
  EXPECT_EQ(s->fd(), -1);
  s.reset();
  EXPECT_EQ(test::openFds(), fds);
}

}  // namespace
}  // namespace fail::net
