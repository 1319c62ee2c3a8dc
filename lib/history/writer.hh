// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Writes faild's changes into the history database on a thread of its own, in batched
// transactions, so that history is never on the path of an OK or a WATCH line: push()
// only queues a reference to the version. Retention runs on the same thread.
//
// When the database cannot be written (a full disk), the batch is kept and retried with
// a growing pause, and said once in the log. Memory stays bounded: with
// Options::maxQueued changes waiting (the database failing, or slower than the changes
// for long), new ones are dropped and counted.
//
// What is queued but not yet written is still in the journal: a compaction keeps it there
// (unsaved()), so that after a crash the catch-up at the next start writes it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/log.hh"
#include "history/db.hh"
#include "state/journal.hh"
#include "state/store.hh"
#include "state/version.hh"

namespace fail::history {

// A change as the history keeps it (`prev` is left to Db::append). A tombstone becomes a
// DELETED row.
Change changeOf(const state::Version& v);

class Writer : public state::ChangeListener {
 public:
  struct Options {
    Micros maxAge = 0;                  // retention by age; 0: none
    std::uint64_t maxRows = 0;          // retention by rows; 0: none
    Micros pruneEvery = 3'600'000'000;  // how often retention runs
    Micros batchWait = 50'000;          // how long a first change waits for others
    size_t maxQueued = 200'000;         // changes waiting at most (each holds its version)
  };
  // Called from the writer's thread with a sentence for the log and its level: Notice
  // for retention and progress, Err when changes cannot be written or are dropped,
  // Warning for a failed retention. Never with a secret (a change's fields are not
  // logged).
  using Log = std::function<void(log::Level, const std::string&)>;

  Writer(std::unique_ptr<Db> db, Options options, Log log);
  ~Writer();  // writes what is queued (one attempt), then stops
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Queues the change that made `v` (loop thread), in serial order.
  void push(state::VersionRef v);
  // The Store published a change: push it (Store::addListener).
  void onPublished(const state::Published& p) override { push(p.version); }
  // For a compaction of the journal: the changes queued and not yet written, since the
  // last one dropped (those before it cannot make the history whole again anyway).
  void unsaved(std::vector<state::VersionRef>& out) const override;
  // Says `message` in the log (Notice) once the change `serial` is written: the end of
  // the catch-up at start.
  void noticeWhenWritten(std::uint64_t serial, std::string message);
  // Returns once every change pushed before the call is written or dropped.
  void flush();

  std::uint64_t written() const { return written_.load(); }  // highest serial written
  std::uint64_t dropped() const { return dropped_.load(); }
  // How long the oldest change not yet written has waited (0: none waits).
  Micros lag() const;

 private:
  struct Pending {
    state::VersionRef v;
    Micros queued;  // steady clock
  };
  void run();
  // Writes `rows`; false (and said in the log when it starts failing) on an error.
  bool write(const std::vector<Change>& rows);
  void pruneIfDue();

  std::unique_ptr<Db> db_;
  Options options_;
  Log log_;
  mutable std::mutex mu_;
  std::condition_variable wake_, done_;
  std::deque<Pending> queue_;  // unwritten, oldest first (the batch being written too)
  std::uint64_t pushed_ = 0, finished_ = 0;  // changes pushed; written or dropped
  std::uint64_t flushTarget_ = 0;            // a flush() waits for finished_ to reach it
  bool stopping_ = false;
  size_t afterDrop_ = 0;       // queue_ from here on was pushed after the last drop
  bool failing_ = false;       // the last write failed (said once in the log)
  std::uint64_t noticeAt_ = 0;  // noticeWhenWritten's serial; 0: none
  std::string notice_;
  std::uint64_t droppedSaid_ = 0;  // drops already said in the log
  Micros nextPrune_ = 0;       // steady clock
  std::atomic<std::uint64_t> written_{0}, dropped_{0};
  std::thread thread_;
};

// What catchUp found.
struct CatchUp {
  std::uint64_t pushed = 0;  // changes queued
  std::uint64_t last = 0;    // the highest serial among them
  bool gap = false;          // changes above `written` were compacted out of the journal
};

// At start, before the Store takes `rec`: queues what the journal holds above `written`
// (the history's last serial): each record's current version older than the journal's
// history (rec.base), then the changes after it, in serial order. When rec.base is above
// `written`, changes in between are gone (a compaction): only their records' latest
// states can be written, and CatchUp::gap says so.
CatchUp catchUp(Writer& w, std::uint64_t written, const state::Recovery& rec);

}  // namespace fail::history
