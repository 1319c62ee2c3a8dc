// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "history/reader.hh"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "base/log.hh"

namespace fail::history {
namespace {

log::Facility& fac() {
  static log::Facility& f = log::facility("history");
  return f;
}

}  // namespace

Reader::Reader(ev::Loop& loop, std::string dbPath, size_t maxWaiting)
    : loop_(loop), path_(std::move(dbPath)), maxWaiting_(std::max<size_t>(maxWaiting, 1)) {
  eventFd_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!eventFd_) throw std::runtime_error(std::string("history reader: eventfd: ") + std::strerror(errno));
  doneEv_ = event_new(loop_.base(), eventFd_.get(), EV_READ | EV_PERSIST, onDoneCb, this);
  if (!doneEv_ || event_add(doneEv_, nullptr) != 0) {
    if (doneEv_) event_free(doneEv_);
    throw std::runtime_error("history reader: cannot watch its eventfd");
  }
  thread_ = std::thread([this] { run(); });
}

Reader::~Reader() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    waiting_.clear();  // dropped: no callback
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  event_free(doneEv_);
}

bool Reader::changes(Query q, std::weak_ptr<void> owner, ChangesDone done) {
  if (q.limit == 0) q.limit = kDefaultChanges;
  q.limit = std::min(q.limit, kMaxChanges);
  if (q.maxBytes == 0) q.maxBytes = kMaxBytes;
  q.maxBytes = std::min(q.maxBytes, kMaxBytes);
  Job job;
  job.query = std::move(q);
  job.owner = std::move(owner);
  job.changesDone = std::move(done);
  return queue(std::move(job));
}

bool Reader::availability(std::string pattern, Micros from, Micros to,
                          std::weak_ptr<void> owner, AvailabilityDone done) {
  Job job;
  job.report = true;
  job.query.pattern = std::move(pattern);
  job.from = from;
  job.to = to;
  job.owner = std::move(owner);
  job.availabilityDone = std::move(done);
  return queue(std::move(job));
}

size_t Reader::waiting() const {
  std::lock_guard lock(mu_);
  return waiting_.size();
}

bool Reader::queue(Job job) {
  {
    std::lock_guard lock(mu_);
    if (waiting_.size() >= maxWaiting_) return false;
    waiting_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

void Reader::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !waiting_.empty(); });
    if (stopping_) return;
    Job job = std::move(waiting_.front());
    waiting_.pop_front();
    // A client that went away while its query waited is not answered; its callback is
    // still handed back, to be let go of on the loop thread that made it.
    if (!job.owner.expired()) {
      lock.unlock();
      answer(job);
      lock.lock();
    }
    done_.push_back(std::move(job));
    std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(eventFd_.get(), &one, sizeof one);
  }
}

void Reader::answer(Job& job) {
  try {
    if (!db_) db_ = Db::openReader(path_);
    db_->snapshot([&] {
      if (job.report) {
        db_->availability(job.query.pattern, job.from, job.to,
                          [&](std::string_view name, const Availability& a) {
                            job.rows.emplace_back(std::string(name), a);
                          });
      } else {
        db_->query(job.query, [&](const Change& c) { job.changes.push_back(c); });
      }
    });
  } catch (const std::exception& e) {
    job.changes.clear();
    job.rows.clear();
    job.error = e.what();
    db_.reset();  // opened again by the next query (the file may have come back)
  }
  job.query.visible = nullptr;  // the filter's copies go on this thread, not the loop's
}

void Reader::onDoneCb(evutil_socket_t, short, void* arg) noexcept {
  auto* r = static_cast<Reader*>(arg);
  try {
    r->deliver();
  } catch (const std::exception& e) {
    FAIL_LOG(fac(), Err) << "history reader: " << e.what();
  }
}

void Reader::deliver() {
  std::uint64_t count;
  [[maybe_unused]] ssize_t n = ::read(eventFd_.get(), &count, sizeof count);
  std::vector<Job> jobs;
  {
    std::lock_guard lock(mu_);
    jobs.swap(done_);
  }
  for (Job& job : jobs) {
    if (job.owner.expired()) continue;
    try {
      if (job.report)
        job.availabilityDone(std::move(job.rows), std::move(job.error));
      else
        job.changesDone(std::move(job.changes), std::move(job.error));
    } catch (const std::exception& e) {
      FAIL_LOG(fac(), Err) << "history reader: an answer's callback failed: " << e.what();
    }
  }
}

}  // namespace fail::history
