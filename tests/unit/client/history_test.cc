// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "client/history.hh"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "history/wire.hh"
#include "proto/list.hh"

namespace fail::client {
namespace {

TEST(FailcHistory, TimeOptions) {
  Micros now = 1'763'784'000'000'000;
  EXPECT_EQ(historyTimeArg("1h", now), "1h");
  EXPECT_EQ(historyTimeArg("90m", now), "90m");
  EXPECT_EQ(historyTimeArg("1763784000000000", now), "1763784000000000");
  EXPECT_EQ(historyTimeArg("@1763784000", now), "1763784000000000");
  EXPECT_EQ(historyTimeArg("-1h", now), std::to_string(now - 3'600'000'000));
  EXPECT_EQ(historyTimeArg("2025-11-22 04:00Z", now), "1763784000000000");
  EXPECT_EQ(historyTimeArg("5", now), std::nullopt);  // seconds or microseconds? say which
  EXPECT_EQ(historyTimeArg("soon", now), std::nullopt);
  EXPECT_EQ(historyTimeArg("", now), std::nullopt);
}

TEST(FailcHistory, CsvQuotesWhatNeedsIt) {
  EXPECT_EQ(csvLine({"a", "b c", ""}), "a,b c,\r\n");
  EXPECT_EQ(csvLine({"x,y", "say \"hi\"", "two\nlines"}), "\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n");
}

// The words of a HISTORY reply after OK, as faild writes them.
std::vector<std::string> historyWords(const char* head) {
  history::Change c;
  c.serial = 7;
  c.name = "www";
  c.state = "FAIL";
  c.prev = "UP";
  c.note = "HTTP 503, \"bad\"";
  c.origin = "hc";
  c.since = 1'763'784'000'000'000;
  c.attrs = "latency 12ms";
  std::string line = head;
  history::appendChange(line, c);
  std::vector<std::string> words;
  EXPECT_TRUE(proto::splitList(line, words));
  return words;
}

TEST(FailcHistory, HistoryAsTableJsonAndCsv) {
  Micros now = 1'763'784'060'000'000;
  std::ostringstream table, json, csv;
  bool more = false;
  std::string why;
  ASSERT_TRUE(writeHistory(historyWords("ALL"), Output::Table, now, table, more, why)) << why;
  EXPECT_FALSE(more);
  EXPECT_NE(table.str().find("FAIL"), std::string::npos);
  EXPECT_NE(table.str().find("(1m ago)"), std::string::npos);
  ASSERT_TRUE(writeHistory(historyWords("MORE"), Output::Json, now, json, more, why)) << why;
  EXPECT_TRUE(more);
  auto j = nlohmann::json::parse(json.str());
  EXPECT_EQ(j["changes"][0]["serial"], 7);
  EXPECT_EQ(j["changes"][0]["attrs"]["latency"], "12ms");
  EXPECT_EQ(j["more"], true);
  ASSERT_TRUE(writeHistory(historyWords("ALL"), Output::Csv, now, csv, more, why)) << why;
  EXPECT_EQ(csv.str(),
            "serial,since,since_iso,name,state,prev,origin,note,attrs\r\n"
            "7,1763784000000000,2025-11-22T04:00:00.000000Z,www,FAIL,UP,hc,\"HTTP 503, \"\"bad\"\"\",latency=12ms\r\n");
  EXPECT_FALSE(writeHistory({"SOME"}, Output::Table, now, table, more, why));
  EXPECT_FALSE(writeHistory({"ALL", "serial"}, Output::Table, now, table, more, why));
  EXPECT_NE(why.find("change"), std::string::npos) << why;
}

TEST(FailcHistory, ReportAsCsv) {
  history::Availability a;
  a.up = 3'000'000'000;
  a.down = 1'000'000'000;
  a.outages = 1;
  a.longest = 1'000'000'000;
  a.recoveries = 1;
  a.recovering = 1'000'000'000;
  std::string line = "0 4000000000";
  history::appendAvailability(line, "www", a);
  std::vector<std::string> words;
  ASSERT_TRUE(proto::splitList(line, words));
  std::ostringstream csv;
  std::string why;
  ASSERT_TRUE(writeReport(words, Output::Csv, csv, why)) << why;
  EXPECT_EQ(csv.str(),
            "name,from_iso,to_iso,up_percent,unknown_percent,up_ms,recover_ms,down_ms,unknown_ms,"
            "absent_ms,outages,longest_ms,recoveries,mttr_ms\r\n"
            "www,1970-01-01T00:00:00.000000Z,1970-01-01T01:06:40.000000Z,75.000,0.000,3000000,0,"
            "1000000,0,0,1,1000000,1,1000000\r\n");
  EXPECT_FALSE(writeReport({"0"}, Output::Csv, csv, why));
}

}  // namespace
}  // namespace fail::client
