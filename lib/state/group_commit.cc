// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "state/group_commit.hh"

#include <algorithm>

namespace fail::state {

void GroupCommit::arrived(Clock::time_point now) {
  if (!queued_) first_ = now;
  queued_ = true;
  last_ = now;
  if (!back_ && now >= end_) {
    back_ = now;
    delay_ = std::min(now - end_, kMaxHold);
  }
}

void GroupCommit::finished(size_t changes, size_t queued, Clock::duration took,
                           Clock::time_point end) {
  if (changes == 0) return;  // attributes only: says nothing about the writers
  average_ += (static_cast<double>(changes) - average_) / 4;
  outstanding_ = std::min(changes + queued, kMaxTarget);
  end_ = end;
  took_ = std::min(std::max(took, Clock::duration::zero()), kMaxHold);
  back_.reset();
}

std::optional<GroupCommit::Hold> GroupCommit::hold(size_t queued, Clock::time_point now) const {
  if (average_ < kSiblings || queued >= outstanding_ || !queued_ || first_ >= end_ + kWave)
    return std::nullopt;
  // From when the wave began to come back, or is expected to (those queued came
  // during the sync).
  Clock::time_point start = back_ ? *back_ : end_ + delay_;
  Clock::time_point until = std::min(std::max(start, last_) + took_, start + kMaxHold);
  if (now >= until) return std::nullopt;
  return Hold{outstanding_, until};
}

}  // namespace fail::state
