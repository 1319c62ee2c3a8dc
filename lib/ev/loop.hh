// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// One event loop per process (doc/design.md, "Code layout and rules"): the event_base,
// its timing wheel, the signals every daemon handles, deferred deletion, and the clock
// the wheel reads (the real one, or a test's ManualClock).
//
// Signals (doc/design.md, "Options every daemon shares"), once handleSignals() was
// called: SIGTERM and SIGINT stop the loop, SIGHUP reopens the log file and reloads,
// SIGUSR1 dumps; SIGPIPE is ignored. Only one Loop of a process handles signals.
//
// Loop thread only, except where said. Not copyable or movable: libevent holds `this`.
// Everything made on the loop (timers, watches, wheel timers, servers) must be gone
// before it, except what deleteLater() was given.
#pragma once

#include <event2/event.h>

#include <functional>
#include <memory>
#include <vector>

#include "ev/clock.hh"
#include "ev/ev.hh"
#include "ev/wheel.hh"

namespace fail::ev {

class Loop {
 public:
  struct Signals {
    std::function<void()> reload;  // SIGHUP, after the log file was reopened
    std::function<void()> dump;    // SIGUSR1
    std::function<void()> stop;    // SIGTERM, SIGINT, stop(): before the loop ends
  };

  // A loop on a new event_base (ev::newBase: libevent's precise clock) that it owns.
  // Throws when libevent cannot make one.
  explicit Loop(Clock& clock = steadyClock());
  // A loop on an event_base made and freed by someone else (failsh: the Tcl notifier's,
  // which Tcl's event loop runs); `base` outlives the Loop. A null `base`: as above.
  explicit Loop(event_base* base, Clock& clock = steadyClock());
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  event_base* base() const { return base_; }
  Clock& clock() const { return clock_; }
  Clock::time_point now() const { return clock_.now(); }
  Wheel& wheel() { return wheel_; }

  // Handles the daemon signals with `s` from now on (a handler may be empty). A handler
  // runs from the loop, never in the signal handler; its exception is logged.
  void handleSignals(Signals s);
  // Runs until a stop signal or stop(). Returns the signal number that stopped it (0
  // when stop() did).
  int run();
  // Calls the stop handler and ends run() (or the current turn of the loop) after the
  // running callback.
  void stop();

  // Runs `fn` from the loop after the running callback returns (the next turn, before
  // waiting); deferred calls run in order. The destructor runs those still pending.
  void defer(std::function<void()> fn);
  // Deletes `p` after the running callback returns: for an object whose own callback is
  // running (a closing connection).
  template <class T>
  void deleteLater(std::unique_ptr<T> p) {
    if (p) defer([raw = p.release()] { delete raw; });
  }

  // Runs what is ready (I/O, deferred calls, due libevent timers) without waiting.
  void runReady();
  // ManualClock only: moves the clock forward by `d`; every wheel timer due on the way
  // fires with the clock at its due time, and what is ready runs after each step. No
  // sleeping, whatever `d` is.
  void advance(Micros d);

 private:
  static void onSignal(evutil_socket_t sig, short, void* arg) noexcept;
  static void onDeferred(evutil_socket_t, short, void* arg) noexcept;
  void runDeferred() noexcept;

  struct BaseFree {
    void operator()(event_base* b) const { event_base_free(b); }
  };
  Clock& clock_;
  std::unique_ptr<event_base, BaseFree> owned_;  // freed after the wheel, which is on it
  event_base* base_;
  Wheel wheel_;
  event* deferEv_;
  std::vector<std::function<void()>> deferred_;
  std::vector<event*> signals_;
  Signals handlers_;
  int stoppedBy_ = 0;
};

}  // namespace fail::ev
