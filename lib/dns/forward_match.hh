// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// What the forwarder reads of a message to match an upstream's reply to its query (RFC
// 5452: ID, address and question): the ID and the one question, bounds-checked.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fail::dns {

// The end of the one question (offset just past QCLASS). 0 when `m` is shorter than a
// header, QDCOUNT is not 1, or the name is malformed: it runs past the end, holds a
// compression pointer or a label over 63 bytes, or is longer than 255 bytes.
std::size_t questionEnd(const std::uint8_t* m, std::size_t n);

// Whether two messages carry the same question (names compared without regard to ASCII
// case, type and class exactly). False when either has none (questionEnd() == 0).
bool sameQuestion(const std::uint8_t* a, std::size_t an, const std::uint8_t* b, std::size_t bn);

inline std::uint16_t messageId(const std::uint8_t* m) { return static_cast<std::uint16_t>(m[0] << 8 | m[1]); }
inline void setMessageId(std::uint8_t* m, std::uint16_t id) {
  m[0] = static_cast<std::uint8_t>(id >> 8);
  m[1] = static_cast<std::uint8_t>(id);
}

}  // namespace fail::dns
