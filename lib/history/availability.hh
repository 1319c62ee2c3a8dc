// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Availability of one record over a window of time, from its changes (failc report,
// GET /v1/availability; doc/faild-history.md "Availability").
//
// Time is counted by state: UP and RECOVER are up (RECOVER: ready, idle), FAIL is down,
// UNKNOWN and the time the record did not exist (before its first change, after a
// deletion) are neither and shown apart. The percentage up is up / (up + down).
// An outage starts when the record enters FAIL and lasts until it is next UP or
// RECOVER (UNKNOWN on the way does not end it: nothing said it came back) or deleted.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/time.hh"

namespace fail::history {

inline constexpr Micros kDay = 86'400'000'000;  // a UTC day: roll-ups count by it

struct Availability {
  Micros up = 0, recover = 0, down = 0, unknown = 0, absent = 0;  // time in each
  std::uint32_t outages = 0;     // outages that were under way at some time in the window
  Micros longest = 0;            // the longest of them, clipped to the window
  std::uint32_t recoveries = 0;  // outages that ended inside the window
  Micros recovering = 0;         // their whole length (from the FAIL, even before the window)

  // up / (up + down) in percent (RECOVER counted as up); -1 when neither was seen.
  double upPercent() const;
  // Mean time to recovery: recovering / recoveries; 0 when nothing recovered.
  Micros mttr() const;
};

// Folds one record's changes, in time order, over [from, to). Feed it every change of the
// record from its first: those before `from` set the state the window starts in and
// whether an outage is under way (FAIL, then UNKNOWN, is still one).
class AvailabilityCounter {
 public:
  AvailabilityCounter(Micros from, Micros to);
  // The record changed to `state` at `at` (a history state: UP, RECOVER, FAIL, UNKNOWN,
  // DELETED). Changes before `from` set the state the window starts in.
  void add(Micros at, std::string_view state);
  // Counts up to `to` and returns the result.
  Availability finish();

 private:
  enum class S { Absent, Up, Recover, Down, Unknown };
  void advance(Micros to);
  void closeOutage(Micros end, bool recovered);

  Micros from_, to_;
  Micros at_;                  // counted up to here
  S state_ = S::Absent;
  bool inOutage_ = false;
  Micros outageStart_ = 0;     // when it entered FAIL (may be before the window)
  Availability a_;
};

}  // namespace fail::history
