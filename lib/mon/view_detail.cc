// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The detail screen (view.hh): one record, what its peers reported, its attributes and
// the strip of its recent changes.
#include <algorithm>
#include <set>

#include "mon/text.hh"
#include "mon/view.hh"
#include "mon/view_util.hh"
#include "proto/list.hh"

namespace fail::mon {
namespace {


const std::string* find(const state::Attrs& attrs, std::string_view key) {
  for (const auto& [k, v] : attrs)
    if (k == key) return &v;
  return nullptr;
}

// Keys the detail shows in their own lines; every other attribute is listed after them.
bool known(std::string_view key) {
  static const std::set<std::string_view> keys = {
      "masters", "slaves", "witnesses", "last_action", "runs", "next_run", "interval", "latency",
      "location", "ok_streak", "fail_streak", "last_connect", "last_call", "outcome"};
  if (keys.count(key)) return true;
  for (std::string_view p : {"master.", "slave.", "witness."})
    if (key.substr(0, p.size()) == p) return true;
  return false;
}

Style reportStyle(std::string_view word) {
  if (auto s = state::parseState(word)) return stateStyle(*s);
  if (word == "unreachable" || word.substr(0, 5) == "down:") return Style::Down;
  if (word == "all-up") return Style::Up;
  return Style::Normal;
}

class Detail {
 public:
  // Labels take 14 columns, less on a narrow terminal.
  Detail(int width, Micros now) : width_(width), now_(now), labelCols_(std::min(14, std::max(4, width / 3))) {}
  std::vector<Row> rows;

  // "label     value" with the value terminal-safe already.
  void line(std::string_view label, const std::string& value, Style style = Style::Normal) {
    Line l(width_);
    l.add(label, Style::Title, labelCols_).add(value, style);
    rows.push_back(l.done());
  }
  void raw(std::string_view label, std::string_view value, Style style = Style::Normal) {
    line(label, terminalSafe(value), style);
  }
  // A time attribute in microseconds since the epoch.
  void when(std::string_view label, const std::string* micros) {
    if (!micros) return;
    auto t = parseInt(*micros);
    raw(label, t ? whenText(*t, now_) : *micros);
  }
  // masters/slaves/witnesses: each host with what it reported ("master.HOST").
  void peers(const state::Attrs& attrs, std::string_view key, std::string_view prefix) {
    const std::string* list = find(attrs, key);
    if (!list) return;
    std::vector<std::string> hosts;
    if (!proto::splitList(*list, hosts)) hosts = {*list};
    Line l(width_);
    l.add(key, Style::Title, labelCols_);
    if (hosts.empty()) l.add("-", Style::Dim, 2);
    for (const auto& h : hosts) {
      const std::string* seen = find(attrs, std::string(prefix) + h);
      std::string name = terminalSafe(h) + " ";
      std::string word = seen ? terminalSafe(*seen) : "?";
      l.add(name, Style::Normal, displayWidth(name));
      l.add(word + "  ", seen ? reportStyle(*seen) : Style::Dim, displayWidth(word) + 2);
    }
    rows.push_back(l.done());
  }
  // The strip: one cell per change, oldest left; then each change with its time.
  void strip(const std::deque<Change>& recent) {
    Line cells(width_);
    cells.add("changes", Style::Title, labelCols_);
    if (recent.empty()) cells.add("none seen yet", Style::Dim);
    for (const Change& c : recent) {
      std::string cell = c.deleted ? "x" : std::string(1, state::stateName(c.state)[0]);
      cells.add(cell, c.deleted ? Style::Dim : cellStyle(c.state), 1);
    }
    rows.push_back(cells.done());
    constexpr int kEntryCols = 20;  // "12:03:04 RECOVER   "
    int perRow = std::max(1, (width_ - labelCols_) / kEntryCols);
    for (std::size_t k = 0; k < recent.size(); k += static_cast<std::size_t>(perRow)) {
      Line l(width_);
      l.add("", Style::Normal, labelCols_);
      for (std::size_t j = k; j < recent.size() && j < k + static_cast<std::size_t>(perRow); ++j) {
        const Change& c = recent[j];
        std::string t = whenText(c.at, now_);
        t = t.substr(0, t.find(" ("));
        l.add(t + " ", Style::Dim, displayWidth(t) + 1);
        std::string word = c.deleted ? "deleted" : state::stateName(c.state);
        l.add(word, c.deleted ? Style::Dim : stateStyle(c.state), kEntryCols - displayWidth(t) - 1);
      }
      rows.push_back(l.done());
    }
  }

 private:
  int width_;
  Micros now_;
  int labelCols_;
};

}  // namespace

Frame View::detailFrame(const Model& model, int width, int height, Micros now) {
  Frame f{width, height, {}, -1, -1};
  const Target* t = detailPick_.target < model.size() ? &model.at(detailPick_.target) : nullptr;
  const Entry* e = nullptr;
  if (t) {
    auto it = t->records.find(detailPick_.name);
    if (it != t->records.end()) e = &it->second;
  }
  std::string title = "DETAIL " + terminalSafe(detailPick_.name) + " on " + (t ? terminalSafe(t->name) : "?");
  if (t && t->reach == Reach::Down) title += " (unreachable: stale)";
  frameEdges(model, f, title);
  Layout l = layout(height);
  Detail d(width, now);
  if (!e) {
    d.line("", "no such record (deleted, or filtered out)", Style::Dim);
  } else {
    const state::Record& r = e->record;
    const state::Attrs& a = r.attrs;
    d.line("state", std::string(state::stateName(r.state)) + " since " + whenText(r.since, now), stateStyle(r.state));
    if (!r.note.empty()) d.raw("note", r.note);
    std::string meta = "serial " + std::to_string(r.serial);
    if (r.ttlMs > 0) meta += "  ttl " + formatDurationMs(r.ttlMs);
    if (!r.origin.empty()) meta += "  origin " + terminalSafe(r.origin);
    d.line("record", meta, Style::Dim);
    d.peers(a, "masters", "master.");
    d.peers(a, "slaves", "slave.");
    d.peers(a, "witnesses", "witness.");
    if (auto v = find(a, "last_action")) d.raw("last action", v->empty() ? "-" : *v);
    if (auto v = find(a, "runs")) d.raw("runs", *v);
    if (auto v = find(a, "interval")) d.raw("interval", *v);
    d.when("next run", find(a, "next_run"));
    d.when("last connect", find(a, "last_connect"));
    d.when("last call", find(a, "last_call"));
    if (auto v = find(a, "latency")) d.raw("latency", *v);
    if (auto v = find(a, "outcome")) d.raw("outcome", *v);
    if (auto v = find(a, "location")) d.raw("location", *v);
    auto ok = find(a, "ok_streak"), bad = find(a, "fail_streak");
    if (ok || bad) d.raw("streaks", "ok " + (ok ? *ok : "0") + ", fail " + (bad ? *bad : "0"));
    for (const auto& [k, v] : a)
      if (!known(k)) d.raw(k, v);
    d.strip(e->recent);
  }
  detailRows_ = static_cast<int>(d.rows.size());
  pageRows_ = std::max(1, l.listRows);
  detailTop_ = std::clamp(detailTop_, 0, std::max(0, detailRows_ - l.listRows));
  for (int k = 0; k < l.listRows && detailTop_ + k < detailRows_; ++k)
    f.rows[static_cast<std::size_t>(l.listTop + k)] = std::move(d.rows[static_cast<std::size_t>(detailTop_ + k)]);
  return f;
}

}  // namespace fail::mon
