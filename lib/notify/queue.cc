// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "notify/queue.hh"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>

#include "base/log.hh"
#include "history/sql.hh"
#include "state/json.hh"

namespace fail::notify {
namespace {

using history::sql::bindText;
using history::sql::Reset;
using history::sql::Stmt;
using history::sql::text;

log::Facility& logf() {
  static log::Facility& f = log::facility("notify");
  return f;
}

// status: 0 waiting, 1 sent, 2 failed; done: when it was sent or given up (0 while
// waiting). fields: the template fields as a JSON object (exec's environment).
constexpr const char* kSchema =
    "CREATE TABLE message ("
    "  id INTEGER PRIMARY KEY,"
    "  key TEXT NOT NULL UNIQUE,"
    "  channel TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  record TEXT NOT NULL,"
    "  subject TEXT NOT NULL,"
    "  body TEXT NOT NULL,"
    "  fields TEXT NOT NULL,"
    "  created INTEGER NOT NULL,"
    "  attempts INTEGER NOT NULL,"
    "  next_attempt INTEGER NOT NULL,"
    "  last_error TEXT NOT NULL,"
    "  status INTEGER NOT NULL DEFAULT 0,"
    "  done INTEGER NOT NULL DEFAULT 0);"
    // What the dispatcher reads: a channel's waiting rows in the order they fall due
    // (the rowid, appended to every index, orders equal times oldest first).
    "CREATE INDEX message_due ON message (channel, next_attempt) WHERE status = 0;"
    // What prune() deletes and counts() counts.
    "CREATE INDEX message_done ON message (done) WHERE status != 0;"
    "CREATE INDEX message_channel ON message (channel, status);"
    "CREATE TABLE alerted ("
    "  rule TEXT NOT NULL, record TEXT NOT NULL, state TEXT NOT NULL,"
    "  at INTEGER NOT NULL, last_sent INTEGER NOT NULL,"
    "  PRIMARY KEY (rule, record)) WITHOUT ROWID;"
    "PRAGMA user_version = 1;";

// The columns readRow() reads, in Message's order.
#define COLUMNS                                                                       \
  "id, key, channel, kind, record, subject, body, fields, created, attempts, next_attempt," \
  " last_error"

// The busy timeout: another process holding the write lock (a person's sqlite3 shell)
// stalls failsh's loop this long at most before a write fails (and is logged).
constexpr int kBusyMs = 2000;

std::string randomKey() {
  unsigned char b[16];
  size_t got = 0;
  while (got < sizeof b) {
    ssize_t n = ::getrandom(b + got, sizeof b - got, 0);
    if (n > 0) got += static_cast<size_t>(n);
    else if (errno != EINTR) throw std::runtime_error(std::string("getrandom: ") + std::strerror(errno));
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : b) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

// SQLite's message, with the system's error behind it ("disk I/O error (No space left on
// device)"): SQLite says "disk I/O error" for most of them.
std::string sqliteError(sqlite3* db) {
  std::string msg = sqlite3_errmsg(db);
  if (int e = sqlite3_system_errno(db)) msg += std::string(" (") + std::strerror(e) + ")";
  return msg;
}

// Runs a statement that returns no rows (or one, ignored), then resets it. False with
// *why (when given) set to the error, read before the reset can clear the system's.
bool runOnce(sqlite3* db, sqlite3_stmt* s, std::string* why = nullptr) {
  int rc = sqlite3_step(s);
  bool ok = rc == SQLITE_DONE || rc == SQLITE_ROW;
  if (!ok && why) *why = sqliteError(db);
  sqlite3_reset(s);
  return ok;
}

Message readRow(sqlite3_stmt* s) {
  Message m;
  m.id = sqlite3_column_int64(s, 0);
  m.key = text(s, 1);
  m.channel = text(s, 2);
  m.kind = parseKind(text(s, 3)).value_or(Kind::Send);
  m.record = text(s, 4);
  m.subject = text(s, 5);
  m.body = text(s, 6);
  auto j = nlohmann::json::parse(text(s, 7), nullptr, false);
  if (j.is_object())
    for (auto& [k, v] : j.items())
      if (v.is_string()) m.fields[k] = v.get<std::string>();
  m.created = sqlite3_column_int64(s, 8);
  m.attempts = static_cast<int>(sqlite3_column_int(s, 9));
  m.nextAttempt = sqlite3_column_int64(s, 10);
  m.lastError = text(s, 11);
  return m;
}

std::string fieldsJson(const Fields& f) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [k, v] : f) j[k] = v;
  return state::dumpJson(j);
}

// Makes `path` as an empty file readable by its owner only, unless it exists: SQLite
// would make it with the umask's permissions, and its -wal and -shm files copy the
// database file's. Notifications may carry what only the operator should read.
std::string makePrivate(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd >= 0) {
    ::close(fd);
    return "";
  }
  if (errno == EEXIST) return "";
  return std::string("create: ") + std::strerror(errno);
}

