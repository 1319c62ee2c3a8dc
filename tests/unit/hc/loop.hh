// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Test helpers for lib/hc: an event loop driven until a condition holds, an in-process
// faild (the real server::Server over an in-memory Store) and a fake faild that answers
// HELLO and then stays silent (or stops reading altogether).
#pragma once

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "base/time.hh"
#include "ev/ev.hh"
#include "ev/loop.hh"
#include "net/listen.hh"
#include "proto/list.hh"
#include "server/server.hh"
#include "state/store.hh"

namespace fail::hc::test {

using namespace std::chrono_literals;

class Loop {
 public:
  event_base* base() const { return loop_.base(); }
  ev::Loop& ev() { return loop_; }
  // Runs the loop until `cond` holds (true) or `limit` passes (false). Never sleeps
  // longer than 10 ms at a time without looking at `cond`.
  bool until(const std::function<bool()>& cond, std::chrono::milliseconds limit = 20s) {
    auto end = std::chrono::steady_clock::now() + limit;
    ev::Timer tick(base(), [] {});
    while (!cond()) {
      if (std::chrono::steady_clock::now() > end) return false;
      tick.arm(10ms);
      event_base_loop(base(), EVLOOP_ONCE);
    }
    return true;
  }
  // Runs the loop for `d` (for asserting that something does NOT happen).
  void runFor(std::chrono::milliseconds d) {
    auto end = std::chrono::steady_clock::now() + d;
    until([&] { return std::chrono::steady_clock::now() >= end; }, d + 1s);
  }

 private:
  ev::Loop loop_;
};

// The real protocol server over an in-memory store, on the test's loop.
struct MiniFaild {
  state::Store store{nullptr, state::Recovery{}, state::Store::Options{}, steadyNow()};
  std::unique_ptr<server::Server> srv;
  MiniFaild(ev::Loop& loop, const std::string& listen = "127.0.0.1:0", const std::string& access = "",
            net::TlsFiles tls = {}) {
    server::ServerConfig c;
    std::string err;
    c.listens.push_back(*net::parseListen(listen, err));
    c.accessFile = access;
    c.tls = tls;
    c.authDelayMs = 1;
    srv = std::make_unique<server::Server>(loop, c, store);
    srv->start();
  }
  ~MiniFaild() { srv->stop(); }
  std::string address() const { return srv->boundAddresses().at(0); }
  // The record as it is in memory now, decoded (kept while this lives), or null.
  const state::Record* get(const std::string& name) const {
    const state::Version* v = store.get(name);
    return v ? &decoded_.emplace_back(v->record()) : nullptr;
  }
  // Every published change (not deletes), oldest first, read back from its wire line.
  std::vector<state::Record> changes() const {
    std::vector<state::Record> out;
    store.changesSince(0, [&](const state::Published& p) {
      std::vector<std::string> w;
      state::Record r;
      std::string line;
      p.appendLine(line);
      if (proto::splitList(line, w) && w.size() == 3 && w[0] == "CHANGE" && state::decodeRecord(w[2], r))
        out.push_back(r);
    });
    return out;
  }

 private:
  mutable std::deque<state::Record> decoded_;
};

// Answers HELLO with "OK faild ... auth none" and nothing else. With stall(), it also
// stops reading, so the sender's buffers fill up.
class SilentFaild {
 public:
  explicit SilentFaild(event_base* base, int port = 0) : base_(base) {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = htons(static_cast<uint16_t>(port));
    listener_ = evconnlistener_new_bind(base, onAccept, this, LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE, 16,
                                        reinterpret_cast<sockaddr*>(&sin), sizeof sin);
    sockaddr_in bound{};
    socklen_t len = sizeof bound;
    getsockname(evconnlistener_get_fd(listener_), reinterpret_cast<sockaddr*>(&bound), &len);
    port_ = ntohs(bound.sin_port);
  }
  ~SilentFaild() { close(); }
  void close() {
    for (bufferevent* b : conns_) bufferevent_free(b);
    conns_.clear();
    if (listener_) evconnlistener_free(listener_);
    listener_ = nullptr;
  }
  void stall() {
    stalled_ = true;
    for (bufferevent* b : conns_) bufferevent_disable(b, EV_READ);
  }
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::vector<std::string>& lines() const { return lines_; }
  size_t accepted() const { return accepted_; }

 private:
  static void onAccept(evconnlistener*, evutil_socket_t fd, sockaddr*, int, void* arg) {
    auto* self = static_cast<SilentFaild*>(arg);
    ++self->accepted_;
    bufferevent* b = bufferevent_socket_new(self->base_, fd, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(b, onRead, nullptr, nullptr, self);
    bufferevent_enable(b, EV_READ | EV_WRITE);
    self->conns_.push_back(b);
  }
  static void onRead(bufferevent* b, void* arg) {
    auto* self = static_cast<SilentFaild*>(arg);
    while (char* raw = evbuffer_readln(bufferevent_get_input(b), nullptr, EVBUFFER_EOL_LF)) {
      std::string line(raw);
      std::free(raw);
      self->lines_.push_back(line);
      if (line.rfind("HELLO", 0) == 0) {
        bufferevent_write(b, "OK faild 1 proto 1 auth none\n", 29);
        if (self->stalled_) bufferevent_disable(b, EV_READ);
      }
    }
  }
  event_base* base_;
  evconnlistener* listener_ = nullptr;
  std::list<bufferevent*> conns_;
  std::vector<std::string> lines_;
  int port_ = 0;
  size_t accepted_ = 0;
  bool stalled_ = false;
};

// A TCP service on 127.0.0.1 that accepts and closes at once; open() and close() take
// it up and down on the same port.
class TcpTarget {
 public:
  explicit TcpTarget(event_base* base) : base_(base) { open(); }
  ~TcpTarget() { close(); }
  void open() {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = htons(static_cast<uint16_t>(port_));
    listener_ = evconnlistener_new_bind(
        base_, [](evconnlistener*, evutil_socket_t fd, sockaddr*, int, void* arg) {
          ++static_cast<TcpTarget*>(arg)->accepted_;
          evutil_closesocket(fd);
        },
        this, LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE, 64, reinterpret_cast<sockaddr*>(&sin), sizeof sin);
    sockaddr_in bound{};
    socklen_t len = sizeof bound;
    getsockname(evconnlistener_get_fd(listener_), reinterpret_cast<sockaddr*>(&bound), &len);
    port_ = ntohs(bound.sin_port);
  }
  void close() {
    if (listener_) evconnlistener_free(listener_);
    listener_ = nullptr;
  }
  int port() const { return port_; }
  size_t accepted() const { return accepted_; }

 private:
  event_base* base_;
  evconnlistener* listener_ = nullptr;
  int port_ = 0;
  size_t accepted_ = 0;
};

}  // namespace fail::hc::test
