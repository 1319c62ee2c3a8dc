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
  until_ = end + std::min(std::max(took, Clock::duration::zero()), kMaxHold);
}

std::optional<GroupCommit::Hold> GroupCommit::hold(size_t queued, Clock::time_point now) const {
  if (average_ < kSiblings || queued >= outstanding_ || now >= until_) return std::nullopt;
  return Hold{outstanding_, until_};
}

}  // namespace fail::state
