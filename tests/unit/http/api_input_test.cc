// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// lib/api/input: what faild's HTTP API reads from a request, checked before anything is
// looked up.
#include "api/input.hh"

#include <gtest/gtest.h>

namespace fail::api {
namespace {

TEST(ApiInput, ASetBodyAsFailcSetGivesIt) {
  SetBody b;
  Refusal why;
  ASSERT_TRUE(parseSetBody(R"({"state":"fail","note":"HTTP 503","ttl":"90s","at":1700000000000000,
                               "attrs":{"z":"1","a":""}})",
                           b, why))
      << why.message;
  EXPECT_EQ(b.state, proto::State::Fail);
  EXPECT_EQ(b.note, "HTTP 503");
  EXPECT_EQ(b.ttlMs, 90000);
  EXPECT_EQ(b.at, 1700000000000000);
  ASSERT_EQ(b.attrs.size(), 2u);
  EXPECT_EQ(b.attrs[0], (std::pair<std::string, std::string>("a", "")));  // sorted; "" removes
  ASSERT_TRUE(parseSetBody(R"({"state":"UP","ttl_ms":1500})", b, why));
  EXPECT_EQ(b.ttlMs, 1500);
}

TEST(ApiInput, RefusesABodySayingWhatIsWrong) {
  struct Case {
    const char* body;
    int status;
    const char* code;
    const char* says;
  } cases[] = {
      {"", 400, "BADREQUEST", "malformed JSON at byte"},
      {"{\"state\":\"UP\"", 400, "BADREQUEST", "malformed JSON"},
      {"[1]", 400, "BADREQUEST", "must be a JSON object"},
      {"{}", 400, "BADREQUEST", "\"state\" is missing"},
      {"{\"state\":\"UP\",\"sate\":1}", 400, "BADREQUEST", "unknown field 'sate'"},
      {"{\"state\":7}", 400, "BADREQUEST", "\"state\" must be a string"},
      {"{\"state\":\"DOWN\"}", 422, "BADSTATE", "UP, RECOVER, FAIL or UNKNOWN"},
      {"{\"state\":\"UP\",\"ttl\":\"3x\"}", 422, "ARGS", "duration"},
      {"{\"state\":\"UP\",\"ttl\":\"3651d\"}", 422, "ARGS", "longest ttl"},
      {"{\"state\":\"UP\",\"ttl\":\"1s\",\"ttl_ms\":1}", 400, "BADREQUEST", "exclude each other"},
      {"{\"state\":\"UP\",\"ttl_ms\":-1}", 400, "BADREQUEST", "whole number"},
      {"{\"state\":\"UP\",\"ttl_ms\":1e400}", 400, "BADREQUEST", "malformed JSON"},
      {"{\"state\":\"UP\",\"note\":\"a\\nb\"}", 422, "ARGS", "control character"},
      {"{\"state\":\"UP\",\"attrs\":{\"ttl\":\"1\"}}", 422, "ARGS", "not ttl, note or at"},
      {"{\"state\":\"UP\",\"attrs\":{\"k\":1}}", 400, "BADREQUEST", "must be a string"},
      {"{\"state\":\"UP\",\"at\":-5}", 400, "BADREQUEST", "microseconds"},
      {"[[[[[[[[[[[[]]]]]]]]]]]]", 400, "BADREQUEST", "nested too deeply"},
  };
  for (const auto& c : cases) {
    SetBody b;
    Refusal why;
    EXPECT_FALSE(parseSetBody(c.body, b, why)) << c.body;
    EXPECT_EQ(why.status, c.status) << c.body;
    EXPECT_EQ(why.code, c.code) << c.body;
    EXPECT_NE(why.message.find(c.says), std::string::npos) << c.body << ": " << why.message;
  }
  std::string many = "{\"state\":\"UP\",\"attrs\":{";
  for (int i = 0; i < 33; ++i) many += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":\"v\"";
  SetBody b;
  Refusal why;
  EXPECT_FALSE(parseSetBody(many + "}}", b, why));
  EXPECT_NE(why.message.find("more than 32"), std::string::npos);
}

TEST(ApiInput, TimesAsTheHistoryTakesThem) {
  const Micros now = 1'800'000'000'000'000;
  EXPECT_EQ(parseTimeText("1h", now), now - 3'600'000'000LL);
  EXPECT_EQ(parseTimeText("-30d", now), now - 30LL * 86'400'000'000);
  EXPECT_EQ(parseTimeText("@1700000000", now), 1'700'000'000'000'000);
  EXPECT_EQ(parseTimeText("1700000000123456", now), 1'700'000'000'123'456);
  EXPECT_EQ(parseTimeText("2026-12-07T10:00:00Z", now), 1'796'637'600'000'000);
  EXPECT_EQ(parseTimeText("2026-12-07T10:00:00.25Z", now), 1'796'637'600'250'000);
  EXPECT_EQ(parseTimeText("2026-12-07", now), 1'796'601'600'000'000);
  for (const char* bad : {"", "yesterday", "-", "@", "@x", "2026-13-01", "2026-12-07T25:00:00Z",
                          "2026-12-07T10:00:00", "1h30"})
    EXPECT_FALSE(parseTimeText(bad, now)) << bad;
}

TEST(ApiInput, QueryParametersAndHeaders) {
  http::Request r;
  Refusal why;
  std::string pattern;
  ASSERT_TRUE(patternParam(r, pattern, why));
  EXPECT_EQ(pattern, "*");
  r.query = {{"pattern", std::string(300, 'x')}};
  EXPECT_FALSE(patternParam(r, pattern, why));
  r.query = {{"limit", "0"}};
  size_t limit = 0;
  EXPECT_FALSE(limitParam(r, 100, limit, why));
  r.query = {{"limit", "100"}};
  ASSERT_TRUE(limitParam(r, 100, limit, why));
  EXPECT_EQ(limit, 100u);
  r.query = {{"since", "7"}};
  std::optional<std::uint64_t> serial;
  ASSERT_TRUE(resumeSerial(r, serial, why));
  EXPECT_EQ(serial, 7u);
  r.headers = {{"last-event-id", "9"}};  // the header wins: it is the newer
  ASSERT_TRUE(resumeSerial(r, serial, why));
  EXPECT_EQ(serial, 9u);
  r.headers = {{"Last-Event-ID", "nine"}};
  EXPECT_FALSE(resumeSerial(r, serial, why));
  EXPECT_NE(why.message.find("Last-Event-ID"), std::string::npos);
  r.query = {{"pattern", "*"}, {"colour", "red"}};
  EXPECT_FALSE(onlyParams(r, {"pattern"}, why));
  EXPECT_NE(why.message.find("'colour' (pattern)"), std::string::npos);
  r.headers = {{"authorization", "bearer  s3cret "}};
  EXPECT_EQ(bearerSecret(r), "s3cret");
  r.headers = {{"Authorization", "Basic eDp5"}};
  EXPECT_EQ(bearerSecret(r), "");
  r.headers = {};
  EXPECT_FALSE(bearerSecret(r));
  EXPECT_TRUE(checkName("host:db/primary", why));
  EXPECT_FALSE(checkName("", why));
  EXPECT_EQ(why.status, 422);
}

}  // namespace
}  // namespace fail::api
