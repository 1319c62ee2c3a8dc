// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The state file's I/O: recovery in open(), and the syncer thread that writes, syncs and
// compacts. The line format is in journal_format.cc; doc/faild-state.md tells
// administrators what is written and how damage is handled.
//
// Ordering contract: jobs (changes, attribute refreshes, compactions) are carried out
// in the order they were queued, and the Done callbacks run in that order too.
// Durability contract: a change's Done(true) runs only after its line was written and
// fdatasync()ed, and after the .serial file held a ceiling >= its serial (written to a
// temporary file, fsynced, renamed, directory fsynced). Attribute refreshes are written
// at most kAttrDelay after they were queued (sooner with a change, a compaction, a
// drain, or kAttrFlushBytes of them) and are never fsynced on their own account.
// Failure contract: when a write or sync fails, every change of that group gets
// Done(false, "PATH: write: REASON") and the file is cut back to its last good end, so
// the failed lines never reach a later open(); if even that fails, every later change
// fails until a compaction has written a fresh file. A compaction queued before the
// Done(false) of an earlier change had run is skipped (its records may hold that change).
// Destruction: the destructor writes every queued job but runs no callback (their
// owner may be half destroyed); call drain() first to have them run.
#include "state/journal.hh"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "base/text.hh"
#include "base/time.hh"
#include "base/unique_fd.hh"
#include "metrics/shared_histogram.hh"
#include "state/group_commit.hh"
#include "state/journal_format.hh"

namespace fail::state {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kAttrDelay = std::chrono::seconds(1);
constexpr size_t kAttrFlushBytes = 256 * 1024;
constexpr mode_t kFileMode = 0640;

std::string sysError(const std::string& path, const char* op, int err) {
  return path + ": " + op + ": " + std::strerror(err);
}

std::string dirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Writes all of `data` at the fd's offset (O_APPEND: its end). "" or the error.
std::string writeAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return sysError(path, "write", errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return "";
}

// Reads a whole file: one allocation of the size fstat() gives and, unless the file is
// growing, one read() call of it (and one more that finds the end). Returns false with
// errno set when it cannot be opened or read.
bool readFile(const std::string& path, std::string& out) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return false;
  struct stat st;
  if (::fstat(fd.get(), &st) < 0) return false;
  // One byte more than the size: a read that fills it says the file grew meanwhile.
  out.resize(st.st_size > 0 ? static_cast<size_t>(st.st_size) + 1 : 4096);
  size_t have = 0;
  for (;;) {
    if (have == out.size()) out.resize(out.size() * 2);
    ssize_t n = ::read(fd.get(), out.data() + have, out.size() - have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) break;
    have += static_cast<size_t>(n);
  }
  out.resize(have);
  return true;
}

}  // namespace

struct Journal::Impl {
  struct Job {
    enum class Kind { Change, Attrs, Compact } kind = Kind::Change;
    VersionRef version;            // Change: written as its line by the syncer
    std::string bytes;             // Attrs: the encoded line
    std::uint64_t ceiling = 0;     // Change: to be durable before the line
    Done done;                     // Change, Compact
    std::vector<VersionRef> records;  // Compact
    std::vector<VersionRef> changes;  // Compact: the history kept in the new file
    std::uint64_t base = 0;        // Compact
    std::uint64_t failuresRun = 0; // Compact: failed changes whose callbacks had run
  };
  struct Completion {
    Done done;
    bool ok;
    std::string error;
    bool change = false;  // of a change (counted in failuresRun when !ok)
  };

  std::string path, dir;
  UniqueFd lockFd;                     // PATH.lock, flock()ed while the journal lives
  std::uint64_t requestedCeiling = 0;  // loop thread
  std::atomic<std::uint64_t> size{0};
  std::atomic<std::uint64_t> syncs{0};
  metrics::SharedHistogram syncTimes{metrics::latencyBuckets()};  // the groups' fdatasync
  UniqueFd eventFd;
  std::uint64_t failuresRun = 0;       // loop thread: failed changes whose Done has run

