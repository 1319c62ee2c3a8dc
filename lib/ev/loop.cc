// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "ev/loop.hh"

#include <csignal>
#include <stdexcept>

#include "base/log.hh"
#include "ev/base.hh"

namespace fail::ev {
namespace {

log::Facility& fac() {
  static log::Facility& f = log::facility("main");
  return f;
}

event_base* made() {
  event_base* base = newBase();
  if (!base) throw std::runtime_error("cannot create the event loop");
  return base;
}

}  // namespace

Loop::Loop(Clock& clock) : Loop(nullptr, clock) {}

Loop::Loop(event_base* base, Clock& clock)
    : clock_(clock),
      owned_(base ? nullptr : made()),
      base_(base ? base : owned_.get()),
      wheel_(base_, clock),
      deferEv_(event_new(base_, -1, 0, onDeferred, this)) {
  if (!deferEv_) throw std::runtime_error("event_new failed");
}

Loop::~Loop() {
  runDeferred();  // what waits to be deleted may hold timers of this loop
  event_free(deferEv_);
  for (event* ev : signals_) event_free(ev);
}

void Loop::handleSignals(Signals s) {
  handlers_ = std::move(s);
  if (!signals_.empty()) return;
  std::signal(SIGPIPE, SIG_IGN);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) {
    event* ev = evsignal_new(base_, sig, onSignal, this);
    if (!ev) throw std::runtime_error("evsignal_new failed");
    evsignal_add(ev, nullptr);
    signals_.push_back(ev);
  }
}

void Loop::onSignal(evutil_socket_t sig, short, void* arg) noexcept {
  auto* self = static_cast<Loop*>(arg);
  try {
    switch (sig) {
      case SIGHUP:
        FAIL_LOG(fac(), Notice) << "SIGHUP: reloading";
        if (!log::reopen()) FAIL_LOG(fac(), Err) << "cannot reopen the log file";
        if (self->handlers_.reload) self->handlers_.reload();
        break;
      case SIGUSR1:
        if (self->handlers_.dump) self->handlers_.dump();
        break;
      default:
        FAIL_LOG(fac(), Notice) << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ": stopping";
        self->stoppedBy_ = static_cast<int>(sig);
        self->stop();
    }
  } catch (const std::exception& e) {
    FAIL_LOG(fac(), Err) << "signal " << sig << ": " << e.what();
  } catch (...) {
    FAIL_LOG(fac(), Err) << "signal " << sig << ": unknown exception";
  }
}

int Loop::run() {
  event_base_dispatch(base_);
  return stoppedBy_;
}

void Loop::stop() {
  if (handlers_.stop) handlers_.stop();
  event_base_loopbreak(base_);
}

void Loop::defer(std::function<void()> fn) {
  deferred_.push_back(std::move(fn));
  event_active(deferEv_, EV_TIMEOUT, 0);  // once, however many are pending
}

void Loop::onDeferred(evutil_socket_t, short, void* arg) noexcept { static_cast<Loop*>(arg)->runDeferred(); }

void Loop::runDeferred() noexcept {
  // A deferred call may defer more: those run in the next round of this loop.
  while (!deferred_.empty()) {
    std::vector<std::function<void()>> now;
    now.swap(deferred_);
    for (auto& fn : now) {
      try {
        fn();
      } catch (const std::exception& e) {
        FAIL_LOG(fac(), Err) << "internal error in a deferred call: " << e.what();
      } catch (...) {
        FAIL_LOG(fac(), Err) << "internal error in a deferred call";
      }
    }
  }
}

void Loop::runReady() { event_base_loop(base_, EVLOOP_NONBLOCK); }

void Loop::advance(Micros d) {
  if (!clock_.manual()) throw std::logic_error("ev::Loop::advance needs a ManualClock");
  auto& manual = static_cast<ManualClock&>(clock_);
  const auto target = manual.now() + d;
  const auto targetUs = std::chrono::duration_cast<Micros>(target.time_since_epoch()).count();
  runReady();
  for (std::int64_t wake; (wake = wheel_.nextWakeUs()) >= 0 && wake <= targetUs;) {
    manual.set(Clock::time_point(Micros(wake)));
    wheel_.fireDue();
    runReady();
  }
  manual.set(target);
  runReady();
}

}  // namespace fail::ev
