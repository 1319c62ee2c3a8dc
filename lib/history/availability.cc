// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "history/availability.hh"

#include <algorithm>

#include "history/change.hh"

namespace fail::history {

double Availability::upPercent() const {
  Micros known = up + recover + down;
  return known > 0 ? 100.0 * static_cast<double>(up + recover) / static_cast<double>(known) : -1;
}

Micros Availability::mttr() const { return recoveries ? recovering / recoveries : 0; }

AvailabilityCounter::AvailabilityCounter(Micros from, Micros to)
    : from_(from), to_(std::max(from, to)), at_(from) {}

void AvailabilityCounter::advance(Micros t) {
  t = std::clamp(t, from_, to_);
  if (t <= at_) return;
  Micros d = t - at_;
  switch (state_) {
    case S::Absent: a_.absent += d; break;
    case S::Up: a_.up += d; break;
    case S::Recover: a_.recover += d; break;
    case S::Down: a_.down += d; break;
    case S::Unknown: a_.unknown += d; break;
  }
  at_ = t;
}

void AvailabilityCounter::closeOutage(Micros end, bool recovered) {
  Micros inWindow = std::min(end, to_) - std::max(outageStart_, from_);
  if (end > from_) {  // it was under way inside the window
    ++a_.outages;
    a_.longest = std::max(a_.longest, inWindow);
    if (recovered && end <= to_) {
      ++a_.recoveries;
      a_.recovering += end - outageStart_;
    }
  }
  inOutage_ = false;
}

void AvailabilityCounter::add(Micros at, std::string_view state) {
  if (at >= to_) return;
  advance(at);
  S next = state == "UP"        ? S::Up
           : state == "RECOVER" ? S::Recover
           : state == "FAIL"    ? S::Down
           : state == kDeleted  ? S::Absent
                                : S::Unknown;
  if (next == S::Down && !inOutage_) {
    inOutage_ = true;
    outageStart_ = at;
  } else if (inOutage_ && (next == S::Up || next == S::Recover || next == S::Absent)) {
    closeOutage(at, next != S::Absent);
  }
  state_ = next;
}

Availability AvailabilityCounter::finish() {
  advance(to_);
  if (inOutage_) closeOutage(to_, false);
  return a_;
}

}  // namespace fail::history
