// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The history database: every change faild made durable, one row each, in a SQLite file
// beside the state file (WAL; synchronous=FULL, so a committed batch survives a crash).
// The journal stays the source of truth: a serial is the row's key, so writing a change
// twice (a catch-up that overlaps what was written) keeps one row.
//
// One thread at a time: the history Writer's thread, or a test's.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "history/availability.hh"
#include "history/change.hh"

struct sqlite3;

namespace fail::history {

class Rollup;

struct Query {
  std::string pattern = "*";  // a glob over names (base/text.hh globMatch)
  Micros since = 0;           // changes with since >= this ...
  Micros until = std::numeric_limits<Micros>::max();  // ... and < this
  size_t limit = 0;           // the newest `limit` of them; 0: all
  // With a limit: also no more of the newest than fit in this many bytes of text (name,
  // note, origin, attributes...; the newest change always); 0: no such bound.
  size_t maxBytes = 0;
  // When set, only changes of the names it accepts (a client's read access), applied
  // before the limit. Called on the thread that queries.
  std::function<bool(std::string_view name)> visible;
  // When set, query() sets *more to whether matching changes were left out (older than
  // those the limit or maxBytes let through). Shared, so that it can be read on another
  // thread once the answer was handed over (history::Reader).
  std::shared_ptr<bool> more;
};

class Db {
 public:
  // Opens or creates the database at `path`. A file that is not a sound SQLite database
  // (it cannot be opened as one, or `PRAGMA quick_check` finds damage) is renamed to
  // `path + ".corrupt-YYYYMMDD-HHMMSS"` and a new one created; *movedTo then says where
  // (else it is cleared). Throws std::runtime_error, naming the file, when no database
  // can be had there at all.
  static std::unique_ptr<Db> open(const std::string& path, std::string* movedTo = nullptr);
  // Opens the database at `path` for reading only (history::Reader, beside the Writer:
  // WAL lets both run): nothing is created, checked or moved aside, and a statement
  // waits up to 5 s for a lock. Throws std::runtime_error, naming the file, when it
  // cannot be opened or holds no history.
  static std::unique_ptr<Db> openReader(const std::string& path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Writes `changes` in one transaction; a serial already present is skipped. Each row's
  // `prev` is the record's state in the history before it (the caller's is ignored). Throws
  // std::runtime_error with SQLite's message (a full disk, an I/O error); nothing of the
  // batch is kept then.
  void append(const std::vector<Change>& changes);

  // The highest serial written, 0 when there is none.
  std::uint64_t lastSerial() const;
  std::uint64_t rows() const;

  // Calls `f` for each matching change, in serial order; returns how many.
  size_t query(const Query& q, const std::function<void(const Change&)>& f) const;

  // Runs `f` inside one read transaction: every statement it makes sees the same
  // database (a report's many statements, while the Writer commits beside it).
  void snapshot(const std::function<void()>& f) const;

  // For availability: for each record matching `pattern`, in name order, `record(name)`,
  // then `step(since, state)` for its last change before `from` (if any) and for each of
  // its changes in [from, to), in time order. Reads the covering index alone.
  void timeline(const std::string& pattern, Micros from, Micros to,
                const std::function<void(std::string_view name)>& record,
                const std::function<void(Micros since, std::string_view state)>& step) const;

  // For each record matching `pattern`, in name order, its availability over [from, to)
  // (availability.hh), from the daily roll-ups and the changes at the window's edges:
  // the same figures as an AvailabilityCounter fed with the record's timeline.
  void availability(const std::string& pattern, Micros from, Micros to,
                    const std::function<void(std::string_view name, const Availability&)>& f) const;

  // Retention: removes changes older than `olderThan` (0: no age limit), then the oldest
  // beyond `maxRows` (0: no limit), but never a record's latest change (what its state
  // has been since). Returns the rows removed.
  std::uint64_t prune(Micros olderThan, std::uint64_t maxRows);

  const std::string& path() const { return path_; }

 private:
  struct Statements;
  Db(std::string path, sqlite3* db);
  void prepare();
  void forEachName(const std::string& pattern,
                   const std::function<void(const std::string& name)>& f) const;
  // One record's last change before `from` (if any), then its changes in [from, to).
  void stretch(const std::string& name, Micros from, Micros to,
               const std::function<void(Micros since, std::string_view state)>& step) const;

  std::string path_;
  sqlite3* db_ = nullptr;
  std::unique_ptr<Statements> st_;
  std::unique_ptr<Rollup> rollup_;
};

}  // namespace fail::history
