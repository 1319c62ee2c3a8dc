// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "history/db.hh"

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <utility>

#include "base/text.hh"
#include "base/time.hh"
#include "history/rollup.hh"
#include "history/sql.hh"

namespace fail::history {
namespace {

using sql::bindText;
using sql::Reset;
using sql::Stmt;
using sql::text;

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS change ("
    "  serial INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  state TEXT NOT NULL,"
    "  prev TEXT NOT NULL,"
    "  note TEXT NOT NULL,"
    "  origin TEXT NOT NULL,"
    "  since INTEGER NOT NULL,"
    "  attrs TEXT NOT NULL);"
    // By name and time: a record's history; with the state it covers what a report reads.
    "CREATE INDEX IF NOT EXISTS change_by_name ON change (name, since, state);"
    // Roll-ups for reports (rollup.hh): each record's last state, per record and day the
    // time in each state and the outages of that day, every outage that ended.
    "CREATE TABLE IF NOT EXISTS tail ("
    "  name TEXT PRIMARY KEY, state TEXT NOT NULL, since INTEGER NOT NULL,"
    "  outage INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS day ("
    "  name TEXT NOT NULL, day INTEGER NOT NULL,"
    "  up INTEGER NOT NULL DEFAULT 0, recover INTEGER NOT NULL DEFAULT 0,"
    "  down INTEGER NOT NULL DEFAULT 0, unknown INTEGER NOT NULL DEFAULT 0,"
    "  outages INTEGER NOT NULL DEFAULT 0, recoveries INTEGER NOT NULL DEFAULT 0,"
    "  recovering INTEGER NOT NULL DEFAULT 0, longest INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (name, day)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS outage ("
    "  name TEXT NOT NULL, start INTEGER NOT NULL, \"end\" INTEGER NOT NULL,"
    "  recovered INTEGER NOT NULL, PRIMARY KEY (name, \"end\")) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS outage_long ON outage (name, \"end\")"
    "  WHERE start / 86400000000 != \"end\" / 86400000000;";

// The columns every reading selects, in Change's order.
constexpr const char* kColumns = "serial, name, state, prev, note, origin, since, attrs";

Change readRow(sqlite3_stmt* s) {
  Change c;
  c.serial = static_cast<std::uint64_t>(sqlite3_column_int64(s, 0));
  c.name = text(s, 1);
  c.state = text(s, 2);
  c.prev = text(s, 3);
  c.note = text(s, 4);
  c.origin = text(s, 5);
  c.since = sqlite3_column_int64(s, 6);
  c.attrs = text(s, 7);
  return c;
}

// The glob as SQL: an exact name, a range of names sharing the literal prefix, and the
// glob itself through failglob() (base/text.hh's rules, not SQLite's GLOB).
struct NameFilter {
  bool exact = false;
  std::string prefix;  // the bytes before the first special character
};

NameFilter filterOf(const std::string& pattern) {
  size_t special = pattern.find_first_of("*?[\\");
  return {special == std::string::npos, pattern.substr(0, special)};
}

// The WHERE part for names: "name = :p1", or "name >= :p1 AND name < :p2 AND
// failglob(:glob, name)" (the range only when the glob has a literal prefix).
std::string nameSql(const NameFilter& f) {
  if (f.exact) return "name = :p1";
  std::string sql = "failglob(:glob, name)";
  if (!f.prefix.empty()) sql = "name >= :p1 AND name < :p2 AND " + sql;
  return sql;
}

// The least string above every string that starts with `prefix` ("" when none is).
std::string prefixEnd(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xff) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(prefix.back() + 1);
  return prefix;
}

void bindName(sqlite3_stmt* s, const std::string& pattern, const NameFilter& f) {
  if (int i = sqlite3_bind_parameter_index(s, ":p1")) bindText(s, i, f.exact ? pattern : f.prefix);
  if (int i = sqlite3_bind_parameter_index(s, ":p2")) {
    std::string end = prefixEnd(f.prefix);
    if (end.empty()) end.assign(1, '\xff');
    bindText(s, i, end);
  }
  if (int i = sqlite3_bind_parameter_index(s, ":glob")) bindText(s, i, pattern);
}

void failglob(sqlite3_context* ctx, int, sqlite3_value** argv) {
  auto str = [](sqlite3_value* v) {
    const unsigned char* p = sqlite3_value_text(v);
    return std::string_view(p ? reinterpret_cast<const char*>(p) : "",
                            static_cast<size_t>(sqlite3_value_bytes(v)));
  };
  sqlite3_result_int(ctx, globMatch(str(argv[0]), str(argv[1])) ? 1 : 0);
}

// Opens `path` and checks it; "" when sound, else why not (the handle is closed then).
std::string tryOpen(const std::string& path, sqlite3** out) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                                   SQLITE_OPEN_NOMUTEX, nullptr);
  auto fail = [&](const std::string& what) {
    std::string why = what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    *out = nullptr;
    return why;
  };
  if (rc != SQLITE_OK) return fail("open");
  sqlite3_busy_timeout(db, 5000);
  // journal_mode and quick_check both read the file: either finds a file that is not a
  // database at all.
  std::string verdict;
  auto pragma = [&](const char* sql, std::string* first) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) return false;
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW)
      if (first && first->empty()) *first = text(s, 0);
    sqlite3_finalize(s);
    return r == SQLITE_DONE;
  };
  if (!pragma("PRAGMA journal_mode=WAL", nullptr)) return fail("journal_mode");
  if (!pragma("PRAGMA quick_check", &verdict)) return fail("quick_check");
  if (verdict != "ok") {
    sqlite3_close(db);
    *out = nullptr;
    return "quick_check: " + verdict;
  }
  // 16 MB of pages: the index by name is written all over the file; with SQLite's default
  // 2 MB a batch writes 13,000 rows/s here, with 16 MB 30,000 (bench/history_bench).
  // A checkpoint every 4,000 pages (16 MB of WAL) instead of 1,000: the pages a stream of
  // batches writes again and again are copied into the file less often (at 10,000
  // changes/s the history's lag p99 was 0.21 s instead of 0.45 s, bench/history_load).
  constexpr const char* kSettings =
      "PRAGMA synchronous=FULL; PRAGMA cache_size=-16384; PRAGMA wal_autocheckpoint=4000;";
  char* err = nullptr;
  if (sqlite3_exec(db, kSettings, nullptr, nullptr, &err) != SQLITE_OK ||
      sqlite3_exec(db, kSchema, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string why = std::string("schema: ") + (err ? err : "?");
    sqlite3_free(err);
    sqlite3_close(db);
    *out = nullptr;
    return why;
  }
  *out = db;
  return "";
}

}  // namespace

