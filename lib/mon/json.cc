// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// renderJson (render.hh): the Model as one JSON document. Records are printed by
// state::recordJson, the same function as `failc --json`, so a script reads both alike.
#include <nlohmann/json.hpp>

#include "client/format.hh"
#include "mon/render.hh"
#include "state/json.hh"

namespace fail::mon {

namespace {

using Json = nlohmann::ordered_json;

Json countsJson(const Counts& c) {
  return Json{{"up", c.up}, {"recover", c.recover}, {"fail", c.fail}, {"unknown", c.unknown}, {"total", c.total()}};
}

// A time field and its ISO form ("since" and "since_iso", as recordJson writes them);
// 0 (never) as null.
void putTime(Json& j, const char* key, Micros t) {
  std::string iso = std::string(key) + "_iso";
  if (t == 0) {
    j[key] = nullptr;
    j[iso] = nullptr;
  } else {
    j[key] = t;
    j[iso] = isoTime(t);
  }
}

Json entryJson(const Entry& e) {
  Json j = state::recordJson(e.record);
  Json recent = Json::array();
  for (const Change& c : e.recent) {
    Json cj{{"serial", c.serial}, {"at", c.at}, {"state", state::stateName(c.state)}};
    if (c.deleted) cj["deleted"] = true;
    recent.push_back(std::move(cj));
  }
  j["recent"] = std::move(recent);
  return j;
}

Json targetJson(const Target& t) {
  Json j{{"name", t.name}, {"kind", kindName(t.kind)}, {"version", t.version}, {"reach", reachName(t.reach)}};
  putTime(j, "reach_since", t.reachSince);
  j["why"] = t.why;
  j["synced"] = t.synced;
  putTime(j, "restarted_at", t.restartedAt);
  j["serial"] = t.serial;
  j["changes"] = t.changes;
  j["counts"] = countsJson(Model::counts(t));
  Json records = Json::array();
  for (const auto& [name, e] : t.records) records.push_back(entryJson(e));
  j["records"] = std::move(records);
  return j;
}

}  // namespace

std::string renderJson(const Model& model, Micros now) {
  Json doc{{"generated", now}, {"generated_iso", isoTime(now)}};
  doc["counts"] = countsJson(model.counts());
  Json targets = Json::array();
  for (const Target& t : model.targets()) targets.push_back(targetJson(t));
  doc["targets"] = std::move(targets);
  return state::dumpJson(doc);
}

}  // namespace fail::mon
