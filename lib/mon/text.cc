// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Terminal-safe text (text.hh). UTF-8 is decoded here, byte by byte, so that what is
// safe never depends on the process locale; widths come from the C library's wcwidth
// under its own C.UTF-8 locale object (the tables ncurses itself uses under a UTF-8
// locale), or from a small built-in table when that locale is missing.
#include "mon/text.hh"

#include <locale.h>
#include <wchar.h>

#include <cstdint>

#include "base/text.hh"

namespace fail::mon {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Decodes one code point at text[pos]; returns its length in bytes, or 0 when the bytes
// there are not well-formed UTF-8 (overlong, surrogate, above U+10FFFF, truncated).
size_t decode(std::string_view text, size_t pos, char32_t& cp) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[pos + i]); };
  unsigned char b = byte(0);
  if (b < 0x80) {
    cp = b;
    return 1;
  }
  size_t len;
  char32_t min;
  if ((b & 0xE0) == 0xC0) {
    len = 2, cp = b & 0x1F, min = 0x80;
  } else if ((b & 0xF0) == 0xE0) {
    len = 3, cp = b & 0x0F, min = 0x800;
  } else if ((b & 0xF8) == 0xF0) {
    len = 4, cp = b & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (pos + len > text.size()) return 0;
  for (size_t i = 1; i < len; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// The C.UTF-8 locale object, made once; null when the system has none.
locale_t utf8Locale() {
  static locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  return loc;
}

// Fallback widths (Markus Kuhn's wcwidth ranges, abridged): East Asian wide and
// fullwidth ranges and emoji take two columns; the main combining blocks none.
int tableWidth(char32_t cp) {
  struct Range {
    char32_t lo, hi;
  };
  static constexpr Range kZero[] = {
      {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A},
      {0x064B, 0x065F}, {0x0E31, 0x0E31}, {0x0E34, 0x0E3A}, {0x0E47, 0x0E4E},
      {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200B, 0x200F}, {0x20D0, 0x20FF},
      {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF}};
  static constexpr Range kWide[] = {
      {0x1100, 0x115F}, {0x2329, 0x232A}, {0x2E80, 0x303E}, {0x3041, 0x33FF},
      {0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xA000, 0xA4CF}, {0xAC00, 0xD7A3},
      {0xF900, 0xFAFF}, {0xFE10, 0xFE19}, {0xFE30, 0xFE6F}, {0xFF00, 0xFF60},
      {0xFFE0, 0xFFE6}, {0x1F300, 0x1F64F}, {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD},
      {0x30000, 0x3FFFD}};
  for (const auto& r : kZero)
    if (cp >= r.lo && cp <= r.hi) return 0;
  for (const auto& r : kWide)
    if (cp >= r.lo && cp <= r.hi) return 2;
  return 1;
}

// Columns of one printable code point; -1 for one the C library calls non-printable.
int codeWidth(char32_t cp) {
  if (cp < 0x300) return 1;  // terminalSafe leaves no control below U+0300
  locale_t loc = utf8Locale();
  if (loc == static_cast<locale_t>(0)) return tableWidth(cp);
  locale_t old = uselocale(loc);
  int w = wcwidth(static_cast<wchar_t>(cp));
  uselocale(old);
  return w;
}

// Code points that reorder or break the layout around them: bidi embeddings, overrides
// and isolates, and the Unicode line and paragraph separators.
bool layoutControl(char32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 ||
         cp == 0x2029 || cp == 0x200E || cp == 0x200F || cp == 0x061C;
}

void appendHex(std::string& out, const char* prefix, std::uint32_t v, int digits) {
  static const char* hex = "0123456789abcdef";
  out += prefix;
  for (int i = digits - 1; i >= 0; --i) out += hex[(v >> (4 * i)) & 0xF];
}

}  // namespace

std::string terminalSafe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    char32_t cp = 0;
    size_t len = decode(text, pos, cp);
    if (len == 0) {
      appendUtf8(out, kReplacement);
      ++pos;
      continue;
    }
    pos += len;
    if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
      appendHex(out, "\\x", cp, 2);
    } else if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (layoutControl(cp) || codeWidth(cp) < 0) {
      appendHex(out, cp > 0xFFFF ? "\\U" : "\\u", cp, cp > 0xFFFF ? 8 : 4);
    } else {
      out.append(text.substr(pos - len, len));
    }
  }
  return out;
}

int displayWidth(std::string_view utf8) {
  int width = 0;
  for (size_t pos = 0; pos < utf8.size();) {
    char32_t cp = 0;
    size_t len = decode(utf8, pos, cp);
    if (len == 0) len = 1, cp = kReplacement;
    pos += len;
    int w = codeWidth(cp);
    width += w < 0 ? 1 : w;
  }
  return width;
}

std::string fitColumns(std::string_view utf8, int columns, bool pad) {
  if (columns <= 0) return {};
  std::string out;
  int width = 0;
  bool cut = false;
  // Fast path and measurement in one walk: keep what fits in columns-1, then decide.
  size_t keep = 0;    // bytes that fit in columns - 1 (room left for the ellipsis)
  int keepWidth = 0;  // their width
  for (size_t pos = 0; pos < utf8.size();) {
    char32_t cp = 0;
    size_t len = decode(utf8, pos, cp);
    if (len == 0) len = 1;
    int w = len == 1 && cp < 0x80 ? 1 : codeWidth(cp);
    if (w < 0) w = 1;
    if (width + w > columns) {
      cut = true;
      break;
    }
    width += w;
    pos += len;
    if (width <= columns - 1) keep = pos, keepWidth = width;
  }
  if (!cut) {
    out.assign(utf8.substr(0, utf8.size()));
  } else {
    out.assign(utf8.substr(0, keep));
    out += "\u2026";
    width = keepWidth + 1;
  }
  if (pad && width < columns) out.append(static_cast<size_t>(columns - width), ' ');
  return out;
}

std::string toAscii(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (size_t pos = 0; pos < utf8.size();) {
    char32_t cp = 0;
    size_t len = decode(utf8, pos, cp);
    if (len == 0) len = 1, cp = kReplacement;
    pos += len;
    if (cp < 0x80) {
      out += static_cast<char>(cp);
      continue;
    }
    int w = codeWidth(cp);
    out.append(static_cast<size_t>(w < 0 ? 1 : w), '?');
  }
  return out;
}

}  // namespace fail::mon