// One statement (a pragma) and its first column of its first row.
bool firstValue(sqlite3* db, const char* sql, std::string* out) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) return false;
  int r;
  bool first = true;
  while ((r = sqlite3_step(s)) == SQLITE_ROW)
    if (first && out) {
      *out = text(s, 0);
      first = false;
    }
  sqlite3_finalize(s);
  return r == SQLITE_DONE;
}

// Opens `path` and makes sure it is a sound queue of this version; "" or why not.
std::string tryOpen(const std::string& path, sqlite3** out) {
  bool memory = path == ":memory:";
  if (!memory) {
    std::string why = makePrivate(path);
    if (!why.empty()) return why;
  }
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  auto fail = [&](const std::string& what) {
    std::string why = what + ": " + (db ? sqliteError(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return why;
  };
  if (rc != SQLITE_OK) return fail("open");
  // SQLite opens a file it may not write read-only, without a word: every add() would
  // fail later. Said now, at start.
  if (sqlite3_db_readonly(db, "main") == 1) {
    sqlite3_close(db);
    return "open: the file cannot be written";
  }
  sqlite3_busy_timeout(db, kBusyMs);
  // journal_mode reads the header first: a file that is not a database at all fails here.
  std::string mode;
  if (!firstValue(db, "PRAGMA journal_mode=WAL", &mode)) return fail("journal_mode");
  if (!memory && mode != "wal") {
    sqlite3_close(db);
    return "journal_mode: cannot use WAL (" + mode + ")";
  }
  // The whole file: it is small (bounded by maxWaiting and the pruning).
  std::string verdict;
  if (!firstValue(db, "PRAGMA quick_check", &verdict)) return fail("quick_check");
  if (verdict != "ok") {
    sqlite3_close(db);
    return "quick_check: " + verdict + " (the file is damaged; move it aside to start "
           "with an empty queue, or repair it with sqlite3's .recover)";
  }
  std::string version, tables;
  if (!firstValue(db, "PRAGMA user_version", &version)) return fail("user_version");
  if (!firstValue(db, "SELECT COUNT(*) FROM sqlite_schema", &tables)) return fail("schema");
  char* err = nullptr;
  auto exec = [&](const char* sql, const char* what) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) == SQLITE_OK) return std::string();
    std::string why = std::string(what) + ": " + (err ? std::string(err) : sqliteError(db));
    sqlite3_free(err);
    sqlite3_close(db);
    return why;
  };
  if (std::string why = exec("PRAGMA synchronous=FULL", "synchronous"); !why.empty()) return why;
  if (version == "0" && tables == "0") {
    std::string why = exec((std::string("BEGIN IMMEDIATE;") + kSchema + "COMMIT;").c_str(),
                           "schema");
    if (!why.empty()) return why;
  } else if (version == "0") {
    sqlite3_close(db);
    return "holds tables but no schema version: not a notification queue";
  } else if (version != std::to_string(Queue::kSchemaVersion)) {
    sqlite3_close(db);
    return "schema version " + version + ", this failsh knows " +
           std::to_string(Queue::kSchemaVersion);
  }
  *out = db;
  return "";
}

}  // namespace

struct Queue::Statements {
  Stmt insert, due, next, end, count, total, prune;
  Stmt recall, remember, forget;
  Stmt begin, commit, rollback, relaxed, strict;
};

Queue::Queue(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}

Queue::~Queue() {
  st_.reset();
  sqlite3_close(db_);
}

std::string Queue::where(const std::string& what) const {
  return "notify queue " + path_ + ": " + what + ": " + sqliteError(db_);
}

