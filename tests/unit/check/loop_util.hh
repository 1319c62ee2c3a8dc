// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Helpers for tests that drive a real libevent loop: an ev::Loop (or a bare event_base),
// and running it until a condition holds (with a generous deadline, never a sleep that
// hopes).
#pragma once

#include <event2/event.h>

#include <chrono>
#include <functional>
#include <memory>

#include "ev/ev.hh"
#include "ev/loop.hh"

namespace fail::check::test {

using namespace std::chrono_literals;

struct BaseDeleter {
  void operator()(event_base* b) const { event_base_free(b); }
};
using BasePtr = std::unique_ptr<event_base, BaseDeleter>;
using LoopPtr = std::unique_ptr<ev::Loop>;
inline LoopPtr newLoop() { return std::make_unique<ev::Loop>(); }

// How much later than its timeout a probe that times out may end, as the test sees it:
// room for a loaded 2-core machine under AddressSanitizer. The servers that make a probe
// time out (silent, trickling, sleeping commands) take much longer than timeout + kLate,
// so a probe that misses its timeout still fails the bound.
inline constexpr std::chrono::milliseconds kLate = 3s;

// Runs the loop until `done()` is true (returns true) or `limit` passes (false).
inline bool runUntil(event_base* base, const std::function<bool()>& done,
                     std::chrono::milliseconds limit = 10s) {
  auto end = std::chrono::steady_clock::now() + limit;
  ev::Timer wake(base, [] {});
  while (!done()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    wake.arm(10ms);  // so the loop returns to look at the condition and the clock
    event_base_loop(base, EVLOOP_ONCE);
  }
  return true;
}

// Runs the loop for `d` (to see that nothing more happens).
inline void runFor(event_base* base, std::chrono::milliseconds d) {
  auto end = std::chrono::steady_clock::now() + d;
  runUntil(base, [&] { return std::chrono::steady_clock::now() >= end; }, d + 1s);
}

}  // namespace fail::check::test
