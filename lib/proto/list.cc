// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "proto/list.hh"

#include <cstdint>
#include <cstring>

#include "base/text.hh"

namespace fail::proto {
namespace {

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Length of the UTF-8 sequence starting at s[0] if it is complete and well-formed (no
// overlong form, no surrogate, at most U+10FFFF), else 0.
size_t utf8Length(std::string_view s) {
  unsigned char c = s[0];
  size_t len = c >= 0xF0 && c <= 0xF4   ? 4
               : c >= 0xE0 && c <= 0xEF ? 3
               : c >= 0xC2 && c <= 0xDF ? 2
                                        : 0;
  if (len == 0 || len > s.size()) return 0;
  for (size_t i = 1; i < len; ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) return 0;
  unsigned char c1 = s[1];
  if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0) || (c == 0xF0 && c1 < 0x90) ||
      (c == 0xF4 && c1 >= 0x90))
    return 0;
  return len;
}

// One backslash sequence at s[0] == '\\' (Tcl's TclParseBackslash). Returns the bytes
// consumed; appends the substitution to *out when given.
size_t parseBackslash(std::string_view s, std::string* out) {
  if (s.size() == 1) {
    if (out) *out += '\\';
    return 1;
  }
  char c = s[1];
  auto simple = [&](char v) {
    if (out) *out += v;
    return size_t{2};
  };
  switch (c) {
    case 'a': return simple('\a');
    case 'b': return simple('\b');
    case 'f': return simple('\f');
    case 'n': return simple('\n');
    case 'r': return simple('\r');
    case 't': return simple('\t');
    case 'v': return simple('\v');
    case 'x':
    case 'u':
    case 'U': {
      size_t maxDigits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
      std::uint32_t v = 0;
      size_t n = 0;
      // Tcl's TclParseHex: a digit is taken only while the value so far is at most
      // 0x10FFF, so \U stops just before the value would pass U+10FFFF.
      while (n < maxDigits && 2 + n < s.size() && hexValue(s[2 + n]) >= 0 && v <= 0x10FFF) {
        v = (v << 4) | static_cast<std::uint32_t>(hexValue(s[2 + n]));
        ++n;
      }
      if (n == 0) return simple(c);
      if (out) appendUtf8(*out, v);
      return 2 + n;
    }
    case '\0':  // Tcl keeps the backslash and reads the NUL as an ordinary byte
      if (out) *out += '\\';
      return 1;
    case '\n': {
      size_t i = 2;
      while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
      if (out) *out += ' ';
      return i;
    }
    default:
      break;
  }
  if (c >= '0' && c <= '7') {
    std::uint32_t v = static_cast<std::uint32_t>(c - '0');
    size_t i = 2;
    if (i < s.size() && s[i] >= '0' && s[i] <= '7') {
      v = (v << 3) + static_cast<std::uint32_t>(s[i] - '0');
      ++i;
      if (i < s.size() && s[i] >= '0' && s[i] <= '7' && v < 0x20) {
        v = ((v << 3) + static_cast<std::uint32_t>(s[i] - '0')) & 0xFF;
        ++i;
      }
    }
    if (out) appendUtf8(*out, v);
    return i;
  }
  if (static_cast<unsigned char>(c) >= 0x80) {
    size_t len = utf8Length(s.substr(1));
    if (len) {
      if (out) out->append(s.substr(1, len));
      return 1 + len;
    }
    if (out) appendUtf8(*out, static_cast<unsigned char>(c));  // a stray byte, as Tcl
    return 2;
  }
  return simple(c);
}

void setError(ListError* err, size_t offset, std::string message) {
  if (err) {
    err->offset = offset;
    err->message = std::move(message);
  }
}

std::string junkAfter(std::string_view text, size_t p) {
  size_t e = p;
  while (e < text.size() && !isSpace(text[e]) && e < p + 20) ++e;
  return std::string(text.substr(p, e - p));
}

}  // namespace