struct Db::Statements {
  Stmt insert, last, count, before, window;
  Stmt begin, commit, rollback;
};

Db::Db(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}

Db::~Db() {
  rollup_.reset();
  st_.reset();
  sqlite3_close(db_);
}

std::unique_ptr<Db> Db::open(const std::string& path, std::string* movedTo) {
  if (movedTo) movedTo->clear();
  sqlite3* db = nullptr;
  std::string why = tryOpen(path, &db);
  struct stat st;
  if (!why.empty() && ::lstat(path.c_str(), &st) != 0)  // nothing there to be damaged
    throw std::runtime_error("history " + path + ": " + why);
  if (!why.empty()) {
    // Damaged: keep it for a person to look at, with its WAL and shared-memory files,
    // and start afresh (the journal still holds what the caller will write again).
    std::string aside = path + ".corrupt-" + fileStamp(wallNow());
    for (int n = 2; ::lstat(aside.c_str(), &st) == 0; ++n)
      aside = path + ".corrupt-" + fileStamp(wallNow()) + "-" + std::to_string(n);
    if (::rename(path.c_str(), aside.c_str()) != 0)
      throw std::runtime_error("history " + path + ": " + why + "; cannot move it aside");
    for (const char* ext : {"-wal", "-shm"}) {
      std::string from = path + ext;
      if (::lstat(from.c_str(), &st) == 0) ::rename(from.c_str(), (aside + ext).c_str());
    }
    if (movedTo) *movedTo = aside;
    std::string again = tryOpen(path, &db);
    if (!again.empty()) throw std::runtime_error("history " + path + ": " + again);
  }
  sqlite3_create_function(db, "failglob", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                          failglob, nullptr, nullptr);
  std::unique_ptr<Db> d(new Db(path, db));
  d->prepare();
  d->rollup_ = std::make_unique<Rollup>(db);
  return d;
}

std::unique_ptr<Db> Db::openReader(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    throw std::runtime_error("history " + path + ": " + why);
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_exec(db, "PRAGMA cache_size=-16384", nullptr, nullptr, nullptr);
  sqlite3_create_function(db, "failglob", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                          failglob, nullptr, nullptr);
  std::unique_ptr<Db> d(new Db(path, db));
  try {
    d->prepare();  // fails on a file without the tables: "no such table"
    d->rollup_ = std::make_unique<Rollup>(db);
  } catch (const std::exception& e) {
    throw std::runtime_error("history " + path + ": " + e.what());
  }
  return d;
}