  // Syncer thread only (and open() before the thread starts).
  UniqueFd fd;                      // the state file, O_WRONLY | O_APPEND
  std::uint64_t goodSize = 0;       // the file's end after the last good write
  std::uint64_t durableCeiling = 0;
  std::string broken;               // why the file's end is uncertain ("" if it is not)
  std::string buffer;               // reused for group writes
  std::uint64_t failures = 0;       // changes failed so far

  std::mutex mu;                    // guards the queue state below
  std::condition_variable wake;     // syncer waits for jobs
  std::condition_variable idle;     // drain() waits for the syncer
  // Jobs queued; swapped with the syncer's batch, so that both keep their capacity and
  // a job costs no allocation of its own in the queue.
  std::vector<Job> queue;
  size_t changes = 0;               // Change jobs queued
  size_t compactions = 0;           // Compact jobs queued
  size_t attrBytes = 0;             // bytes of Attrs jobs queued
  Clock::time_point attrDeadline;   // when queued Attrs jobs must be written
  int waiters = 0;                  // drain() calls waiting
  bool busy = false, stopping = false;
  // The syncer waits on `wake` (sleeping): push() notifies it only when what it waits
  // for is there (wakeAt changes queued, a compaction, attributes to time), not per job.
  bool sleeping = false;
  size_t wakeAt = 1;
  GroupCommit group;                // under mu: the pusher tells it of arrivals

  std::mutex doneMu;
  std::vector<Completion> completed;
  std::vector<Completion> spare;  // loop thread: runCompletions' list, kept for its capacity
  std::thread thread;

  // --- file operations (open() and the syncer) ---

