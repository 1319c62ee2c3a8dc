// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include <gtest/gtest.h>

#include "base/cli.hh"
#include "base/text.hh"
#include "base/time.hh"

namespace fail {

TEST(Duration, ParsesUnitsAndSums) {
  EXPECT_EQ(parseDurationMs("500ms"), 500);
  EXPECT_EQ(parseDurationMs("3s"), 3000);
  EXPECT_EQ(parseDurationMs("5"), 5000);
  EXPECT_EQ(parseDurationMs("2m"), 120000);
  EXPECT_EQ(parseDurationMs("1m30s"), 90000);
  EXPECT_EQ(parseDurationMs("1d"), 86400000);
  EXPECT_EQ(parseDurationMs("2921504606846967s"), 2921504606846967000);
  EXPECT_EQ(parseDurationMs("0"), 0);
  for (const char* bad : {"", "s", "-1s", "3x", "1.5s", "ms", "99999999999999999999s", "3 s"})
    EXPECT_FALSE(parseDurationMs(bad)) << bad;
}

TEST(Duration, FormatsShortestExactForm) {
  EXPECT_EQ(formatDurationMs(0), "0");
  EXPECT_EQ(formatDurationMs(1500), "1500ms");
  EXPECT_EQ(formatDurationMs(3000), "3s");
  EXPECT_EQ(formatDurationMs(90000), "90s");
  EXPECT_EQ(formatDurationMs(120000), "2m");
  EXPECT_EQ(formatDurationMs(7200000), "2h");
  for (std::int64_t ms : {1, 999, 1000, 61000, 3600000, 86400000})
    EXPECT_EQ(parseDurationMs(formatDurationMs(ms)), ms);
}

TEST(Duration, AgeForPeople) {
  EXPECT_EQ(formatAge(0), "0s");
  EXPECT_EQ(formatAge(59'000'000), "59s");
  EXPECT_EQ(formatAge(192'000'000), "3m12s");
  EXPECT_EQ(formatAge(7'500'000'000), "2h5m");
}

TEST(Text, NameRules) {
  EXPECT_TRUE(validName("web1@fra"));
  EXPECT_TRUE(validName("host:a/b_c-d.e"));
  EXPECT_FALSE(validName(""));
  EXPECT_FALSE(validName("a b"));
  EXPECT_FALSE(validName("a*"));
  EXPECT_FALSE(validName(std::string(256, 'a')));
  EXPECT_TRUE(validName(std::string(255, 'a')));
}

TEST(Text, GlobAndUtf8) {
  EXPECT_TRUE(globMatch("*", "anything"));
  EXPECT_TRUE(globMatch("web*@fra", "web12@fra"));
  EXPECT_FALSE(globMatch("web?", "web12"));
  EXPECT_TRUE(globMatch("[a-c]x", "bx"));
  EXPECT_TRUE(validUtf8("h\xc3\xa9llo"));
  size_t at = 0;
  EXPECT_FALSE(validUtf8("ab\xc3", &at));
  EXPECT_EQ(at, 2u);
  EXPECT_FALSE(validUtf8("\xed\xa0\x80"));  // a surrogate
  EXPECT_FALSE(validUtf8("\xc0\x80"));      // overlong NUL
  EXPECT_EQ(printable("a\nb"), "a\\x0ab");
}

TEST(Cli, TableDrivesParsingAndHelp) {
  std::string state;
  bool mem = false;
  std::vector<cli::Option> opts = {
      {"state", 's', "FILE", "state file", [&](const std::string& v) { state = v; }},
      {"memory", 0, nullptr, "no file", [&](const std::string&) { mem = true; }},
  };
  const char* argv[] = {"prog", "-s", "x.state", "--memory", "operand"};
  auto rest = cli::parse(5, const_cast<char**>(argv), opts);
  EXPECT_EQ(state, "x.state");
  EXPECT_TRUE(mem);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0], "operand");
  const char* bad[] = {"prog", "--nope"};
  EXPECT_THROW(cli::parse(2, const_cast<char**>(bad), opts), cli::UsageError);
  const char* missing[] = {"prog", "--state"};
  EXPECT_THROW(cli::parse(2, const_cast<char**>(missing), opts), cli::UsageError);
  EXPECT_NE(cli::help(opts).find("-s, --state FILE"), std::string::npos);
}

}  // namespace fail