void Db::snapshot(const std::function<void()>& f) const {
  if (sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK)
    throw std::runtime_error("history " + path_ + ": " + sqlite3_errmsg(db_));
  try {
    f();
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
}

void Db::prepare() {
  st_ = std::make_unique<Statements>();
  auto set = [&](Stmt& s, const std::string& sql) { s = Stmt(db_, sql); };
  set(st_->insert,
      "INSERT OR IGNORE INTO change (serial, name, state, prev, note, origin, since, attrs) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  set(st_->last, "SELECT COALESCE(MAX(serial), 0) FROM change");
  set(st_->count, "SELECT COUNT(*) FROM change");
  set(st_->before,
      "SELECT since, state FROM change WHERE name = ?1 AND since < ?2"
      " ORDER BY since DESC, serial DESC LIMIT 1");
  set(st_->window,
      "SELECT since, state FROM change WHERE name = ?1 AND since >= ?2 AND since < ?3"
      " ORDER BY since, serial");
  set(st_->begin, "BEGIN IMMEDIATE");
  set(st_->commit, "COMMIT");
  set(st_->rollback, "ROLLBACK");
}

void Db::append(const std::vector<Change>& changes) {
  if (changes.empty()) return;
  auto run = [&](sqlite3_stmt* s) {
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
      throw std::runtime_error(sqlite3_errmsg(db_));
  };
  run(st_->begin.get());
  try {
    sqlite3_stmt* ins = st_->insert.get();
    for (const Change& c : changes) {
      sqlite3_bind_int64(ins, 1, static_cast<sqlite3_int64>(c.serial));
      bindText(ins, 2, c.name);
      bindText(ins, 3, c.state);
      std::string prev = rollup_->stateOf(c.name);  // the history's own, not the caller's
      bindText(ins, 4, prev);
      bindText(ins, 5, c.note);
      bindText(ins, 6, c.origin);
      sqlite3_bind_int64(ins, 7, c.since);
      bindText(ins, 8, c.attrs);
      run(ins);
      if (sqlite3_changes(db_) == 1) rollup_->add(c);  // not when it was there already
    }
    rollup_->flush();
    run(st_->commit.get());
  } catch (const std::exception& e) {
    sqlite3_step(st_->rollback.get());
    sqlite3_reset(st_->rollback.get());
    rollup_->forget();  // its cached tails may hold what was rolled back
    throw std::runtime_error("history " + path_ + ": " + e.what());
  }
}

std::uint64_t Db::lastSerial() const {
  sqlite3_stmt* s = st_->last.get();
  Reset r{s};
  return sqlite3_step(s) == SQLITE_ROW ? static_cast<std::uint64_t>(sqlite3_column_int64(s, 0))
                                        : 0;
}

std::uint64_t Db::rows() const {
  sqlite3_stmt* s = st_->count.get();
  Reset r{s};
  return sqlite3_step(s) == SQLITE_ROW ? static_cast<std::uint64_t>(sqlite3_column_int64(s, 0))
                                        : 0;
}

size_t Db::query(const Query& q, const std::function<void(const Change&)>& f) const {
  NameFilter nf = filterOf(q.pattern);
  std::string sql = std::string("SELECT ") + kColumns + " FROM change WHERE " + nameSql(nf) +
                    " AND since >= :since AND since < :until ORDER BY serial";
  // With a filter the limit is counted here, over the rows it lets through; one row
  // beyond the limit tells whether more matched.
  if (q.limit) sql += q.visible ? " DESC" : " DESC LIMIT :limit";
  Stmt st(db_, sql);
  sqlite3_stmt* s = st.get();
  bindName(s, q.pattern, nf);
  sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":since"), q.since);
  sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":until"), q.until);
  if (q.limit && !q.visible)
    sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":limit"),
                       static_cast<sqlite3_int64>(q.limit) + 1);
  std::vector<Change> newestFirst;
  size_t n = 0, bytes = 0;
  bool more = false;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    if (q.visible && !q.visible(sql::textView(s, 1))) continue;
    if (!q.limit) {
      f(readRow(s));
      ++n;
      continue;
    }
    if (newestFirst.size() == q.limit) {
      more = true;
      break;
    }
    Change c = readRow(s);
    bytes += 64 + c.name.size() + c.state.size() + c.prev.size() + c.note.size() +
             c.origin.size() + c.attrs.size();
    if (q.maxBytes && bytes > q.maxBytes && !newestFirst.empty()) {
      more = true;
      break;
    }
    newestFirst.push_back(std::move(c));
  }
  if (rc == SQLITE_ROW) rc = SQLITE_DONE;  // stopped at the limit
  if (q.more) *q.more = more;
  if (rc != SQLITE_DONE) throw std::runtime_error("history " + path_ + ": " + sqlite3_errmsg(db_));
  for (auto it = newestFirst.rbegin(); it != newestFirst.rend(); ++it, ++n) f(*it);
  return n;
}