  // fsync of the directory holding the file: makes a rename durable.
  std::string syncDir() {
    UniqueFd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!d) return sysError(dir, "open", errno);
    ++syncs;
    if (::fsync(d.get()) < 0) return sysError(dir, "fsync", errno);
    return "";
  }

  // Writes `content` to `target` atomically: TARGET.tmp, fsync, rename, directory fsync.
  // `beforeRename` (when given) runs just before the rename; an error from it stops
  // there. On success `keep` (when given) receives an fd of the new file.
  std::string replaceFile(const std::string& target, std::string_view content, UniqueFd* keep,
                          const std::function<std::string()>& beforeRename = nullptr) {
    std::string tmp = target + ".tmp";
    UniqueFd f(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, kFileMode));
    if (!f) return sysError(tmp, "open", errno);
    std::string err = writeAll(f.get(), content, tmp);
    if (err.empty()) {
      ++syncs;
      if (::fsync(f.get()) < 0) err = sysError(tmp, "fsync", errno);
    }
    if (err.empty() && beforeRename) err = beforeRename();
    if (err.empty() && ::rename(tmp.c_str(), target.c_str()) < 0)
      err = sysError(tmp, "rename", errno);
    if (!err.empty()) {
      ::unlink(tmp.c_str());
      return err;
    }
    if (keep) *keep = std::move(f);
    return syncDir();
  }

  std::string writeCeiling(std::uint64_t c) {
    std::string err = replaceFile(path + ".serial", std::to_string(c) + "\n", nullptr);
    if (err.empty()) durableCeiling = c;
    return err;
  }

  // Writes a compacted file in place of the current one and continues on it.
  std::string writeCompacted(const std::vector<VersionRef>& records, std::uint64_t base,
                             const std::function<std::string()>& beforeRename = nullptr,
                             const std::vector<VersionRef>& changes = {}) {
    if (base > durableCeiling) {
      if (std::string err = writeCeiling(base); !err.empty()) return err;
    }
    std::string content = format::compacted(records, base, changes);
    UniqueFd f;
    std::string err = replaceFile(path, content, &f, beforeRename);
    if (f) {  // renamed into place, even if the directory sync failed
      if (::fcntl(f.get(), F_SETFL, O_APPEND) < 0 && err.empty())
        err = sysError(path, "fcntl", errno);
      fd = std::move(f);
      goodSize = content.size();
      size = goodSize;
      broken.clear();
    }
    return err;
  }

  // --- the syncer ---

  void run() {
    std::vector<Job> batch;
    std::vector<Completion> done;
    while (takeBatch(batch)) {
      auto start = Clock::now();
      size_t synced = process(batch, done);
      auto end = Clock::now();
      batch.clear();
      if (!done.empty()) {
        {
          std::lock_guard lock(doneMu);
          for (auto& c : done) completed.push_back(std::move(c));
        }
        done.clear();
        std::uint64_t one = 1;  // one wake-up of the loop per batch
        [[maybe_unused]] ssize_t n = ::write(eventFd.get(), &one, sizeof one);
      }
      {
        std::lock_guard lock(mu);
        busy = false;
        group.finished(synced, changes, end - start, end);
      }
      idle.notify_all();
    }
  }

  // Waits until queued jobs are due (GroupCommit decides how long changes are held for
  // those on their way) and moves them into `batch`. False when stopping with none left.
  bool takeBatch(std::vector<Job>& batch) {
    std::unique_lock lock(mu);
    for (;;) {
      if (stopping || compactions > 0 || attrBytes >= kAttrFlushBytes) break;
      if (waiters > 0 && !queue.empty()) break;
      auto now = Clock::now();
      if (changes > 0) {
        auto hold = group.hold(changes, now);
        if (!hold) break;
        sleep(lock, hold->target, hold->until);
      } else if (attrBytes > 0) {
        if (now >= attrDeadline) break;
        sleep(lock, 1, attrDeadline);
      } else {
        sleep(lock, 1, std::nullopt);
      }
    }
    if (queue.empty() && stopping) return false;
    batch.swap(queue);
    changes = compactions = attrBytes = 0;
    group.taken();
    busy = true;
    return true;
  }

  // Sleeps until push() sees `target` changes queued (or another reason to wake), or
  // until `until`.
  void sleep(std::unique_lock<std::mutex>& lock, size_t target,
             std::optional<Clock::time_point> until) {
    sleeping = true;
    wakeAt = target;
    if (until) {
      wake.wait_until(lock, *until);
    } else {
      wake.wait(lock);
    }
    sleeping = false;
  }

  // Carries out `batch` in order. Returns how many changes it held.
  size_t process(std::vector<Job>& batch, std::vector<Completion>& done) {
    size_t count = 0;
    for (const Job& job : batch) count += job.kind == Job::Kind::Change;
    size_t i = 0;
    while (i < batch.size()) {
      if (batch[i].kind == Job::Kind::Compact) {
        Job& job = batch[i++];
        // The records were taken from memory while earlier changes were in flight; one
        // of them failed and was not yet undone then: they would write it after all.
        std::string err = failures > job.failuresRun
                              ? path + ": compaction skipped: a change queued before it failed"
                              : writeCompacted(job.records, job.base, nullptr, job.changes);
        job.records.clear();
        job.changes.clear();
        if (job.done) done.push_back({std::move(job.done), err.empty(), err});
        continue;
      }
      size_t j = i;
      while (j < batch.size() && batch[j].kind != Job::Kind::Compact) ++j;
      appendGroup(batch, i, j, done);
      i = j;
    }
    return count;
  }

  // Writes jobs [from, to) (changes and attributes) with one write and, if any is a
  // change, one fdatasync.
  void appendGroup(std::vector<Job>& batch, size_t from, size_t to,
                   std::vector<Completion>& done) {
    std::uint64_t need = 0;
    bool changes = false;
    buffer.clear();
    for (size_t k = from; k < to; ++k) {
      need = std::max(need, batch[k].ceiling);
      changes = changes || batch[k].kind == Job::Kind::Change;
      if (batch[k].version) {
        format::appendChangeEntry(buffer, *batch[k].version);
        batch[k].version.reset();  // the last reference may be this thread's: freed here
      } else {
        buffer += batch[k].bytes;
      }
    }
    std::string err = broken;
    if (err.empty() && need > durableCeiling) err = writeCeiling(need);
    if (err.empty()) {
      err = writeAll(fd.get(), buffer, path);
      if (err.empty() && changes) {
        ++syncs;
        auto before = Clock::now();
        if (::fdatasync(fd.get()) < 0) err = sysError(path, "fdatasync", errno);
        syncTimes.observe(std::chrono::duration<double>(Clock::now() - before).count());
      }
      if (err.empty()) {
        goodSize += buffer.size();
        size = goodSize;
      } else {
        cutBack(err);
      }
    }
    for (size_t k = from; k < to; ++k) {
      bool change = batch[k].kind == Job::Kind::Change;
      if (!batch[k].done) continue;
      if (change && !err.empty()) ++failures;
      done.push_back({std::move(batch[k].done), err.empty(), err, change});
    }
  }

  // After a failed write: cuts the file back to its last good end, so the failed lines
  // are not read back as changes. If that fails too, the file is unusable until the
  // next compaction.
  void cutBack(const std::string& why) {
    ++syncs;
    if (::ftruncate(fd.get(), static_cast<off_t>(goodSize)) < 0 || ::fdatasync(fd.get()) < 0)
      broken = why + " (and the file could not be cut back to its last good end: " +
               std::strerror(errno) + "; nothing more is written until a compaction)";
  }

  void push(Job job) {
    bool notify = false;
    {
      std::lock_guard lock(mu);
      if (job.kind == Job::Kind::Attrs) {
        notify = attrBytes == 0;  // a deadline for the syncer to keep
        if (attrBytes == 0) attrDeadline = Clock::now() + kAttrDelay;
        attrBytes += job.bytes.size();
        notify = notify || attrBytes >= kAttrFlushBytes;
      } else if (job.kind == Job::Kind::Change) {
        group.arrived(Clock::now());
        notify = ++changes >= wakeAt;
      } else {
        ++compactions;
        notify = true;
      }
      notify = notify && sleeping;
      queue.push_back(std::move(job));
    }
    if (notify) wake.notify_one();
  }

  // --- open ---

  void recover(Recovery& out);
  // recover's parts. The .serial file: its mark (nullopt when missing or not a number),
  // whether it exists and its text; throws when it cannot be read or would wrap.
  std::optional<std::uint64_t> readHighWater(bool& exists, std::string& text);
  // No state file: a fresh one, serials above the mark of the .serial file if any.
  void startFresh(Recovery& out, std::optional<std::uint64_t> fileCeiling, bool serialExists, const std::string& text);
  // The ceiling from the state file and the .serial file, with a problem for each
  // disagreement, made durable when it moved.
  void settleCeiling(Recovery& out, std::uint64_t highest, std::optional<std::uint64_t> fileCeiling,
                     bool serialExists, const std::string& text);
  // A damaged state file: moved aside, replaced by one holding what was recovered.
  void setDamagedAside(Recovery& out);
};

