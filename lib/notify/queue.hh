// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The durable queue of notifications: every Message is stored here, in a SQLite file
// beside failsh's other files, before any attempt to send it, and stays until it was
// sent or given up. A message being sent when failsh dies is still "waiting" in the file
// and is sent again after the restart, with the same key, so that the receiver can drop
// the repeat (the webhook's Idempotency-Key, the mail's Message-ID).
//
// The file also keeps the rules' memory of what they alerted (AlertMemory), so that a
// restart neither repeats an alert nor forgets to say that a record recovered.
//
// WAL with synchronous=FULL: add() returns once the messages are on disk. A file that
// is not a sound queue (not SQLite, damaged, a schema version this failsh does not know)
// is refused with a message naming it: failsh does not start rather than lose or
// overwrite messages silently (unlike the history, which the journal can rebuild, the
// queue is the only copy).
//
// Bounded: at most maxWaiting() waiting messages in all (add() refuses beyond, the
// caller counts them as dropped); sent and failed rows are kept for prune() to remove
// (the dispatcher prunes those older than 7 days).
//
// Loop thread only (one connection; statements prepared once and held). Its writes are
// short, but synchronous: each transaction waits for one fsync.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "notify/alert_memory.hh"
#include "notify/message.hh"

struct sqlite3;
struct sqlite3_stmt;

namespace fail::notify {

class Queue : public AlertMemory {
 public:
  // The schema this failsh writes (PRAGMA user_version).
  static constexpr int kSchemaVersion = 1;
  static constexpr size_t kDefaultMaxWaiting = 100'000;

  // Opens or makes (0600) the SQLite file: WAL, synchronous=FULL, a busy timeout;
  // ":memory:" for tests. nullptr with *err naming the file and the cause ("notify
  // queue /var/lib/failsh/notify.db: quick_check: ..." for a damaged one).
  static std::unique_ptr<Queue> open(const std::string& path, std::string* err);
  ~Queue() override;
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;

  // Stores `msgs` in one transaction and returns once it is durable: sets id, key
  // (32 random hex digits when empty) and created (when 0); a nextAttempt of 0 becomes
  // `created` (due at once). False with *err (disk full, a read-only file, a key already
  // queued, more than maxWaiting() waiting): then nothing of `msgs` is stored and the
  // messages are as they were given.
  bool add(std::vector<Message>& msgs, std::string* err);

  // Waiting messages of `channel` due by `now` (nextAttempt <= now), at most `max`, in
  // the order they became due (nextAttempt, then id: oldest first). Rows that cannot be
  // read (a fields column that is not JSON) come with empty fields.
  std::vector<Message> due(const std::string& channel, Micros now, size_t max);
  // The earliest nextAttempt of `channel`'s waiting messages later than `after` (the
  // dispatcher passes its now: the ones due by then are all out already); nullopt when
  // none is waiting.
  std::optional<Micros> nextDue(const std::string& channel,
                                Micros after = std::numeric_limits<Micros>::min());

  // One outcome each, one statement each (a failure is logged: the row stays waiting,
  // and the message is sent again, with its key, after a restart). Not fsynced on their
  // own (see relaxed() below): a crash of the machine may send a message again.
  // False when it could not be written (a message no longer waiting is no failure).
  bool sent(std::int64_t id, Micros at, const std::string& detail);
  bool retry(std::int64_t id, int attempts, Micros nextAttempt, const std::string& error);
  bool failed(std::int64_t id, Micros at, const std::string& error);
  // Runs `f` (calls of sent, retry and failed) in one transaction (a storm's many
  // outcomes). Not nested. False when the transaction could not be committed: then
  // none of f's writes was kept, whatever they returned.
  bool batch(const std::function<void()>& f);

  struct Counts {
    std::uint64_t waiting = 0, sent = 0, failed = 0;
  };
  // Rows in the file (sent and failed: since the last prune). Kept in memory after the
  // first call per channel, so that it costs nothing per outcome.
  Counts counts(const std::string& channel);
  std::uint64_t waitingTotal() const { return waitingTotal_; }

  // Removes sent and failed rows done before `olderThan`; returns how many.
  std::uint64_t prune(Micros olderThan);

  size_t maxWaiting() const { return maxWaiting_; }
  void setMaxWaiting(size_t n) { maxWaiting_ = n; }

  const std::string& path() const { return path_; }

  // AlertMemory: a write failure is logged (the memory is a convenience; the messages
  // are what must not be lost). Its writes wait for no fsync of their own: they are
  // durable across a crash of failsh at once, across one of the machine with the next
  // add().
  std::optional<Alerted> recall(const std::string& rule, const std::string& record) override;
  void remember(const std::string& rule, const std::string& record, const Alerted& a) override;
  void forget(const std::string& rule, const std::string& record) override;

 private:
  struct Statements;
  Queue(std::string path, sqlite3* db);
  // Writes an outcome (status 0: a retry, 1: sent, 2: failed), moving the cached counts.
  bool finish(int status, std::int64_t id, Micros at, int attempts, Micros next,
              const std::string& detail);
  // Runs an AlertMemory write (bound).
  void lightly(sqlite3_stmt* s, const std::string& what);
  // Runs `f`'s writes with synchronous=NORMAL: they wait for no fsync of their own. WAL
  // keeps them across a crash of failsh (they are in the file, in the kernel's cache);
  // a crash of the machine before the next add() (whose fsync covers every frame
  // written before it) can lose them. Only for what may be lost that way: the
  // AlertMemory (the rules then alert again) and outcomes (the message is sent again,
  // with its key, or retried sooner).
  void relaxed(const std::function<void()>& f);
  bool inOneTransaction(const std::function<void()>& f);  // batch()'s work
  std::string where(const std::string& what) const;  // "notify queue PATH: WHAT: sqlite's"

  std::string path_;
  sqlite3* db_ = nullptr;
  std::unique_ptr<Statements> st_;
  std::map<std::string, Counts> counts_;  // per channel, once asked
  std::uint64_t waitingTotal_ = 0;
  size_t maxWaiting_ = kDefaultMaxWaiting;
  bool inBatch_ = false;
};

}  // namespace fail::notify
