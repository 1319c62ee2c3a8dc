// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// DNS wire format (RFC 1035 §4): header fields, names read bounds-checked (compression
// pointers followed, loop-proof), names written with compression against the question.
// The read path allocates nothing: names land in caller-provided buffers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fail::dns::wire {

inline constexpr std::size_t kHeaderSize = 12;
inline constexpr std::size_t kMaxName = 255;  // a name on the wire, root byte included
inline constexpr std::size_t kMaxLabel = 63;

// Header flag bits (RFC 1035 §4.1.1, RFC 4035 §3.2).
inline constexpr std::uint16_t kQr = 0x8000, kAa = 0x0400, kTc = 0x0200, kRd = 0x0100, kRa = 0x0080;
inline constexpr std::uint16_t kAd = 0x0020, kCd = 0x0010;
inline constexpr unsigned opcodeOf(std::uint16_t flags) { return (flags >> 11) & 0xf; }
inline constexpr unsigned rcodeOf(std::uint16_t flags) { return flags & 0xf; }

// Types and classes the front-end knows by name.
inline constexpr std::uint16_t kTypeA = 1, kTypeNs = 2, kTypeCname = 5, kTypeSoa = 6, kTypePtr = 12,
                               kTypeMx = 15, kTypeAaaa = 28, kTypeOpt = 41, kTypeIxfr = 251,
                               kTypeAxfr = 252, kTypeAny = 255;
inline constexpr std::uint16_t kClassIn = 1;

inline std::uint16_t get16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
inline std::uint32_t get32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}
inline void put16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
inline void put32(std::uint8_t* p, std::uint32_t v) {
  put16(p, static_cast<std::uint16_t>(v >> 16));
  put16(p + 2, static_cast<std::uint16_t>(v));
}

struct Header {
  std::uint16_t id = 0, flags = 0, qdcount = 0, ancount = 0, nscount = 0, arcount = 0;
};
// False when `size` < 12.
inline bool readHeader(const std::uint8_t* msg, std::size_t size, Header& h) {
  if (size < kHeaderSize) return false;
  h = Header{get16(msg), get16(msg + 2), get16(msg + 4), get16(msg + 6), get16(msg + 8), get16(msg + 10)};
  return true;
}
inline void writeHeader(std::uint8_t* out, const Header& h) {
  put16(out, h.id);
  put16(out + 2, h.flags);
  put16(out + 4, h.qdcount);
  put16(out + 6, h.ancount);
  put16(out + 8, h.nscount);
  put16(out + 10, h.arcount);
}

enum class NameError : std::uint8_t { None, Truncated, LabelTooLong, NameTooLong, BadPointer, BadLabelType };
const char* nameErrorText(NameError e);

// Reads the name at msg[pos] (msg[0, size) is the whole message, for pointers). A
// pointer must point strictly before the start of the label sequence that holds it, so
// every chain ends (no loops), and not into the header. On success *end is the offset just past the name where
// it was written (past its first pointer, or its root byte) and, when `lower` is given
// (kMaxName bytes), the name uncompressed and lowercased is written there with its
// length in *lowerLen (root byte included). Allocation-free.
NameError readName(const std::uint8_t* msg, std::size_t size, std::size_t pos, std::size_t* end,
                   std::uint8_t* lower = nullptr, std::size_t* lowerLen = nullptr);

// The question's name at msg[kHeaderSize] in one pass: validates it as readName() does
// (a question's name has nothing before it to point at, so a pointer is BadPointer),
// writes it lowercased to `lower` (kQnameBuffer bytes: whole 8-byte words are stored)
// with its length in *lowerLen, and its hashName() in *hash. Reads only msg[0, size).
inline constexpr std::size_t kQnameBuffer = kMaxName + 8;
NameError readQname(const std::uint8_t* msg, std::size_t size, std::size_t* end, std::uint8_t* lower,
                    std::size_t* lowerLen, std::uint64_t* hash);

// Whether msg[0, size) is a whole message in structure: every question and every record
// of the four sections complete within it (names as readName reads them, the fixed
// fields, rdata of its stated length), and at most one TSIG record, the last of the
// additional section (RFC 8945 §5.1). Bytes after the last record are allowed. On false,
// *why (when given) says what and at which offset. Checked before a reply is handed to
// ldns, whose parser leaks what it read when a record after a TSIG is incomplete.
bool wellFormed(const std::uint8_t* msg, std::size_t size, std::string* why = nullptr);

// Lowercases a wire name in place (ASCII letters only, RFC 4343).
void lowercase(std::uint8_t* name, std::size_t len);

// A canonical name (dns/name.hh: lowercase, no trailing dot) to its wire form.
std::string toWire(std::string_view canonical);
// A wire name (uncompressed) back to canonical text; bytes outside [a-z0-9-_*] escaped.
std::string toText(const std::uint8_t* name, std::size_t len);

// Appends `name` (uncompressed wire form) to `out`. When `question` (the question's name,
// uncompressed, written at offset kHeaderSize of the message) is not empty, the longest
// suffix of `name` that is also a suffix of the question (label-aligned, compared without
// case) is written as a pointer into the question instead (RFC 1035 §4.1.4).
void appendName(std::string& out, std::string_view name, std::string_view question = {});

// The offsets (within `name`, uncompressed) at which each suffix of the name starts,
// from the whole name to the root byte. Returns how many (at most 128).
std::size_t suffixOffsets(const std::uint8_t* name, std::size_t len, std::uint8_t* offsets);

// A fast hash of a (lowercase) wire name, for the answer tables.
std::uint64_t hashName(const std::uint8_t* name, std::size_t len);

}  // namespace fail::dns::wire
