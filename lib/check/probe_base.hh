// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The life of one attempt, shared by every probe kind: its deadline (one wheel timer), the
// one IoWatch that waits on its fd, the pooled TCP socket of kinds that reset their
// connections (net::PooledSocket), and the contract of Probe (done called exactly once,
// from the loop, never from inside start(); cancel() at any time). A kind only says how
// to begin, what to do when its fd is ready, what to release and what to add to the
// result.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "base/unique_fd.hh"
#include "check/classify.hh"
#include "check/probe.hh"
#include "check/spec.hh"
#include "ev/ev.hh"
#include "ev/loop.hh"
#include "net/socket_pool.hh"
#include "net/tcp.hh"

namespace fail::check {

class ProbeBase : public Probe {
 public:
  // Sets the deadline and calls begin(); a finish() from inside it is delivered from the
  // loop.
  void start(std::chrono::microseconds timeout, Done done) final;
  // Stops waiting, releases the attempt's resources; done will not be called.
  void cancel() noexcept final;
  // Every wait of a kind goes through watch(), which carries the deadline; a kind that
  // waits on anything else (a timer of its own) says false.
  bool endsByDeadline() const override { return true; }
  // How the pooled connection ends: Reset (RST; the socket is pooled for the next
  // attempt) or Fin (a graceful close; the socket leaves the pool, and the checker's side
  // keeps the connection in TIME_WAIT for 60 s).
  enum class Close : std::uint8_t { Reset, Fin };
  void setClose(Close c) { close_ = c; }

 protected:
  using Clock = std::chrono::steady_clock;

  // The deadline and started() follow the loop's clock.
  explicit ProbeBase(ev::Loop& loop);
  // A kind's destructor must call cancel(): release() is its own.
  ~ProbeBase() override = default;
  ProbeBase(const ProbeBase&) = delete;
  ProbeBase& operator=(const ProbeBase&) = delete;

  // --- what a kind provides
  // Begins the attempt (deadline set, nothing in flight). May end it at once with
  // finish(), which then reaches done from the loop.
  virtual void begin(std::chrono::microseconds timeout) = 0;
  // The fd given to watch() is ready (only while the attempt runs).
  virtual void onReady(ev::IoWatch::Ready r) = 0;
  // The deadline passed. Default: Timeout "timeout".
  virtual void onTimeout();
  // Frees what the attempt holds (sockets, TLS session, timers of its own). Called by
  // cancel() and finish(); idempotent, noexcept.
  virtual void release() noexcept = 0;
  // Adds what the kind knows to a result (attributes, warning, a measured latency) and
  // resets its per-attempt state. Called once per finish(), after release().
  virtual void complete(ProbeResult&) {}

  // --- what the base does
  // Ends the attempt; done is called last (it may start the next attempt or destroy the
  // probe), so return at once after calling it.
  void finish(Outcome o, std::string note);
  // finish() with what an errno means for a check (classifyErrno).
  void finishErrno(int err, const char* what);
  // Waits for `what` (EV_READ, EV_WRITE) on `fd` until the deadline. A deadline already
  // past ends the attempt (onTimeout) at once, or from the loop inside begin(). On the
  // pooled socket the wait is an edge (net::PooledSocket): wait after EAGAIN, or resume().
  void watch(int fd, short what);
  // After stopping before EAGAIN on `fd` (still ready): onReady again from the loop.
  void resume(int fd, short what);
  void stopWatching() {
    io_.stop();
    sock_.stop();
  }
  // Starts a non-blocking TCP connect to `to` and watches for writability; a failure at
  // once ends the attempt ("connect: ..."). After the wait, connected() says whether it
  // worked (else it ended the attempt).
  void connectTo(const net::Address& to, UniqueFd& fd);
  bool connected(int fd);
  // Starts a non-blocking connect of the attempt's pooled socket to `to` and returns its
  // fd (`sendsFirst`: see net::PooledSocket::connect); a failure at once ends the attempt
  // ("connect: ...") and gives -1. When the attempt ends, after release(), the base ends
  // the connection as the check's -close says (endPooled()); a kind that must end with a
  // FIN whatever -close says calls pooled().close() first.
  int connectPooled(const net::Address& to, bool sendsFirst = false);
  net::PooledSocket& pooled() { return sock_; }
  // Ends the pooled connection as setClose() said (a kind that connects again within one
  // attempt, such as a redirect, calls it first). Idempotent.
  void endPooled() noexcept;

  bool running() const { return state_ == State::Running; }
  Clock::time_point started() const { return started_; }
  Clock::time_point deadline() const { return deadline_; }
  event_base* base() const { return loop_.base(); }

 private:
  enum class State : std::uint8_t { Idle, Running, Delivering };
  void deliver();
  void stopAll() noexcept;  // waits, deadline and the kind's resources
  static void onPooledReady(void* self, short what);
  static void onDeadline(void* self);

  ev::IoWatch io_;
  net::PooledSocket sock_;
  ev::WheelTimer deadlineTimer_;
  // Delivers a result that came inside begin(); made on first use (rare: most checks
  // never need it, and a check holds no event it does not use).
  std::unique_ptr<ev::Timer> later_;
  ev::Loop& loop_;
  Close close_ = Close::Reset;
  Done done_;
  State state_ = State::Idle;
  bool starting_ = false;  // inside begin(): results wait for the loop
  Clock::time_point started_{}, deadline_{};
  ProbeResult pending_;
};

// The -close option of kinds on a pooled socket (tcp, http, https): its row in a kind's
// table, and its value (a ConfigError names the check when it is neither fin nor reset).
const OptionDesc& closeOptionDesc();
ProbeBase::Close closeOption(const CheckSpec& spec);

}  // namespace fail::check