void Db::forEachName(const std::string& pattern,
                     const std::function<void(const std::string& name)>& f) const {
  NameFilter nf = filterOf(pattern);
  Stmt names(db_, "SELECT name FROM tail WHERE " + nameSql(nf) + " ORDER BY name");
  bindName(names.get(), pattern, nf);
  int rc;
  while ((rc = sqlite3_step(names.get())) == SQLITE_ROW) f(text(names.get(), 0));
  if (rc != SQLITE_DONE) throw std::runtime_error("history " + path_ + ": " + sqlite3_errmsg(db_));
}

void Db::stretch(const std::string& name, Micros from, Micros to,
                 const std::function<void(Micros since, std::string_view state)>& step) const {
  auto emit = [&](sqlite3_stmt* s) { step(sqlite3_column_int64(s, 0), sql::textView(s, 1)); };
  sqlite3_stmt* before = st_->before.get();
  {
    Reset r{before};
    bindText(before, 1, name);
    sqlite3_bind_int64(before, 2, from);
    if (sqlite3_step(before) == SQLITE_ROW) emit(before);
  }
  sqlite3_stmt* window = st_->window.get();
  Reset r{window};
  bindText(window, 1, name);
  sqlite3_bind_int64(window, 2, from);
  sqlite3_bind_int64(window, 3, to);
  while (sqlite3_step(window) == SQLITE_ROW) emit(window);
}

void Db::timeline(const std::string& pattern, Micros from, Micros to,
                  const std::function<void(std::string_view name)>& record,
                  const std::function<void(Micros since, std::string_view state)>& step) const {
  forEachName(pattern, [&](const std::string& name) {
    record(name);
    stretch(name, from, to, step);
  });
}

void Db::availability(const std::string& pattern, Micros from, Micros to,
                      const std::function<void(std::string_view name, const Availability&)>& f) const {
  to = std::max(from, to);
  forEachName(pattern, [&](const std::string& name) {
    auto raw = [&](Micros x, Micros y) {
      AvailabilityCounter c(x, y);
      stretch(name, x, y, [&](Micros since, std::string_view state) { c.add(since, state); });
      return c.finish();
    };
    f(name, rollup_->report(name, from, to, raw));
  });
  rollup_->forget();  // the tails it read
}

std::uint64_t Db::prune(Micros olderThan, std::uint64_t maxRows) {
  // A record's latest change is kept whatever its age: it says what the record has been
  // since, which a report of any later window needs.
  const char* notLatest =
      "serial < (SELECT MAX(d.serial) FROM change d WHERE d.name = change.name)";
  std::uint64_t removed = 0;
  auto exec = [&](const std::string& sql, sqlite3_int64 arg) {
    Stmt st(db_, sql);
    sqlite3_bind_int64(st.get(), 1, arg);
    if (sqlite3_step(st.get()) != SQLITE_DONE)
      throw std::runtime_error("history " + path_ + ": " + sqlite3_errmsg(db_));
    removed += static_cast<std::uint64_t>(sqlite3_changes(db_));
  };
  if (olderThan > 0)
    exec(std::string("DELETE FROM change WHERE since < ?1 AND ") + notLatest, olderThan);
  if (olderThan > 0) {  // the roll-ups of what is gone go too (reports cannot reach there)
    exec("DELETE FROM day WHERE day < ?1", olderThan / kDay);
    exec("DELETE FROM outage WHERE \"end\" < ?1", olderThan);
  }
  if (maxRows > 0) {
    std::uint64_t have = rows();
    if (have > maxRows)
      exec(std::string("DELETE FROM change WHERE serial IN (SELECT serial FROM change WHERE ") +
               notLatest + " ORDER BY serial LIMIT ?1)",
           static_cast<sqlite3_int64>(have - maxRows));
  }
  return removed;
}

}  // namespace fail::history
