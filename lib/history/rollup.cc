// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "history/rollup.hh"

#include <algorithm>

namespace fail::history {
namespace {

// Floor and ceiling of t / kDay (times are never far below 0, but be exact anyway).
std::int64_t dayOf(Micros t) { return t >= 0 ? t / kDay : -((-t + kDay - 1) / kDay); }
std::int64_t dayCeil(Micros t) { return -dayOf(-t); }

// The column of `day` a state's time goes to; -1: none (absent is what is left).
int column(std::string_view state) {
  if (state == "UP") return 0;
  if (state == "RECOVER") return 1;
  if (state == "FAIL") return 2;
  if (state == "UNKNOWN") return 3;
  return -1;
}

// An outage, counted as AvailabilityCounter counts it over [from, to).
void countOutage(Availability& a, Micros start, Micros end, bool recovered, Micros from,
                 Micros to) {
  ++a.outages;
  a.longest = std::max(a.longest, std::min(end, to) - std::max(start, from));
  if (recovered && end <= to) {
    ++a.recoveries;
    a.recovering += end - start;
  }
}

// The outages whose start and end fall on different days are few: a partial index
// holds them.
#define FAIL_LONG_OUTAGE "start / 86400000000 != \"end\" / 86400000000"

}  // namespace

Rollup::Rollup(sqlite3* db) : db_(db) {
  getTail_ = sql::Stmt(db, "SELECT state, since, outage FROM tail WHERE name = ?1");
  putTail_ = sql::Stmt(db,
                       "INSERT INTO tail (name, state, since, outage) VALUES (?1, ?2, ?3, ?4)"
                       " ON CONFLICT (name) DO UPDATE SET state = excluded.state,"
                       " since = excluded.since, outage = excluded.outage");
  addDay_ = sql::Stmt(db,
                      "INSERT INTO day (name, day, up, recover, down, unknown, outages,"
                      " recoveries, recovering, longest)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                      " ON CONFLICT (name, day) DO UPDATE SET"
                      " up = up + excluded.up, recover = recover + excluded.recover,"
                      " down = down + excluded.down, unknown = unknown + excluded.unknown,"
                      " outages = outages + excluded.outages,"
                      " recoveries = recoveries + excluded.recoveries,"
                      " recovering = recovering + excluded.recovering,"
                      " longest = MAX(longest, excluded.longest)");
  addOutage_ = sql::Stmt(
      db, "INSERT OR IGNORE INTO outage (name, start, \"end\", recovered) VALUES (?1, ?2, ?3, ?4)");
  sumDays_ = sql::Stmt(db,
                       "SELECT TOTAL(up), TOTAL(recover), TOTAL(down), TOTAL(unknown),"
                       " TOTAL(outages), TOTAL(recoveries), TOTAL(recovering), MAX(longest)"
                       " FROM day WHERE name = ?1 AND day >= ?2 AND day < ?3");
  // Outages not summed in full days: the long ones, and the short ones ending outside
  // the full days [?4, ?5) (as times; ?5 is raised to the window's start + 1 by the
  // caller, so that each range has one lower bound). The short ones are two ranges of the key (name,
  // end), before and after the full days: as one condition with OR, SQLite read every
  // outage of the record from the window's start (5,000 a record in a year of changes
  // every hour: 3 of a report's 6 s over 10 million changes).
  outages_ = sql::Stmt(db,
                       "SELECT start, \"end\", recovered FROM outage WHERE name = ?1"
                       " AND \"end\" > ?2 AND start < ?3 AND " FAIL_LONG_OUTAGE
                       " UNION ALL "
                       "SELECT start, \"end\", recovered FROM outage WHERE name = ?1"
                       " AND \"end\" > ?2 AND \"end\" < ?4 AND start < ?3"
                       " AND NOT (" FAIL_LONG_OUTAGE ")"
                       " UNION ALL "
                       "SELECT start, \"end\", recovered FROM outage WHERE name = ?1"
                       " AND \"end\" >= ?5 AND start < ?3"
                       " AND NOT (" FAIL_LONG_OUTAGE ")");
}

Rollup::Tail* Rollup::tail(const std::string& name) {
  if (auto it = tails_.find(name); it != tails_.end()) return &it->second;
  sqlite3_stmt* s = getTail_.get();
  sql::Reset r{s};
  sql::bindText(s, 1, name);
  if (sqlite3_step(s) != SQLITE_ROW) return nullptr;
  Tail t{sql::text(s, 0), sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2)};
  return &tails_.emplace(name, std::move(t)).first->second;
}

std::string Rollup::stateOf(const std::string& name) {
  Tail* t = tail(name);
  return t && t->state != kDeleted ? t->state : std::string();
}

void Rollup::span(const std::string& name, std::string_view state, Micros from, Micros to) {
  int col = column(state);
  if (col < 0 || from >= to) return;
  for (std::int64_t d = dayOf(from); d * kDay < to; ++d)
    days_[{name, d}].time[col] += std::min(to, (d + 1) * kDay) - std::max(from, d * kDay);
}

