// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "shell/quorum.hh"

#include <cstdlib>

#include "base/text.hh"

namespace fail::shell {

std::string Tally::describe() const {
  return std::to_string(up) + " of " + std::to_string(voters()) + " voters UP, " + std::to_string(fail) + " FAIL" +
         (abstained ? ", " + std::to_string(abstained) + " abstained" : "");
}

std::string Quorum::locationOf(const std::string& name) {
  size_t at = name.rfind('@');
  return at == std::string::npos ? name : name.substr(at + 1);
}

bool Quorum::feed(const state::Record& rec, bool deleted) {
  bool used = false;
  if (globMatch(spec_.checks, rec.name)) {
    if (deleted)
      checks_.erase(locationOf(rec.name));
    else
      checks_[locationOf(rec.name)] = rec.state;
    used = true;
  }
  if (!spec_.canary.empty() && globMatch(spec_.canary, rec.name)) {
    if (deleted)
      canaries_.erase(locationOf(rec.name));
    else
      canaries_[locationOf(rec.name)] = rec.state;
    used = true;
  }
  return used;
}

std::optional<state::State> Quorum::verdict(Tally* out) const {
  Tally t;
  for (const auto& [loc, st] : checks_) {
    if (!spec_.canary.empty()) {
      auto c = canaries_.find(loc);
      if (c == canaries_.end() || c->second != state::State::Up) {
        ++t.abstained;
        continue;
      }
    }
    if (st == state::State::Up)
      ++t.up;
    else if (st == state::State::Fail)
      ++t.fail;
    else
      ++t.abstained;
  }
  if (out) *out = t;
  if (t.voters() == 0 || t.voters() < spec_.minVoters) return std::nullopt;
  bool upMet = 100.0 * t.up >= spec_.upPct * t.voters();
  bool downMet = 100.0 * t.fail >= spec_.downPct * t.voters();
  if (upMet == downMet) return std::nullopt;
  return upMet ? state::State::Up : state::State::Fail;
}

std::optional<double> parsePercent(const std::string& text) {
  std::string s = text;
  if (!s.empty() && s.back() == '%') s.pop_back();
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (*end || v < 0 || v > 100 || v != v) return std::nullopt;
  return v;
}

}  // namespace fail::shell
