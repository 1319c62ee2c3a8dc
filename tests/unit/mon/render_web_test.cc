// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// renderJson and renderHtml (render.hh); htmlEscape has its tests in tests/unit/base.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "client/format.hh"
#include "mon/model.hh"
#include "mon/render.hh"
#include "state/json.hh"

namespace fail::mon {
namespace {

constexpr Micros kNow = 1763784000000000;  // 2025-11-22T04:00:00Z

state::Record rec(std::string name, state::State s, std::string note = "", Micros since = kNow - 192'000'000) {
  state::Record r;
  r.name = std::move(name);
  r.state = s;
  r.serial = 7;
  r.since = since;
  r.origin = "hc";
  r.note = std::move(note);
  return r;
}

// One faild with three records, one failsh with a host and a service, one down target.
Model sampleModel() {
  Model m;
  m.add("alpha:1847");
  m.connected(0, "faild", "1.2", kNow - 1'000'000);
  m.listing(0);
  m.record(0, rec("www", state::State::Up));
  m.record(0, rec("db", state::State::Fail, "HTTP 503"));
  m.record(0, rec("mx", state::State::Recover));
  m.synced(0, 7, kNow);
  m.add("beta:1848");
  m.connected(1, "failsh", "1.2", kNow - 1'000'000);
  m.listing(1);
  state::Record svc = rec("service:web", state::State::Up);
  state::mergeAttr(svc.attrs, "masters", "alpha");
  state::mergeAttr(svc.attrs, "slaves", "beta gamma");
  state::mergeAttr(svc.attrs, "master.alpha", "FAIL");
  state::mergeAttr(svc.attrs, "last_action", "start");
  m.record(1, svc);
  state::Record host = rec("host:alpha", state::State::Fail, "connection refused");
  state::mergeAttr(host.attrs, "last_connect", std::to_string(kNow - 65'000'000));
  m.record(1, host);
  m.synced(1, 3, kNow);
  m.add("gamma:1847");
  m.down(2, "Connection refused", kNow - 125'000'000);
  return m;
}

TEST(MonRenderJson, RecordsAsFailcPrintsThemPlusTargets) {
  Model m = sampleModel();
  auto j = nlohmann::json::parse(renderJson(m, kNow));
  EXPECT_EQ(j["generated"], kNow);
  ASSERT_EQ(j["targets"].size(), 3u);
  const auto& a = j["targets"][0];
  EXPECT_EQ(a["name"], "alpha:1847");
  EXPECT_EQ(a["kind"], "faild");
  EXPECT_EQ(a["reach"], "up");
  EXPECT_EQ(a["counts"]["fail"], 1);
  EXPECT_EQ(a["counts"]["total"], 3);
  ASSERT_EQ(a["records"].size(), 3u);
  auto db = a["records"][0];
  EXPECT_EQ(db["name"], "db");
  db.erase("recent");
  EXPECT_EQ(db, nlohmann::json::parse(state::dumpJson(state::recordJson(m.at(0).records.at("db").record))));
  const auto& g = j["targets"][2];
  EXPECT_EQ(g["reach"], "down");
  EXPECT_EQ(g["why"], "Connection refused");
  EXPECT_EQ(g["reach_since"], kNow - 125'000'000);
  EXPECT_TRUE(g["restarted_at"].is_null());
  EXPECT_EQ(j["counts"]["total"], 5);
}

TEST(MonRenderJson, HostileTextStaysValidJson) {
  Model m;
  m.add("x");
  m.connected(0, "faild", "1", kNow);
  m.listing(0);
  m.record(0, rec("bad\xff\x01", state::State::Up, "\"}]<script>"));
  m.synced(0, 1, kNow);
  auto j = nlohmann::json::parse(renderJson(m, kNow));
  EXPECT_EQ(j["targets"][0]["records"][0]["note"], "\"}]<script>");
}

TEST(MonRenderHtml, PageHasTargetsStatesAndCounts) {
  HtmlOptions o;
  o.title = "Ops <main>";
  o.refreshSeconds = 15;
  o.selfUrl = "/cgi-bin/failmon.cgi";
  std::string page = renderHtml(sampleModel(), o, kNow);
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("<meta name=\"viewport\""), std::string::npos);
  EXPECT_NE(page.find("<meta http-equiv=\"refresh\" content=\"15\">"), std::string::npos);
  EXPECT_NE(page.find("<title>Ops &lt;main&gt;</title>"), std::string::npos);
  EXPECT_NE(page.find("UP 2</span>"), std::string::npos);
  EXPECT_NE(page.find("FAIL 2</span>"), std::string::npos);
  EXPECT_NE(page.find("<span class=\"st s-fail\">FAIL</span>"), std::string::npos);
  EXPECT_NE(page.find(">3m12s ago</time>"), std::string::npos);
  EXPECT_NE(page.find("HTTP 503"), std::string::npos);
  EXPECT_NE(page.find("unreachable since <time"), std::string::npos);
  EXPECT_NE(page.find(" (2m5s ago)</time>: Connection refused"), std::string::npos);
  EXPECT_NE(page.find("href=\"/cgi-bin/failmon.cgi?format=json\""), std::string::npos);
  EXPECT_NE(page.find("@media (max-width:40em)"), std::string::npos);
  EXPECT_NE(page.find("overflow-wrap:anywhere"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_EQ(page.find("http://"), std::string::npos);
  EXPECT_EQ(page.find("https://"), std::string::npos);
  EXPECT_EQ(page.substr(page.size() - 8), "</html>\n");
}

TEST(MonRenderHtml, FailshServiceAndHostDetails) {
  std::string page = renderHtml(sampleModel(), {}, kNow);
  EXPECT_NE(page.find("masters: alpha; slaves: beta gamma; alpha (master) reported FAIL; last action: start"),
            std::string::npos);
  EXPECT_NE(page.find("last connect <time"), std::string::npos);
  EXPECT_NE(page.find("1m5s ago</time>; last call never"), std::string::npos);
}

TEST(MonRenderHtml, RestartedTargetIsShown) {
  Model m = sampleModel();
  m.restarted(0, kNow - 10'000'000);
  std::string page = renderHtml(m, {}, kNow);
  EXPECT_NE(page.find("<p class=\"restarted\">restarted <time"), std::string::npos);
}

TEST(MonRenderHtml, HostileTextIsEscaped) {
  Model m;
  m.add("<i>t</i>");
  m.connected(0, "faild", "1\"><b>", kNow);
  m.listing(0);
  state::Record r = rec("<img src=x onerror=alert(1)>", state::State::Fail, "<script>alert(1)</script>\x1b[2J");
  state::mergeAttr(r.attrs, "k", "\"><svg onload=alert(1)>");
  m.record(0, r);
  m.synced(0, 1, kNow);
  std::string page = renderHtml(m, {}, kNow);
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_EQ(page.find("<img"), std::string::npos);
  EXPECT_EQ(page.find("<svg"), std::string::npos);
  EXPECT_EQ(page.find("<i>"), std::string::npos);
  EXPECT_EQ(page.find("<b>"), std::string::npos);
  EXPECT_EQ(page.find('\x1b'), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt;\\x1b[2J"), std::string::npos);
}

TEST(MonRenderHtml, ChecksViewGroupsByLocation) {
  Model m;
  m.add("hc-fra");
  m.connected(0, "hc", "1", kNow);
  m.listing(0);
  state::Record a = rec("web1", state::State::Up);
  state::mergeAttr(a.attrs, "location", "fra");
  state::mergeAttr(a.attrs, "latency", "1.25ms");
  m.record(0, a);
  state::Record b = rec("web2", state::State::Fail, "timeout");
  state::mergeAttr(b.attrs, "location", "ams");
  m.record(0, b);
  m.record(0, rec("lonely", state::State::Unknown, "not checked yet"));
  m.synced(0, 1, kNow);
  m.add("hc-down");
  m.down(1, "Connection refused", kNow - 5'000'000);
  HtmlOptions o;
  o.checksView = true;
  std::string page = renderHtml(m, o, kNow);
  auto noLoc = page.find("<h2>no location</h2>");
  auto ams = page.find("<h2>location ams</h2>");
  auto fra = page.find("<h2>location fra</h2>");
  ASSERT_NE(noLoc, std::string::npos);
  ASSERT_NE(ams, std::string::npos);
  ASSERT_NE(fra, std::string::npos);
  EXPECT_LT(noLoc, ams);
  EXPECT_LT(ams, fra);
  auto web1 = page.find(">web1<");
  auto web2 = page.find(">web2<");
  EXPECT_GT(web1, fra);
  EXPECT_GT(web2, ams);
  EXPECT_LT(web2, fra);
  EXPECT_NE(page.find("<td data-label=\"Latency\">1.25ms</td>"), std::string::npos);
  EXPECT_NE(page.find("unreachable since"), std::string::npos);
}

TEST(MonRenderHtml, TenThousandRecordsWellUnder200ms) {
  Model m;
  m.add("big");
  m.connected(0, "faild", "1", kNow);
  m.listing(0);
  for (int i = 0; i < 10000; ++i) {
    state::Record r = rec("record-" + std::to_string(i), i % 10 ? state::State::Up : state::State::Fail,
                          "a note of some length <" + std::to_string(i) + ">");
    state::mergeAttr(r.attrs, "latency", "1.00ms");
    m.record(0, r);
  }
  m.synced(0, 1, kNow);
  auto t0 = std::chrono::steady_clock::now();
  std::string page = renderHtml(m, {}, kNow);
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_NE(page.find("record-9999"), std::string::npos);
  EXPECT_LT(ms, 200.0) << "renderHtml of 10,000 records took " << ms << " ms";
  RecordProperty("render_ms", std::to_string(ms));
}

}  // namespace
}  // namespace fail::mon
