// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Rise/fall hysteresis as a value type (gdnsd mon.c, dnsdist): a pure function of the
// outcomes fed to it. The first result decides the initial state at once.
#pragma once

#include <cstdint>

#include "check/probe.hh"
#include "state/record.hh"

namespace fail::check {

class Verdict {
 public:
  Verdict(int rise, int fall) : rise_(rise), fall_(fall) {}

  // Feeds one outcome. Ok counts towards UP, Fail/Unreachable/Timeout towards FAIL;
  // LocalError changes nothing (it never counts against the target). Returns true when
  // the judged state changed.
  bool feed(Outcome o);
  // A dependency failed: FAIL at once, without counting.
  bool force(state::State s);

  state::State state() const { return state_; }  // UNKNOWN until the first result
  int okStreak() const { return ok_; }
  int failStreak() const { return bad_; }

 private:
  int rise_, fall_;
  int ok_ = 0, bad_ = 0;
  state::State state_ = state::State::Unknown;
};

}  // namespace fail::check
