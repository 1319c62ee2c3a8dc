// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// DNS over TCP (RFC 7766) on the control thread's loop: two-byte length-prefixed
// messages, pipelined queries answered in the order they came (a forwarded one holds
// back those after it until its reply or its SERVFAIL), an idle timeout (no byte read or
// written for `idle`: closed, which also ends a client stalled inside a length prefix;
// nor may one message take longer than `idle` to arrive, however it drips in),
// at most `max` connections (one more is accepted and closed at once, and counted), and
// bounded memory per connection: reading stops while more than 64 KiB of answers wait to
// be sent or 16 forwards are in flight, so a client that does not read cannot grow us,
// and the kernel's buffers of an accepted socket are fixed at 64 KiB each (doubled by
// the kernel) instead of autotuned up to megabytes.
// An idle connection costs a bufferevent and its small state (about 1-2 KiB).
#pragma once

#include <event2/bufferevent.h>
#include <event2/listener.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "dns/answer.hh"
#include "dns/forward.hh"
#include "dns/udp_slot.hh"
#include "ev/ev.hh"
#include "ev/loop.hh"

namespace fail::dns {

class TcpServer {
 public:
  // What answering needs, owned by the control thread and outliving the server.
  struct Context {
    std::function<std::shared_ptr<const Published>()> current;  // null: not answering yet
    std::function<Forwarder*()> forwarder;                       // null: none
    Cursor* cursor = nullptr;
    Counters* counters = nullptr;
  };
  static constexpr std::size_t kMaxOutput = 64 * 1024;
  static constexpr unsigned kMaxForwards = 16;

  TcpServer(ev::Loop& loop, Context ctx, unsigned max, std::chrono::milliseconds idle);
  ~TcpServer();  // closes every connection and listener
  TcpServer(const TcpServer&) = delete;
  TcpServer& operator=(const TcpServer&) = delete;

  // Accepts on `fd` (listening, non-blocking; it stays the caller's, who closes it after
  // unlisten()). Throws when libevent cannot watch it.
  void listen(int fd);
  void unlisten(int fd);
  // New limits apply to connections accepted from now on.
  void setLimits(unsigned max, std::chrono::milliseconds idle);

  std::size_t open() const { return conns_.size(); }
  std::uint64_t refused() const { return refused_; }

 private:
  struct Conn;
  struct ListenerFree {
    void operator()(evconnlistener* l) const { evconnlistener_free(l); }
  };
  static void onAccept(evconnlistener*, evutil_socket_t fd, sockaddr* sa, int len, void* arg) noexcept;
  static void onAcceptError(evconnlistener* l, void* arg) noexcept;
  static void onRead(bufferevent* bev, void* arg) noexcept;
  static void onWrite(bufferevent* bev, void* arg) noexcept;
  static void onEvent(bufferevent* bev, short what, void* arg) noexcept;
  void accept(int fd, const sockaddr* sa, int len);
  void readQueries(Conn& c);
  void answer(Conn& c, const std::uint8_t* q, std::size_t n);
  void flush(Conn& c);
  void close(Conn& c);

  ev::Loop& loop_;
  Context ctx_;
  unsigned max_;
  std::chrono::milliseconds idle_;
  std::uint64_t nextId_ = 0, refused_ = 0;
  std::map<int, std::unique_ptr<evconnlistener, ListenerFree>> listeners_;
  std::map<std::uint64_t, std::unique_ptr<Conn>> conns_;
  std::vector<std::uint8_t> out_;  // the answer being written (65535 + its length prefix)
  ev::Timer resume_;               // re-enables accepting after running out of descriptors
};

}  // namespace fail::dns