void Rollup::ended(const std::string& name, Micros start, Micros end, bool recovered) {
  sqlite3_stmt* o = addOutage_.get();
  sql::bindText(o, 1, name);
  sqlite3_bind_int64(o, 2, start);
  sqlite3_bind_int64(o, 3, end);
  sqlite3_bind_int(o, 4, recovered ? 1 : 0);
  sql::exec(db_, o);
  if (dayOf(start) != dayOf(end)) return;  // long: read from the outage table
  DayDelta& d = days_[{name, dayOf(end)}];
  ++d.outages;
  if (recovered) {
    ++d.recoveries;
    d.recovering += end - start;
  }
  d.longest = std::max(d.longest, end - start);
}

void Rollup::add(const Change& c) {
  Tail* t = tail(c.name);
  Micros at = c.since;
  if (t) {
    at = std::max(at, t->since);
    span(c.name, t->state, t->since, at);
  } else {
    t = &tails_.emplace(c.name, Tail{}).first->second;
  }
  if (c.state == "FAIL") {
    if (t->outage < 0) t->outage = at;
  } else if (t->outage >= 0 && (c.state == "UP" || c.state == "RECOVER" || c.state == kDeleted)) {
    ended(c.name, t->outage, at, c.state != kDeleted);
    t->outage = -1;
  }
  t->state = c.state;
  t->since = at;
  dirty_.insert(c.name);
}

void Rollup::flush() {
  sqlite3_stmt* s = addDay_.get();
  for (const auto& [key, d] : days_) {
    sql::bindText(s, 1, key.first);
    sqlite3_bind_int64(s, 2, key.second);
    for (int c = 0; c < 4; ++c) sqlite3_bind_int64(s, 3 + c, d.time[c]);
    sqlite3_bind_int64(s, 7, d.outages);
    sqlite3_bind_int64(s, 8, d.recoveries);
    sqlite3_bind_int64(s, 9, d.recovering);
    sqlite3_bind_int64(s, 10, d.longest);
    sql::exec(db_, s);
  }
  days_.clear();
  sqlite3_stmt* p = putTail_.get();
  for (const std::string& name : dirty_) {
    const Tail& t = tails_.at(name);
    sql::bindText(p, 1, name);
    sql::bindText(p, 2, t.state);
    sqlite3_bind_int64(p, 3, t.since);
    sqlite3_bind_int64(p, 4, t.outage);
    sql::exec(db_, p);
  }
  dirty_.clear();
  // Tails are read again by the next batch (one lookup per record in it): kept for every
  // record they would cost ~120 B each for as long as faild runs.
  tails_.clear();
}

void Rollup::reportCore(const std::string& name, Micros from, Micros to, Availability& a,
                        Micros& rawFrom1, Micros& rawTo1, Micros& rawFrom2) {
  // Full days come from `day`, but only those that ended before the record's last
  // change: the stretch since then is not in `day` yet.
  Tail* t = tail(name);
  Micros closed = t ? std::min(to, t->since) : from;
  std::int64_t d1 = dayCeil(from), d2 = dayOf(closed);
  if (d1 >= d2) {  // no full day: the raw changes for the whole window
    rawFrom1 = from;
    rawTo1 = to;
    rawFrom2 = to;
    d1 = d2 = 0;
  } else {
    rawFrom1 = from;
    rawTo1 = d1 * kDay;
    rawFrom2 = d2 * kDay;
    sqlite3_stmt* s = sumDays_.get();
    sql::Reset r{s};
    sql::bindText(s, 1, name);
    sqlite3_bind_int64(s, 2, d1);
    sqlite3_bind_int64(s, 3, d2);
    if (sqlite3_step(s) == SQLITE_ROW) {
      auto col = [&](int i) { return static_cast<std::int64_t>(sqlite3_column_double(s, i)); };
      a.up += col(0);
      a.recover += col(1);
      a.down += col(2);
      a.unknown += col(3);
      a.outages += static_cast<std::uint32_t>(col(4));
      a.recoveries += static_cast<std::uint32_t>(col(5));
      a.recovering += col(6);
      a.longest = std::max(a.longest, static_cast<Micros>(sqlite3_column_int64(s, 7)));
    }
  }
  sqlite3_stmt* s = outages_.get();
  sql::Reset r{s};
  sql::bindText(s, 1, name);
  sqlite3_bind_int64(s, 2, from);
  sqlite3_bind_int64(s, 3, to);
  sqlite3_bind_int64(s, 4, d1 * kDay);
  sqlite3_bind_int64(s, 5, std::max(d2 * kDay, from + 1));
  while (sqlite3_step(s) == SQLITE_ROW)
    countOutage(a, sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
                sqlite3_column_int(s, 2) != 0, from, to);
  if (t && t->outage >= 0 && t->outage < to)  // under way still
    countOutage(a, t->outage, std::max(to, t->since), false, from, to);
}

}  // namespace fail::history
