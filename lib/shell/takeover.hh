// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The timing of one service run, as a pure function: what the polls found, the service's
// settings and the steady clock in; what to do and when out. It wraps the original rule
// (shell/rule.hh) with failsh(8)'s split-brain guard: fencing a holder cut off from the
// majority, the witnesses' votes, the wait for an unreachable peer to have fenced itself,
// and the reassert after a contested hold. No I/O and no clock: the engine polls, calls
// decideRun and carries out the verdict (timers, procs, records).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/time.hh"
#include "shell/rule.hh"

namespace fail::shell {

// What one run learnt, at the end of its polls.
struct RunInput {
  State local = State::Unknown;  // the service's record in the local faild
  bool held = false;             // this host ran the start proc and not yet the stop proc
  std::vector<PeerView> masters, slaves;  // as polled, in the service's order
  // Per witness (in the service's order): the masters and slaves its faild holds as
  // host:NAME FAIL. Empty when no witness is configured (then there is no guard).
  std::vector<std::set<std::string>> witnessDown;
  bool guarded = false;  // witnesses are configured
  // Every distinct peer polled in this run (masters, slaves, witnesses): reachable or not.
  std::map<std::string, bool> reach;
  bool hasReclaim = false, hasReassert = false;  // the procs exist
  Micros interval = 0, fence = 0;                // the service's, in microseconds
  Micros tickAt = 0;                             // steady clock: when this run started
  Micros now = 0;                                // steady clock: now (its polls are in)
};

// What a service carries from one run to the next (steady clock, microseconds). The
// engine keeps it and also writes `reclaimed` (a reclaim proc ran) and `majorityAt`
// (cleared when it fences).
struct RunMemory {
  Micros majorityAt = 0;        // start of the last run that reached a majority of the set
  Micros mastersDownSince = 0;  // start of the first run that found a master unreachable and none ready
  Micros slavesDownSince = 0;   // start of the first run that could not reach a slave
  std::map<std::string, Micros> unknownSince;  // a reachable master without a record yet
  bool contested = false;  // holding it, a run saw another peer holding it too, or unreachable
  bool reclaimed = false;  // the reclaim proc ran in this hand-back
};

struct RunVerdict {
  enum class Kind {
    Act,         // carry out `action` (None included: records "none" as the last action)
    Hold,        // do nothing this run; arm the fence timer for `fenceAt` when it is non-zero
    Fence,       // no majority for -fence-after: run the stop proc now
    StartLater,  // start at `startAt` on a timer, unless a later run decides otherwise
  };
  Kind kind = Kind::Act;
  Action action = Action::None;
  Micros fenceAt = 0;        // Hold: fence at this time (keep a fence timer already armed)
  Micros startAt = 0;        // StartLater
  bool cancelFence = false;  // a majority was reached: a pending fence is off
  std::optional<std::string> note;  // the service's new status note, when it says why it waits
};

// Decides one run and updates `memory`. Pure: the same input and memory give the same
// verdict and memory.
RunVerdict decideRun(const RunInput& in, RunMemory& memory);

}  // namespace fail::shell
