// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/pool_select.hh"

#include <gtest/gtest.h>

#include <string>

namespace fail::dns {
namespace {

using Kind = AllDown::Kind;

std::vector<Candidate> members(std::initializer_list<std::pair<unsigned, bool>> list) {
  std::vector<Candidate> out;
  for (auto [w, in] : list) out.push_back(Candidate{w, in});
  return out;
}

// The addresses answered step by step, as letters: "ab ba" is two steps.
std::string walk(const Selection& s, std::size_t steps) {
  std::string out;
  for (std::size_t i = 0; i < steps && !s.cycle.empty(); ++i) {
    if (i) out += ' ';
    for (auto m : s.variants[s.cycle[i % s.cycle.size()]]) out += static_cast<char>('a' + m);
  }
  return out;
}

TEST(DnsPoolSelect, SmoothWrrIsNginxs) {
  auto seq = [](std::vector<unsigned> w, std::size_t n) {
    std::string out;
    for (auto i : smoothWrr(w, n)) out += static_cast<char>('a' + i);
    return out;
  };
  EXPECT_EQ(seq({3, 1}, 8), "aabaaaba");
  EXPECT_EQ(seq({5, 1, 1}, 7), "aabacaa");  // nginx's documented example
  EXPECT_EQ(seq({1, 1, 1}, 6), "abcabc");
}

struct Case {
  const char* name;
  Select select;
  unsigned max;
  std::vector<Candidate> members;
  Kind allDown;
  std::size_t fallback;
  std::size_t steps;
  std::string expect;  // walk(), or "NODATA" / "SERVFAIL"
  bool allDownExpected;
};

TEST(DnsPoolSelect, Table) {
  const std::vector<Case> cases = {
      {"priority: the first in", Select::Priority, 0, members({{1, true}, {1, true}}), Kind::All, 0, 2, "a a", false},
      {"priority: a out", Select::Priority, 0, members({{1, false}, {1, true}, {1, true}}), Kind::All, 0, 1, "b", false},
      {"priority -max 2", Select::Priority, 2, members({{1, false}, {1, true}, {1, true}}), Kind::All, 0, 1, "bc",
       false},
      {"wrr 3:1", Select::Wrr, 0, members({{3, true}, {1, true}}), Kind::All, 0, 4, "ab ab ba ab", false},
      {"wrr 3:1 -max 1", Select::Wrr, 1, members({{3, true}, {1, true}}), Kind::All, 0, 8, "a a b a a a b a", false},
      {"wrr 6:2 is 3:1", Select::Wrr, 1, members({{6, true}, {2, true}}), Kind::All, 0, 4, "a a b a", false},
      {"wrr, b out", Select::Wrr, 1, members({{3, true}, {1, false}, {2, true}}), Kind::All, 0, 5, "a c a c a",
       false},
      {"all rotates", Select::All, 0, members({{1, true}, {1, true}, {1, true}}), Kind::All, 0, 4, "abc bca cab abc",
       false},
      {"all, b out", Select::All, 0, members({{1, true}, {1, false}, {1, true}}), Kind::All, 0, 3, "ac ca ac", false},
      {"all -max 2", Select::All, 2, members({{1, true}, {1, true}, {1, true}}), Kind::All, 0, 3, "ab bc ca", false},
      {"all down: all", Select::Priority, 0, members({{1, false}, {1, false}}), Kind::All, 0, 2, "ab ab", true},
      {"all down: all -max 1", Select::All, 1, members({{1, false}, {1, false}}), Kind::All, 0, 1, "a", true},
      {"all down: none", Select::Wrr, 0, members({{1, false}}), Kind::None, 0, 1, "NODATA", true},
      {"all down: servfail", Select::All, 0, members({{1, false}}), Kind::Servfail, 0, 1, "SERVFAIL", true},
      {"all down: address", Select::Priority, 0, members({{1, false}}), Kind::Address, 2, 1, "ab", true},
      {"all down: no address of the family", Select::Priority, 0, members({{1, false}}), Kind::Address, 0, 1,
       "NODATA", true},
      {"no member of the family", Select::All, 0, {}, Kind::All, 0, 1, "NODATA", false},
  };
  for (const Case& c : cases) {
    const Selection s = selectPool(c.select, c.max, c.members, c.allDown, c.fallback);
    std::string got = s.kind == Selection::Kind::NoData     ? "NODATA"
                      : s.kind == Selection::Kind::ServFail ? "SERVFAIL"
                                                            : walk(s, c.steps);
    EXPECT_EQ(got, c.expect) << c.name;
    EXPECT_EQ(s.allDown, c.allDownExpected) << c.name;
    EXPECT_EQ(s.fallback, c.allDown == Kind::Address && c.allDownExpected && c.fallback > 0) << c.name;
  }
}

TEST(DnsPoolSelect, WrrCycleIsSumOfWeightsOverTheirGcdAndBounded) {
  EXPECT_EQ(selectPool(Select::Wrr, 0, members({{3, true}, {1, true}}), Kind::All, 0).cycle.size(), 4u);
  EXPECT_EQ(selectPool(Select::Wrr, 0, members({{30, true}, {10, true}}), Kind::All, 0).cycle.size(), 4u);
  const Selection big = selectPool(Select::Wrr, 0, members({{100000, true}, {99999, true}}), Kind::All, 0);
  EXPECT_LE(big.cycle.size(), kMaxCycle);
  EXPECT_EQ(big.variants.size(), 2u);
}

}  // namespace
}  // namespace fail::dns
