// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/forward_match.hh"

namespace fail::dns {

std::size_t questionEnd(const std::uint8_t* m, std::size_t n) {
  if (n < 12 || m[4] != 0 || m[5] != 1) return 0;
  std::size_t at = 12, wire = 0;
  for (;;) {
    if (at >= n) return 0;
    unsigned len = m[at];
    if (len > 63) return 0;  // a compression pointer (or an unknown label type)
    wire += len + 1;
    if (wire > 255) return 0;
    at += len + 1;
    if (len == 0) break;
  }
  return at + 4 <= n ? at + 4 : 0;
}

bool sameQuestion(const std::uint8_t* a, std::size_t an, const std::uint8_t* b, std::size_t bn) {
  std::size_t ea = questionEnd(a, an), eb = questionEnd(b, bn);
  if (ea == 0 || ea != eb) return false;
  auto lower = [](std::uint8_t c) { return c >= 'A' && c <= 'Z' ? static_cast<std::uint8_t>(c + 32) : c; };
  // Label lengths are below 64, so lowering every byte leaves them alone.
  for (std::size_t i = 12; i < ea - 4; ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  for (std::size_t i = ea - 4; i < ea; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

}  // namespace fail::dns
