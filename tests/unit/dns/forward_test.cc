// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/forward.hh"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include <cstring>
#include <optional>
#include <string>

#include "base/unique_fd.hh"
#include "dns/forward_match.hh"
#include "dns/forward_queue.hh"

namespace fail::dns {
namespace {

using Bytes = std::basic_string<std::uint8_t>;

const Bytes kQuery = {0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 3, 'w', 'w', 'w', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1};

// A UDP socket on loopback standing for the upstream, driven by the test.
struct Upstream {
  Upstream() : fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t l = sizeof a;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &l);
    address.length = sizeof a;
    std::memcpy(&address.storage, &a, sizeof a);
  }
  // The next query and where it came from.
  Bytes receive(sockaddr_in& from) {
    pollfd p{fd.get(), POLLIN, 0};
    if (::poll(&p, 1, 5000) != 1) return {};
    std::uint8_t buf[512];
    socklen_t l = sizeof from;
    ssize_t n = ::recvfrom(fd.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &l);
    return n > 0 ? Bytes(buf, static_cast<size_t>(n)) : Bytes{};
  }
  void send(const Bytes& m, const sockaddr_in& to) {
    ::sendto(fd.get(), m.data(), m.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  }
  UniqueFd fd;
  net::Address address;
};

// Runs the loop (each turn waits for an event: a reply or the forwarder's timeout) until
// `done` or five seconds passed.
template <class Pred>
bool runUntil(ev::Loop& loop, Pred done) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done() && std::chrono::steady_clock::now() < until) {
    if (event_base_loop(loop.base(), EVLOOP_ONCE) == 1) break;  // nothing left to wait for
  }
  return done();
}

TEST(Forwarder, MatchesIdAddressAndQuestionAndRestoresTheId) {
  ev::Loop loop;
  Upstream up;
  Forwarder fw(loop, up.address);
  std::optional<Bytes> got;
  ASSERT_TRUE(fw.forward(kQuery.data(), kQuery.size(), [&](const std::uint8_t* r, std::size_t n) {
    got = r ? Bytes(r, n) : Bytes{};
  }));
  sockaddr_in from{};
  Bytes sent = up.receive(from);
  ASSERT_EQ(sent.size(), kQuery.size());
  EXPECT_NE(ntohs(from.sin_port), 0);
  EXPECT_EQ(sent.substr(2), kQuery.substr(2));
  Bytes reply = sent;
  reply[2] |= 0x80;
  Bytes wrongId = reply;
  wrongId[1] ^= 1;
  Bytes wrongQuestion = reply;
  wrongQuestion[14] = 'x';
  Bytes notResponse = sent;
  up.send(wrongId, from);
  up.send(wrongQuestion, from);
  up.send(notResponse, from);
  // from another address (port) than the upstream's
  Upstream stranger;
  stranger.send(reply, from);
  runUntil(loop, [&] { return fw.mismatched() >= 4; });
  EXPECT_FALSE(got);
  EXPECT_EQ(fw.mismatched(), 4u);
  up.send(reply, from);
  ASSERT_TRUE(runUntil(loop, [&] { return got.has_value(); }));
  ASSERT_EQ(got->size(), reply.size());
  EXPECT_EQ(messageId(got->data()), 0xabcd);
  EXPECT_EQ(fw.pending(), 0u);
}

TEST(Forwarder, TimesOutWithNothing) {
  ev::Loop loop;
  Upstream up;  // never answers
  Forwarder fw(loop, up.address, std::chrono::milliseconds(100));
  bool timedOut = false;
  ASSERT_TRUE(fw.forward(kQuery.data(), kQuery.size(), [&](const std::uint8_t* r, std::size_t) { timedOut = !r; }));
  ASSERT_TRUE(runUntil(loop, [&] { return timedOut; }));
  EXPECT_EQ(fw.timeouts(), 1u);
}

TEST(Forwarder, BoundedAndRefusesGarbage) {
  ev::Loop loop;
  Upstream up;
  Forwarder fw(loop, up.address, std::chrono::seconds(2), 2);
  auto ignore = [](const std::uint8_t*, std::size_t) {};
  EXPECT_FALSE(fw.forward(kQuery.data(), 11, ignore));
  EXPECT_TRUE(fw.forward(kQuery.data(), kQuery.size(), ignore));
  EXPECT_TRUE(fw.forward(kQuery.data(), kQuery.size(), ignore));
  EXPECT_FALSE(fw.forward(kQuery.data(), kQuery.size(), ignore));
  int cancelled = 0;
  Forwarder fw2(loop, up.address);
  fw2.forward(kQuery.data(), kQuery.size(), [&](const std::uint8_t* r, std::size_t) { cancelled += !r; });
  fw2.cancelAll();
  EXPECT_EQ(cancelled, 1);
  EXPECT_EQ(fw2.pending(), 0u);
}

TEST(ForwardQueue, BoundedAndWakes) {
  ForwardQueue q(2);
  pollfd p{q.fd(), POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 0), 0);
  EXPECT_TRUE(q.push(ForwardJob{}));
  EXPECT_TRUE(q.push(ForwardJob{}));
  EXPECT_FALSE(q.push(ForwardJob{}));  // full: the caller counts a drop
  EXPECT_EQ(::poll(&p, 1, 0), 1);
  EXPECT_EQ(q.drain().size(), 2u);
  EXPECT_EQ(::poll(&p, 1, 0), 0);
  EXPECT_TRUE(q.push(ForwardJob{}));
  EXPECT_EQ(::poll(&p, 1, 0), 1);
}

}  // namespace
}  // namespace fail::dns
