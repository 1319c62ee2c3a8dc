// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "ev/ev.hh"

#include <stdexcept>

#include "base/log.hh"

namespace fail::ev {
namespace {

timeval toTimeval(Micros us) {
  timeval tv;
  tv.tv_sec = static_cast<time_t>(us.count() / 1'000'000);
  tv.tv_usec = static_cast<suseconds_t>(us.count() % 1'000'000);
  return tv;
}

void stray(const char* where, const std::exception* e) {
  FAIL_LOG(log::facility("main"), Err) << "internal error in " << where << " callback: "
                                       << (e ? e->what() : "unknown exception");
}

}  // namespace

Timer::Timer(event_base* base, std::function<void()> fn)
    : ev_(event_new(base, -1, 0, trampoline, this)), fn_(std::move(fn)) {
  if (!ev_) throw std::runtime_error("event_new failed");
}

Timer::~Timer() { event_free(ev_); }

void Timer::arm(Micros after) {
  timeval tv = toTimeval(after);
  event_add(ev_, &tv);
}

void Timer::cancel() { event_del(ev_); }

bool Timer::armed() const { return event_pending(ev_, EV_TIMEOUT, nullptr) != 0; }

void Timer::trampoline(evutil_socket_t, short, void* arg) noexcept {
  try {
    static_cast<Timer*>(arg)->fn_();
  } catch (const std::exception& e) {
    stray("timer", &e);
  } catch (...) {
    stray("timer", nullptr);
  }
}

IoWatch::IoWatch(event_base* base, std::function<void(Ready)> fn) : base_(base), fn_(std::move(fn)) {}

IoWatch::~IoWatch() {
  if (ev_) event_free(ev_);
}

void IoWatch::watch(int fd, short what, Micros timeout) {
  assign(fd, what);
  timeval tv = toTimeval(timeout);
  event_add(ev_, &tv);
}

void IoWatch::watch(int fd, short what) {
  assign(fd, what);
  event_add(ev_, nullptr);
}

void IoWatch::assign(int fd, short what) {
  if (ev_) {
    event_del(ev_);  // a non-pending event may be reassigned: no allocation per attempt
    event_assign(ev_, base_, fd, what, trampoline, this);
  } else {
    ev_ = event_new(base_, fd, what, trampoline, this);
    if (!ev_) throw std::runtime_error("event_new failed");
  }
}

void IoWatch::stop() {
  if (ev_) event_del(ev_);
}

void IoWatch::trampoline(evutil_socket_t, short what, void* arg) noexcept {
  auto* self = static_cast<IoWatch*>(arg);
  Ready r = (what & EV_TIMEOUT) ? Ready::TimedOut : (what & EV_READ) ? Ready::Readable : Ready::Writable;
  try {
    self->fn_(r);
  } catch (const std::exception& e) {
    stray("I/O", &e);
  } catch (...) {
    stray("I/O", nullptr);
  }
}

}  // namespace fail::ev