std::optional<std::uint64_t> Journal::Impl::readHighWater(bool& exists, std::string& text) {
  const std::string serialPath = path + ".serial";
  std::optional<std::uint64_t> fileCeiling;
  exists = readFile(serialPath, text);
  if (!exists && errno != ENOENT)
    throw std::runtime_error(sysError(serialPath, "read", errno));
  if (exists) {
    std::string_view t = text;
    if (!t.empty() && t.back() == '\n') t.remove_suffix(1);
    fileCeiling = parseUint(t);
  }
  if (fileCeiling && *fileCeiling > kMaxSerial)
    throw std::runtime_error(
        serialPath + ": high-water mark " + std::to_string(*fileCeiling) + " is above " +
        std::to_string(kMaxSerial) + " (2^63), the highest serial faild hands out: serials "
        "would wrap. The file is probably damaged: stop faild and write in it the highest "
        "serial of " + path + " (or remove it; faild then takes the mark from " + path +
        " and says so). doc/faild-state.md");
  return fileCeiling;
}

void Journal::Impl::startFresh(Recovery& out, std::optional<std::uint64_t> fileCeiling, bool serialExists,
                               const std::string& text) {
  // If only the .serial file survived, serials still continue above it, and no history
  // before it is claimed.
  out.ceiling = out.base = fileCeiling.value_or(0);
  durableCeiling = fileCeiling.value_or(0);
  if (!fileCeiling && serialExists)
    out.problems.push_back(path + ".serial: not a serial number ('" + printable(text) +
                           "'); starting again from 0");
  if (!fileCeiling) {
    if (std::string err = writeCeiling(out.ceiling); !err.empty())
      throw std::runtime_error(err);
  }
  if (std::string err = writeCompacted({}, out.base); !err.empty())
    throw std::runtime_error(err);
}

