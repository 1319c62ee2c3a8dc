// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// An asynchronous client on the loop of anything that speaks doc/protocol.md (faild, a
// failsh or hc monitor port): what failsh uses to poll peers and to follow its local
// faild. The connection, HELLO, AUTH and reconnecting are client::Transport's
// (client/transport.hh); a Link adds replies matched to requests, or a watch.
//
// Two uses, one per Link: requests (request(): pipelined, each with its callback and a
// deadline; a request not answered in time breaks the connection, so a peer that hangs
// is noticed within that deadline), or a watch (watch(): WATCH PATTERN after every
// connect, with since= the last serial seen, so no change is missed across reconnects).
// Runs on the loop thread only; callbacks run from libevent and must not evaluate Tcl.
#pragma once

#include <event2/event.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <utility>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include "client/connection.hh"
#include "client/options.hh"
#include "client/transport.hh"
#include "ev/ev.hh"

namespace fail::client {

class Link {
 public:
  using ReplyFn = std::function<void(const Reply&)>;
  using StateFn = std::function<void(bool up, const std::string& why)>;

  // Throws std::runtime_error when the TLS files cannot be loaded.
  Link(event_base* base, LinkSpec spec, LinkOptions opts = {});
  ~Link();
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  void start();  // connects; reconnects from then on until stop()
  void stop();
  bool up() const { return transport_.ready(); }
  const LinkSpec& spec() const { return transport_.spec(); }
  const std::string& lastError() const { return lastError_; }
  // The server's program and version from its HELLO reply (Transport::peerProgram).
  const std::string& peerProgram() const { return transport_.peerProgram(); }
  const std::string& peerVersion() const { return transport_.peerVersion(); }
  std::uint64_t connects() const { return connects_; }

  // Called when the link becomes ready (up=true) or breaks (up=false, with why).
  void onState(StateFn fn) { onState_ = std::move(fn); }
  // Called whenever a connection ends or an attempt fails (before or after the greeting;
  // not on stop()), with the reason and whether the greeting had passed: what onState
  // leaves out, so an owner can show why a peer it never reached is unreachable.
  void onFailure(std::function<void(const std::string& why, bool wasReady)> fn) { onFailure_ = std::move(fn); }
  // The next retry waits the full maxBackoff (Transport::backOffFully); call from
  // onFailure, e.g. for a peer that greets and then misbehaves.
  void backOffFully() { transport_.backOffFully(); }

  // Sends `line` (already encoded) and calls `fn` with the reply; a request made while
  // connecting waits for the connection. When the link is down (backing off after a
  // failure), or breaks before the reply, or no reply comes within `timeout`, `fn` gets
  // !ok with code "DOWN" and the reason as message; a timeout also breaks the link.
  void request(const std::string& line, ReplyFn fn, std::chrono::milliseconds timeout);

  // Makes this a watching link: after each connect it sends WATCH `pattern` (with since=
  // the last serial seen, when there is one) and hands every stream line to `fn`. When
  // the server no longer holds the changes since then (ERR GONE), `relist` is called
  // and then `fn` gets the full listing again.
  void watch(std::string pattern, std::function<void(const WatchEvent&)> fn, std::function<void()> relist);
  std::uint64_t lastSerial() const { return lastSerial_; }
  // A watching link whose server sent nothing for `idle` sends PING; when no line at all
  // comes within `answer` after it, the link fails ("no answer to PING within …"), so a
  // peer that stalls after its greeting is noticed. 0: off (the default).
  void watchIdle(std::chrono::milliseconds idle, std::chrono::milliseconds answer);

 private:
  struct Pending {
    enum class Kind { Watch, Request } kind;
    ReplyFn fn;
    ev::Micros deadline{0};  // steady clock, Request only
  };

  void onLine(const std::string& line);
  void onStream(const std::string& line);
  void ready();
  void broken(const Transport::Break& b);
  void send(const std::string& line, Pending p);
  void sendWatch(bool full);
  void armDeadline();  // to the earliest deadline of deadlines_: O(1)
  void forget(const Pending& p);
  void onIdle();

  ev::Timer idle_;
  ev::Micros lastLine_{0};  // steady clock: the last line read while watching
  bool pinged_ = false;
  std::chrono::milliseconds idleAfter_{0}, pingAnswer_{0};
  std::function<void(const std::string&, bool)> onFailure_;

  ev::Timer deadline_;
  std::deque<Pending> inflight_;
  std::deque<std::pair<std::string, Pending>> held_;  // requested while connecting
  // The deadlines of the requests held and in flight: the earliest is first, whatever
  // the timeouts, so a reply costs O(log n), not a scan of everything in flight.
  std::multiset<ev::Micros> deadlines_;
  StateFn onState_;
  std::string lastError_;
  std::uint64_t connects_ = 0;
  // watch mode
  bool watching_ = false, streaming_ = false;
  std::string pattern_;
  std::function<void(const WatchEvent&)> watchFn_;
  std::function<void()> relistFn_;
  std::uint64_t lastSerial_ = 0;
  Transport transport_;  // last: destroyed first, so no event reaches a member already gone
};

}  // namespace fail::client