std::unique_ptr<Queue> Queue::open(const std::string& path, std::string* err) {
  sqlite3* db = nullptr;
  std::string why = tryOpen(path, &db);
  if (!why.empty()) {
    if (err) *err = "notify queue " + path + ": " + why;
    return nullptr;
  }
  std::unique_ptr<Queue> q(new Queue(path, db));
  // Every statement, prepared once at open.
  static const std::pair<Stmt Statements::*, const char*> kStatements[] = {
      {&Statements::insert,
       "INSERT INTO message (key, channel, kind, record, subject, body, fields, created,"
       " attempts, next_attempt, last_error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"},
      {&Statements::due,
       "SELECT " COLUMNS " FROM message WHERE channel = ?1 AND status = 0 AND next_attempt <= ?2"
       " ORDER BY next_attempt, id LIMIT ?3"},
      {&Statements::next,
       "SELECT MIN(next_attempt) FROM message"
       " WHERE channel = ?1 AND status = 0 AND next_attempt > ?2"},
      // An outcome: status 0 (a retry: attempts and next_attempt given), 1 sent, 2 failed
      // (attempts one more than the row's).
      {&Statements::end,
       "UPDATE message SET status = ?2, done = ?3, attempts = COALESCE(?4, attempts + 1),"
       " next_attempt = COALESCE(?5, next_attempt), last_error = ?6"
       " WHERE id = ?1 AND status = 0 RETURNING channel"},
      {&Statements::count,
       "SELECT status, COUNT(*) FROM message WHERE channel = ?1 GROUP BY status"},
      {&Statements::total, "SELECT COUNT(*) FROM message WHERE status = 0"},
      {&Statements::prune, "DELETE FROM message WHERE status != 0 AND done < ?1"},
      {&Statements::recall,
       "SELECT state, at, last_sent FROM alerted WHERE rule = ?1 AND record = ?2"},
      {&Statements::remember,
       "INSERT OR REPLACE INTO alerted (rule, record, state, at, last_sent)"
       " VALUES (?1, ?2, ?3, ?4, ?5)"},
      {&Statements::forget, "DELETE FROM alerted WHERE rule = ?1 AND record = ?2"},
      {&Statements::begin, "BEGIN IMMEDIATE"},
      {&Statements::commit, "COMMIT"},
      {&Statements::rollback, "ROLLBACK"},
      {&Statements::relaxed, "PRAGMA synchronous=NORMAL"},
      {&Statements::strict, "PRAGMA synchronous=FULL"},
  };
  try {
    q->st_ = std::make_unique<Statements>();
    for (const auto& [member, sql] : kStatements) q->st_.get()->*member = Stmt(db, sql);
  } catch (const std::exception& e) {
    if (err) *err = "notify queue " + path + ": " + e.what();
    return nullptr;
  }
  sqlite3_stmt* t = q->st_->total.get();
  Reset r{t};
  if (sqlite3_step(t) != SQLITE_ROW) {
    if (err) *err = q->where("count");
    return nullptr;
  }
  q->waitingTotal_ = static_cast<std::uint64_t>(sqlite3_column_int64(t, 0));
  return q;
}

bool Queue::add(std::vector<Message>& msgs, std::string* err) {
  if (msgs.empty()) return true;
  auto refuse = [&](const std::string& why) {
    if (err) *err = "notify queue " + path_ + ": " + why;
    return false;
  };
  if (inBatch_) return refuse("add() inside batch()");
  if (waitingTotal_ + msgs.size() > maxWaiting_)
    return refuse("full: " + std::to_string(waitingTotal_) + " messages waiting (at most " +
                  std::to_string(maxWaiting_) + "); " + std::to_string(msgs.size()) +
                  " refused");
  // What add() fills in, taken back when the transaction fails.
  struct Given {
    bool key, created, next;
  };
  std::vector<Given> given;
  given.reserve(msgs.size());
  for (const Message& m : msgs) given.push_back({m.key.empty(), m.created == 0, m.nextAttempt == 0});
  Micros now = wallNow();
  std::string why;
  if (!runOnce(db_, st_->begin.get(), &why)) return refuse("begin: " + why);
  try {
    sqlite3_stmt* s = st_->insert.get();
    for (Message& m : msgs) {
      if (m.key.empty()) m.key = randomKey();
      if (m.created == 0) m.created = now;
      if (m.nextAttempt == 0) m.nextAttempt = m.created;
      sqlite3_clear_bindings(s);
      bindText(s, 1, m.key);
      bindText(s, 2, m.channel);
      bindText(s, 3, kindName(m.kind));
      bindText(s, 4, m.record);
      bindText(s, 5, m.subject);
      bindText(s, 6, m.body);
      bindText(s, 7, fieldsJson(m.fields));
      sqlite3_bind_int64(s, 8, m.created);
      sqlite3_bind_int(s, 9, m.attempts);
      sqlite3_bind_int64(s, 10, m.nextAttempt);
      bindText(s, 11, m.lastError);
      int rc = sqlite3_step(s);
      int ext = sqlite3_extended_errcode(db_);
      sqlite3_reset(s);
      if (rc != SQLITE_DONE) {
        why = ext == SQLITE_CONSTRAINT_UNIQUE ? "message key " + m.key + " is already queued"
                                              : "insert: " + sqliteError(db_);
        break;
      }
      m.id = sqlite3_last_insert_rowid(db_);
    }
  } catch (const std::exception& e) {
    why = e.what();
  }
  // COMMIT is where a full disk or a read-only file shows in WAL mode (the frames are
  // written and synced then).
  if (why.empty() && !runOnce(db_, st_->commit.get(), &why)) why = "commit: " + why;
  if (!why.empty()) {
    if (!sqlite3_get_autocommit(db_)) runOnce(db_, st_->rollback.get());
    for (size_t i = 0; i < msgs.size(); ++i) {
      msgs[i].id = 0;
      if (given[i].key) msgs[i].key.clear();
      if (given[i].created) msgs[i].created = 0;
      if (given[i].next) msgs[i].nextAttempt = 0;
    }
    return refuse(why);
  }
  waitingTotal_ += msgs.size();
  for (const Message& m : msgs) {
    auto it = counts_.find(m.channel);
    if (it != counts_.end()) ++it->second.waiting;
  }
  return true;
}

