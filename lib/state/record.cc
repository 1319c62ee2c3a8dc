// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "state/record.hh"

#include "proto/list.hh"

namespace fail::state {

std::string encodeRecord(const Record& r, size_t* noteAt, size_t* noteEnd) {
  std::string out;
  out.reserve(128 + r.name.size() + r.note.size());
  out += "name ";
  proto::appendWord(out, r.name);
  out += " state ";
  out += stateName(r.state);
  out += " serial ";
  out += std::to_string(r.serial);
  out += " since ";
  out += std::to_string(r.since);
  out += " ttl ";
  out += formatDurationMs(r.ttlMs);
  out += " origin ";
  proto::appendWord(out, r.origin);
  out += " note ";
  if (noteAt) *noteAt = out.size();
  proto::appendWord(out, r.note);
  if (noteEnd) *noteEnd = out.size();
  out += " attrs ";
  std::string attrs;
  for (const auto& [k, v] : r.attrs) {
    proto::appendElement(attrs, k);
    proto::appendElement(attrs, v);
  }
  proto::appendWord(out, attrs);
  return out;
}

void appendRecord(std::string& out, const Record& r) {
  proto::appendElement(out, encodeRecord(r));
}

bool decodeRecord(std::string_view dict, Record& out, std::string* err) {
  auto bad = [&](std::string msg) {
    if (err) *err = std::move(msg);
    return false;
  };
  std::vector<std::string> words;
  proto::ListError le;
  if (!proto::splitList(dict, words, &le)) return bad("record: " + le.message);
  if (words.size() % 2) return bad("record: odd number of words in dict");
  out = Record{};
  for (size_t i = 0; i < words.size(); i += 2)
    if (!decodeField(words[i], words[i + 1], out, err)) return false;
  if (out.name.empty()) return bad("record: no name");
  return true;
}

bool decodeField(std::string_view k, std::string_view v, Record& out, std::string* err) {
  auto bad = [&](std::string msg) {
    if (err) *err = std::move(msg);
    return false;
  };
  if (k == "name") {
    out.name = v;
  } else if (k == "state") {
    auto s = parseState(v);
    if (!s) return bad("record: bad state '" + std::string(v) + "'");
    out.state = *s;
  } else if (k == "serial") {
    auto s = parseUint(v);
    if (!s) return bad("record: bad serial '" + std::string(v) + "'");
    out.serial = *s;
  } else if (k == "since") {
    auto s = parseInt(v, true);
    if (!s) return bad("record: bad since '" + std::string(v) + "'");
    out.since = *s;
  } else if (k == "ttl") {
    auto s = parseDurationMs(v);
    if (!s) return bad("record: bad ttl '" + std::string(v) + "'");
    out.ttlMs = *s;
  } else if (k == "origin") {
    out.origin = v;
  } else if (k == "note") {
    out.note = v;
  } else if (k == "attrs") {
    std::vector<std::string> kv;
    proto::ListError le;
    if (!proto::splitList(v, kv, &le)) return bad("record: attrs: " + le.message);
    if (kv.size() % 2) return bad("record: attrs: odd number of words");
    for (size_t j = 0; j < kv.size(); j += 2) mergeAttr(out.attrs, kv[j], kv[j + 1]);
  }  // unknown keys are skipped: later versions may add some
  return true;
}

}  // namespace fail::state
