// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// One attempt against one target (doc/design.md, "Code layout and rules": a probe observes, a verdict judges).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fail::check {

// What one attempt observed. No thresholds, no history: that is Verdict's job.
enum class Outcome : std::uint8_t {
  Ok,           // the target answered as expected
  Fail,         // it answered, wrongly (bad banner, HTTP 503, SERVFAIL)
  Unreachable,  // refused, reset, no route
  Timeout,      // nothing within the deadline
  LocalError,   // our side failed (socket(), EMFILE, fork): never counts against the target
};
const char* outcomeName(Outcome o);  // "ok", "fail", "unreachable", "timeout", "local error"

struct ProbeResult {
  Outcome outcome = Outcome::LocalError;
  // Stable words saying why ("HTTP 503", "timeout", "connection refused"): it becomes the
  // record's note, and a new note is a change, so no timings or counters in here.
  std::string note;
  std::chrono::microseconds latency{};
  // A warning that keeps the state UP (slow answer, certificate near expiry, Nagios 1).
  std::string warning;
  // Extra attributes for the record (refreshes): e.g. {"status", "200"}, {"cert_days", "12"}.
  std::vector<std::pair<std::string, std::string>> attrs;
};

class Probe {
 public:
  using Done = std::function<void(ProbeResult)>;
  virtual ~Probe() = default;
  // Starts one attempt that must end within `timeout`. Calls `done` exactly once, later,
  // from the loop -- never from inside start() -- unless cancel() is called first. At most
  // one attempt is in flight (the Session guarantees it).
  virtual void start(std::chrono::microseconds timeout, Done done) = 0;
  // Idempotent; `done` will not be called for the attempt in flight; releases its fds.
  virtual void cancel() noexcept = 0;
  // True when every attempt ends by its deadline on the probe's own (a Timeout result
  // from the loop): the Session then keeps no deadline timer of its own for it and only
  // checks for an overrun at its next tick. False: the Session ends an attempt that
  // overruns (by cancel()) shortly after the deadline.
  virtual bool endsByDeadline() const { return false; }
};

}  // namespace fail::check
