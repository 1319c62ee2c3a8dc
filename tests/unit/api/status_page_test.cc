// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The status page's renderer (api/status_page.hh): hostile text escaped, groups, filters,
// the script and styles allowed by the CSP and nothing else.
#include "api/status_page.hh"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/status_page_assets.hh"
#include "base/html.hh"

namespace fail::api {
namespace {

constexpr Micros kNow = 1763784000000000;  // 2025-11-22T04:00:00Z

state::Record rec(std::string name, state::State s, std::string note = "", std::string origin = "hc") {
  state::Record r;
  r.name = std::move(name);
  r.state = s;
  r.serial = 7;
  r.since = kNow - 192'000'000;
  r.origin = std::move(origin);
  r.note = std::move(note);
  return r;
}

std::string page(const std::vector<state::Record>& records, StatusFilter f = {}) {
  return renderStatusPage(records, 42, f, StatusPageOptions{}, kNow);
}

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

// The page with the one script taken out (it holds markup characters of its own).
std::string withoutScript(const std::string& html) {
  std::string s = html;
  auto at = s.find(kStatusPageScript);
  if (at != std::string::npos) s.erase(at, kStatusPageScript.size());
  return s;
}

TEST(StatusPage, EscapesHostileNamesNotesOriginsAndAttributes) {
  state::Record r = rec("x\"><script>alert(1)</script>", state::State::Fail, "<script>alert('note')</script>",
                        "<img src=x onerror=alert(2)>");
  state::mergeAttr(r.attrs, "k", "</td><script>alert(3)</script>");
  std::string html = withoutScript(page({r}));
  EXPECT_EQ(count(html, "<script"), 1u) << "only the page's own script element";
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("alert('note')"), std::string::npos);
  EXPECT_NE(html.find("data-name=\"x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\""), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;note&#39;)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(2)&gt;"), std::string::npos);
  EXPECT_NE(html.find("k=&lt;/td&gt;&lt;script&gt;alert(3)&lt;/script&gt;"), std::string::npos);
}

TEST(StatusPage, ShowsLineSeparatorsAndBidiOverridesAsEscapes) {
  std::string html = page({rec("www", state::State::Up, "one\xe2\x80\xa8two \xe2\x80\xae" "evil")});
  EXPECT_NE(html.find("one\\u2028two \\u202eevil"), std::string::npos);
  EXPECT_EQ(html.find("\xe2\x80\xa8"), std::string::npos);
  EXPECT_EQ(html.find("\xe2\x80\xae"), std::string::npos);
}

TEST(StatusPage, GroupsByPrefixWithTheRestLast) {
  std::string html = page({rec("db", state::State::Up), rec("dns:www", state::State::Up),
                           rec("host:alpha", state::State::Fail, "refused"), rec("host:beta", state::State::Up),
                           rec("notify:ops", state::State::Unknown), rec("www", state::State::Recover)});
  auto dns = html.find("data-group=\"dns:\""), host = html.find("data-group=\"host:\"");
  auto notify = html.find("data-group=\"notify:\""), other = html.find("data-group=\"\"");
  ASSERT_NE(dns, std::string::npos);
  ASSERT_NE(other, std::string::npos);
  EXPECT_LT(dns, host);
  EXPECT_LT(host, notify);
  EXPECT_LT(notify, other);
  EXPECT_NE(html.find("host: <small class=\"muted\">2 records, 1 FAIL</small>"), std::string::npos);
  EXPECT_NE(html.find("other records <small class=\"muted\">2 records, 1 RECOVER</small>"), std::string::npos);
  // Counts over every record, each a link that filters on its state.
  EXPECT_NE(html.find("href=\"?state=FAIL\">FAIL <b>1</b></a>"), std::string::npos);
  EXPECT_NE(html.find("href=\"?state=UP\">UP <b>3</b></a>"), std::string::npos);
  EXPECT_EQ(statusGroup("host:alpha:1"), "host:");
  EXPECT_EQ(statusGroup("www"), "");
}

TEST(StatusPage, FailingRowsCarryTheirStateInWordsAndClass) {
  std::string html = page({rec("db", state::State::Fail, "HTTP 503")});
  EXPECT_NE(html.find("<tr class=\"r s-fail-row\" data-name=\"db\">"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"st s-fail\">FAIL</span>"), std::string::npos);
  EXPECT_NE(html.find("data-us=\"1763783808000000\">3m12s ago</time>"), std::string::npos);
}

TEST(StatusPage, FiltersByTextAndState) {
  std::vector<state::Record> rs = {rec("host:alpha", state::State::Fail, "Connection REFUSED"),
                                   rec("www", state::State::Up, "", "failsh"), rec("mx", state::State::Unknown)};
  StatusFilter f;
  std::string err;
  ASSERT_TRUE(parseStatusFilter("refused", "", f, err)) << err;
  std::string html = page(rs, f);
  EXPECT_NE(html.find("data-name=\"host:alpha\""), std::string::npos);
  EXPECT_EQ(html.find("data-name=\"www\""), std::string::npos);
  EXPECT_EQ(html.find("data-group=\"\""), std::string::npos) << "a group with nothing kept is left out";
  EXPECT_NE(html.find("value=\"refused\""), std::string::npos) << "the form shows the filter";

  ASSERT_TRUE(parseStatusFilter("", "notup", f, err)) << err;
  html = page(rs, f);
  EXPECT_NE(html.find("data-name=\"host:alpha\""), std::string::npos);
  EXPECT_NE(html.find("data-name=\"mx\""), std::string::npos);
  EXPECT_EQ(html.find("data-name=\"www\""), std::string::npos);
  EXPECT_NE(html.find("<option value=\"notup\" selected>"), std::string::npos);

  ASSERT_TRUE(parseStatusFilter("FAILSH", "UP", f, err)) << err;  // origin, any case
  html = page(rs, f);
  EXPECT_NE(html.find("data-name=\"www\""), std::string::npos);
  EXPECT_NE(html.find("<p class=\"muted\" id=\"none\" hidden>"), std::string::npos);

  ASSERT_TRUE(parseStatusFilter("nothing like it", "", f, err)) << err;
  EXPECT_NE(page(rs, f).find("<p class=\"muted\" id=\"none\">no record matches the filter</p>"), std::string::npos);
}

TEST(StatusPage, FilterRejectsWhatThePageDoesNotOffer) {
  StatusFilter f;
  std::string err;
  EXPECT_FALSE(parseStatusFilter("", "<b>", f, err));
  EXPECT_EQ(err, "state: expected UP, RECOVER, FAIL, UNKNOWN or notup, not \"<b>\"") << "a JSON error's message, encoded by the JSON";
  EXPECT_FALSE(parseStatusFilter(std::string(257, 'a'), "", f, err));
  EXPECT_EQ(err, "q: longer than 256 bytes");
  EXPECT_FALSE(parseStatusFilter("", "up", f, err)) << "states in capitals, as everywhere";
}

TEST(StatusPage, WholeWithoutScriptsAndReadableOnAPhone) {
  std::string html = page({rec("www", state::State::Up)});
  EXPECT_NE(html.find("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"), std::string::npos);
  EXPECT_NE(html.find("<noscript><meta http-equiv=\"refresh\" content=\"30\"></noscript>"), std::string::npos);
  EXPECT_NE(html.find("<body data-serial=\"42\" data-now=\"1763784000000000\">"), std::string::npos);
  EXPECT_NE(html.find("<form id=\"filter\" method=\"get\""), std::string::npos);
  // No external asset: nothing is loaded from anywhere.
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
}

TEST(StatusPage, CspAllowsExactlyTheInlineStyleAndScript) {
  const std::string& csp = statusPageCsp();
  EXPECT_EQ(csp.rfind("default-src 'none'; ", 0), 0u);
  EXPECT_NE(csp.find("script-src " + cspHash(kStatusPageScript) + ";"), std::string::npos);
  EXPECT_NE(csp.find("style-src " + cspHash(kHtmlPageCss) + " " + cspHash(kStatusPageCss) + ";"), std::string::npos);
  EXPECT_NE(csp.find("connect-src 'self'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe"), std::string::npos);
  std::string html = page({});
  EXPECT_NE(html.find("<script>" + std::string(kStatusPageScript) + "</script>"), std::string::npos);
  EXPECT_NE(html.find("<style>" + std::string(kStatusPageCss) + "</style>"), std::string::npos);
}

TEST(StatusPage, ScriptSetsTextNeverMarkup) {
  std::string_view js = kStatusPageScript;
  for (const char* sink : {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function("})
    EXPECT_EQ(js.find(sink), std::string_view::npos) << sink;
  EXPECT_NE(js.find("textContent"), std::string_view::npos);
  EXPECT_EQ(js.find("</"), std::string_view::npos) << "nothing that could end the script element";
}

}  // namespace
}  // namespace fail::api
