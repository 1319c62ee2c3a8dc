// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Answers history questions (HISTORY, REPORT, GET /v1/history, GET /v1/availability) off
// the loop thread: a report over a year takes ~0.2 s, which the loop must not wait for.
// The Reader has its own read-only connection (Db::openReader; the Writer's WAL lets it
// read beside the writes) on a thread of its own, and hands each answer back to the loop
// thread.
//
// Answers come back through an eventfd watched on the Loop's event_base, as the
// journal's completions do: libevent's own cross-thread wake-up (event_active from
// another thread) needs evthread_use_pthreads() before the base is made, which the
// suite's loops do not do, and an eventfd is one descriptor with no locking in libevent.
//
// Bounded: at most `maxWaiting` queries wait (a further one is refused: the caller
// answers "busy"), one runs at a time, and a history query returns at most kMaxChanges
// changes and kMaxBytes of their text (see changes()).
//
// Loop thread only (but the query itself, which runs on the Reader's thread).
#pragma once

#include <event2/event.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/unique_fd.hh"
#include "ev/loop.hh"
#include "history/availability.hh"
#include "history/change.hh"
#include "history/db.hh"
#include "proto/request.hh"

namespace fail::history {

class Reader {
 public:
  // A history query without a limit returns the newest kDefaultChanges; a client may ask
  // for at most kMaxChanges (HISTORY limit=, failc history --limit).
  static constexpr size_t kDefaultChanges = proto::kDefaultHistoryLimit;
  static constexpr size_t kMaxChanges = proto::kMaxHistoryLimit;
  // ... and no more than fit in 4 MiB (notes of 4 kB and 32 attributes of 1 kB would
  // make 10,000 changes 400 MB).
  static constexpr size_t kMaxBytes = 4u << 20;

  // Opens nothing yet: the database is opened on the Reader's thread by the first query
  // (and again after an error), so a database the Writer has not made yet is an error
  // of that query only.
  Reader(ev::Loop& loop, std::string dbPath, size_t maxWaiting = 64);
  ~Reader();  // waits for the running query; drops the waiting ones (no callback)
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  using ChangesDone = std::function<void(std::vector<Change> changes, std::string error)>;
  using Availabilities = std::vector<std::pair<std::string, Availability>>;
  using AvailabilityDone = std::function<void(Availabilities rows, std::string error)>;

  // Queue a query; `done` runs later on the loop thread, unless `owner` has expired by
  // then (a client that went away). false (no callback ever) when maxWaiting queries wait:
  // the caller answers "busy". An error (the database cannot be opened or read) comes as
  // `error`, a sentence naming the file, with no rows.
  //
  // changes(): the matching changes in serial order, the newest q.limit of them, where a
  // limit of 0 means kDefaultChanges and one above kMaxChanges is cut to that, and no
  // more than fit in q.maxBytes (0 or more: kMaxBytes). q.more, when set, says by the
  // time `done` runs whether older changes matched and were left out. q.visible, when
  // set, is called on the Reader's thread.
  bool changes(Query q, std::weak_ptr<void> owner, ChangesDone done);
  // Each record matching `pattern` (in name order) with its availability over [from, to).
  bool availability(std::string pattern, Micros from, Micros to,
                    std::weak_ptr<void> owner, AvailabilityDone done);

  // Queries waiting to run (the running one not counted).
  size_t waiting() const;

 private:
  struct Job {
    bool report = false;
    Query query;
    Micros from = 0, to = 0;
    std::weak_ptr<void> owner;
    ChangesDone changesDone;
    AvailabilityDone availabilityDone;
    // The answer, filled on the Reader's thread.
    std::vector<Change> changes;
    Availabilities rows;
    std::string error;
  };
  bool queue(Job job);
  void run();            // the Reader's thread
  void answer(Job& job);  // runs the query of `job` on the Reader's thread
  static void onDoneCb(evutil_socket_t fd, short what, void* arg) noexcept;
  void deliver();         // loop thread: the answers that are ready

  ev::Loop& loop_;
  std::string path_;
  size_t maxWaiting_;
  std::unique_ptr<Db> db_;  // the Reader's thread only
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Job> waiting_;  // queued, oldest first
  std::vector<Job> done_;    // answered, for the loop thread
  bool stopping_ = false;
  UniqueFd eventFd_;
  event* doneEv_ = nullptr;
  std::thread thread_;
};

}  // namespace fail::history
