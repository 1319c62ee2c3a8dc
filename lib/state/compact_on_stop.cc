// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "state/compact_on_stop.hh"

#include <vector>

#include "state/journal.hh"
#include "state/journal_format.hh"

namespace fail::state {

StopCompaction compactOnStop(Store& store) {
  StopCompaction out;
  Journal* journal = store.journal();
  if (!journal || store.pending() > 0) return out;
  std::vector<Record> records;
  records.reserve(store.size());
  store.forEachPublished([&](const Record& r) { records.push_back(r); });
  std::uint64_t base = store.publishedSerial();
  out.before = journal->size();
  out.after = format::compacted(records, base).size();
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
