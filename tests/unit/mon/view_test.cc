// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "mon/view.hh"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "base/text.hh"
#include "mon/text.hh"

namespace fail::mon {
namespace {

constexpr Micros kNow = 1'800'000'000'000'000;  // a fixed "now"
constexpr Micros kSec = 1'000'000;

state::Record rec(std::string name, state::State st, Micros since, std::string note = {}) {
  state::Record r;
  r.name = std::move(name);
  r.state = st;
  r.since = since;
  r.serial = 1;
  r.note = std::move(note);
  return r;
}

// A failsh "alpha:1848" with two hosts and three services, and a faild "db:1847".
Model sample() {
  Model m;
  m.add("alpha:1848");
  m.add("db:1847");
  m.connected(0, "failsh", "1.0", kNow - 600 * kSec);
  m.listing(0);
  auto h1 = rec("host:alpha", state::State::Up, kNow - 300 * kSec);
  state::mergeAttr(h1.attrs, "last_connect", std::to_string(kNow - 5 * kSec));
  state::mergeAttr(h1.attrs, "last_call", std::to_string(kNow - 7 * kSec));
  m.record(0, h1);
  m.record(0, rec("host:beta", state::State::Fail, kNow - 60 * kSec, "Connection refused"));
  auto web = rec("service:web", state::State::Fail, kNow - 120 * kSec, "HTTP 503");
  state::mergeAttr(web.attrs, "masters", "alpha beta");
  state::mergeAttr(web.attrs, "master.alpha", "UP");
  state::mergeAttr(web.attrs, "master.beta", "unreachable");
  state::mergeAttr(web.attrs, "slaves", "gamma");
  state::mergeAttr(web.attrs, "slave.gamma", "FAIL");
  state::mergeAttr(web.attrs, "witnesses", "");
  state::mergeAttr(web.attrs, "last_action", "stop");
  state::mergeAttr(web.attrs, "runs", "12");
  state::mergeAttr(web.attrs, "interval", "5s");
  state::mergeAttr(web.attrs, "next_run", std::to_string(kNow + 3 * kSec));
  state::mergeAttr(web.attrs, "color", "blue");
  m.record(0, web);
  m.record(0, rec("service:mail", state::State::Up, kNow - 3600 * kSec));
  m.record(0, rec("service:dns", state::State::Recover, kNow - 10 * kSec));
  m.synced(0, 5, kNow - 590 * kSec);
  m.connected(1, "faild", "1.0", kNow - 600 * kSec);
  m.listing(1);
  m.record(1, rec("www", state::State::Up, kNow - 30 * kSec));
  m.synced(1, 1, kNow - 590 * kSec);
  return m;
}

std::string text(const Frame& f) {
  std::string out;
  for (const auto& r : f.rows) out += r.text() + "\n";
  return out;
}

// Every row exactly `width` columns, `height` rows, nothing a terminal would obey.
void expectFitted(const Frame& f, int width, int height) {
  ASSERT_EQ(static_cast<int>(f.rows.size()), height);
  for (const auto& r : f.rows) {
    std::string t = r.text();
    EXPECT_EQ(displayWidth(t), width) << t;
    EXPECT_TRUE(validUtf8(t));
    for (unsigned char c : t) EXPECT_FALSE(c < 0x20 || c == 0x7F) << t;
  }
}

const Row* selectedRow(const Frame& f) {
  for (const auto& r : f.rows)
    if (r.selected) return &r;
  return nullptr;
}

void type(View& v, const Model& m, const std::string& keys) {
  for (char c : keys) v.press(m, Key::of(static_cast<unsigned char>(c)));
}

TEST(MonView, HostsScreenShowsTargetsAndHosts) {
  Model m = sample();
  View v;
  Frame f = v.frame(m, 100, 20, kNow);
  expectFitted(f, 100, 20);
  std::string t = text(f);
  EXPECT_NE(t.find("alpha:1848"), std::string::npos) << t;
  EXPECT_NE(t.find("failsh"), std::string::npos);
  EXPECT_NE(t.find("reachable"), std::string::npos);
  EXPECT_NE(t.find("db:1847"), std::string::npos);
  EXPECT_NE(t.find("faild"), std::string::npos);
  EXPECT_NE(t.find("  alpha"), std::string::npos);
  EXPECT_NE(t.find("last connect"), std::string::npos);
  EXPECT_NE(t.find("(5s ago)"), std::string::npos) << t;
  EXPECT_NE(t.find("Connection refused"), std::string::npos);
  EXPECT_EQ(t.find("service:web"), std::string::npos);  // services are on their own screen
  // Header: counts by state.
  EXPECT_NE(f.rows[0].text().find("2/2 targets up"), std::string::npos) << f.rows[0].text();
  EXPECT_NE(f.rows[0].text().find("3 UP 1 RECOVER 2 FAIL 0 UNKNOWN"), std::string::npos) << f.rows[0].text();
  ASSERT_NE(selectedRow(f), nullptr);
  EXPECT_NE(selectedRow(f)->text().find("alpha:1848"), std::string::npos);
}

TEST(MonView, CTogglesLastCallAndShowsHosts) {
  Model m = sample();
  View v;
  v.press(m, Key::of('l'));
  EXPECT_EQ(v.screen(), Screen::Services);
  v.press(m, Key::of('c'));
  EXPECT_EQ(v.screen(), Screen::Hosts);
  EXPECT_TRUE(v.showCall());
  std::string t = text(v.frame(m, 100, 20, kNow));
  EXPECT_NE(t.find("last call"), std::string::npos);
  EXPECT_NE(t.find("(7s ago)"), std::string::npos) << t;
  v.press(m, Key::of('c'));
  EXPECT_FALSE(v.showCall());
}

TEST(MonView, LShowsServicesOfTheSelectedTarget) {
  Model m = sample();
  View v;
  v.press(m, Key::of('l'));
  EXPECT_EQ(v.screen(), Screen::Services);
  Frame f = v.frame(m, 80, 20, kNow);
  expectFitted(f, 80, 20);
  std::string t = text(f);
  EXPECT_NE(t.find("web"), std::string::npos);
  EXPECT_NE(t.find("HTTP 503"), std::string::npos);
  EXPECT_NE(t.find("2m"), std::string::npos) << t;   // age of web
  EXPECT_NE(t.find("RECOVER"), std::string::npos);
  EXPECT_EQ(t.find("host:"), std::string::npos);      // hosts stay on the hosts screen
  EXPECT_EQ(t.find("www"), std::string::npos);        // another target's record
  // The ages tick with `now`.
  EXPECT_NE(text(v.frame(m, 80, 20, kNow + 60 * kSec)).find("3m"), std::string::npos);
}

TEST(MonView, LeftArrowShowsServicesOfAnotherTarget) {
  Model m = sample();
  View v;
  v.press(m, {Key::End});  // db:1847, the last row
  EXPECT_EQ(v.hostPick().target, 1u);
  v.press(m, {Key::Left});
  EXPECT_EQ(v.screen(), Screen::Services);
  std::string t = text(v.frame(m, 80, 20, kNow));
  EXPECT_NE(t.find("www"), std::string::npos) << t;
  EXPECT_EQ(t.find("HTTP 503"), std::string::npos);
}

TEST(MonView, SShowsTheDetailAndAsksForItsChanges) {
  Model m = sample();
  View v;
  v.press(m, Key::of('l'));
  // Services: web first? No: sorted service:dns, service:mail, service:web.
  v.press(m, {Key::End});
  Outcome o = v.press(m, Key::of('s'));
  EXPECT_EQ(v.screen(), Screen::Detail);
  ASSERT_TRUE(o.backfill);
  EXPECT_EQ(o.backfill->first, 0u);
  EXPECT_EQ(o.backfill->second, "service:web");
  Frame f = v.frame(m, 100, 30, kNow);
  expectFitted(f, 100, 30);
  std::string t = text(f);
  EXPECT_NE(t.find("FAIL since"), std::string::npos) << t;
  EXPECT_NE(t.find("HTTP 503"), std::string::npos);
  EXPECT_NE(t.find("alpha UP"), std::string::npos);
  EXPECT_NE(t.find("beta unreachable"), std::string::npos);
  EXPECT_NE(t.find("gamma FAIL"), std::string::npos);
  EXPECT_NE(t.find("last action"), std::string::npos);
  EXPECT_NE(t.find("stop"), std::string::npos);
  EXPECT_NE(t.find("(in 3s)"), std::string::npos);  // next run
  EXPECT_NE(t.find("color"), std::string::npos);    // any other attribute
  EXPECT_NE(t.find("changes"), std::string::npos);
}

TEST(MonView, RightArrowAndEnterOpenTheDetail) {
  Model m = sample();
  View v;
  v.press(m, Key::of('l'));
  EXPECT_TRUE(v.press(m, {Key::Right}).backfill);
  EXPECT_EQ(v.screen(), Screen::Detail);
  v.press(m, Key::of('l'));
  EXPECT_TRUE(v.press(m, {Key::Enter}).backfill);
  EXPECT_EQ(v.screen(), Screen::Detail);
}

TEST(MonView, DetailShowsTheStripOfRecentChanges) {
  Model m = sample();
  auto r = rec("service:web", state::State::Up, kNow - 50 * kSec);
  m.change(0, 6, r);
  r.state = state::State::Fail, r.since = kNow - 40 * kSec;
  m.change(0, 7, r);
  r.state = state::State::Recover, r.since = kNow - 30 * kSec;
  m.change(0, 8, r);
  View v;
  v.press(m, Key::of('l'));
  v.press(m, {Key::End});
  v.press(m, Key::of('s'));
  Frame f = v.frame(m, 100, 30, kNow);
  const Row* strip = nullptr;
  for (const auto& row : f.rows)
    if (row.text().rfind("changes", 0) == 0) strip = &row;
  ASSERT_NE(strip, nullptr) << text(f);
  // One cell per change, oldest left, each in its state's style.
  std::vector<Style> cells;
  std::string letters;
  for (const auto& s : strip->segments)
    if (s.style >= Style::CellUp) cells.push_back(s.style), letters += s.text;
  ASSERT_GE(cells.size(), 3u);
  EXPECT_EQ(letters.substr(letters.size() - 3), "UFR");
  EXPECT_EQ(cells[cells.size() - 3], Style::CellUp);
  EXPECT_EQ(cells.back(), Style::CellRecover);
  std::string t = text(f);
  EXPECT_NE(t.find("RECOVER"), std::string::npos);
}

TEST(MonView, TabSwitchesBetweenHostsAndTheLastOtherScreen) {
  Model m = sample();
  View v;
  v.press(m, {Key::Tab});
  EXPECT_EQ(v.screen(), Screen::Services);
  v.press(m, Key::of('s'));
  EXPECT_EQ(v.screen(), Screen::Detail);
  v.press(m, {Key::Tab});
  EXPECT_EQ(v.screen(), Screen::Hosts);
  v.press(m, {Key::Tab});
  EXPECT_EQ(v.screen(), Screen::Detail);
  v.press(m, Key::of('h'));
  EXPECT_EQ(v.screen(), Screen::Hosts);
}

TEST(MonView, ArrowsAndPagesMoveTheSelection) {
  Model m;
  m.add("big");
  m.connected(0, "faild", "1", kNow);
  for (int i = 0; i < 100; ++i) m.record(0, rec("r" + std::to_string(1000 + i), state::State::Up, kNow));
  View v;
  v.press(m, Key::of('l'));
  v.frame(m, 40, 12, kNow);  // 9 list rows
  v.press(m, {Key::Down});
  EXPECT_EQ(v.servicePick().name, "r1001");
  v.press(m, {Key::PageDown});
  EXPECT_EQ(v.servicePick().name, "r1010");
  v.press(m, {Key::Up});
  EXPECT_EQ(v.servicePick().name, "r1009");
  v.press(m, {Key::End});
  EXPECT_EQ(v.servicePick().name, "r1099");
  Frame f = v.frame(m, 40, 12, kNow);
  ASSERT_NE(selectedRow(f), nullptr);
  EXPECT_NE(selectedRow(f)->text().find("r1099"), std::string::npos);  // scrolled into sight
  v.press(m, {Key::PageUp});
  EXPECT_EQ(v.servicePick().name, "r1090");
  v.press(m, {Key::Home});
  EXPECT_EQ(v.servicePick().name, "r1000");
  v.press(m, {Key::Up});
  EXPECT_EQ(v.servicePick().name, "r1000");
}

TEST(MonView, FilterIsAGlobOnNames) {
  Model m = sample();
  View v;
  v.press(m, Key::of('l'));
  type(v, m, "/");
  EXPECT_TRUE(v.prompting());
  type(v, m, "m*");
  Frame f = v.frame(m, 80, 10, kNow);
  EXPECT_EQ(f.cursorRow, 9);
  EXPECT_NE(f.rows[9].text().find("/m*"), std::string::npos);
  v.press(m, {Key::Enter});
  EXPECT_FALSE(v.prompting());
  EXPECT_EQ(v.filter(), "m*");
  std::string t = text(v.frame(m, 80, 10, kNow));
  EXPECT_NE(t.find("mail"), std::string::npos) << t;
  EXPECT_EQ(t.find("web"), std::string::npos) << t;
  EXPECT_NE(t.find("filter m*"), std::string::npos);
  // The full name matches too.
  type(v, m, "/service:w*");
  v.press(m, {Key::Enter});
  t = text(v.frame(m, 80, 10, kNow));
  EXPECT_NE(t.find("web"), std::string::npos);
  EXPECT_EQ(t.find("mail"), std::string::npos);
  // Esc clears it.
  v.press(m, {Key::Escape});
  EXPECT_EQ(v.filter(), "");
  t = text(v.frame(m, 80, 10, kNow));
  EXPECT_NE(t.find("mail"), std::string::npos);
  // Backspace, and Esc in the prompt.
  type(v, m, "/ab");
  v.press(m, {Key::Backspace});
  EXPECT_EQ(v.filter(), "a");
  v.press(m, {Key::Escape});
  EXPECT_FALSE(v.prompting());
  EXPECT_EQ(v.filter(), "");
}

TEST(MonView, QuitsOnQButNotInThePrompt) {
  Model m = sample();
  View v;
  type(v, m, "/");
  EXPECT_FALSE(v.press(m, Key::of('q')).quit);
  v.press(m, {Key::Escape});
  EXPECT_TRUE(v.press(m, Key::of('q')).quit);
}

TEST(MonView, SelectionIsKeptByNameAcrossUpdates) {
  Model m = sample();
  View v;
  v.press(m, Key::of('l'));
  v.press(m, {Key::Down});
  EXPECT_EQ(v.servicePick().name, "service:mail");
  m.record(0, rec("service:a0", state::State::Up, kNow));  // a row above it
  Frame f = v.frame(m, 80, 20, kNow);
  ASSERT_NE(selectedRow(f), nullptr);
  EXPECT_NE(selectedRow(f)->text().find("mail"), std::string::npos) << text(f);
  v.press(m, {Key::Down});
  EXPECT_EQ(v.servicePick().name, "service:web");
  // The selected record goes: the selection stays at its row.
  m.erase(0, 9, "service:web", kNow);
  f = v.frame(m, 80, 20, kNow);
  ASSERT_NE(selectedRow(f), nullptr);
  EXPECT_EQ(v.servicePick().name, "service:mail");
}

TEST(MonView, UnreachableTargetSaysSinceWhenAndWhy) {
  Model m = sample();
  m.down(1, "Connection refused", kNow - 120 * kSec);
  m.restarted(0, kNow - 30 * kSec);
  View v;
  std::string t = text(v.frame(m, 120, 20, kNow));
  EXPECT_NE(t.find("unreachable since"), std::string::npos) << t;
  EXPECT_NE(t.find("(2m ago): Connection refused"), std::string::npos) << t;
  EXPECT_NE(t.find("restarted"), std::string::npos) << t;
  EXPECT_NE(t.find("1/2 targets up"), std::string::npos);
  EXPECT_NE(t.find("1 DOWN"), std::string::npos);
}

TEST(MonView, TinyTerminalsStayFitted) {
  Model m = sample();
  View v;
  for (Screen s : {Screen::Hosts, Screen::Services, Screen::Detail}) {
    if (s == Screen::Services) v.press(m, Key::of('l'));
    if (s == Screen::Detail) v.press(m, Key::of('s'));
    for (auto [w, h] : {std::pair{20, 5}, {1, 1}, {5, 2}, {3, 3}, {20, 4}}) expectFitted(v.frame(m, w, h, kNow), w, h);
    v.press(m, {Key::PageDown});
  }
  EXPECT_TRUE(v.frame(m, 0, 0, kNow).rows.empty());
  type(v, m, "/abcdefghijklmnopqrstuvwxyz");
  Frame f = v.frame(m, 20, 5, kNow);
  expectFitted(f, 20, 5);
  EXPECT_LT(f.cursorCol, 20);
}

TEST(MonView, WideTerminalsStayFitted) {
  Model m = sample();
  View v;
  expectFitted(v.frame(m, 300, 80, kNow), 300, 80);
  v.press(m, Key::of('l'));
  expectFitted(v.frame(m, 300, 80, kNow), 300, 80);
  v.press(m, Key::of('s'));
  expectFitted(v.frame(m, 300, 80, kNow), 300, 80);
}

TEST(MonView, HostileNamesAndNotesAreHarmless) {
  Model m;
  m.add("evil\x1b]0;pwned\x07:1848");
  m.connected(0, "failsh", "\x1b[31m", kNow);
  std::string word(2000, 'W');
  auto r = rec("service:\x1b[2Jx\xc2\x9b", state::State::Fail, kNow, "\x1b[2J\x1b]0;pwned\x07" + word);
  state::mergeAttr(r.attrs, "masters", "\x1b[H \xff");
  state::mergeAttr(r.attrs, "evil", "\r\n\x1b[1;1H");
  m.record(0, r);
  auto h = rec("host:世界\xe2\x80\xae", state::State::Up, kNow, word);
  m.record(0, h);
  m.down(0, "\x1b[2Jgone", kNow);
  View v;
  for (int i = 0; i < 3; ++i) {
    for (auto [w, hgt] : {std::pair{80, 24}, {20, 5}, {300, 10}}) expectFitted(v.frame(m, w, hgt, kNow), w, hgt);
    v.press(m, Key::of(i == 0 ? 'l' : 's'));
  }
  EXPECT_EQ(v.screen(), Screen::Detail);
  std::string t = text(v.frame(m, 200, 30, kNow));
  EXPECT_NE(t.find("\\x1b[2J\\x1b]0;pwned\\x07"), std::string::npos) << t;
  EXPECT_NE(t.find("\\x1b[1;1H"), std::string::npos) << t;
}


TEST(MonView, StateWordsCarryTheirStateStyle) {
  Model m = sample();
  View v;
  v.press(m, Key::of('l'));
  Frame f = v.frame(m, 80, 10, kNow);
  std::map<std::string, Style> seen;
  for (const auto& r : f.rows)
    for (const auto& s : r.segments) {
      std::string word = s.text.substr(0, s.text.find(' '));
      if (word == "UP" || word == "FAIL" || word == "RECOVER") seen[word] = s.style;
    }
  EXPECT_EQ(seen["UP"], Style::Up);
  EXPECT_EQ(seen["FAIL"], Style::Fail);
  EXPECT_EQ(seen["RECOVER"], Style::Recover);
  EXPECT_EQ(f.rows[0].segments.front().style, Style::Header);
}

TEST(MonView, AFaildsHostRecordsAreNotHosts) {
  Model m;
  m.add("db:1847");
  m.connected(0, "faild", "1", kNow);
  m.record(0, rec("host:beta", state::State::Fail, kNow));  // written there by a failsh
  m.record(0, rec("service:x", state::State::Up, kNow));
  View v;
  std::string t = text(v.frame(m, 80, 10, kNow));
  EXPECT_EQ(t.find("beta"), std::string::npos) << t;
  v.press(m, Key::of('l'));
  t = text(v.frame(m, 80, 10, kNow));
  EXPECT_NE(t.find("host:beta"), std::string::npos) << t;  // whole names
  EXPECT_NE(t.find("service:x"), std::string::npos) << t;
}

TEST(MonView, SOnAHostShowsItsDetailAndOnATargetItsServices) {
  Model m = sample();
  View v;
  EXPECT_FALSE(v.press(m, Key::of('s')).backfill);  // the target's row
  EXPECT_EQ(v.screen(), Screen::Services);
  v.press(m, Key::of('h'));
  v.press(m, {Key::Down});
  EXPECT_EQ(v.hostPick().name, "host:alpha");
  Outcome o = v.press(m, {Key::Right});
  ASSERT_TRUE(o.backfill);
  EXPECT_EQ(o.backfill->second, "host:alpha");
  std::string t = text(v.frame(m, 100, 20, kNow));
  EXPECT_NE(t.find("DETAIL host:alpha"), std::string::npos) << t;
  EXPECT_NE(t.find("last connect"), std::string::npos);
  EXPECT_NE(t.find("last call"), std::string::npos);
  // ← from the detail goes back to the services.
  v.press(m, {Key::Left});
  EXPECT_EQ(v.screen(), Screen::Services);
}

TEST(MonView, ADetailTallerThanTheScreenScrolls) {
  Model m = sample();
  auto r = rec("service:web", state::State::Up, kNow);
  for (int i = 0; i < 30; ++i) state::mergeAttr(r.attrs, "k" + std::to_string(10 + i), "v");
  m.change(0, 9, r);
  View v;
  v.press(m, Key::of('l'));
  v.press(m, {Key::End});
  v.press(m, Key::of('s'));
  Frame f = v.frame(m, 60, 10, kNow);  // 7 rows of detail
  EXPECT_EQ(f.rows[2].text().rfind("state", 0), 0u) << text(f);
  v.press(m, {Key::Down});
  f = v.frame(m, 60, 10, kNow);
  EXPECT_NE(f.rows[2].text().rfind("state", 0), 0u) << text(f);
  v.press(m, {Key::End});
  f = v.frame(m, 60, 10, kNow);
  EXPECT_NE(text(f).find("k39"), std::string::npos) << text(f);
  v.press(m, {Key::Home});
  f = v.frame(m, 60, 10, kNow);
  EXPECT_EQ(f.rows[2].text().rfind("state", 0), 0u) << text(f);
}

TEST(MonView, ARecordGoneFromTheDetailSaysSo) {
  Model m = sample();
  View v;
  v.press(m, Key::of('l'));
  v.press(m, Key::of('s'));  // service:dns
  m.erase(0, 10, "service:dns", kNow);
  std::string t = text(v.frame(m, 80, 10, kNow));
  EXPECT_NE(t.find("no such record"), std::string::npos) << t;
}

}  // namespace
}  // namespace fail::mon
