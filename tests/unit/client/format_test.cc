// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "client/format.hh"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "state/record.hh"
#include "state/json.hh"

namespace fail::client {
namespace {

state::Record sample() {
  state::Record r;
  r.name = "www";
  r.state = state::State::Fail;
  r.serial = 42;
  r.since = 1763784000000000;  // 2025-11-22T04:00:00Z
  r.ttlMs = 3000;
  r.origin = "failc@127.0.0.1";
  r.note = "HTTP 503";
  state::mergeAttr(r.attrs, "weight", "3");
  state::mergeAttr(r.attrs, "latency", "12ms");
  return r;
}

TEST(FormatTable, AlignsColumnsAndTrimsLines) {
  Table t({"NAME", "STATE", "NOTE"});
  t.addRow({"web1@fra", "UP", ""});
  t.addRow({"www", "FAIL", "HTTP 503"});
  t.addRow({"x"});
  EXPECT_EQ(t.rows(), 3u);
  EXPECT_EQ(t.render(),
            "NAME      STATE  NOTE\n"
            "web1@fra  UP\n"
            "www       FAIL   HTTP 503\n"
            "x\n");
}

TEST(FormatTable, HeaderOnlyWhenEmpty) {
  Table t({"FACILITY", "LEVEL"});
  EXPECT_EQ(t.render(), "FACILITY  LEVEL\n");
}

TEST(FormatTable, WidthCountsUtf8Characters) {
  EXPECT_EQ(displayWidth("abc"), 3u);
  EXPECT_EQ(displayWidth("Zürich"), 6u);
  Table t({"A", "B"});
  t.addRow({"Zürich", "1"});
  t.addRow({"Bern", "2"});
  EXPECT_EQ(t.render(), "A       B\nZürich  1\nBern    2\n");
}

TEST(FormatText, EscapesAndQuotes) {
  EXPECT_EQ(escapeControls("a\nb\tc\x01\x7f"), "a\\nb\\tc\\x01\\x7f");
  EXPECT_EQ(escapeControls("say \"hi\" \\"), "say \"hi\" \\");
  EXPECT_EQ(quoteText("say \"hi\" \\\n"), "\"say \\\"hi\\\" \\\\\\n\"");
  EXPECT_EQ(quoteText(""), "\"\"");
}

TEST(FormatTime, HumanTimeAndTtl) {
  Micros t = 1763784000000000;
  std::string h = humanTime(t, t + 192'000'000);
  EXPECT_EQ(h, formatLocalTime(t) + " (3m12s ago)");
  EXPECT_EQ(humanTime(t, t), formatLocalTime(t) + " (0s ago)");
  EXPECT_EQ(humanTime(t + 5'000'000, t), formatLocalTime(t + 5'000'000) + " (in 5s)");
  EXPECT_EQ(humanTime(0, t), "-");
  EXPECT_EQ(ttlText(0), "-");
  EXPECT_EQ(ttlText(1500), "1500ms");
  EXPECT_EQ(isoTime(1763784000000000), "2025-11-22T04:00:00.000000Z");
  EXPECT_EQ(isoTime(1763784000123456), "2025-11-22T04:00:00.123456Z");
}

TEST(FormatRecord, OneLine) {
  state::Record r = sample();
  Micros now = r.since + 192'000'000;
  EXPECT_EQ(recordLine(r, now), "www FAIL since " + formatLocalTime(r.since) +
                                    " (3m12s ago) serial 42 ttl 3s origin failc@127.0.0.1"
                                    " note \"HTTP 503\" attrs latency=12ms weight=3");
  state::Record bare;
  bare.name = "db";
  bare.state = state::State::Up;
  bare.serial = 7;
  bare.since = r.since;
  EXPECT_EQ(recordLine(bare, now),
            "db UP since " + formatLocalTime(r.since) + " (3m12s ago) serial 7");
}

TEST(FormatRecord, TableCells) {
  state::Record r = sample();
  Micros now = r.since + 60'000'000;
  EXPECT_EQ(recordHeaders(false),
            (std::vector<std::string>{"NAME", "STATE", "SINCE", "TTL", "ORIGIN", "NOTE"}));
  EXPECT_EQ(recordHeaders(true).size(), 7u);
  EXPECT_EQ(recordHeaders(true)[5], "ATTRS");
  auto cells = recordCells(r, now, false);
  ASSERT_EQ(cells.size(), 6u);
  EXPECT_EQ(cells[0], "www");
  EXPECT_EQ(cells[1], "FAIL");
  EXPECT_EQ(cells[2], formatLocalTime(r.since) + " (1m ago)");
  EXPECT_EQ(cells[3], "3s");
  EXPECT_EQ(cells[5], "HTTP 503");
  auto withAttrs = recordCells(r, now, true);
  EXPECT_EQ(withAttrs[5], "latency=12ms weight=3");
  EXPECT_EQ(withAttrs[6], "HTTP 503");
}

TEST(FormatJson, Record) {
  state::Record r = sample();
  auto j = state::recordJson(r);
  EXPECT_EQ(j["name"], "www");
  EXPECT_EQ(j["state"], "FAIL");
  EXPECT_EQ(j["serial"], 42);
  EXPECT_EQ(j["since"], 1763784000000000);
  EXPECT_EQ(j["since_iso"], "2025-11-22T04:00:00.000000Z");
  EXPECT_EQ(j["ttl"], "3s");
  EXPECT_EQ(j["ttl_ms"], 3000);
  EXPECT_EQ(j["origin"], "failc@127.0.0.1");
  EXPECT_EQ(j["note"], "HTTP 503");
  EXPECT_EQ(j["attrs"]["latency"], "12ms");
  std::string text = state::dumpJson(j);
  EXPECT_EQ(text.rfind("{\"name\":\"www\",\"state\":\"FAIL\"", 0), 0u) << text;
  EXPECT_EQ(text.find('\n'), std::string::npos);
  auto back = nlohmann::json::parse(text);
  EXPECT_EQ(back["attrs"]["weight"], "3");
}

TEST(FormatJson, InvalidUtf8IsReplacedNotThrown) {
  state::Record r = sample();
  r.note = "bad \xff byte";
  std::string text;
  EXPECT_NO_THROW(text = state::dumpJson(recordJson(r)));
  EXPECT_NE(text.find("bad \xef\xbf\xbd byte"), std::string::npos);
}

}  // namespace
}  // namespace fail::client
