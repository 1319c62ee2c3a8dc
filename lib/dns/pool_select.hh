// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Pool selection, a pure function: which members of one address family a pool answers,
// as a cycle of answer variants (dns/snapshot.hh prebuilds one response body per
// variant; each reader walks the cycle with its own Cursor).
//   priority  the first member in (declaration order); with -max N the first N in
//   wrr       smooth weighted round robin (nginx's algorithm, deterministic): the cycle has
//             sum(weights)/gcd entries, each naming the variant whose first address is the
//             member chosen at that step, the other members in following in order
//   all       every member in, one variant per rotation of that list
// -max N caps every variant at N addresses (0: no cap; priority's default is 1).
// With no member in, -all-down decides: all (every member, the Gcore rule, in order),
// none (NODATA), servfail, or the fallback addresses of this family.
#pragma once

#include <cstdint>
#include <vector>

#include "dns/config.hh"

namespace fail::dns {

struct Candidate {
  unsigned weight = 1;
  bool in = false;
};

struct Selection {
  enum class Kind : std::uint8_t { Answer, NoData, ServFail } kind = Kind::NoData;
  bool allDown = false;   // no member in: the -all-down rule chose
  bool fallback = false;  // variants index the -all-down addresses, not the candidates
  std::vector<std::vector<std::uint16_t>> variants;  // each: indices, in answer order
  std::vector<std::uint16_t> cycle;                  // the variant answered at each step
  friend bool operator==(const Selection&, const Selection&) = default;
};

// The longest wrr cycle kept; longer ones (huge coprime weights) are scaled down.
inline constexpr std::uint32_t kMaxCycle = 4096;

// `fallbackCount`: how many -all-down addresses this family has (Kind::Address).
Selection selectPool(Select select, unsigned max, const std::vector<Candidate>& members, AllDown::Kind allDown,
                     std::size_t fallbackCount);

// The smooth weighted round robin sequence over `weights` (all > 0): `steps` picks.
std::vector<std::uint16_t> smoothWrr(const std::vector<unsigned>& weights, std::size_t steps);

}  // namespace fail::dns
