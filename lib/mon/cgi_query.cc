// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "mon/cgi_query.hh"

#include "base/text.hh"

namespace fail::mon {

namespace {

constexpr std::size_t kMaxQuery = 256;

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded decoding of one key or value; false on a malformed
// escape.
bool decodeComponent(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = hexValue(in[i + 1]), lo = hexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return true;
}

std::string shown(std::string_view s) { return "'" + printable(s, 32) + "'"; }

}  // namespace

bool parseCgiQuery(std::string_view query, CgiFormat& format, std::string& err) {
  format = CgiFormat::Html;
  if (query.empty()) return true;
  if (query.size() > kMaxQuery) return err = "refused: the query is longer than 256 bytes", false;
  bool seen = false;
  std::size_t pos = 0;
  while (pos <= query.size()) {
    std::size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view part = query.substr(pos, amp - pos);
    pos = amp + 1;
    if (part.empty()) return err = "refused: an empty part in the query", false;
    std::size_t eq = part.find('=');
    std::string key, value;
    if (!decodeComponent(part.substr(0, eq), key) ||
        (eq != std::string_view::npos && !decodeComponent(part.substr(eq + 1), value)))
      return err = "refused: a malformed percent-escape in the query", false;
    if (key != "format") return err = "refused: the query may only say format=html or format=json, not " + shown(key), false;
    if (seen) return err = "refused: 'format' given twice", false;
    seen = true;
    if (eq == std::string_view::npos) return err = "refused: 'format' needs a value (html or json)", false;
    if (value == "html")
      format = CgiFormat::Html;
    else if (value == "json")
      format = CgiFormat::Json;
    else
      return err = "refused: format " + shown(value) + " (html or json)", false;
  }
  return true;
}

}  // namespace fail::mon