void Journal::Impl::settleCeiling(Recovery& out, std::uint64_t highest, std::optional<std::uint64_t> fileCeiling,
                                  bool serialExists, const std::string& text) {
  const std::string serialPath = path + ".serial";
  out.ceiling = std::max(fileCeiling.value_or(0), highest);
  durableCeiling = fileCeiling.value_or(0);
  if (!serialExists) {
    out.problems.push_back(serialPath + ": missing; the high-water mark is taken from " +
                           path + " (" + std::to_string(out.ceiling) +
                           "), serials issued above it before may be issued again");
  } else if (!fileCeiling) {
    out.problems.push_back(serialPath + ": not a serial number ('" + printable(text) +
                           "'); the high-water mark is taken from " + path + " (" +
                           std::to_string(out.ceiling) + ")");
  } else if (*fileCeiling < highest) {
    out.problems.push_back(serialPath + ": high-water mark " + std::to_string(*fileCeiling) +
                           " is below serial " + std::to_string(highest) + " in " + path +
                           "; raised");
  }
  if (out.ceiling != durableCeiling || !fileCeiling) {
    if (std::string err = writeCeiling(out.ceiling); !err.empty())
      throw std::runtime_error(err);
  }
}

void Journal::Impl::setDamagedAside(Recovery& out) {
  // History across damage is not trusted, so no change is claimed below the ceiling.
  // The fresh file is on disk before the damaged one is linked aside, and replaces it
  // by rename: whatever fails, PATH holds one of the two whole.
  std::string aside = path + ".damaged-" + fileStamp(wallNow());
  struct stat st;
  for (int n = 2; ::lstat(aside.c_str(), &st) == 0; ++n)
    aside = path + ".damaged-" + fileStamp(wallNow()) + "-" + std::to_string(n);
  auto keepDamaged = [&]() -> std::string {
    if (::link(path.c_str(), aside.c_str()) == 0) return "";
    if (::rename(path.c_str(), aside.c_str()) == 0) return "";  // no hard links here
    return sysError(path, "rename", errno) + " (moving the damaged file aside to " + aside + ")";
  };
  out.base = out.ceiling;
  if (std::string err = writeCompacted(out.records, out.base, keepDamaged); !err.empty())
    throw std::runtime_error(err);
  out.movedTo = aside;
  out.problems.push_back(path + ": damaged; moved aside to " + aside + " and rewritten with " +
                         std::to_string(out.records.size()) +
                         " recovered records; the change history up to serial " +
                         std::to_string(out.base) + " is dropped");
}

void Journal::Impl::recover(Recovery& out) {
  bool serialExists = false;
  std::string text;
  std::optional<std::uint64_t> fileCeiling = readHighWater(serialExists, text);
  ::unlink((path + ".tmp").c_str());  // left by a compaction that never finished
  ::unlink((path + ".serial.tmp").c_str());

  std::string data;
  if (!readFile(path, data)) {
    if (errno != ENOENT) throw std::runtime_error(sysError(path, "read", errno));
    return startFresh(out, fileCeiling, serialExists, text);
  }
  format::Contents c = format::parse(data, path);
  if (c.otherVersion)
    throw std::runtime_error(path + ": a state file of version " + printable(*c.otherVersion) +
                             "; this faild reads version " +
                             std::to_string(format::kVersion) + " only");
  if (c.highest > kMaxSerial)
    throw std::runtime_error(
        path + ": serial " + std::to_string(c.highest) + " is above " +
        std::to_string(kMaxSerial) + " (2^63), the highest serial faild hands out: serials "
        "would wrap. The file was not written by faild as it is; to start afresh, stop faild "
        "and move " + path + " and " + path + ".serial aside (every record is lost, and "
        "watchers list afresh). doc/faild-state.md");
  bool damaged = !c.problems.empty();
  out.problems = std::move(c.problems);
  settleCeiling(out, c.highest, fileCeiling, serialExists, text);

  out.records = std::move(c.records);
  if (damaged) return setDamagedAside(out);
  out.changes = std::move(c.changes);
  out.base = c.base;
  fd.reset(::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
  if (!fd) throw std::runtime_error(sysError(path, "open", errno));
  goodSize = data.size();
  size = goodSize;
}

std::unique_ptr<Journal> Journal::open(const std::string& path, Recovery& out) {
  out = Recovery{};
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->dir = dirOf(path);
  // One faild per state file: a second one would interleave writes and reuse serials.
  std::string lock = path + ".lock";
  impl->lockFd.reset(::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!impl->lockFd) throw std::runtime_error(sysError(lock, "open", errno));
  if (::flock(impl->lockFd.get(), LOCK_EX | LOCK_NB) != 0)
    throw std::runtime_error(path + " is in use by another process (" + lock + " is locked)");
  impl->recover(out);
  impl->requestedCeiling = out.ceiling;
  impl->eventFd.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!impl->eventFd) throw std::runtime_error(sysError(path, "eventfd", errno));
  Impl* raw = impl.get();
  std::unique_ptr<Journal> journal(new Journal(std::move(impl)));
  raw->thread = std::thread([raw] { raw->run(); });
  return journal;
}

