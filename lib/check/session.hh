// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// One configured check on the loop: schedule (first run staggered across the interval),
// at most one probe in flight, the timeout, an optional quick re-check after a first
// failure, dependencies, and the Verdict. Reports every result to its Listener.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "check/probe.hh"
#include "check/probe_metrics.hh"
#include "check/spec.hh"
#include "check/verdict.hh"
#include "ev/loop.hh"

namespace fail::check {

// What a session tells the outside after each attempt.
struct Report {
  std::string name;
  state::State state = state::State::Unknown;  // the judged state after this result
  bool changed = false;                        // the judged state or note changed
  std::string note;                            // stable words, as the record's note
  ProbeResult result;                          // the raw observation
  std::int64_t whenUs = 0;                     // wall clock of the result
};

class Session {
 public:
  using Listener = std::function<void(const Report&)>;
  // Looks up another session's judged state by check name (for -depends); returns
  // UNKNOWN for names it does not know.
  using DependencyLookup = std::function<state::State(const std::string&)>;

  // Times (the grid, the timeout, latencies) are read from the loop's clock.
  Session(ev::Loop& loop, CheckSpec spec, std::unique_ptr<Probe> probe, Listener listener,
          DependencyLookup deps);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Starts scheduling: the first probe runs after `firstDelay` (the caller staggers).
  void start(std::chrono::microseconds firstDelay);
  void stop();
  // Runs one probe now, whatever the schedule (hc --once); the listener hears of it.
  void runOnce();

  // The spec without its options map (dropped once the probe is built: a session is
  // per check, and the probe holds what it needs); sameOptions() compares them.
  const CheckSpec& spec() const { return spec_; }
  // `other` has this session's kind and options (a reload may keep the session).
  bool sameOptions(const CheckSpec& other) const;
  const Verdict& verdict() const { return verdict_; }

  struct Counters {
    std::uint64_t probes = 0, ok = 0, fail = 0, unreachable = 0, timeout = 0, localError = 0;
    std::uint64_t late = 0;  // started more than 100 ms after it was due
    std::uint64_t skipped = 0;  // a tick found the previous probe still running
  };
  const Counters& counters() const { return counters_; }
  // Where this session also counts its probes for /metrics (null: nowhere). Kept by
  // the owner for as long as the session lives.
  void setMetrics(const KindMetrics* m) { metrics_ = m; }

 private:
  // (implementation detail; see session.cc)
  using Clock = std::chrono::steady_clock;
  void tick();
  void onResult(ProbeResult r);
  void launch(Clock::time_point now, Clock::time_point due);
  void finish(ProbeResult r, Clock::time_point now);
  void arm(Clock::time_point now);

  ev::Loop& loop_;
  CheckSpec spec_;
  std::string options_;  // spec's options, flattened: "key\0value\0..."
  std::unique_ptr<Probe> probe_;
  Listener listener_;
  DependencyLookup deps_;
  Verdict verdict_;
  ev::WheelTimer timer_;  // one per check: a wheel timer, not a libevent heap entry
  bool inFlight_ = false;
  bool retrying_ = false;
  std::string note_;
  bool running_ = false;                 // start() called, stop() not since
  Clock::time_point due_{};              // next slot on the grid
  Clock::time_point retryDue_{};         // when retrying_
  Clock::time_point started_{}, deadline_{};  // of the probe in flight
  Counters counters_;
  const KindMetrics* metrics_ = nullptr;
};

}  // namespace fail::check
