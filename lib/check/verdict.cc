// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "check/verdict.hh"

namespace fail::check {

using state::State;

bool Verdict::feed(Outcome o) {
  State before = state_;
  switch (o) {
    case Outcome::LocalError:
      return false;  // never counts against (or for) the target
    case Outcome::Ok:
      ++ok_;
      bad_ = 0;
      if (state_ == State::Unknown || (state_ != State::Up && ok_ >= rise_)) state_ = State::Up;
      break;
    case Outcome::Fail:
    case Outcome::Unreachable:
    case Outcome::Timeout:
      ++bad_;
      ok_ = 0;
      if (state_ == State::Unknown || (state_ != State::Fail && bad_ >= fall_)) state_ = State::Fail;
      break;
  }
  return state_ != before;
}

bool Verdict::force(State s) {
  State before = state_;
  state_ = s;
  ok_ = bad_ = 0;
  return state_ != before;
}

}  // namespace fail::check
