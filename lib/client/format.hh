// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Output of the client programs: aligned tables, records as one readable line, records
// and events as JSON. Pure functions of their arguments ("now" is passed in).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/time.hh"
#include "state/record.hh"

namespace fail::client {

// A table printed with columns aligned on their widest cell (in UTF-8 characters), two
// spaces apart; the last column is not padded and no line ends in white space.
class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  // A row with fewer cells than headers is padded with empty cells.
  void addRow(std::vector<std::string> cells);
  size_t rows() const { return rows_.size(); }
  // Header line and rows, each ended by LF.
  std::string render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// Characters in UTF-8 text (continuation bytes not counted).
size_t displayWidth(std::string_view text);
// Control bytes (and DEL) as \n \r \t \xHH; everything else as is.
std::string escapeControls(std::string_view text);
// "text" in double quotes, with \ and " escaped as well as control bytes.
std::string quoteText(std::string_view text);
// "2026-11-22 04:05:59 (3m12s ago)"; "in 5s" for a time ahead of `now`; "-" for 0.
std::string humanTime(Micros t, Micros now);
// "3s"; "-" for no ttl.
std::string ttlText(std::int64_t ttlMs);
// "latency=12ms weight=3"
std::string attrsText(const state::Attrs& attrs);

// failc get: "www FAIL since 2026-11-22 04:05:59 (3m12s ago) serial 42 ttl 3s
// origin failc@127.0.0.1 note "HTTP 503" attrs latency=12ms" (ttl, origin, note and
// attrs only when set).
std::string recordLine(const state::Record& r, Micros now);

// The columns of a record table: NAME STATE SINCE TTL ORIGIN NOTE, and ATTRS when
// `withAttrs`.
std::vector<std::string> recordHeaders(bool withAttrs);
std::vector<std::string> recordCells(const state::Record& r, Micros now, bool withAttrs);

}  // namespace fail::client
