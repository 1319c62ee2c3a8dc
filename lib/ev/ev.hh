// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// libevent under RAII (doc/design.md, "Code layout and rules"): a Timer and an IoWatch that
// carries its deadline. Callbacks are std::function, called from the loop through a
// noexcept trampoline that logs and swallows a stray exception. Neither copyable nor
// movable: libevent holds `this`. Their deadlines are libevent's (the steady clock), not
// the ev::Loop's Clock: what a test must time exactly goes on a WheelTimer.
#pragma once

#include <event2/event.h>

#include <chrono>
#include <functional>

namespace fail::ev {

using Millis = std::chrono::milliseconds;
using Micros = std::chrono::microseconds;

class Timer {
 public:
  Timer(event_base* base, std::function<void()> fn);
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  void arm(Micros after);  // (re)arms once; 0 = next loop iteration
  void cancel();
  bool armed() const;

 private:
  static void trampoline(evutil_socket_t, short, void* arg) noexcept;
  event* ev_;
  std::function<void()> fn_;
};

// Readiness of one fd with a deadline in the same event (keepalived style).
class IoWatch {
 public:
  enum class Ready { Readable, Writable, TimedOut };
  IoWatch(event_base* base, std::function<void(Ready)> fn);
  ~IoWatch();
  IoWatch(const IoWatch&) = delete;
  IoWatch& operator=(const IoWatch&) = delete;

  // Watches `fd` for `what` (EV_READ or EV_WRITE) once, until ready or `timeout` passes.
  void watch(int fd, short what, Micros timeout);
  // The same without a deadline (the owner keeps its own).
  void watch(int fd, short what);
  void stop();

 private:
  void assign(int fd, short what);
  static void trampoline(evutil_socket_t, short what, void* arg) noexcept;
  event_base* base_;
  event* ev_ = nullptr;
  std::function<void(Ready)> fn_;
};

}  // namespace fail::ev
