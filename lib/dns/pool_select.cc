// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/pool_select.hh"

#include <algorithm>
#include <numeric>

namespace fail::dns {

std::vector<std::uint16_t> smoothWrr(const std::vector<unsigned>& weights, std::size_t steps) {
  // nginx ngx_http_upstream_get_peer: every step each current += weight, the largest
  // current (the first on ties) is chosen and loses the total.
  std::vector<std::int64_t> current(weights.size(), 0);
  std::int64_t total = 0;
  for (unsigned w : weights) total += w;
  std::vector<std::uint16_t> out;
  out.reserve(steps);
  for (std::size_t s = 0; s < steps && !weights.empty(); ++s) {
    std::size_t best = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      current[i] += weights[i];
      if (current[i] > current[best]) best = i;
    }
    current[best] -= total;
    out.push_back(static_cast<std::uint16_t>(best));
  }
  return out;
}

namespace {

std::vector<std::uint16_t> capped(std::vector<std::uint16_t> v, unsigned max) {
  if (max != 0 && v.size() > max) v.resize(max);
  return v;
}

// `list` rotated to start at position `first`.
std::vector<std::uint16_t> rotated(const std::vector<std::uint16_t>& list, std::size_t first) {
  std::vector<std::uint16_t> v(list.begin() + static_cast<std::ptrdiff_t>(first), list.end());
  v.insert(v.end(), list.begin(), list.begin() + static_cast<std::ptrdiff_t>(first));
  return v;
}

void wrr(Selection& s, const std::vector<std::uint16_t>& in, const std::vector<Candidate>& members, unsigned max) {
  std::vector<unsigned> weights;
  for (auto i : in) weights.push_back(std::max(1u, members[i].weight));
  unsigned g = 0;
  for (unsigned w : weights) g = std::gcd(g, w);
  std::uint64_t sum = 0;
  for (unsigned& w : weights) sum += (w /= g);
  if (sum > kMaxCycle) {  // keep the proportions, roughly
    for (unsigned& w : weights) w = std::max<unsigned>(1, static_cast<unsigned>(w * std::uint64_t{kMaxCycle} / sum));
    sum = 0;
    for (unsigned w : weights) sum += w;
  }
  for (std::size_t k = 0; k < in.size(); ++k) s.variants.push_back(capped(rotated(in, k), max));
  s.cycle = smoothWrr(weights, sum);
}

}  // namespace

Selection selectPool(Select select, unsigned max, const std::vector<Candidate>& members, AllDown::Kind allDown,
                     std::size_t fallbackCount) {
  Selection s;
  if (members.empty()) return s;  // no member of this family: NODATA
  std::vector<std::uint16_t> in;
  for (std::size_t i = 0; i < members.size(); ++i)
    if (members[i].in) in.push_back(static_cast<std::uint16_t>(i));
  s.kind = Selection::Kind::Answer;
  if (in.empty()) {
    s.allDown = true;
    std::vector<std::uint16_t> every;
    switch (allDown) {
      case AllDown::Kind::All:
        for (std::size_t i = 0; i < members.size(); ++i) every.push_back(static_cast<std::uint16_t>(i));
        break;
      case AllDown::Kind::Address:
        s.fallback = true;
        for (std::size_t i = 0; i < fallbackCount; ++i) every.push_back(static_cast<std::uint16_t>(i));
        break;
      case AllDown::Kind::None: s.kind = Selection::Kind::NoData; return s;
      case AllDown::Kind::Servfail: s.kind = Selection::Kind::ServFail; return s;
    }
    if (every.empty()) {
      s.kind = Selection::Kind::NoData;
      s.fallback = false;
      return s;
    }
    s.variants.push_back(capped(std::move(every), max));
    s.cycle.push_back(0);
    return s;
  }
  switch (select) {
    case Select::Priority:
      s.variants.push_back(capped(in, max == 0 ? 1 : max));
      s.cycle.push_back(0);
      break;
    case Select::All:
      for (std::size_t k = 0; k < in.size(); ++k) {
        s.variants.push_back(capped(rotated(in, k), max));
        s.cycle.push_back(static_cast<std::uint16_t>(k));
      }
      break;
    case Select::Wrr: wrr(s, in, members, max); break;
  }
  return s;
}

}  // namespace fail::dns
