// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// fail::quorum (doc/design.md, "failsh"): several locations vote on one service, from the
// check records their hc report (`web@fra`, `web@nyc`: the location is what follows the
// last '@'). NAME becomes UP when at least `up` percent of the voters report UP, FAIL
// when at least `down` percent report FAIL, and otherwise keeps its state. Only UP and
// FAIL vote; a location abstains while its canary (a check of something known to be
// up) is not UP; with fewer than minVoters voters, or both bands met at once, NAME keeps
// its state. Pure: the engine feeds records, the caller writes the result.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "state/record.hh"

namespace fail::shell {

struct QuorumSpec {
  std::string name;
  std::string checks;  // glob over record names, e.g. "web@*"
  double upPct = 50, downPct = 50;
  std::string canary;  // glob, e.g. "canary@*"; "" : no canaries
  int minVoters = 1;
};

struct Tally {
  int up = 0, fail = 0, abstained = 0;
  int voters() const { return up + fail; }
  std::string describe() const;  // "3 of 4 voters UP, 1 FAIL, 1 abstained"
};

class Quorum {
 public:
  explicit Quorum(QuorumSpec spec) : spec_(std::move(spec)) {}
  const QuorumSpec& spec() const { return spec_; }

  // Feeds one record of the local faild (any record; those not matching are ignored).
  // Returns true when it concerned this quorum.
  bool feed(const state::Record& rec, bool deleted);
  // The verdict now: a state to set, or nullopt to keep the current one.
  std::optional<state::State> verdict(Tally* tally = nullptr) const;

  static std::string locationOf(const std::string& name);

 private:
  QuorumSpec spec_;
  std::map<std::string, state::State> checks_;    // location -> state
  std::map<std::string, state::State> canaries_;  // location -> state
};

// "85%", "85", "18.5%": a percentage from 0 to 100. nullopt otherwise.
std::optional<double> parsePercent(const std::string& text);

}  // namespace fail::shell
