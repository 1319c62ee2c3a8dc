// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// renderLines (render.hh): the Model as plain text for -l and -1. Every text a server
// sent goes through terminalSafe (text.hh), so nothing it holds reaches the terminal as
// a control sequence.
#include <algorithm>
#include <string>

#include "base/time.hh"
#include "client/format.hh"
#include "mon/render.hh"
#include "mon/text.hh"
#include "proto/list.hh"

namespace fail::mon {

namespace {

constexpr int kMaxNameColumns = 40;

std::string safe(std::string_view text) { return terminalSafe(text); }

std::string quoted(std::string_view text) { return "\"" + safe(text) + "\""; }

const std::string* attr(const state::Record& r, std::string_view key) {
  for (const auto& [k, v] : r.attrs)
    if (k == key) return &v;
  return nullptr;
}

// "2026-12-07 02:10:00 (3m12s ago)" from an attribute holding microseconds.
std::string timeAttr(const state::Record& r, std::string_view key, Micros now) {
  const std::string* v = attr(r, key);
  if (!v || v->empty()) return "-";
  auto t = parseInt(*v);
  return t ? client::humanTime(*t, now) : safe(*v);
}

// A Tcl list attribute ("a b {c d}") as words joined by spaces; "-" when empty.
std::string wordsAttr(const state::Record& r, std::string_view key) {
  const std::string* v = attr(r, key);
  if (!v || v->empty()) return "-";
  std::vector<std::string> words;
  if (!proto::splitList(*v, words)) return safe(*v);
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + safe(w);
  return out.empty() ? "-" : out;
}

std::string header(const Target& t, Micros now) {
  std::string out = safe(t.name);
  if (t.kind != Kind::Unknown) out += std::string("  ") + kindName(t.kind);
  if (!t.version.empty()) out += " " + safe(t.version);
  switch (t.reach) {
    case Reach::Connecting:
      out += "  connecting";
      break;
    case Reach::Up:
      out += "  up since " + client::humanTime(t.reachSince, now);
      if (!t.synced) out += "  (listing)";
      break;
    case Reach::Down:
      out += "  DOWN since " + client::humanTime(t.reachSince, now) + ": " + safe(t.why);
      break;
  }
  if (t.serial) out += "  serial " + std::to_string(t.serial);
  out += "\n";
  Counts c = Model::counts(t);
  out += "  " + std::to_string(c.total()) + " records: " + std::to_string(c.up) + " up, " +
         std::to_string(c.recover) + " recover, " + std::to_string(c.fail) + " fail, " +
         std::to_string(c.unknown) + " unknown\n";
  if (t.restartedAt) out += "  restarted " + client::humanTime(t.restartedAt, now) + "\n";
  return out;
}

// failsh's service: and host: records: what failmon(1) lists under them.
std::string details(const state::Record& r, Micros now) {
  std::string out;
  if (r.name.starts_with("service:")) {
    out += "      masters " + wordsAttr(r, "masters") + "  slaves " + wordsAttr(r, "slaves");
    if (const std::string* w = attr(r, "witnesses"); w && !w->empty()) out += "  witnesses " + wordsAttr(r, "witnesses");
    out += "\n";
    std::string seen;
    for (const auto& [k, v] : r.attrs)
      if (k.starts_with("master.") || k.starts_with("slave.") || k.starts_with("witness."))
        seen += "  " + safe(k) + "=" + safe(v);
    if (!seen.empty()) out += "      reported:" + seen + "\n";
    if (const std::string* a = attr(r, "last_action"); a && !a->empty())
      out += "      last action " + safe(*a) + "\n";
  } else if (r.name.starts_with("host:")) {
    out += "      last connect " + timeAttr(r, "last_connect", now) + "  last call " + timeAttr(r, "last_call", now) + "\n";
  }
  return out;
}

std::string recordLines(const Target& t, Micros now) {
  int width = 4;
  for (const auto& [name, e] : t.records) width = std::max(width, std::min(kMaxNameColumns, displayWidth(safe(name))));
  std::string out;
  for (const auto& [name, e] : t.records) {
    const state::Record& r = e.record;
    std::string state = state::stateName(r.state);
    state.resize(7, ' ');
    out += "  " + fitColumns(safe(name), width) + "  " + state + " ";
    out += r.since ? formatAge(std::max<Micros>(0, now - r.since)) : std::string("-");
    if (const std::string* l = attr(r, "latency"); l && !l->empty()) out += "  latency " + safe(*l);  // hc's checks
    if (!r.note.empty()) out += "  " + quoted(r.note);
    out += "\n" + details(r, now);
  }
  return out;
}

}  // namespace

std::string renderLines(const Model& model, Micros now) {
  std::string out;
  for (const Target& t : model.targets()) {
    if (!out.empty()) out += "\n";
    out += header(t, now) + recordLines(t, now);
  }
  return out;
}

}  // namespace fail::mon
