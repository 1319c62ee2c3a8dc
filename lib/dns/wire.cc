// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/wire.hh"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>

namespace fail::dns::wire {

const char* nameErrorText(NameError e) {
  switch (e) {
    case NameError::None: return "no error";
    case NameError::Truncated: return "name runs past the end of the message";
    case NameError::LabelTooLong: return "label longer than 63 bytes";
    case NameError::NameTooLong: return "name longer than 255 bytes";
    case NameError::BadPointer: return "compression pointer not pointing backwards";
    case NameError::BadLabelType: return "unknown label type";
  }
  return "?";
}

namespace {
inline std::uint8_t lowerByte(std::uint8_t c) { return c >= 'A' && c <= 'Z' ? static_cast<std::uint8_t>(c + 32) : c; }
}  // namespace

NameError readName(const std::uint8_t* msg, std::size_t size, std::size_t pos, std::size_t* end,
                   std::uint8_t* lower, std::size_t* lowerLen) {
  std::size_t total = 0;     // bytes of the uncompressed name so far
  std::size_t limit = pos;   // a pointer must point before this (the current run's start)
  bool jumped = false;
  for (;;) {
    if (pos >= size) return NameError::Truncated;
    const std::uint8_t len = msg[pos];
    if (len == 0) {
      if (total + 1 > kMaxName) return NameError::NameTooLong;
      if (lower) lower[total] = 0;
      ++total;
      if (!jumped) *end = pos + 1;
      if (lowerLen) *lowerLen = total;
      return NameError::None;
    }
    if ((len & 0xc0) == 0xc0) {
      if (pos + 1 >= size) return NameError::Truncated;
      const std::size_t target = static_cast<std::size_t>(len & 0x3f) << 8 | msg[pos + 1];
      if (target >= limit || target < kHeaderSize) return NameError::BadPointer;
      if (!jumped) *end = pos + 2;
      jumped = true;
      limit = target;
      pos = target;
      continue;
    }
    if (len & 0xc0) return NameError::BadLabelType;  // 0x40 and 0x80: extended, obsolete
    if (pos + 1 + len > size) return NameError::Truncated;
    if (total + 1 + len + 1 > kMaxName) return NameError::NameTooLong;
    if (lower) {
      lower[total] = len;
      for (std::size_t i = 0; i < len; ++i) lower[total + 1 + i] = lowerByte(msg[pos + 1 + i]);
    }
    total += 1 + len;
    pos += 1 + len;
  }
}

void lowercase(std::uint8_t* name, std::size_t len) {
  for (std::size_t i = 0; i < len;) {
    const std::uint8_t l = name[i];
    if (l == 0 || l > kMaxLabel) return;
    for (std::size_t j = i + 1; j <= i + l && j < len; ++j) name[j] = lowerByte(name[j]);
    i += 1 + l;
  }
}

std::string toWire(std::string_view canonical) {
  std::string out;
  out.reserve(canonical.size() + 2);
  while (!canonical.empty()) {
    const std::size_t dot = canonical.find('.');
    const std::string_view label = canonical.substr(0, dot);
    out.push_back(static_cast<char>(label.size()));
    out.append(label);
    if (dot == std::string_view::npos) break;
    canonical.remove_prefix(dot + 1);
  }
  out.push_back('\0');
  return out;
}

std::string toText(const std::uint8_t* name, std::size_t len) {
  std::string out;
  for (std::size_t i = 0; i < len && name[i] != 0;) {
    const std::size_t l = name[i];
    if (!out.empty()) out.push_back('.');
    for (std::size_t j = i + 1; j <= i + l && j < len; ++j) {
      const char c = static_cast<char>(name[j]);
      const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                         c == '_' || c == '*';
      if (plain) {
        out.push_back(c);
      } else {
        char buf[5];
        std::snprintf(buf, sizeof buf, "\\%03u", static_cast<unsigned>(name[j]));
        out.append(buf);
      }
    }
    i += 1 + l;
  }
  return out;
}

std::size_t suffixOffsets(const std::uint8_t* name, std::size_t len, std::uint8_t* offsets) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < len && n < 128;) {
    offsets[n++] = static_cast<std::uint8_t>(i);
    if (name[i] == 0) break;
    i += 1 + name[i];
  }
  return n;
}

namespace {
bool sameNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lowerByte(static_cast<std::uint8_t>(a[i])) != lowerByte(static_cast<std::uint8_t>(b[i]))) return false;
  return true;
}
}  // namespace

void appendName(std::string& out, std::string_view name, std::string_view question) {
  std::uint8_t nOff[128], qOff[128];
  const auto* n = reinterpret_cast<const std::uint8_t*>(name.data());
  const auto* q = reinterpret_cast<const std::uint8_t*>(question.data());
  const std::size_t nn = suffixOffsets(n, name.size(), nOff);
  const std::size_t qn = question.empty() ? 0 : suffixOffsets(q, question.size(), qOff);
  // The first (longest) suffix of `name` that is a suffix of the question, not the root.
  for (std::size_t i = 0; i + 1 < nn; ++i) {
    const std::string_view suffix = name.substr(nOff[i]);
    for (std::size_t k = 0; k + 1 < qn; ++k) {
      if (!sameNoCase(suffix, question.substr(qOff[k]))) continue;
      out.append(name.substr(0, nOff[i]));
      const std::size_t ptr = kHeaderSize + qOff[k];
      out.push_back(static_cast<char>(0xc0 | ptr >> 8));
      out.push_back(static_cast<char>(ptr & 0xff));
      return;
    }
  }
  out.append(name);
}

