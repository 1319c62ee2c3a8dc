// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// A long reply produced in slices as the client reads it: LIST, and the records and
// changes that open a WATCH. Each pump() appends about `budget` bytes (one record more
// at most), so a connection holds a bounded amount of reply whatever the state's size
// and however slowly its client reads (issue 10 item 3).
//
// Between slices the store may change. A LIST reply then carries each record as it is
// when its slice is written (its SERIAL is the one at the start, and WATCH since=SERIAL
// still delivers every change after it). A WATCH sends, after its records, every change
// published since the serial of its OK WATCH line (a record may so appear twice: as
// RECORD, then as CHANGE), then SYNCED with the serial it caught up to; the caller
// registers the watcher right after that slice, so no change is missed.
#pragma once

#include <cstdint>
#include <string>

#include "access/access.hh"
#include "state/store.hh"

namespace fail::server {

class Dump {
 public:
  enum class Kind { List, Watch };
  enum class Status {
    More,  // call pump() again once the client has read
    Done,  // the reply is complete (WATCH: SYNCED was written)
    Gone,  // WATCH: the changes to catch up on are no longer held
  };
  // LIST PATTERN: "OK SERIAL RECORD ...".
  static Dump list(const state::Store& store, std::string pattern, const access::Grant& grant);
  // WATCH PATTERN: "OK WATCH SERIAL", RECORD lines, changes, SYNCED.
  static Dump watch(const state::Store& store, std::string pattern, const access::Grant& grant);
  // WATCH PATTERN since=SINCE: "OK WATCH SERIAL", changes after SINCE, SYNCED. The
  // caller has checked that they are held.
  static Dump watchSince(const state::Store& store, std::string pattern,
                         const access::Grant& grant, std::uint64_t since);

  // Appends the next slice to `out`, stopping once it holds `budget` bytes or more.
  Status pump(const state::Store& store, std::string& out, size_t budget);
  Kind kind() const { return kind_; }
  const std::string& pattern() const { return pattern_; }

 private:
  enum class Phase { Records, Changes, End };
  Dump(Kind kind, std::string pattern, const access::Grant& grant)
      : kind_(kind), pattern_(std::move(pattern)), grant_(&grant) {}
  bool wanted(std::string_view name) const;

  Kind kind_;
  std::string pattern_;
  const access::Grant* grant_;  // the session's; outlives the dump
  Phase phase_ = Phase::Records;
  bool headDone_ = false;       // the OK line is written
  std::uint64_t serial_ = 0;    // the serial of the OK line
  std::string after_;           // Records: the last name written ("" before the first)
  bool started_ = false;        // Records: after_ is meaningful
  std::uint64_t cursor_ = 0;    // Changes: the last serial looked at
};

}  // namespace fail::server
