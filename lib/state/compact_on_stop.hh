// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Compaction on a clean stop (SIGTERM, SIGINT): the state file is rewritten as one R
// line per record, so that the next start reads each record once instead of replaying
// every change since the last compaction. doc/faild-state.md, faild(8) "FILES".
#pragma once

#include <cstdint>
#include <string>

#include "state/store.hh"

namespace fail::state {

struct StopCompaction {
  bool compacted = false;    // a compacted file replaced the journal
  std::uint64_t before = 0;  // the file's size before (bytes)
  std::uint64_t after = 0;   // its compacted size (bytes)
  size_t records = 0;
  std::string error;         // why it could not be written ("" if it was, or not needed)
};

// Loop thread, after store.flush() (every change durable or failed and undone, every
// callback run). When the state file holds more than its compacted form would, queues a
// compaction and waits for it. The compacted form keeps the changes the store holds for
// WATCH since= (historyBase() up to publishedSerial(): their S and D lines, base
// historyBase()) and then one R line per published record, so a restart answers since=
// exactly as it would have without the compaction. Nothing to do without a journal
// (--memory) or with changes still pending.
StopCompaction compactOnStop(Store& store);

}  // namespace fail::state
