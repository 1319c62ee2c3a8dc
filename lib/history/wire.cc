// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "history/wire.hh"

#include <string>
#include <vector>

#include "base/text.hh"
#include "base/time.hh"
#include "proto/list.hh"

namespace fail::history {
namespace {

// The dict in `word` as key/value words; false with a message on a malformed list.
bool splitDict(std::string_view word, const char* what, std::vector<std::string>& kv,
               std::string* err) {
  proto::ListError le;
  if (!proto::splitList(word, kv, &le)) {
    if (err) *err = std::string(what) + ": " + le.message + " at byte " + std::to_string(le.offset);
    return false;
  }
  if (kv.size() % 2) {
    if (err) *err = std::string(what) + ": odd number of words in dict";
    return false;
  }
  return true;
}

bool bad(std::string* err, const char* what, std::string_view key, std::string_view value) {
  if (err) *err = std::string(what) + ": bad " + std::string(key) + " '" + printable(value, 40) + "'";
  return false;
}

void addNumber(std::string& dict, const char* key, std::int64_t v) {
  proto::appendElement(dict, key);
  proto::appendElement(dict, std::to_string(v));
}

}  // namespace

void appendChange(std::string& line, const Change& c) {
  std::string dict;
  proto::appendElement(dict, "serial");
  proto::appendElement(dict, std::to_string(c.serial));
  for (auto [k, v] : {std::pair<const char*, const std::string*>{"name", &c.name},
                      {"state", &c.state},
                      {"prev", &c.prev}}) {
    proto::appendElement(dict, k);
    proto::appendElement(dict, *v);
  }
  addNumber(dict, "since", c.since);
  for (auto [k, v] : {std::pair<const char*, const std::string*>{"origin", &c.origin},
                      {"note", &c.note},
                      {"attrs", &c.attrs}}) {
    proto::appendElement(dict, k);
    proto::appendElement(dict, *v);
  }
  proto::appendElement(line, dict);
}

void appendAvailability(std::string& line, std::string_view name, const Availability& a) {
  std::string dict;
  proto::appendElement(dict, "name");
  proto::appendElement(dict, name);
  addNumber(dict, "up", a.up);
  addNumber(dict, "recover", a.recover);
  addNumber(dict, "down", a.down);
  addNumber(dict, "unknown", a.unknown);
  addNumber(dict, "absent", a.absent);
  addNumber(dict, "outages", a.outages);
  addNumber(dict, "longest", a.longest);
  addNumber(dict, "recoveries", a.recoveries);
  addNumber(dict, "recovering", a.recovering);
  proto::appendElement(line, dict);
}

bool decodeChange(std::string_view word, Change& out, std::string* err) {
  std::vector<std::string> kv;
  if (!splitDict(word, "change", kv, err)) return false;
  out = Change{};
  bool haveSerial = false;
  for (size_t i = 0; i < kv.size(); i += 2) {
    const std::string& k = kv[i];
    std::string& v = kv[i + 1];
    if (k == "serial") {
      auto n = parseUint(v);
      if (!n) return bad(err, "change", k, v);
      out.serial = *n;
      haveSerial = true;
    } else if (k == "since") {
      auto n = parseInt(v, true);
      if (!n) return bad(err, "change", k, v);
      out.since = *n;
    } else if (k == "name") {
      out.name = std::move(v);
    } else if (k == "state") {
      out.state = std::move(v);
    } else if (k == "prev") {
      out.prev = std::move(v);
    } else if (k == "origin") {
      out.origin = std::move(v);
    } else if (k == "note") {
      out.note = std::move(v);
    } else if (k == "attrs") {
      out.attrs = std::move(v);
    }
  }
  if (!haveSerial || out.name.empty() || out.state.empty()) {
    if (err) *err = "change: serial, name or state missing";
    return false;
  }
  return true;
}

bool decodeAvailability(std::string_view word, std::string& name, Availability& out,
                        std::string* err) {
  std::vector<std::string> kv;
  if (!splitDict(word, "report row", kv, err)) return false;
  out = Availability{};
  name.clear();
  for (size_t i = 0; i < kv.size(); i += 2) {
    const std::string& k = kv[i];
    if (k == "name") {
      name = kv[i + 1];
      continue;
    }
    Micros* time = k == "up"           ? &out.up
                   : k == "recover"    ? &out.recover
                   : k == "down"       ? &out.down
                   : k == "unknown"    ? &out.unknown
                   : k == "absent"     ? &out.absent
                   : k == "longest"    ? &out.longest
                   : k == "recovering" ? &out.recovering
                                       : nullptr;
    std::uint32_t* count = k == "outages" ? &out.outages : k == "recoveries" ? &out.recoveries : nullptr;
    if (!time && !count) continue;  // a key of a later server
    auto n = parseInt(kv[i + 1]);
    if (!n || (count && *n > 0xffffffffLL)) return bad(err, "report row", k, kv[i + 1]);
    if (time)
      *time = *n;
    else
      *count = static_cast<std::uint32_t>(*n);
  }
  if (name.empty()) {
    if (err) *err = "report row: no name";
    return false;
  }
  return true;
}

}  // namespace fail::history