bool splitList(std::string_view text, std::vector<std::string>& out, ListError* err) {
  out.clear();
  size_t p = 0;
  const size_t n = text.size();
  while (true) {
    while (p < n && isSpace(text[p])) ++p;
    if (p >= n) return true;
    std::string word;
    if (text[p] == '{') {
      size_t open = p;
      int depth = 1;
      size_t start = ++p;
      while (p < n) {
        char c = text[p];
        if (c == '{') {
          ++depth;
        } else if (c == '}') {
          if (--depth == 0) break;
        } else if (c == '\\') {
          p += parseBackslash(text.substr(p), nullptr) - 1;
        }
        ++p;
      }
      if (p >= n) {
        setError(err, open, "unmatched open brace in list");
        return false;
      }
      word.assign(text.substr(start, p - start));
      ++p;
      if (p < n && !isSpace(text[p])) {
        setError(err, p,
                 "list element in braces followed by \"" + junkAfter(text, p) +
                     "\" instead of space");
        return false;
      }
    } else if (text[p] == '"') {
      size_t open = p++;
      while (p < n && text[p] != '"') {
        if (text[p] == '\\') {
          p += parseBackslash(text.substr(p), &word);
        } else {
          word += text[p++];
        }
      }
      if (p >= n) {
        setError(err, open, "unmatched open quote in list");
        return false;
      }
      ++p;
      if (p < n && !isSpace(text[p])) {
        setError(err, p,
                 "list element in quotes followed by \"" + junkAfter(text, p) +
                     "\" instead of space");
        return false;
      }
    } else {
      while (p < n && !isSpace(text[p])) {
        if (text[p] == '\\') {
          p += parseBackslash(text.substr(p), &word);
        } else {
          size_t run = p;  // copy a run of plain bytes in one go
          while (p < n && text[p] != '\\' && !isSpace(text[p])) ++p;
          word.append(text.data() + run, p - run);
        }
      }
    }
    out.push_back(std::move(word));
  }
}

// How many bytes appendWord adds to a byte beyond itself: 0 plain, 1 a 2-byte escape,
// 3 a \xHH escape.
constexpr auto kExtra = [] {
  struct Table { unsigned char v[256]; } t{};
  for (int c = 0; c < 256; ++c) t.v[c] = c < 0x20 || c == 0x7f ? 3 : 0;
  for (unsigned char c : std::string_view(" ;$[]\\\"{}\n\r\t")) t.v[c] = 1;
  return t;
}();

void appendWord(std::string& out, std::string_view word) {
  if (word.empty()) {
    out += "{}";
    return;
  }
  static const char kHex[] = "0123456789abcdef";
  size_t n = word.size();
  for (unsigned char c : word) n += kExtra.v[c];
  size_t at = out.size();
  out.resize(at + n);
  char* p = out.data() + at;
  if (n == word.size()) {
    std::memcpy(p, word.data(), n);
    return;
  }
  for (unsigned char c : word) {
    switch (kExtra.v[c]) {
      case 0:
        *p++ = static_cast<char>(c);
        break;
      case 1:
        *p++ = '\\';
        *p++ = c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : static_cast<char>(c);
        break;
      default:
        *p++ = '\\';
        *p++ = 'x';
        *p++ = kHex[c >> 4];
        *p++ = kHex[c & 15];
    }
  }
}

size_t canonicalByteAt(std::string_view text, size_t p, char& out) {
  unsigned char c = static_cast<unsigned char>(text[p]);
  if (c != '\\') {
    out = static_cast<char>(c);
    return kExtra.v[c] == 0 ? 1 : 0;
  }
  if (p + 1 >= text.size()) return 0;
  unsigned char e = static_cast<unsigned char>(text[p + 1]);
  if (e == 'n' || e == 'r' || e == 't') {
    out = e == 'n' ? '\n' : e == 'r' ? '\r' : '\t';
    return 2;
  }
  if (kExtra.v[e] == 1 && e != '\n' && e != '\r' && e != '\t') {
    out = static_cast<char>(e);
    return 2;
  }
  auto lowerHex = [](char h) {
    return h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : -1;
  };
  if (e != 'x' || p + 3 >= text.size()) return 0;
  int hi = lowerHex(text[p + 2]), lo = lowerHex(text[p + 3]);
  if (hi < 0 || lo < 0 || kExtra.v[hi * 16 + lo] != 3) return 0;
  out = static_cast<char>(hi * 16 + lo);
  return 4;
}

bool decodeCanonicalWord(std::string_view word, std::string& out,
                         std::vector<std::uint32_t>* at) {
  out.clear();
  if (at) at->clear();
  if (word == "{}") {
    if (at) at->push_back(2);
    return true;
  }
  if (word.empty()) return false;
  for (size_t p = 0; p < word.size();) {
    char c;
    size_t n = canonicalByteAt(word, p, c);
    if (n == 0) return false;
    if (at) at->push_back(static_cast<std::uint32_t>(p));
    out += c;
    p += n;
  }
  if (at) at->push_back(static_cast<std::uint32_t>(word.size()));
  return true;
}

void appendElement(std::string& out, std::string_view word) {
  if (!out.empty()) out += ' ';
  appendWord(out, word);
}

std::string encodeWord(std::string_view word) {
  std::string out;
  appendWord(out, word);
  return out;
}

std::string encodeList(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) appendElement(out, w);
  return out;
}

}  // namespace fail::proto
