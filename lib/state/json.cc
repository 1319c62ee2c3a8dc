// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "state/json.hh"

#include <nlohmann/json.hpp>

namespace fail::state {

nlohmann::ordered_json recordJson(const state::Record& r) {
  nlohmann::ordered_json attrs = nlohmann::ordered_json::object();
  for (const auto& [k, v] : r.attrs) attrs[k] = v;
  return nlohmann::ordered_json{{"name", r.name},
                                {"state", stateName(r.state)},
                                {"serial", r.serial},
                                {"since", r.since},
                                {"since_iso", isoTime(r.since)},
                                {"ttl", formatDurationMs(r.ttlMs)},
                                {"ttl_ms", r.ttlMs},
                                {"origin", r.origin},
                                {"note", r.note},
                                {"attrs", attrs}};
}

std::string dumpJson(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace fail::state
