// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// One row of faild's history: a change it made durable, as the history database keeps
// it (doc/faild-history.md).
#pragma once

#include <cstdint>
#include <string>

#include "base/time.hh"

namespace fail::history {

// The state a deletion is kept with: a record that is no more.
inline constexpr const char* kDeleted = "DELETED";

struct Change {
  std::uint64_t serial = 0;
  std::string name;
  std::string state;  // UP, RECOVER, FAIL, UNKNOWN, or kDeleted
  std::string prev;   // the state before; "" when the record did not exist
  std::string note;
  std::string origin;
  Micros since = 0;   // wall clock: when it happened (a deletion: when it was deleted)
  std::string attrs;  // the attributes as a protocol list ("k v k v"), "" for none

  friend bool operator==(const Change&, const Change&) = default;
};

}  // namespace fail::history
