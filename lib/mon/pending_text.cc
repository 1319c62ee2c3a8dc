// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// PLACEHOLDER until mon-curses's text.cc lands (then this file and its line in
// lib/mon/Makefile.inc go): text.hh done simply, control bytes as \xHH, one column a
// code point.
#include "mon/text.hh"

#include "client/format.hh"

namespace fail::mon {

std::string terminalSafe(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f || c >= 0x80) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

int displayWidth(std::string_view utf8) { return static_cast<int>(client::displayWidth(utf8)); }

std::string fitColumns(std::string_view utf8, int columns, bool pad) {
  std::string out(utf8.substr(0, static_cast<std::size_t>(columns)));
  if (pad && static_cast<int>(out.size()) < columns) out.resize(static_cast<std::size_t>(columns), ' ');
  return out;
}

}  // namespace fail::mon
