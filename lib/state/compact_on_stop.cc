// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "state/compact_on_stop.hh"

#include <vector>

#include "state/journal.hh"
#include "state/journal_format.hh"
#include "state/version.hh"

namespace fail::state {
namespace {

// The bytes of a compacted file of `records` with `base`: the header, then per record
// "CRC32HEX8 R WORD\n" (doc/faild-state.md), counted without encoding anything.
std::uint64_t compactedSize(const std::vector<VersionRef>& records, std::uint64_t base) {
  std::string header;
  format::appendHeader(header, base);
  std::uint64_t n = header.size();
  for (const VersionRef& v : records) n += 8 + 1 + 2 + v->word().size() + 1;
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
  std::uint64_t base = store.publishedSerial();
  out.before = journal->size();
  out.after = compactedSize(records, base);
  out.records = records.size();
  if (out.before <= out.after) return out;
  bool done = false;
  journal->compact(std::move(records), base, [&](bool ok, const std::string& err) {
    done = true;
    out.compacted = ok;
    out.error = err;
  });
  journal->drain();
  if (!done) out.error = journal->path() + ": compaction did not finish";
  return out;
}

}  // namespace fail::state
