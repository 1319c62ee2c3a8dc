// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "proto/values.hh"

#include <strings.h>

#include <algorithm>

namespace fail::proto {

const char* stateName(State s) {
  switch (s) {
    case State::Up: return "UP";
    case State::Recover: return "RECOVER";
    case State::Fail: return "FAIL";
    case State::Unknown: break;
  }
  return "UNKNOWN";
}

std::optional<State> parseState(std::string_view w) {
  constexpr State all[] = {State::Up, State::Recover, State::Fail, State::Unknown};
  for (State s : all) {
    std::string_view name = stateName(s);
    if (w.size() == name.size() && strncasecmp(w.data(), name.data(), w.size()) == 0) return s;
  }
  return std::nullopt;
}

bool validAttrKey(std::string_view key) {
  if (key.empty() || key.size() > 64) return false;
  return std::all_of(key.begin(), key.end(), [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '-';
  });
}

bool mergeAttr(Attrs& attrs, std::string_view key, std::string_view value) {
  auto it = std::lower_bound(attrs.begin(), attrs.end(), key,
                             [](const auto& kv, std::string_view k) { return kv.first < k; });
  bool present = it != attrs.end() && it->first == key;
  if (value.empty()) {
    if (!present) return false;
    attrs.erase(it);
    return true;
  }
  if (present) {
    if (it->second == value) return false;
    it->second.assign(value);
    return true;
  }
  attrs.emplace(it, std::string(key), std::string(value));
  return true;
}

}  // namespace fail::proto
