// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "state/compact_on_stop.hh"

#include <vector>

#include "state/journal.hh"
#include "state/journal_format.hh"
#include "state/version.hh"

namespace fail::state {
namespace {

// The bytes of `v`'s line: "CRC32HEX8 R WORD\n" or "CRC32HEX8 S WORD\n" counted without
// encoding anything; a tombstone's D line (rare) as written.
std::uint64_t lineSize(const Version& v) {
  if (!v.deleted()) return 8 + 1 + 2 + v.word().size() + 1;
  std::string line;
  format::appendChangeEntry(line, v);
  return line.size();
}

// The bytes of format::compacted(records, base, changes).
std::uint64_t compactedSize(const std::vector<VersionRef>& records, std::uint64_t base,
                            const std::vector<VersionRef>& changes) {
  std::string header;
  format::appendHeader(header, base);
  std::uint64_t n = header.size();
  for (const VersionRef& v : changes) n += lineSize(*v);
  for (const VersionRef& v : records) n += lineSize(*v);
  return n;
}

}  // namespace

StopCompaction compactOnStop(Store& store) {
  StopCompaction out;
  Journal* journal = store.journal();
  if (!journal || store.pending() > 0) return out;
  std::vector<VersionRef> records;
  records.reserve(store.size());
  store.forEachPublished([&](const Version& v) { records.push_back(v.ref()); });
  // The changes held for WATCH since= go into the new file too, so that a client that
  // was watching before the stop resumes after it exactly as without the compaction.
  std::uint64_t base = store.publishedSerial();
  std::vector<VersionRef> changes;
  std::uint64_t from = store.historyBase();
  if (from < base &&
      store.changesSince(from, [&](const Published& p) { changes.push_back(p.version); })) {
    base = from;
  } else {
    changes.clear();
  }
  out.before = journal->size();
  out.after = compactedSize(records, base, changes);
  out.records = records.size();
  if (out.before <= out.after) return out;
  bool done = false;
  journal->compact(
      std::move(records), base,
      [&](bool ok, const std::string& err) {
        done = true;
        out.compacted = ok;
        out.error = err;
      },
      std::move(changes));
  journal->drain();
  if (!done) out.error = journal->path() + ": compaction did not finish";
  return out;
}

}  // namespace fail::state
