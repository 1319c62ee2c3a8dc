// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Small helpers shared by view.cc and view_draw.cc (not part of the view's contract).
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

#include "base/time.hh"
#include "mon/model.hh"
#include "mon/text.hh"
#include "mon/view.hh"

namespace fail::mon {

inline constexpr std::string_view kHostPrefix = "host:";
inline constexpr std::string_view kServicePrefix = "service:";

inline bool isHost(std::string_view name) { return name.substr(0, kHostPrefix.size()) == kHostPrefix; }

// A record's name as a row shows it: a failsh's host: and service: records go without
// their prefix (other targets' names show whole).
inline std::string_view shownName(std::string_view name, bool failsh = true) {
  if (!failsh) return name;
  if (isHost(name)) return name.substr(kHostPrefix.size());
  if (name.substr(0, kServicePrefix.size()) == kServicePrefix) return name.substr(kServicePrefix.size());
  return name;
}

Style stateStyle(state::State s);
Style cellStyle(state::State s);
// "12:03:04 (2m ago)": the local time of day (with the date when not within a day of
// `now`) and the age; "-" for 0.
std::string whenText(Micros t, Micros now);

// Builds one row of exactly `width` columns from cells.
class Line {
 public:
  explicit Line(int width) : width_(width) {}
  // `text` (terminal-safe) in exactly `cols` columns (cut with … or padded); cols < 0:
  // the rest of the row.
  Line& add(std::string_view text, Style style = Style::Normal, int cols = -1) {
    int avail = width_ - used_;
    int n = cols < 0 ? avail : std::min(cols, avail);
    if (n <= 0) return *this;
    row_.segments.push_back({fitColumns(text, n, true), style});
    used_ += n;
    return *this;
  }
  // Server text: made terminal-safe first.
  Line& addRaw(std::string_view text, Style style = Style::Normal, int cols = -1) {
    return add(terminalSafe(text), style, cols);
  }
  Row done(bool selected = false) {
    if (used_ < width_) add("", Style::Normal);
    row_.selected = selected;
    return std::move(row_);
  }

 private:
  int width_, used_ = 0;
  Row row_;
};

// Where header, title, list and footer go for a terminal `height` rows high.
struct Layout {
  bool header = false, title = false, footer = false;
  int listTop = 0, listRows = 0;
};

inline Layout layout(int height) {
  Layout l;
  if (height >= 4) return {true, true, true, 2, height - 3};
  if (height == 3) return {true, false, true, 1, 1};
  if (height == 2) return {true, false, false, 1, 1};
  l.header = height == 1;
  return l;
}

}  // namespace fail::mon
