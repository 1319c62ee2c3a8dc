// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "client/history.hh"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "base/text.hh"
#include "client/commands.hh"
#include "client/format.hh"
#include "history/json.hh"
#include "history/wire.hh"
#include "proto/list.hh"
#include "proto/request.hh"
#include "state/json.hh"

namespace fail::client {
namespace {

// "99.982" (as many decimals as tell 99.99 from 100 apart); "" when absent (-1).
std::string percentText(double p) {
  if (p < 0) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", p);
  return buf;
}

// Durations in a table: "-" for none, else the two largest units ("2h5m").
std::string durationText(Micros us) { return us > 0 ? formatAge(us) : "-"; }

// "latency=12ms weight=3" from the protocol list a change keeps.
std::string attrsOf(const std::string& list) {
  std::vector<std::string> w;
  state::Attrs attrs;
  if (proto::splitList(list, w))
    for (size_t i = 0; i + 1 < w.size(); i += 2) attrs.emplace_back(w[i], w[i + 1]);
  return attrsText(attrs);
}

}  // namespace

std::optional<std::string> historyTimeArg(std::string_view text, Micros now) {
  bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
  if (!digits)
    if (auto ms = parseDurationMs(text); ms && *ms <= proto::kMaxAgoMs)
      return formatDurationMs(*ms);
  if (auto t = parseAtTime(text, now); t && *t >= 0) return std::to_string(*t);
  return std::nullopt;
}

std::string csvLine(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    const std::string& f = fields[i];
    if (f.find_first_of(",\"\r\n") == std::string::npos) {
      out += f;
      continue;
    }
    out += '"';
    for (char c : f) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  out += "\r\n";
  return out;
}

bool writeHistory(const std::vector<std::string>& words, Output how, Micros now,
                  std::ostream& out, bool& more, std::string& why) {
  if (words.empty() || (words[0] != "ALL" && words[0] != "MORE")) {
    why = "HISTORY reply without ALL or MORE";
    return false;
  }
  more = words[0] == "MORE";
  std::vector<history::Change> changes(words.size() - 1);
  for (size_t i = 1; i < words.size(); ++i)
    if (!history::decodeChange(words[i], changes[i - 1], &why)) return false;
  if (how == Output::Json) {
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    for (const auto& c : changes) arr.push_back(history::changeJson(c));
    out << state::dumpJson({{"changes", arr}, {"more", more}}) << "\n";
  } else if (how == Output::Csv) {
    out << csvLine({"serial", "since", "since_iso", "name", "state", "prev", "origin", "note", "attrs"});
    for (const auto& c : changes)
      out << csvLine({std::to_string(c.serial), std::to_string(c.since), isoTime(c.since), c.name,
                      c.state, c.prev, c.origin, c.note, attrsOf(c.attrs)});
  } else {
    Table t({"TIME", "NAME", "STATE", "PREV", "SERIAL", "ORIGIN", "NOTE"});
    for (const auto& c : changes)
      t.addRow({humanTime(c.since, now), escapeControls(c.name), c.state, c.prev.empty() ? "-" : c.prev,
                std::to_string(c.serial), escapeControls(c.origin),
                c.note.empty() ? "" : quoteText(c.note)});
    out << t.render();
  }
  return true;
}

bool writeReport(const std::vector<std::string>& words, Output how, std::ostream& out,
                 std::string& why) {
  std::optional<std::int64_t> from, to;
  if (words.size() >= 2) {
    from = parseInt(words[0], true);
    to = parseInt(words[1], true);
  }
  if (!from || !to) {
    why = "REPORT reply without FROM and TO";
    return false;
  }
  std::vector<std::pair<std::string, history::Availability>> rows(words.size() - 2);
  for (size_t i = 2; i < words.size(); ++i)
    if (!history::decodeAvailability(words[i], rows[i - 2].first, rows[i - 2].second, &why))
      return false;
  if (how == Output::Json) {
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    for (const auto& [name, a] : rows) arr.push_back(history::availabilityJson(name, a, *from, *to));
    out << state::dumpJson({{"from", *from},
                            {"from_iso", isoTime(*from)},
                            {"to", *to},
                            {"to_iso", isoTime(*to)},
                            {"records", arr}})
        << "\n";
  } else if (how == Output::Csv) {
    out << csvLine({"name", "from_iso", "to_iso", "up_percent", "unknown_percent", "up_ms",
                    "recover_ms", "down_ms", "unknown_ms", "absent_ms", "outages", "longest_ms",
                    "recoveries", "mttr_ms"});
    for (const auto& [name, a] : rows)
      out << csvLine({name, isoTime(*from), isoTime(*to), percentText(a.upPercent()),
                      percentText(history::unknownPercent(a)), std::to_string(a.up / 1000),
                      std::to_string(a.recover / 1000), std::to_string(a.down / 1000),
                      std::to_string(a.unknown / 1000), std::to_string(a.absent / 1000),
                      std::to_string(a.outages), std::to_string(a.longest / 1000),
                      std::to_string(a.recoveries), std::to_string(a.mttr() / 1000)});
  } else {
    out << "from " << formatLocalTime(*from) << " to " << formatLocalTime(*to) << "\n";
    Table t({"NAME", "UP%", "UNKNOWN%", "OUTAGES", "LONGEST", "MTTR"});
    for (const auto& [name, a] : rows) {
      std::string up = percentText(a.upPercent()), unknown = percentText(history::unknownPercent(a));
      t.addRow({escapeControls(name), up.empty() ? "-" : up, unknown.empty() ? "-" : unknown,
                std::to_string(a.outages), durationText(a.longest), durationText(a.mttr())});
    }
    out << t.render();
  }
  return true;
}

}  // namespace fail::client
