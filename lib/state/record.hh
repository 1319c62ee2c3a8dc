// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// A record in a faild: what doc/design.md's state model calls a record, and its wire form
// (doc/protocol.md, "Records"). lib/state stands above lib/proto: it uses the protocol's
// values and list encoding; nothing in lib/proto includes lib/state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/time.hh"
#include "proto/values.hh"

namespace fail::state {

// The protocol's values (proto/values.hh), named here as the store's own.
using proto::Attrs;
using proto::kMaxTtlMs;
using proto::mergeAttr;
using proto::parseState;
using proto::State;
using proto::stateName;
using proto::validAttrKey;

struct Record {
  std::string name;
  State state = State::Unknown;
  std::uint64_t serial = 0;
  Micros since = 0;
  std::int64_t ttlMs = 0;  // 0: never expires
  std::string origin;
  std::string note;
  Attrs attrs;

  friend bool operator==(const Record&, const Record&) = default;
};

// The record dict as one word's content: "name www state UP serial 42 ...". When
// `noteAt`/`noteEnd` are given they receive where the note's encoded element stands.
std::string encodeRecord(const Record& r, size_t* noteAt = nullptr, size_t* noteEnd = nullptr);
// The same, appended to `out` (positions relative to out's start).
void appendRecordDict(std::string& out, const Record& r, size_t* noteAt = nullptr,
                      size_t* noteEnd = nullptr);
// Appends encodeRecord(r) to `out` as one list element.
void appendRecord(std::string& out, const Record& r);
// Parses a record dict (the inverse). Returns false with a message on malformed input.
bool decodeRecord(std::string_view dict, Record& out, std::string* err = nullptr);
// One key and value of a record dict into `out` (unknown keys are skipped). False with a
// message naming the key when the value is not sound.
bool decodeField(std::string_view key, std::string_view value, Record& out, std::string* err);

}  // namespace fail::state