std::vector<Message> Queue::due(const std::string& channel, Micros now, size_t max) {
  std::vector<Message> out;
  if (max == 0) return out;
  sqlite3_stmt* s = st_->due.get();
  Reset r{s};
  bindText(s, 1, channel);
  sqlite3_bind_int64(s, 2, now);
  sqlite3_bind_int64(s, 3, static_cast<sqlite3_int64>(max));
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) out.push_back(readRow(s));
  if (rc != SQLITE_DONE) FAIL_LOG(logf(), Err) << where("due");
  return out;
}

std::optional<Micros> Queue::nextDue(const std::string& channel, Micros after) {
  sqlite3_stmt* s = st_->next.get();
  Reset r{s};
  bindText(s, 1, channel);
  sqlite3_bind_int64(s, 2, after);
  if (sqlite3_step(s) != SQLITE_ROW || sqlite3_column_type(s, 0) == SQLITE_NULL)
    return std::nullopt;
  return sqlite3_column_int64(s, 0);
}

bool Queue::finish(int status, std::int64_t id, Micros at, int attempts, Micros next,
                   const std::string& detail) {
  static constexpr const char* kWhat[] = {"retry", "sent", "failed"};
  sqlite3_stmt* s = st_->end.get();
  Reset r{s};
  sqlite3_bind_int64(s, 1, id);
  sqlite3_bind_int(s, 2, status);
  sqlite3_bind_int64(s, 3, status ? at : 0);
  if (status == 0) {
    sqlite3_bind_int(s, 4, attempts);
    sqlite3_bind_int64(s, 5, next);
  }
  bindText(s, 6, detail);
  int rc = SQLITE_DONE;
  std::string why;
  relaxed([&] {
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) why = sqliteError(db_);  // before the pragma's
  });
  if (rc == SQLITE_ROW) {
    std::string channel = text(s, 0);
    rc = sqlite3_step(s);  // runs the statement to its end
    if (status != 0) {
      if (waitingTotal_ > 0) --waitingTotal_;
      auto it = counts_.find(channel);
      if (it != counts_.end()) {
        if (it->second.waiting > 0) --it->second.waiting;
        ++(status == 1 ? it->second.sent : it->second.failed);
      }
    }
  }
  // A message no longer waiting (pruned, or done already): nothing to do.
  if (rc == SQLITE_DONE) return true;
  if (why.empty()) why = sqliteError(db_);
  FAIL_LOG(logf(), Err) << "notify queue " << path_ << ": " << kWhat[status] << " of message "
                        << id << ": " << why
                        << " (it stays waiting, and is sent again after a restart)";
  return false;
}

bool Queue::sent(std::int64_t id, Micros at, const std::string& detail) {
  return finish(1, id, at, 0, 0, detail);
}

bool Queue::retry(std::int64_t id, int attempts, Micros nextAttempt, const std::string& error) {
  return finish(0, id, 0, attempts, nextAttempt, error);
}

bool Queue::failed(std::int64_t id, Micros at, const std::string& error) {
  return finish(2, id, at, 0, 0, error);
}

