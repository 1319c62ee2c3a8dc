// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The view's frames (view.hh): header, title, the screen's rows, footer. Every text a
// target sent goes through terminalSafe, every cell through fitColumns.
#include <time.h>

#include <algorithm>

#include "mon/text.hh"
#include "mon/view.hh"
#include "mon/view_util.hh"

namespace fail::mon {

Style stateStyle(state::State s) {
  switch (s) {
    case state::State::Up: return Style::Up;
    case state::State::Recover: return Style::Recover;
    case state::State::Fail: return Style::Fail;
    default: return Style::Unknown;
  }
}

Style cellStyle(state::State s) {
  switch (s) {
    case state::State::Up: return Style::CellUp;
    case state::State::Recover: return Style::CellRecover;
    case state::State::Fail: return Style::CellFail;
    default: return Style::CellUnknown;
  }
}

std::string whenText(Micros t, Micros now) {
  if (t == 0) return "-";
  time_t secs = static_cast<time_t>(t / 1'000'000);
  struct tm tm;
  localtime_r(&secs, &tm);
  char buf[32];
  Micros delta = now - t;
  bool near = delta < 86'400'000'000LL && delta > -86'400'000'000LL;
  strftime(buf, sizeof buf, near ? "%H:%M:%S" : "%Y-%m-%d %H:%M:%S", &tm);
  std::string out = buf;
  if (delta < -1'000'000) return out + " (in " + formatAge(-delta) + ")";
  return out + " (" + formatAge(delta) + " ago)";
}

namespace {

std::string attr(const state::Attrs& attrs, std::string_view key) {
  for (const auto& [k, v] : attrs)
    if (k == key) return v;
  return {};
}

Style reachStyle(Reach r) { return r == Reach::Up ? Style::Up : r == Reach::Down ? Style::Down : Style::Unknown; }

// Scrolls `top` so that row `sel` of a list of `n` rows shows in `rows` rows.
int scrollTo(int top, int sel, int rows, int n) {
  if (rows <= 0) return 0;
  if (sel < top) top = sel;
  if (sel >= top + rows) top = sel - rows + 1;
  return std::clamp(top, 0, std::max(0, n - rows));
}

int nameColumns(int width, int longest) { return std::clamp(longest + 2, 10, std::max(10, width / 2)); }

constexpr int kWordCols = 9;  // "RECOVER" and two spaces

}  // namespace

void View::frameEdges(const Model& model, Frame& f, const std::string& title) {
  Layout l = layout(f.height);
  f.rows.resize(static_cast<std::size_t>(std::max(f.height, 0)));
  if (l.header) {
    Counts c = model.counts();
    std::size_t up = 0, down = 0;
    for (const auto& t : model.targets()) up += t.reach == Reach::Up, down += t.reach == Reach::Down;
    Line h(f.width);
    h.add("failmon ", Style::Header, 8);
    std::string targets = std::to_string(up) + "/" + std::to_string(model.size()) + " targets up";
    h.add(targets, down ? Style::Down : Style::Header, static_cast<int>(targets.size()) + 1);
    if (down) h.add(std::to_string(down) + " DOWN ", Style::Down, static_cast<int>(std::to_string(down).size()) + 6);
    auto count = [&](std::size_t n, const char* word, Style st) {
      std::string s = " " + std::to_string(n) + " " + word;
      h.add(s, n ? st : Style::Header, static_cast<int>(s.size()));
    };
    h.add("|", Style::Header, 1);
    count(c.up, "UP", Style::Up);
    count(c.recover, "RECOVER", Style::Recover);
    count(c.fail, "FAIL", Style::Fail);
    count(c.unknown, "UNKNOWN", Style::Unknown);
    if (!filter_.empty() && !prompting_) h.add("  filter " + terminalSafe(filter_), Style::Header);
    f.rows[0] = h.done();
    f.rows[0].segments.back().style = Style::Header;
  }
  if (l.title) f.rows[1] = Line(f.width).add(title, Style::Title).done();
  if (l.footer) {
    Line foot(f.width);
    if (prompting_) {
      std::string p = "/" + terminalSafe(filter_);
      foot.add(p, Style::Prompt, displayWidth(p));
      f.cursorRow = f.height - 1;
      f.cursorCol = std::min(displayWidth(p), f.width - 1);
      foot.add("  (a glob on names; Enter keeps it, Esc clears)", Style::Dim);
    } else {
      foot.add("h hosts  c connect/call  l services  s detail  Tab  / filter  q quit", Style::Prompt);
    }
    f.rows[static_cast<std::size_t>(f.height - 1)] = foot.done();
  }
  for (auto& r : f.rows)
    if (r.segments.empty()) r = Line(f.width).done();
}

Frame View::frame(const Model& model, int width, int height, Micros now) {
  if (width < 1 || height < 1) return Frame{std::max(width, 0), std::max(height, 0), {}, -1, -1};
  if (servicePick_.target != hostPick_.target) servicePick_ = Pick{hostPick_.target, {}};
  switch (screen_) {
    case Screen::Hosts: return hostsFrame(model, width, height, now);
    case Screen::Services: return servicesFrame(model, width, height, now);
    case Screen::Detail: return detailFrame(model, width, height, now);
  }
  return {};
}

namespace {

Row targetRow(const Target& t, Counts c, int width, int nameCols, Micros now, bool selected) {
  Line line(width);
  line.addRaw(t.name, Style::Normal, nameCols);
  std::string kind = kindName(t.kind);
  line.add(kind, Style::Normal, static_cast<int>(kind.size()) + 2);
  std::string reach;
  switch (t.reach) {
    case Reach::Up: reach = t.synced ? "reachable" : "reachable, listing"; break;
    case Reach::Connecting: reach = "connecting"; break;
    case Reach::Down: reach = "unreachable since " + whenText(t.reachSince, now) + ": " + terminalSafe(t.why); break;
  }
  int reachCols = t.reach == Reach::Down ? -1 : displayWidth(reach) + 2;
  line.add(reach, reachStyle(t.reach), reachCols);
  if (t.restartedAt) line.add("restarted " + whenText(t.restartedAt, now) + "  ", Style::Recover, 40);
  std::string n = std::to_string(c.total()) + (c.total() == 1 ? " record" : " records");
  if (c.fail) n += ", " + std::to_string(c.fail) + " FAIL";
  line.add(n, c.fail ? Style::Fail : Style::Dim);
  return line.done(selected);
}

}  // namespace

Frame View::hostsFrame(const Model& model, int width, int height, Micros now) {
  Frame f{width, height, {}, -1, -1};
  auto items = hostItems(model);
  frameEdges(model, f, std::string("HOSTS: targets and their hosts, last ") + (showCall_ ? "call" : "connect") +
                           " (c toggles)");
  Layout l = layout(height);
  if (items.empty() || l.listRows == 0) return f;
  int sel = static_cast<int>(resolve_(items, hostPick_, hostIndex_));
  int n = static_cast<int>(items.size());
  hostTop_ = scrollTo(hostTop_, sel, l.listRows, n);
  pageRows_ = l.listRows;
  int longest = 0;
  for (const auto& t : model.targets()) longest = std::max(longest, displayWidth(terminalSafe(t.name)));
  int nameCols = nameColumns(width, longest);
  for (int k = 0; k < l.listRows && hostTop_ + k < n; ++k) {
    const Item& it = items[static_cast<std::size_t>(hostTop_ + k)];
    const Target& t = model.at(it.target);
    bool selected = hostTop_ + k == sel;
    Row& row = f.rows[static_cast<std::size_t>(l.listTop + k)];
    if (!it.entry) {
      row = targetRow(t, model.counts(it.target), width, nameCols, now, selected);
      continue;
    }
    const state::Record& r = it.entry->record;
    bool stale = t.reach == Reach::Down;
    Line line(width);
    line.add("  ", Style::Normal, 2).addRaw(shownName(r.name), stale ? Style::Dim : Style::Normal, nameCols - 2);
    line.add(state::stateName(r.state), stateStyle(r.state), kWordCols);
    auto when = parseInt(attr(r.attrs, showCall_ ? "last_call" : "last_connect"));
    std::string text = std::string(showCall_ ? "last call " : "last connect ") + whenText(when ? *when : 0, now);
    line.add(text, stale ? Style::Dim : Style::Normal, displayWidth(text) + 2);
    line.addRaw(r.note, Style::Dim);
    row = line.done(selected);
  }
  return f;
}

Frame View::servicesFrame(const Model& model, int width, int height, Micros now) {
  Frame f{width, height, {}, -1, -1};
  const auto& items = serviceItems(model);
  std::string title = "SERVICES";
  if (hostPick_.target < model.size()) {
    const Target& t = model.at(hostPick_.target);
    title += " of " + terminalSafe(t.name) + " (" + kindName(t.kind) + "): " + std::to_string(items.size()) + " shown";
    if (t.reach == Reach::Down) title += ", unreachable: stale";
  }
  frameEdges(model, f, title);
  Layout l = layout(height);
  if (items.empty() || l.listRows == 0) return f;
  int sel = static_cast<int>(resolve_(items, servicePick_, serviceIndex_));
  int n = static_cast<int>(items.size());
  serviceTop_ = scrollTo(serviceTop_, sel, l.listRows, n);
  pageRows_ = l.listRows;
  bool stale = model.at(hostPick_.target).reach == Reach::Down;
  bool failsh = model.at(hostPick_.target).kind == Kind::Failsh;
  int longest = 0;
  for (int k = 0; k < l.listRows && serviceTop_ + k < n; ++k)
    longest = std::max(longest, displayWidth(terminalSafe(shownName(items[static_cast<std::size_t>(serviceTop_ + k)].entry->record.name, failsh))));
  int nameCols = nameColumns(width, longest);
  for (int k = 0; k < l.listRows && serviceTop_ + k < n; ++k) {
    const state::Record& r = items[static_cast<std::size_t>(serviceTop_ + k)].entry->record;
    Line line(width);
    line.addRaw(shownName(r.name, failsh), stale ? Style::Dim : Style::Normal, nameCols);
    line.add(state::stateName(r.state), stateStyle(r.state), kWordCols);
    line.add(r.since ? formatAge(now - r.since) : "-", stale ? Style::Dim : Style::Normal, 9);
    line.addRaw(r.note, Style::Dim);
    f.rows[static_cast<std::size_t>(l.listTop + k)] = line.done(serviceTop_ + k == sel);
  }
  return f;
}

}  // namespace fail::mon
