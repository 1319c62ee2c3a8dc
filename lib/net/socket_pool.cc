// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "net/socket_pool.hh"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <exception>
#include <unordered_map>
#include <vector>

#include "base/log.hh"

namespace fail::net {

// One socket of a pool: its fd, its event (added once, edge-triggered, for both
// directions; or one-shot per wait without edges), and while connected its owner and
// what the owner waits for.
struct PooledSlot {
  int fd = -1;
  int family = 0;
  event* ev = nullptr;
  PooledSocket* owner = nullptr;
  short want = 0;  // EV_READ / EV_WRITE the owner waits for
  short seen = 0;  // edges that came while nobody waited for them (this connection's)
};

class SocketPool {
 public:
  static SocketPool& acquire(event_base* base);
  void release();

  // An idle socket of `family`, or a new one; nullptr with *err set when socket() fails.
  PooledSlot* take(int family, int* err);
  // Resets the connection and keeps the socket, or closes it when the pool is full or
  // the reset failed.
  void give(PooledSlot* s) noexcept;
  void destroy(PooledSlot* s) noexcept;
  // Makes the slot's event wait for s->want: nothing to do when edge-triggered (added
  // once for both directions); else a one-shot event for just those.
  void rearm(PooledSlot* s);
  bool edges() const { return edges_; }

 private:
  explicit SocketPool(event_base* base)
      : base_(base), edges_(event_base_get_features(base) & EV_FEATURE_ET) {}
  ~SocketPool();
  static void onEvent(evutil_socket_t, short what, void* arg) noexcept;
  std::vector<PooledSlot*>& idle(int family) { return family == AF_INET6 ? idle6_ : idle4_; }

  event_base* base_;
  // The loop's backend has edge-triggered events (epoll; always, but for a loop made
  // without it, e.g. EVENT_NOEPOLL). Without them a socket cannot stay registered, so
  // nothing is kept: every connection gets a new socket, and every wait its own event.
  const bool edges_;
  size_t users_ = 0;
  std::vector<PooledSlot*> idle4_, idle6_;
};

namespace {

std::unordered_map<event_base*, SocketPool*>& registry() {
  thread_local std::unordered_map<event_base*, SocketPool*> pools;
  return pools;
}

}  // namespace

// --- SocketPool -------------------------------------------------------------------------

SocketPool& SocketPool::acquire(event_base* base) {
  SocketPool*& p = registry()[base];
  if (!p) p = new SocketPool(base);
  ++p->users_;
  return *p;
}

void SocketPool::release() {
  if (--users_ > 0) return;
  registry().erase(base_);
  delete this;
}

SocketPool::~SocketPool() {
  for (PooledSlot* s : idle4_) destroy(s);
  for (PooledSlot* s : idle6_) destroy(s);
}

PooledSlot* SocketPool::take(int family, int* err) {
  std::vector<PooledSlot*>& list = idle(family);
  if (!list.empty()) {
    PooledSlot* s = list.back();
    list.pop_back();
    return s;
  }
  int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) {
    *err = errno;
    return nullptr;
  }
  auto* s = new PooledSlot;
  s->fd = fd;
  s->family = family;
  s->ev = edges_ ? event_new(base_, fd, EV_READ | EV_WRITE | EV_PERSIST | EV_ET, onEvent, s)
                 : event_new(base_, fd, 0, onEvent, s);
  if (!s->ev || (edges_ && event_add(s->ev, nullptr) != 0)) {
    destroy(s);
    *err = ENOMEM;
    return nullptr;
  }
  return s;
}

void SocketPool::give(PooledSlot* s) noexcept {
  s->owner = nullptr;
  s->want = s->seen = 0;
  std::vector<PooledSlot*>& list = idle(s->family);
  sockaddr unspec{};
  unspec.sa_family = AF_UNSPEC;
  // The reset first, also for a socket that is not kept (its close() would be a FIN).
  if (::connect(s->fd, &unspec, sizeof unspec) != 0 || !edges_ ||
      list.size() >= static_cast<size_t>(PooledSocket::kMaxIdle))
    return destroy(s);
  try {
    list.push_back(s);
  } catch (const std::exception&) {
    destroy(s);
  }
}

