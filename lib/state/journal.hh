// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The state file: an append-only journal of changes, fsynced in groups, compacted from
// time to time, recovered as far as it can be after damage. doc/design.md "State model",
// doc/faild-state.md for the format.
//
// Threads: every member function is called from the owning (loop) thread. Appends and
// compactions are carried out in order by one syncer thread; when some have become
// durable, the syncer makes completionFd() readable and the loop thread calls
// runCompletions(), which invokes the callbacks on the loop thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "metrics/shared_histogram.hh"
#include "state/record.hh"
#include "state/version.hh"

namespace fail::state {

// What open() found. Problems are said in full sentences naming file and offset.
struct Recovery {
  std::vector<VersionRef> records;  // current records, any order
  // Changes journalled after `base`, in serial order; a deletion is a tombstone.
  std::vector<VersionRef> changes;
  std::uint64_t base = 0;       // changes with serial <= base are not in `changes`
  std::uint64_t ceiling = 0;    // every serial ever issued is <= this (high-water mark)
  std::vector<std::string> problems;  // empty when the file was sound
  std::string movedTo;                // where a damaged file was moved ("" if not)
};

// The highest serial faild hands out, 2^63: far beyond any real use, and far enough
// below 2^64 that serials never wrap. open() refuses a file whose high-water mark or
// serials lie above it (a damaged .serial file).
inline constexpr std::uint64_t kMaxSerial = std::uint64_t{1} << 63;

class Journal {
 public:
  using Done = std::function<void(bool ok, const std::string& error)>;

  // Opens or creates the state file at `path` (and its high-water-mark file
  // `path + ".serial"`), and reads it into `out`. A damaged or truncated file is not an
  // error: what can be read is recovered, the file is moved aside to
  // `path + ".damaged-YYYYMMDD-HHMMSS"`, a fresh compacted file is written in its place
  // and `out.problems` says what was lost and where. Throws std::runtime_error when the
  // file cannot be read or created at all (permissions, missing directory), and when a
  // serial or the high-water mark lies above kMaxSerial (the message says what to do).
  static std::unique_ptr<Journal> open(const std::string& path, Recovery& out);
  ~Journal();  // finishes every queued job, then stops the syncer

  // Queues a change. `ceiling`, when above the current high-water mark, is made durable
  // in the .serial file before the change itself is written. `done` runs (on the loop
  // thread, from runCompletions) once the change is on disk (fdatasync) or failed.
  // Changes queued while a sync is in flight share the next sync (group commit).
  // `v` is the record after the change ("S WORD"), or a tombstone ("D SERIAL NAME TIME").
  void appendChange(VersionRef v, std::uint64_t ceiling, Done done);

  // Queues the new attributes of a refreshed record: written with the next batch, never
  // synced on its own account. No callback.
  void appendAttrs(const std::string& name, const Attrs& attrs);

  // Queues a compaction: the file is rewritten to hold exactly `records` (the state after
  // every change queued before this call) with base `base`, atomically (temporary file,
  // fsync, rename, fsync of the directory). Later appends go to the new file. It is
  // skipped (Done(false)) when a change queued before it failed whose Done had not run
  // before this call: `records` may then hold that change, which must not be written.
  // `changes` (serials above `base`, in order; tombstones for deletions), when given, are
  // written between the header and the records and read back as Recovery::changes: the
  // history a WATCH since= needs survives the compaction (the records, read last, win).
  void compact(std::vector<VersionRef> records, std::uint64_t base, Done done,
               std::vector<VersionRef> changes = {});

  // Bytes written to the current file since it was created or compacted.
  std::uint64_t size() const;
  std::uint64_t ceiling() const;  // the high-water mark as last requested
  std::uint64_t fsyncs() const;   // fdatasync calls so far (for STATS)
  // How long each group's fdatasync took, in seconds (for /metrics; any thread may read).
  const metrics::SharedHistogram& syncTimes() const;

  int completionFd() const;  // readable when runCompletions() has work
  void runCompletions();

  // Blocks until every queued job is done, then runs completions. For shutdown and tests.
  void drain();

  const std::string& path() const;

  struct Impl;

 private:
  explicit Journal(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fail::state