bool Queue::batch(const std::function<void()>& f) {
  bool ok = true;
  relaxed([&] { ok = inOneTransaction(f); });
  return ok;
}

bool Queue::inOneTransaction(const std::function<void()>& f) {
  std::string why;
  if (inBatch_ || !runOnce(db_, st_->begin.get(), &why)) {  // each write on its own then
    if (!inBatch_) FAIL_LOG(logf(), Err) << "notify queue " << path_ << ": begin: " << why;
    f();
    return true;
  }
  inBatch_ = true;
  try {
    f();
  } catch (...) {
    inBatch_ = false;
    runOnce(db_, st_->commit.get());
    throw;
  }
  inBatch_ = false;
  if (!runOnce(db_, st_->commit.get(), &why)) {
    FAIL_LOG(logf(), Err) << "notify queue " << path_ << ": commit: " << why <<
                                 " (the outcomes stay unwritten: those messages are sent again "
                                 "after a restart)";
    if (!sqlite3_get_autocommit(db_)) runOnce(db_, st_->rollback.get());
    counts_.clear();  // the cached counts moved with what was rolled back
    sqlite3_stmt* t = st_->total.get();
    Reset r{t};
    if (sqlite3_step(t) == SQLITE_ROW)
      waitingTotal_ = static_cast<std::uint64_t>(sqlite3_column_int64(t, 0));
    return false;
  }
  return true;
}

Queue::Counts Queue::counts(const std::string& channel) {
  auto it = counts_.find(channel);
  if (it != counts_.end()) return it->second;
  Counts c;
  sqlite3_stmt* s = st_->count.get();
  Reset r{s};
  bindText(s, 1, channel);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    auto n = static_cast<std::uint64_t>(sqlite3_column_int64(s, 1));
    switch (sqlite3_column_int(s, 0)) {
      case 0: c.waiting = n; break;
      case 1: c.sent = n; break;
      default: c.failed += n; break;
    }
  }
  if (rc != SQLITE_DONE) {
    FAIL_LOG(logf(), Err) << where("counts");
    return c;  // not cached: asked again next time
  }
  counts_[channel] = c;
  return c;
}

std::uint64_t Queue::prune(Micros olderThan) {
  sqlite3_stmt* s = st_->prune.get();
  Reset r{s};
  sqlite3_bind_int64(s, 1, olderThan);
  if (sqlite3_step(s) != SQLITE_DONE) {
    FAIL_LOG(logf(), Err) << where("prune");
    return 0;
  }
  auto n = static_cast<std::uint64_t>(sqlite3_changes(db_));
  if (n) counts_.clear();  // counted again when asked
  return n;
}

std::optional<Alerted> Queue::recall(const std::string& rule, const std::string& record) {
  sqlite3_stmt* s = st_->recall.get();
  Reset r{s};
  bindText(s, 1, rule);
  bindText(s, 2, record);
  if (sqlite3_step(s) != SQLITE_ROW) return std::nullopt;
  auto state = proto::parseState(text(s, 0));
  if (!state) return std::nullopt;
  return Alerted{*state, sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2)};
}

void Queue::remember(const std::string& rule, const std::string& record, const Alerted& a) {
  sqlite3_stmt* s = st_->remember.get();
  bindText(s, 1, rule);
  bindText(s, 2, record);
  bindText(s, 3, proto::stateName(a.state));
  sqlite3_bind_int64(s, 4, a.at);
  sqlite3_bind_int64(s, 5, a.lastSent);
  lightly(s, "remember " + rule + " " + record);
}

void Queue::forget(const std::string& rule, const std::string& record) {
  sqlite3_stmt* s = st_->forget.get();
  bindText(s, 1, rule);
  bindText(s, 2, record);
  lightly(s, "forget " + rule + " " + record);
}

void Queue::lightly(sqlite3_stmt* s, const std::string& what) {
  Reset r{s};
  relaxed([&] {
    if (sqlite3_step(s) != SQLITE_DONE) FAIL_LOG(logf(), Err) << where(what);
  });
}

void Queue::relaxed(const std::function<void()>& f) {
  // Not inside a transaction (batch(), where the pragma is set already).
  bool relax = sqlite3_get_autocommit(db_) && runOnce(db_, st_->relaxed.get());
  try {
    f();
  } catch (...) {
    if (relax) runOnce(db_, st_->strict.get());
    throw;
  }
  if (relax) runOnce(db_, st_->strict.get());
}

}  // namespace fail::notify