void SocketPool::destroy(PooledSlot* s) noexcept {
  if (s->ev) event_free(s->ev);
  if (s->fd >= 0) ::close(s->fd);
  delete s;
}

void SocketPool::rearm(PooledSlot* s) {
  if (edges_) return;
  event_del(s->ev);
  event_assign(s->ev, base_, s->fd, s->want, onEvent, s);
  if (s->want) event_add(s->ev, nullptr);
}

void SocketPool::onEvent(evutil_socket_t, short what, void* arg) noexcept {
  auto* s = static_cast<PooledSlot*>(arg);
  if (!s->owner) return;  // idle: the reset's own wake-up
  what &= EV_READ | EV_WRITE;
  short hit = what & s->want;
  s->seen |= what & ~s->want;
  if (!hit) return;
  s->want = 0;
  PooledSocket* o = s->owner;
  try {
    o->fn_(o->arg_, hit);
  } catch (const std::exception& e) {
    FAIL_LOG(log::facility("main"), Err) << "internal error in I/O callback: " << e.what();
  } catch (...) {
    FAIL_LOG(log::facility("main"), Err) << "internal error in I/O callback: unknown exception";
  }
}

// --- PooledSocket -----------------------------------------------------------------------

PooledSocket::~PooledSocket() {
  reset();
  if (pool_) pool_->release();
}

int PooledSocket::connect(const Address& to, bool sendsFirst) {
  reset();
  if (!pool_) pool_ = &SocketPool::acquire(base_);
  int err = 0;
  PooledSlot* s = pool_->take(to.family(), &err);
  if (!s) return err;
  if (sendsFirst) {  // the reset of the last connection turned it back on
    int off = 0;
    ::setsockopt(s->fd, IPPROTO_TCP, TCP_QUICKACK, &off, sizeof off);
  }
  if (::connect(s->fd, to.sa(), to.length) != 0 && errno != EINPROGRESS) {
    err = errno;
    pool_->destroy(s);
    return err;
  }
  s->owner = this;
  s->want = s->seen = 0;
  slot_ = s;
  return 0;
}

int PooledSocket::fd() const { return slot_ ? slot_->fd : -1; }

void PooledSocket::wait(short what) {
  if (!slot_) return;
  what &= EV_READ | EV_WRITE;
  slot_->want |= what;
  if (short old = slot_->seen & what) {  // its edge came while nobody waited: look again
    slot_->seen &= ~old;
    event_active(slot_->ev, old, 0);
  }
  pool_->rearm(slot_);
}

void PooledSocket::resume(short what) {
  if (!slot_) return;
  what &= EV_READ | EV_WRITE;
  slot_->want |= what;
  if (pool_->edges())
    event_active(slot_->ev, what, 0);
  else
    pool_->rearm(slot_);  // level-triggered: a ready socket fires at once
}

void PooledSocket::stop() {
  if (!slot_) return;
  slot_->want = 0;
  pool_->rearm(slot_);
}

void PooledSocket::reset() noexcept {
  if (!slot_) return;
  pool_->give(slot_);
  slot_ = nullptr;
}

void PooledSocket::close() noexcept {
  if (!slot_) return;
  // Bytes received but not read would turn close() into a reset (RFC 2525, 2.17): drop
  // what has arrived, up to 64 KiB (a peer still sending past that gets its reset).
  char sink[4096];
  for (int i = 0; i < 16; ++i)
    if (::recv(slot_->fd, sink, sizeof sink, MSG_DONTWAIT | MSG_TRUNC) <= 0) break;
  pool_->destroy(slot_);
  slot_ = nullptr;
}

}  // namespace fail::net
