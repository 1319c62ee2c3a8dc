// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/forward.hh"

#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "dns/frontend_log.hh"
#include "base/unique_fd.hh"
#include "dns/forward_match.hh"
#include "ev/ev.hh"

namespace fail::dns {

struct Forwarder::Query {
  Query(event_base* base, std::function<void(ev::IoWatch::Ready)> fn) : watch(base, std::move(fn)) {}
  UniqueFd fd;
  std::vector<std::uint8_t> sent;  // the query as sent (our ID)
  std::uint16_t clientId = 0;
  Done done;
  std::chrono::steady_clock::time_point deadline;
  ev::IoWatch watch;
};

namespace {

std::uint16_t randomId() {
  std::uint16_t id = 0;
  while (::getrandom(&id, sizeof id, 0) != sizeof id) {
    if (errno != EINTR) break;
  }
  return id;
}

// Same family, address and port.
bool sameAddress(const sockaddr_storage& a, const net::Address& b) {
  if (a.ss_family != b.family()) return false;
  if (a.ss_family == AF_INET) {
    const auto& x = reinterpret_cast<const sockaddr_in&>(a);
    const auto* y = reinterpret_cast<const sockaddr_in*>(b.sa());
    return x.sin_port == y->sin_port && x.sin_addr.s_addr == y->sin_addr.s_addr;
  }
  const auto& x = reinterpret_cast<const sockaddr_in6&>(a);
  const auto* y = reinterpret_cast<const sockaddr_in6*>(b.sa());
  return x.sin6_port == y->sin6_port && std::memcmp(&x.sin6_addr, &y->sin6_addr, 16) == 0;
}

}  // namespace

Forwarder::Forwarder(ev::Loop& loop, net::Address upstream, std::chrono::milliseconds timeout, std::size_t maxPending)
    : loop_(loop), upstream_(upstream), timeout_(timeout), maxPending_(maxPending) {}

Forwarder::~Forwarder() = default;

bool Forwarder::forward(const std::uint8_t* query, std::size_t size, Done done) {
  if (pending_.size() >= maxPending_ || questionEnd(query, size) == 0) return false;
  std::uint64_t key = ++next_;
  auto q = std::make_unique<Query>(loop_.base(), [this, key](ev::IoWatch::Ready r) {
    onReady(key, r == ev::IoWatch::Ready::TimedOut);
  });
  // Unconnected and unbound: the kernel binds it to a random ephemeral port on send.
  q->fd.reset(::socket(upstream_.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!q->fd) {
    FAIL_LOG(logFacility(), Warning) << "forward: socket: " << std::strerror(errno);
    return false;
  }
  q->sent.assign(query, query + size);
  q->clientId = messageId(query);
  setMessageId(q->sent.data(), randomId());
  if (::sendto(q->fd.get(), q->sent.data(), q->sent.size(), 0, upstream_.sa(), upstream_.length) < 0) {
    FAIL_LOG(logFacility(), Info) << "forward to " << upstream_.text() << ": " << std::strerror(errno);
    return false;
  }
  q->done = std::move(done);
  q->deadline = std::chrono::steady_clock::now() + timeout_;
  q->watch.watch(q->fd.get(), EV_READ, timeout_);
  pending_.emplace(key, std::move(q));
  return true;
}

void Forwarder::onReady(std::uint64_t key, bool timedOut) {
  auto it = pending_.find(key);
  if (it == pending_.end()) return;
  Query& q = *it->second;
  if (timedOut) {
    ++timeouts_;
    FAIL_LOG(logFacility(), Info) << "forward to " << upstream_.text() << ": no reply in " << timeout_.count() << " ms";
    Done done = std::move(q.done);
    finish(key);
    done(nullptr, 0);
    return;
  }
  std::uint8_t buf[65535];
  for (;;) {
    sockaddr_storage from{};
    socklen_t fromLen = sizeof from;
    ssize_t n = ::recvfrom(q.fd.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fromLen);
    if (n < 0) break;  // EAGAIN: wait on; an ICMP error: the timeout will answer
    auto size = static_cast<std::size_t>(n);
    if (!sameAddress(from, upstream_) || size < 12 || messageId(buf) != messageId(q.sent.data()) ||
        !(buf[2] & 0x80) || !sameQuestion(buf, size, q.sent.data(), q.sent.size())) {
      ++mismatched_;
      continue;
    }
    setMessageId(buf, q.clientId);
    Done done = std::move(q.done);
    finish(key);
    done(buf, size);
    return;
  }
  auto left = q.deadline - std::chrono::steady_clock::now();
  q.watch.watch(q.fd.get(), EV_READ, std::max(ev::Micros{0}, std::chrono::duration_cast<ev::Micros>(left)));
}

void Forwarder::cancelAll() {
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& [key, q] : pending) {
    q->watch.stop();
    if (q->done) q->done(nullptr, 0);
  }
}

// The query's watch is running its callback: it goes after the callback returns.
void Forwarder::finish(std::uint64_t key) {
  auto it = pending_.find(key);
  if (it == pending_.end()) return;
  it->second->watch.stop();
  loop_.deleteLater(std::move(it->second));
  pending_.erase(it);
}

}  // namespace fail::dns
