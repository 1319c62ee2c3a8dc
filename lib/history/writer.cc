// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "history/writer.hh"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "proto/list.hh"

namespace fail::history {
namespace {

constexpr size_t kMaxBatch = 10'000;           // rows per transaction
constexpr Micros kFirstPause = 1'000'000;      // after a failed write
constexpr Micros kLongestPause = 30'000'000;
// The writer's thread runs this much nicer than faild's loop (Linux: per thread), so that
// on a busy machine the loop's answers come first; a starved writer only writes larger
// batches, which cost less a row.
constexpr int kNicer = 5;

std::chrono::microseconds us(Micros m) { return std::chrono::microseconds(m); }

}  // namespace

Change changeOf(const state::Version& v) {
  Change c;
  c.serial = v.serial();
  c.name = std::string(v.name());
  c.since = v.since();
  if (v.deleted()) {
    c.state = kDeleted;
    return c;
  }
  state::Record r = v.record();
  c.state = std::string(state::stateName(r.state));
  c.note = std::move(r.note);
  c.origin = std::move(r.origin);
  for (const auto& [k, val] : r.attrs) {
    proto::appendElement(c.attrs, k);
    proto::appendElement(c.attrs, val);
  }
  return c;
}

Writer::Writer(std::unique_ptr<Db> db, Options options, Log log)
    : db_(std::move(db)), options_(options), log_(std::move(log)) {
  nextPrune_ = steadyNow();  // retention once at start, then every pruneEvery
  thread_ = std::thread([this] { run(); });
}

Writer::~Writer() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Writer::push(state::VersionRef v) {
  std::lock_guard lk(mu_);
  ++pushed_;
  if (queue_.size() >= options_.maxQueued) {  // the database has failed for long
    ++finished_;
    dropped_.fetch_add(1);
    afterDrop_ = queue_.size();
    return;
  }
  bool wasEmpty = queue_.empty();
  queue_.push_back({std::move(v), steadyNow()});
  if (wasEmpty) wake_.notify_one();
}

CatchUp catchUp(Writer& w, std::uint64_t written, const state::Recovery& rec) {
  CatchUp out;
  std::vector<state::VersionRef> older;
  for (const state::VersionRef& v : rec.records)
    if (v->serial() > written && v->serial() <= rec.base) older.push_back(v);
  std::sort(older.begin(), older.end(),
            [](const state::VersionRef& a, const state::VersionRef& b) { return a->serial() < b->serial(); });
  out.gap = rec.base > written;
  for (state::VersionRef& v : older) {
    out.last = std::max(out.last, v->serial());
    w.push(std::move(v));
    ++out.pushed;
  }
  for (const state::VersionRef& v : rec.changes)
    if (v->serial() > written) {
      out.last = std::max(out.last, v->serial());
      w.push(v);
      ++out.pushed;
    }
  return out;
}

void Writer::unsaved(std::vector<state::VersionRef>& out) const {
  std::lock_guard lk(mu_);
  out.reserve(out.size() + queue_.size() - afterDrop_);
  for (auto it = queue_.begin() + static_cast<long>(afterDrop_); it != queue_.end(); ++it)
    out.push_back(it->v);
}

void Writer::noticeWhenWritten(std::uint64_t serial, std::string message) {
  std::lock_guard lk(mu_);
  if (serial <= written_.load()) {
    log_(log::Level::Notice, message);
    return;
  }
  noticeAt_ = serial;
  notice_ = std::move(message);
}

void Writer::flush() {
  std::unique_lock lk(mu_);
  std::uint64_t target = pushed_;
  flushTarget_ = std::max(flushTarget_, target);
  wake_.notify_all();
  done_.wait(lk, [&] { return finished_ >= target || stopping_; });
}

Micros Writer::lag() const {
  std::lock_guard lk(mu_);
  return queue_.empty() ? 0 : steadyNow() - queue_.front().queued;
}

bool Writer::write(const std::vector<Change>& rows) {
  try {
    db_->append(rows);
    if (failing_) log_(log::Level::Notice, "history " + db_->path() + ": writing again");
    failing_ = false;
    return true;
  } catch (const std::exception& e) {
    if (!failing_)
      log_(log::Level::Err, std::string(e.what()) + "; the changes are kept and retried");
    failing_ = true;
    return false;
  }
}

void Writer::pruneIfDue() {
  if (!options_.maxAge && !options_.maxRows) return;
  if (steadyNow() < nextPrune_) return;
  nextPrune_ = steadyNow() + options_.pruneEvery;
  try {
    Micros cut = options_.maxAge ? wallNow() - options_.maxAge : 0;
    if (std::uint64_t n = db_->prune(cut, options_.maxRows))
      log_(log::Level::Notice,
           "history " + db_->path() + ": retention removed " + std::to_string(n) + " changes");
  } catch (const std::exception& e) {
    log_(log::Level::Warning, std::string(e.what()) + " (retention)");
  }
}

void Writer::run() {
  errno = 0;
  int nice = ::getpriority(PRIO_PROCESS, 0);
  if (errno == 0) ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), std::min(nice + kNicer, 19));
  Micros pause = kFirstPause;
  std::unique_lock lk(mu_);
  for (;;) {
    wake_.wait_for(lk, us(std::max<Micros>(nextPrune_ - steadyNow(), 0)),
                   [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) {
      if (stopping_) break;
      lk.unlock();
      pruneIfDue();
      lk.lock();
      continue;
    }
    // Let a burst gather into one transaction (flush() and stopping cut it short).
    auto hurry = [&] { return stopping_ || flushTarget_ > finished_; };
    if (!hurry()) wake_.wait_for(lk, us(options_.batchWait), hurry);
    size_t n = std::min(queue_.size(), kMaxBatch);
    std::vector<Pending> batch(queue_.begin(), queue_.begin() + static_cast<long>(n));
    std::uint64_t drops = dropped_.load();
    lk.unlock();

    if (drops > droppedSaid_) {
      log_(log::Level::Err, "history " + db_->path() + ": " + std::to_string(drops - droppedSaid_) +
           " changes dropped, more than " + std::to_string(options_.maxQueued) + " waiting");
      droppedSaid_ = drops;
    }
    std::vector<Change> rows;
    rows.reserve(n);
    for (const Pending& p : batch) rows.push_back(changeOf(*p.v));
    bool ok = write(rows);
    pruneIfDue();

    lk.lock();
    if (ok) {
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<long>(n));
      afterDrop_ = afterDrop_ > n ? afterDrop_ - n : 0;
      finished_ += n;
      std::uint64_t top = 0;
      for (const Change& c : rows) top = std::max(top, c.serial);
      if (top > written_.load()) written_.store(top);
      if (noticeAt_ && written_.load() >= noticeAt_) {
        noticeAt_ = 0;
        log_(log::Level::Notice, notice_);
      }
      pause = kFirstPause;
      done_.notify_all();
    } else if (stopping_) {
      // One attempt at the end: what cannot be written now waits for the catch-up.
      finished_ += queue_.size();
      dropped_.fetch_add(queue_.size());
      queue_.clear();
      afterDrop_ = 0;
      done_.notify_all();
      break;
    } else {
      wake_.wait_for(lk, us(pause), [&] { return stopping_; });
      pause = std::min(pause * 2, kLongestPause);
    }
  }
  done_.notify_all();
}

}  // namespace fail::history
