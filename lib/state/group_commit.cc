// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "state/group_commit.hh"

#include <algorithm>

namespace fail::state {

void GroupCommit::finished(size_t changes, size_t queued, Clock::duration took,
                           Clock::time_point end) {
  if (changes == 0) return;  // attributes only: says nothing about the writers
  average_ += (static_cast<double>(changes) - average_) / 4;
  outstanding_ = std::min(changes + queued, kMaxTarget);
  end_ = end;
  took_ = std::min(std::max(took, Clock::duration::zero()), kMaxHold);
}

std::optional<GroupCommit::Hold> GroupCommit::hold(size_t queued, Clock::time_point first,
                                                   Clock::time_point last,
                                                   Clock::time_point now) const {
  if (average_ < kSiblings || queued >= outstanding_ || first >= end_ + kWave)
    return std::nullopt;
  Clock::time_point start = std::max(first, end_);
  Clock::time_point until = std::min(std::max(start, last) + took_, start + kMaxHold);
  if (now >= until) return std::nullopt;
  return Hold{outstanding_, until};
}

}  // namespace fail::state
