// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "history/json.hh"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "proto/list.hh"

namespace fail::history {
namespace {

// The attributes a row keeps as a protocol list ("latency 12ms weight 3") as an object;
// a list that does not read as pairs (never written so) gives what pairs it has.
nlohmann::ordered_json attrsJson(const std::string& attrs) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  std::vector<std::string> words;
  if (!proto::splitList(attrs, words)) return out;
  for (size_t i = 0; i + 1 < words.size(); i += 2) out[words[i]] = words[i + 1];
  return out;
}

// "up": "2h", "up_ms": 7200000 (microseconds cut to milliseconds).
void addDuration(nlohmann::ordered_json& j, const char* key, Micros us) {
  std::int64_t ms = us / 1000;
  j[key] = formatDurationMs(ms);
  j[std::string(key) + "_ms"] = ms;
}

nlohmann::ordered_json percent(double p) {
  return p < 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(p);
}

}  // namespace

nlohmann::ordered_json changeJson(const Change& c) {
  return nlohmann::ordered_json{{"serial", c.serial},     {"name", c.name},
                                {"state", c.state},       {"prev", c.prev},
                                {"since", c.since},       {"since_iso", isoTime(c.since)},
                                {"origin", c.origin},     {"note", c.note},
                                {"attrs", attrsJson(c.attrs)}};
}

double unknownPercent(const Availability& a) {
  Micros existed = a.up + a.recover + a.down + a.unknown;
  return existed > 0 ? 100.0 * static_cast<double>(a.unknown) / static_cast<double>(existed) : -1;
}

nlohmann::ordered_json availabilityJson(std::string_view name, const Availability& a,
                                        Micros from, Micros to) {
  nlohmann::ordered_json j{{"name", name},         {"from", from}, {"from_iso", isoTime(from)},
                           {"to", to},             {"to_iso", isoTime(to)},
                           {"up_percent", percent(a.upPercent())},
                           {"unknown_percent", percent(unknownPercent(a))}};
  addDuration(j, "up", a.up);
  addDuration(j, "recover", a.recover);
  addDuration(j, "down", a.down);
  addDuration(j, "unknown", a.unknown);
  addDuration(j, "absent", a.absent);
  j["outages"] = a.outages;
  addDuration(j, "longest", a.longest);
  j["recoveries"] = a.recoveries;
  addDuration(j, "mttr", a.mttr());
  return j;
}

}  // namespace fail::history
