// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Daily roll-ups of the history, kept as changes are written, so that a report over a
// year reads a row per record and day instead of every change (doc/faild-history.md
// "Availability"). The raw changes are read only at the window's edges.
//
// Tables (created by Db): `tail` (each record's last state, its time and the start of an
// outage under way), `day` (per record and UTC day: time spent in each state over the
// intervals that ended, and the outages that began and ended that day), `outage` (every
// outage that ended).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>

#include "history/availability.hh"
#include "history/change.hh"
#include "history/sql.hh"

namespace fail::history {


class Rollup {
 public:
  explicit Rollup(sqlite3* db);

  // Counts `c`, a change just inserted, inside the caller's transaction. A change dated
  // before its record's previous one counts from the previous one's time. What it adds to
  // `day` and `tail` is gathered in memory and written by flush(), once per record and
  // day for a whole batch.
  void add(const Change& c);
  // Writes what add() gathered, before the caller's commit; keeps the tails for the next
  // batch while they are few.
  void flush();
  // The record's last state as counted ("" when it has none, or was deleted).
  std::string stateOf(const std::string& name);
  // Forgets the tails read and what was gathered (a rolled-back transaction, the end of a
  // report).
  void forget() {
    tails_.clear();
    days_.clear();
    dirty_.clear();
  }

  // The record `name`'s availability over [from, to). `raw(from, to)` counts the time of
  // a stretch from the raw changes (Db's timeline); only the window's edges go there.
  template <class Raw>
  Availability report(const std::string& name, Micros from, Micros to, Raw&& raw);

 private:
  struct Tail {
    std::string state;
    Micros since = 0;
    Micros outage = -1;  // start of the outage under way; -1: none
  };
  // What a batch adds to one row of `day`.
  struct DayDelta {
    Micros time[4] = {0, 0, 0, 0};  // up, recover, down, unknown
    std::int64_t outages = 0, recoveries = 0;
    Micros recovering = 0, longest = 0;
  };
  Tail* tail(const std::string& name);
  void span(const std::string& name, std::string_view state, Micros from, Micros to);
  void ended(const std::string& name, Micros start, Micros end, bool recovered);
  void reportCore(const std::string& name, Micros from, Micros to, Availability& a,
                  Micros& rawFrom1, Micros& rawTo1, Micros& rawFrom2);

  sqlite3* db_;
  sql::Stmt getTail_, putTail_, addDay_, addOutage_, sumDays_, outages_;
  std::unordered_map<std::string, Tail> tails_;
  std::map<std::pair<std::string, std::int64_t>, DayDelta> days_;  // by record and day
  std::set<std::string> dirty_;                                     // tails to write
};

template <class Raw>
Availability Rollup::report(const std::string& name, Micros from, Micros to, Raw&& raw) {
  Availability a;
  Micros f1 = 0, t1 = 0, f2 = 0;
  reportCore(name, from, to, a, f1, t1, f2);
  for (auto [x, y] : {std::pair{f1, t1}, std::pair{f2, to}}) {
    if (x >= y) continue;
    Availability r = raw(x, y);
    a.up += r.up;
    a.recover += r.recover;
    a.down += r.down;
    a.unknown += r.unknown;
  }
  a.absent = (to - from) - a.up - a.recover - a.down - a.unknown;
  return a;
}

}  // namespace fail::history
