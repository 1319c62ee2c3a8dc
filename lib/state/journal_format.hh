// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The line format of faild's state file (doc/faild-state.md): how entries are written
// and how a whole file is read back, damage included. Pure functions, no I/O; used by
// Journal (journal.cc) and by tests.
//
// Every entry is one line "CRC32HEX8 PAYLOAD\n": CRC-32 (the zlib / IEEE 802.3
// polynomial) of PAYLOAD as eight lower-case hex digits, one space, PAYLOAD, LF.
// PAYLOAD is a Tcl list written with the protocol's encoder, so it never holds a raw
// newline or other control byte:
//   FAILD-STATE 1 base SERIAL   the header, always the first line
//   R RECORD-DICT               a record of a compacted snapshot (not a change)
//   S RECORD-DICT               a Set change: the record after the change
//   D SERIAL NAME TIME          a Delete change
//   A NAME ATTRS-DICT           a lazy refresh: NAME's complete attributes now
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "state/journal.hh"
#include "state/record.hh"
#include "state/version.hh"

namespace fail::state::format {

inline constexpr std::string_view kMagic = "FAILD-STATE";
inline constexpr std::uint64_t kVersion = 1;
// After this many problems, the rest of a file's damage is summed up in one message.
inline constexpr size_t kMaxProblems = 20;

// CRC-32 as zlib's crc32(0, data, size) computes it.
std::uint32_t crc32(std::string_view data);

// Appends "CRC32HEX8 PAYLOAD\n". `payload` must not hold '\n' (the list encoder never
// writes one).
void appendLine(std::string& out, std::string_view payload);

void appendHeader(std::string& out, std::uint64_t base);
void appendRecordEntry(std::string& out, const Version& v);  // R
void appendChangeEntry(std::string& out, const Version& v);  // S, or D for a tombstone
// A: `attrs` is the record's complete attribute set; reading replaces the old one.
void appendAttrsEntry(std::string& out, std::string_view name, const Attrs& attrs);

// The whole content of a compacted file: the header and one R line per record. With
// `changes` (serials above `base`, in order), their S and D lines come before the R lines:
// read back, they are the change history, and the R lines after them the records.
std::string compacted(const std::vector<VersionRef>& records, std::uint64_t base,
                      const std::vector<VersionRef>& changes = {});

// What a file's bytes say.
struct Contents {
  std::vector<VersionRef> records;  // current records, in no order
  std::vector<VersionRef> changes;  // S and D entries (tombstones), in file order
  std::uint64_t base = 0;                 // from the header (0 without a sound one)
  std::uint64_t highest = 0;              // highest serial in any sound entry, base included
  // A sound header of a version this code cannot read: the version word. The caller
  // must not touch such a file.
  std::optional<std::string> otherVersion;
  // Damage, one full sentence each ("PATH: offset N: ...; lost L bytes (...)"). Every
  // byte of the file that was not used is covered by one of them.
  std::vector<std::string> problems;
};

// Reads a state file's bytes. Never throws on bad input (only std::bad_alloc), never
// reads outside `data`. `path` only names the file in messages.
Contents parse(std::string_view data, const std::string& path);

}  // namespace fail::state::format
