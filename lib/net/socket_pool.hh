// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// TCP sockets reused from one probe connection to the next, for probe kinds that end
// every connection with an RST (http, tcp). A connection ends with connect(AF_UNSPEC),
// which resets it (RFC 793 ABORT; Linux tcp_disconnect) and leaves the socket, its file
// and its registration in epoll in place for the next connect. Against a new socket per
// attempt that saves socket(), the teardown of a file in close(), and both epoll_ctl
// calls: about a fifth of the CPU of a loopback probe (bench/README.md, "hc_bench").
//
// Each socket keeps one edge-triggered libevent event, added once, for as long as it
// lives. So a wait on a PooledSocket is an edge: the owner waits only after an operation
// said EAGAIN (what arrives after that is an edge), or asks with resume() to be called
// again while the socket may still be ready. A wake-up may be spurious (an edge meant
// for the socket's previous connection): owners try, and wait again on EAGAIN.
//
// The pool of an event_base is made by the first PooledSocket that connects on it and
// freed, closing its idle sockets, with the last PooledSocket; it keeps at most
// kMaxIdle idle sockets per address family. On a loop without edge-triggered events
// (not epoll: EVENT_NOEPOLL) it keeps none, and each wait has an event of its own; the
// contract above still holds. Loop thread only.
#pragma once

#include <event2/event.h>

#include "net/tcp.hh"

namespace fail::net {

class SocketPool;
struct PooledSlot;

class PooledSocket {
 public:
  // Called with EV_READ and/or EV_WRITE once per wait() or resume() that is met.
  using Ready = void (*)(void* arg, short what);

  PooledSocket(event_base* base, Ready fn, void* arg) : base_(base), fn_(fn), arg_(arg) {}
  ~PooledSocket();
  PooledSocket(const PooledSocket&) = delete;
  PooledSocket& operator=(const PooledSocket&) = delete;

  // Takes an idle socket of `to`'s family (or makes one) and starts a non-blocking
  // connect. Returns 0 when it is under way or done (as startConnect), else an errno from
  // socket() or connect(); the socket is then closed, not pooled. `sendsFirst`: the owner
  // sends as soon as it is connected (an HTTP request, a TLS ClientHello), so the last
  // ACK of the handshake waits to go out with those bytes (TCP_QUICKACK off: one segment
  // less each way); without it a server that speaks first would wait for a delayed ACK.
  int connect(const Address& to, bool sendsFirst = false);
  int fd() const;
  explicit operator bool() const { return slot_ != nullptr; }

  // Calls back once when the socket becomes ready for `what` (EV_READ, EV_WRITE) after
  // this call: only after an operation said EAGAIN. An error or a hang-up wakes both.
  void wait(short what);
  // Calls back for `what` from the loop, as if it had become ready (the owner stopped
  // reading or writing before EAGAIN).
  void resume(short what);
  void stop();  // no call back until the next wait() or resume()

  // Ends the connection with an RST and gives the socket back to the pool. Idempotent.
  void reset() noexcept;
  // Ends it with a FIN (close()), so sent bytes still reach the peer; the socket leaves
  // the pool. What was received and not read (up to 64 KiB) is dropped first, so that
  // the close is not a reset. Idempotent.
  void close() noexcept;

  static constexpr int kMaxIdle = 256;

 private:
  friend class SocketPool;
  event_base* base_;
  Ready fn_;
  void* arg_;
  SocketPool* pool_ = nullptr;  // acquired at the first connect()
  PooledSlot* slot_ = nullptr;  // while connected
};

}  // namespace fail::net
