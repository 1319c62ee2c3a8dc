// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// How long the journal's syncer holds a group of changes open for changes still on
// their way (group commit that adapts to the arrival rate).
//
// With many clients each waiting for its durable OK, the changes arrive in waves: those
// released by one sync come back while the next sync runs, so two half-size groups
// alternate, each paying a whole sync. When recent groups were large, the syncer holds
// the next group until as many changes are queued as were outstanding when the last
// group finished (its own changes plus those then queued), but never longer after that
// finish than the last sync took (kMaxHold at most): a wave is merged when it comes back
// within a sync's time, and nothing waits for changes that do not come.
//
// A lone change never waits: holding needs the recent groups to average kSiblings
// changes or more, and a hold ends at a deadline counted from the previous group's end,
// long past for a change that comes alone.
//
// Not thread-safe: the syncer thread owns it (the pusher reads target() under the
// journal's lock, see journal.cc).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>

namespace fail::state {

class GroupCommit {
 public:
  using Clock = std::chrono::steady_clock;
  // Recent groups must average at least this many changes before a group is held.
  static constexpr double kSiblings = 2.0;
  // The longest hold after a group's end, whatever the syncs take.
  static constexpr Clock::duration kMaxHold = std::chrono::milliseconds(1);
  // The largest group waited for.
  static constexpr size_t kMaxTarget = 4096;

  struct Hold {
    size_t target;           // write once this many changes are queued
    Clock::time_point until; // or at this time, whatever is queued
  };

  // A group of `changes` changes (0 for a group of attributes only) was written and
  // synced in `took`, ending at `end`; `queued` changes were waiting by then.
  void finished(size_t changes, size_t queued, Clock::duration took, Clock::time_point end);

  // With `queued` (>= 1) changes waiting at `now`: nullopt to write them now, or how
  // long to hold them.
  std::optional<Hold> hold(size_t queued, Clock::time_point now) const;

  double average() const { return average_; }  // recent group size (for tests, STATS)

 private:
  double average_ = 0;         // moving average of group sizes (changes), weight 1/4
  size_t outstanding_ = 0;     // the last group's changes plus those queued at its end
  Clock::time_point until_{};  // the last group's end plus its sync time (kMaxHold at most)
};

}  // namespace fail::state