namespace {
constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kSeed = 0x9e3779b97f4a7c15ULL, kWordMul = 0xff51afd7ed558ccdULL,
                        kTailMul = 0xc4ceb9fe1a85ec53ULL;

// ASCII A-Z to a-z in the 8 bytes of w (length bytes, at most 63, are below 'A').
inline std::uint64_t lowerWord(std::uint64_t w) {
  const std::uint64_t low7 = w & (0x7f * kOnes);
  const std::uint64_t aboveZ = low7 + (0x7f - 'Z') * kOnes;   // high bit: > 'Z'
  const std::uint64_t fromA = low7 + (0x80 - 'A') * kOnes;    // high bit: >= 'A'
  const std::uint64_t upper = (fromA ^ aboveZ) & ~w & (0x80 * kOnes);
  return w | upper >> 2;
}
// The mask of a word's first k bytes in memory order (k < 8).
inline std::uint64_t firstBytes(std::size_t k) {
  if constexpr (std::endian::native == std::endian::little) return (std::uint64_t{1} << (8 * k)) - 1;
  return ~(~std::uint64_t{0} >> (8 * k));
}
inline std::uint64_t mixWord(std::uint64_t h, std::uint64_t w) {
  h = (h ^ w) * kWordMul;
  return h ^ (h >> 32);
}
inline std::uint64_t mixTail(std::uint64_t h, std::uint64_t w) {
  h = (h ^ w) * kTailMul;
  return h ^ (h >> 29);
}
}  // namespace

std::uint64_t hashName(const std::uint8_t* name, std::size_t len) {
  // 8 bytes at a time, multiply-xorshift mixing (names are short; this is not for secrets).
  std::uint64_t h = kSeed ^ len;
  std::size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, name + i, 8);
    h = mixWord(h, w);
  }
  std::uint64_t w = 0;
  std::memcpy(&w, name + i, len - i);
  return mixTail(h, w);
}

NameError readQname(const std::uint8_t* msg, std::size_t size, std::size_t* end, std::uint8_t* lower,
                    std::size_t* lowerLen, std::uint64_t* hash) {
  // The labels' lengths first (a few bytes), then the name's bytes a word at a time.
  // A label ending past `bound` is cut (past size) or makes the name too long.
  const std::size_t bound = std::min(size, kHeaderSize + kMaxName - 1);
  std::size_t pos = kHeaderSize;
  for (;;) {
    if (pos >= size) return NameError::Truncated;
    const std::uint8_t len = msg[pos];
    if (len == 0) break;
    if (len > kMaxLabel) {
      if ((len & 0xc0) != 0xc0) return NameError::BadLabelType;  // 0x40 and 0x80
      return pos + 1 >= size ? NameError::Truncated : NameError::BadPointer;
    }
    pos += 1 + len;
    if (pos > bound) return pos > size ? NameError::Truncated : NameError::NameTooLong;
  }
  const std::size_t n = pos + 1 - kHeaderSize;
  const std::uint8_t* name = msg + kHeaderSize;
  std::uint64_t h = kSeed ^ n;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, name + i, 8);
    w = lowerWord(w);
    std::memcpy(lower + i, &w, 8);
    h = mixWord(h, w);
  }
  std::uint64_t w = 0;
  if (kHeaderSize + i + 8 <= size) {  // a whole word in the message (the question's type follows)
    std::memcpy(&w, name + i, 8);
    w &= firstBytes(n - i);  // n - i < 8
  } else {
    std::memcpy(&w, name + i, n - i);
  }
  w = lowerWord(w);
  std::memcpy(lower + i, &w, 8);
  *hash = mixTail(h, w);
  *end = pos + 1;
  *lowerLen = n;
  return NameError::None;
}

bool wellFormed(const std::uint8_t* msg, std::size_t size, std::string* why) {
  auto fail = [&](const std::string& what, std::size_t at) {
    if (why) *why = what + " at offset " + std::to_string(at);
    return false;
  };
  Header h;
  if (!readHeader(msg, size, h)) return fail("a message shorter than a DNS header", 0);
  constexpr std::uint16_t kTypeTsig = 250;
  std::size_t pos = kHeaderSize;
  for (unsigned i = 0; i < h.qdcount; ++i) {
    std::size_t end = 0;
    if (NameError e = readName(msg, size, pos, &end); e != NameError::None) return fail(nameErrorText(e), pos);
    if (end + 4 > size) return fail("a question cut short", end);
    pos = end + 4;
  }
  const unsigned records = unsigned{h.ancount} + h.nscount + h.arcount;
  for (unsigned i = 0; i < records; ++i) {
    std::size_t end = 0;
    if (NameError e = readName(msg, size, pos, &end); e != NameError::None) return fail(nameErrorText(e), pos);
    if (end + 10 > size) return fail("a record cut short", end);
    const std::uint16_t type = get16(msg + end);
    const std::size_t rdlength = get16(msg + end + 8);
    if (end + 10 + rdlength > size) return fail("a record's data runs past the end of the message", end);
    if (type == kTypeTsig && i + 1 != records) return fail("a TSIG record that is not the last record", pos);
    pos = end + 10 + rdlength;
  }
  return true;
}

}  // namespace fail::dns::wire
