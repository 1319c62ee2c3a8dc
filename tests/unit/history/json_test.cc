// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "history/json.hh"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "state/json.hh"

namespace fail::history {
namespace {

TEST(HistoryJson, AChangeWithEveryField) {
  Change c;
  c.serial = 42;
  c.name = "www";
  c.state = "FAIL";
  c.prev = "UP";
  c.note = "HTTP 503";
  c.origin = "hc";
  c.since = 1'763'784'000'000'000;
  c.attrs = "latency 12\\ ms weight 3";
  EXPECT_EQ(state::dumpJson(changeJson(c)),
            R"({"serial":42,"name":"www","state":"FAIL","prev":"UP","since":1763784000000000,)"
            R"("since_iso":"2025-11-22T04:00:00.000000Z","origin":"hc","note":"HTTP 503",)"
            R"("attrs":{"latency":"12 ms","weight":"3"}})");
  c.state = kDeleted;
  c.attrs = "";
  auto j = changeJson(c);
  EXPECT_EQ(j["state"], "DELETED");
  EXPECT_TRUE(j["attrs"].is_object());
  EXPECT_TRUE(j["attrs"].empty());
}

TEST(HistoryJson, AnAvailabilityRow) {
  Availability a;
  a.up = 3'000'000'000;      // 50 min
  a.recover = 600'000'000;   // 10 min
  a.down = 400'000'000;
  a.unknown = 1'000'000'000;
  a.absent = 1'000'000'000;
  a.outages = 2;
  a.longest = 300'000'000;
  a.recoveries = 2;
  a.recovering = 400'000'000;
  auto j = availabilityJson("www", a, 0, 6'000'000'000);
  EXPECT_EQ(j["name"], "www");
  EXPECT_EQ(j["from_iso"], "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(j["to"], 6'000'000'000);
  EXPECT_DOUBLE_EQ(j["up_percent"].get<double>(), 90.0);
  EXPECT_DOUBLE_EQ(j["unknown_percent"].get<double>(), 20.0);
  EXPECT_EQ(j["up"], "50m");
  EXPECT_EQ(j["up_ms"], 3'000'000);
  EXPECT_EQ(j["down_ms"], 400'000);
  EXPECT_EQ(j["absent_ms"], 1'000'000);
  EXPECT_EQ(j["outages"], 2);
  EXPECT_EQ(j["longest"], "5m");
  EXPECT_EQ(j["recoveries"], 2);
  EXPECT_EQ(j["mttr_ms"], 200'000);
  // Nothing seen: no percentages (null, not 0).
  auto none = availabilityJson("db", Availability{.absent = 10}, 0, 10);
  EXPECT_TRUE(none["up_percent"].is_null());
  EXPECT_TRUE(none["unknown_percent"].is_null());
}

}  // namespace
}  // namespace fail::history
