// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "client/reply.hh"

#include "base/text.hh"
#include "base/time.hh"
#include "proto/list.hh"

namespace fail::client {

bool parseReply(std::string_view line, Reply& out, std::string& err) {
  out = Reply{};
  out.line = std::string(line);
  std::vector<std::string> words;
  proto::ListError le;
  if (!proto::splitList(line, words, &le)) {
    err = "malformed reply (" + le.message + ")";
    return false;
  }
  if (words.empty() || (words[0] != "OK" && words[0] != "ERR")) {
    err = "unexpected reply '" + printable(line, 80) + "'";
    return false;
  }
  if (words[0] == "OK") {
    out.ok = true;
    out.words.assign(words.begin() + 1, words.end());
    return true;
  }
  if (words.size() < 2 || words[1].empty()) {
    err = "ERR reply without a code";
    return false;
  }
  out.code = words[1];
  for (size_t i = 2; i < words.size(); ++i) {
    if (!out.message.empty()) out.message += ' ';
    out.message += words[i];
  }
  out.words.assign(words.begin() + 2, words.end());
  return true;
}

bool parseWatchLine(std::string_view line, WatchEvent& ev, std::string& err) {
  ev = WatchEvent{};
  std::vector<std::string> w;
  proto::ListError le;
  if (!proto::splitList(line, w, &le)) return err = "malformed line (" + le.message + ")", false;
  auto bad = [&] { return err = "unexpected line '" + printable(line, 80) + "'", false; };
  if (w.empty()) return bad();
  using K = WatchEvent::Kind;
  const std::string& kw = w[0];
  if (kw == "RECORD" && w.size() == 2) {
    ev.kind = K::Record;
    if (!state::decodeRecord(w[1], ev.record, &err)) return false;
    ev.name = ev.record.name;
    return true;
  }
  if (kw == "SYNCED" && w.size() == 2) {
    auto s = parseUint(w[1]);
    if (!s) return bad();
    ev.kind = K::Synced;
    ev.serial = *s;
    return true;
  }
  if (kw == "CHANGE" && w.size() == 3) {
    auto s = parseUint(w[1]);
    if (!s) return bad();
    ev.kind = K::Change;
    ev.serial = *s;
    if (!state::decodeRecord(w[2], ev.record, &err)) return false;
    ev.name = ev.record.name;
    return true;
  }
  if (kw == "DELETE" && w.size() == 4) {
    auto s = parseUint(w[1]);
    auto t = parseInt(w[3], true);
    if (!s || !t) return bad();
    ev.kind = K::Delete;
    ev.serial = *s;
    ev.name = w[2];
    ev.time = *t;
    return true;
  }
  if (kw == "OK" && w.size() == 2 && w[1] == "PONG") return ev.kind = K::Pong, true;
  if (kw == "PING" && w.size() == 1) return ev.kind = K::Ping, true;
  if (kw == "ERR") {
    ev.kind = K::Error;
    return parseReply(line, ev.error, err);
  }
  return bad();
}

}  // namespace fail::client
