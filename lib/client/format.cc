// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "client/format.hh"

#include <ctime>
#include <nlohmann/json.hpp>

namespace fail::client {

void Table::addRow(std::vector<std::string> cells) {
  cells.resize(std::max(cells.size(), headers_.size()));
  rows_.push_back(std::move(cells));
}

std::string Table::render() const {
  size_t cols = headers_.size();
  for (const auto& r : rows_) cols = std::max(cols, r.size());
  std::vector<size_t> width(cols, 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], displayWidth(row[i]));
  };
  measure(headers_);
  for (const auto& r : rows_) measure(r);
  std::string out;
  auto emit = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(width[i] - displayWidth(row[i]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  };
  emit(headers_);
  for (const auto& r : rows_) emit(r);
  return out;
}

size_t displayWidth(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

namespace {

std::string escape(std::string_view text, bool quoting) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '"':
      case '\\':
        if (quoting) out += '\\';
        out += static_cast<char>(c);
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\x";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

}  // namespace

std::string escapeControls(std::string_view text) { return escape(text, false); }

std::string quoteText(std::string_view text) { return '"' + escape(text, true) + '"'; }

std::string humanTime(Micros t, Micros now) {
  if (t == 0) return "-";
  std::string when = formatLocalTime(t);
  if (t > now + 1'000'000) return when + " (in " + formatAge(t - now) + ")";
  return when + " (" + formatAge(now - t) + " ago)";
}

std::string ttlText(std::int64_t ttlMs) { return ttlMs > 0 ? formatDurationMs(ttlMs) : "-"; }

std::string attrsText(const state::Attrs& attrs) {
  std::string out;
  for (const auto& [k, v] : attrs) {
    if (!out.empty()) out += ' ';
    out += k + "=" + escapeControls(v);
  }
  return out;
}

std::string recordLine(const state::Record& r, Micros now) {
  std::string out = r.name + " " + state::stateName(r.state);
  out += " since " + humanTime(r.since, now);
  out += " serial " + std::to_string(r.serial);
  if (r.ttlMs > 0) out += " ttl " + formatDurationMs(r.ttlMs);
  if (!r.origin.empty()) out += " origin " + escapeControls(r.origin);
  if (!r.note.empty()) out += " note " + quoteText(r.note);
  if (!r.attrs.empty()) out += " attrs " + attrsText(r.attrs);
  return out;
}

std::vector<std::string> recordHeaders(bool withAttrs) {
  std::vector<std::string> h{"NAME", "STATE", "SINCE", "TTL", "ORIGIN", "NOTE"};
  if (withAttrs) h.insert(h.end() - 1, "ATTRS");
  return h;
}

std::vector<std::string> recordCells(const state::Record& r, Micros now, bool withAttrs) {
  std::vector<std::string> c{r.name,
                             state::stateName(r.state),
                             humanTime(r.since, now),
                             ttlText(r.ttlMs),
                             r.origin.empty() ? "-" : escapeControls(r.origin),
                             escapeControls(r.note)};
  if (withAttrs) c.insert(c.end() - 1, r.attrs.empty() ? "-" : attrsText(r.attrs));
  return c;
}

}  // namespace fail::client
