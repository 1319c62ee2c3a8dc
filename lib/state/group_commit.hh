// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// How long the journal's syncer holds a group of changes open for changes still on
// their way (group commit that adapts to the arrival rate).
//
// With many clients each waiting for its durable OK, the changes arrive in waves: a
// sync releases its writers, the loop thread writes their replies, and they come back
// one after another as the loop reads them. Written as soon as the first of them is
// queued (or with a change queued during the sync), a wave splits into a group of one
// and a group of the rest: two syncs where one would do. When recent groups were
// large, the syncer therefore holds the next group until as many changes are queued
// as were outstanding when the last group finished (its own changes plus those then
// queued), for as long as they keep coming: it stops holding once no change came for
// as long as the last sync took, and in any case kMaxHold after the wave began to come
// back. Until it does, the hold lasts as long after the group's end as the last wave
// took to begin (kMaxHold at most) plus a sync's time. A wave is merged while it is
// still coming back, and nothing waits longer than a sync for changes that do not
// come: writing them would have kept the syncer busy for as long.
//
// Lone changes are not held: holding needs the recent groups to average kSiblings
// changes or more, a change queued more than kWave after the last group ended is not
// part of its wave, and after a group of one the target is one. Only the first change
// after a burst may wait, a sync's time at most.
//
// Not thread-safe: used under the journal's lock (journal.cc).
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
  // The longest hold once a wave is coming back, whatever the syncs take.
  static constexpr Clock::duration kMaxHold = std::chrono::milliseconds(1);
  // How soon after a group's end its wave must begin to come back: the loop thread
  // writes the replies first (some microseconds each), then the clients answer, all
  // of it on a machine that may be busy with other work.
  static constexpr Clock::duration kWave = std::chrono::milliseconds(10);
  // The largest group waited for.
  static constexpr size_t kMaxTarget = 4096;

  struct Hold {
    size_t target;           // write once this many changes are queued
    Clock::time_point until; // or at this time, whatever is queued
  };

  // A change was queued at `now`.
  void arrived(Clock::time_point now);
  // The queued changes were taken to be written.
  void taken() { queued_ = false; }
  // A group of `changes` changes (0 for a group of attributes only) was written and
  // synced in `took`, ending at `end`; `queued` changes were waiting by then.
  void finished(size_t changes, size_t queued, Clock::duration took, Clock::time_point end);

  // With `queued` (>= 1) changes waiting at `now`: nullopt to write them now, or how
  // long to hold them.
  std::optional<Hold> hold(size_t queued, Clock::time_point now) const;

  double average() const { return average_; }  // recent group size (for tests, STATS)

 private:
  double average_ = 0;             // moving average of group sizes (changes), weight 1/4
  size_t outstanding_ = 0;         // the last group's changes plus those queued at its end
  Clock::time_point end_{};        // the last group's end
  Clock::duration took_{};         // its sync time (kMaxHold at most)
  Clock::duration delay_{};        // how long after a group's end its wave began (kMaxHold at most)
  bool queued_ = false;            // changes arrived since taken()
  Clock::time_point first_, last_; // the first and the last of them
  std::optional<Clock::time_point> back_;  // the first change after end_: the wave began
};

}  // namespace fail::state
