// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "http/target.hh"

#include <gtest/gtest.h>

namespace fail::http {
namespace {

TEST(HttpTarget, SplitsAndDecodes) {
  Target t;
  std::string err;
  ASSERT_TRUE(parseTarget("/v1/records/web%2F1?pattern=w%2A&since=1h&x+y=a+b&flag", t, err)) << err;
  EXPECT_EQ(t.path, "/v1/records/web/1");
  ASSERT_EQ(t.query.size(), 4u);
  EXPECT_EQ(t.query[0], (std::pair<std::string, std::string>("pattern", "w*")));
  EXPECT_EQ(t.query[1].second, "1h");
  EXPECT_EQ(t.query[2], (std::pair<std::string, std::string>("x y", "a b")));
  EXPECT_EQ(t.query[3], (std::pair<std::string, std::string>("flag", "")));
}

TEST(HttpTarget, PlusIsLiteralInThePath) {
  Target t;
  std::string err;
  ASSERT_TRUE(parseTarget("/a+b", t, err));
  EXPECT_EQ(t.path, "/a+b");
}

TEST(HttpTarget, RejectsGarbageSayingWhat) {
  Target t;
  std::string err;
  EXPECT_FALSE(parseTarget("v1/records", t, err));
  EXPECT_NE(err.find("start with '/'"), std::string::npos);
  EXPECT_FALSE(parseTarget("/v1/%zz", t, err));
  EXPECT_NE(err.find("%-escape in the path"), std::string::npos);
  EXPECT_FALSE(parseTarget("/v1/%4", t, err));
  EXPECT_FALSE(parseTarget("/v1/%00x", t, err));
  EXPECT_NE(err.find("control character"), std::string::npos);
  EXPECT_FALSE(parseTarget("/v1/../etc", t, err));
  EXPECT_NE(err.find("'..'"), std::string::npos);
  EXPECT_FALSE(parseTarget("/v1?a=%g1", t, err));
  EXPECT_NE(err.find("query parameter 1"), std::string::npos);
  std::string many = "/?";
  for (int i = 0; i < 70; ++i) many += "a=1&";
  EXPECT_FALSE(parseTarget(many, t, err));
  EXPECT_NE(err.find("more than 64"), std::string::npos);
}

}  // namespace
}  // namespace fail::http
