// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Address prefixes for access decisions ("203.0.113.0/24", "2001:db8::/32", "::1/128", a
// bare address meaning the host alone): parsed once from configuration, then tested
// against a peer's socket address on the hot path without allocating.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fail::net {

struct Prefix {
  int family = AF_UNSPEC;                // AF_INET or AF_INET6
  std::array<std::uint8_t, 16> bytes{};  // network order, bits past `length` zero; IPv4 in the first 4
  unsigned length = 0;                   // 0-32 or 0-128

  // True when `sa` (AF_INET or AF_INET6; an IPv4-mapped IPv6 address counts as the IPv4
  // one) lies inside. Null or another family: false.
  bool contains(const sockaddr* sa) const;
  // "203.0.113.0/24", "2001:db8::/32": the canonical form, which parses back to the same.
  std::string str() const;
  friend bool operator==(const Prefix&, const Prefix&) = default;
};

// Parses "ADDRESS/LENGTH" or a bare ADDRESS (/32 or /128). Host bits set below the
// length ("203.0.113.7/24") are refused: they usually mean a typo. False with *err
// quoting the input (shortened, odd bytes escaped): `not an address prefix: "foo"`.
bool parsePrefix(std::string_view text, Prefix* out, std::string* err = nullptr);

// True when any of `prefixes` contains `sa`.
bool anyContains(const std::vector<Prefix>& prefixes, const sockaddr* sa);

}  // namespace fail::net