Journal::Journal(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Journal::~Journal() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->wake.notify_one();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void Journal::appendChange(VersionRef v, std::uint64_t ceiling, Done done) {
  Impl::Job job;
  job.kind = Impl::Job::Kind::Change;
  // A serial above the requested ceiling would break the promise: raise it to cover.
  job.ceiling = std::max(ceiling, v->serial());
  job.version = std::move(v);  // its line is written by the syncer: nothing encoded here
  impl_->requestedCeiling = std::max(impl_->requestedCeiling, job.ceiling);
  job.done = std::move(done);
  impl_->push(std::move(job));
}

void Journal::appendAttrs(const std::string& name, const Attrs& attrs) {
  Impl::Job job;
  job.kind = Impl::Job::Kind::Attrs;
  format::appendAttrsEntry(job.bytes, name, attrs);
  impl_->push(std::move(job));
}

void Journal::compact(std::vector<VersionRef> records, std::uint64_t base, Done done,
                      std::vector<VersionRef> changes) {
  Impl::Job job;
  job.kind = Impl::Job::Kind::Compact;
  job.records = std::move(records);
  job.changes = std::move(changes);
  job.base = base;
  job.failuresRun = impl_->failuresRun;
  job.done = std::move(done);
  impl_->requestedCeiling = std::max(impl_->requestedCeiling, base);
  impl_->push(std::move(job));
}

std::uint64_t Journal::size() const { return impl_->size.load(); }
std::uint64_t Journal::ceiling() const { return impl_->requestedCeiling; }
std::uint64_t Journal::fsyncs() const { return impl_->syncs.load(); }
const metrics::SharedHistogram& Journal::syncTimes() const { return impl_->syncTimes; }
int Journal::completionFd() const { return impl_->eventFd.get(); }
const std::string& Journal::path() const { return impl_->path; }

void Journal::runCompletions() {
  std::uint64_t count;
  [[maybe_unused]] ssize_t n = ::read(impl_->eventFd.get(), &count, sizeof count);
  std::vector<Impl::Completion> list = std::move(impl_->spare);  // empty
  {
    std::lock_guard lock(impl_->doneMu);
    list.swap(impl_->completed);
  }
  size_t i = 0;
  try {
    for (; i < list.size(); ++i) {
      if (list[i].change && !list[i].ok) ++impl_->failuresRun;
      list[i].done(list[i].ok, list[i].error);  // never empty
    }
  } catch (...) {
    // Keep the callbacks not yet run, in order, for the next call.
    std::lock_guard lock(impl_->doneMu);
    impl_->completed.insert(impl_->completed.begin(),
                            std::make_move_iterator(list.begin() + static_cast<long>(i) + 1),
                            std::make_move_iterator(list.end()));
    std::uint64_t one = 1;
    n = ::write(impl_->eventFd.get(), &one, sizeof one);
    throw;
  }
  list.clear();  // the Done callbacks (and what they hold) go now
  impl_->spare = std::move(list);
}

void Journal::drain() {
  {
    std::unique_lock lock(impl_->mu);
    ++impl_->waiters;
    impl_->wake.notify_one();
    impl_->idle.wait(lock, [&] { return impl_->queue.empty() && !impl_->busy; });
    --impl_->waiters;
  }
  runCompletions();
}

}  // namespace fail::state
