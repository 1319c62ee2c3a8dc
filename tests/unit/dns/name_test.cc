// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/name.hh"

#include <gtest/gtest.h>

namespace fail::dns {
namespace {

TEST(DnsName, CanonicalIsLowercaseWithoutTheTrailingDot) {
  std::string c;
  ASSERT_TRUE(parseName("WWW.Example.COM.", c));
  EXPECT_EQ(c, "www.example.com");
  ASSERT_TRUE(parseName("_sip._tcp.example.com", c));
  EXPECT_EQ(c, "_sip._tcp.example.com");
  ASSERT_TRUE(parseName(".", c));
  EXPECT_EQ(c, "");
}

TEST(DnsName, RejectsWhatCannotBeOnTheWireAndQuotesIt) {
  std::string c, err;
  EXPECT_FALSE(parseName("a..b", c, &err));
  EXPECT_NE(err.find("\"a..b\""), std::string::npos) << err;
  EXPECT_FALSE(parseName(std::string(64, 'a') + ".com", c, &err));
  EXPECT_NE(err.find("63"), std::string::npos) << err;
  std::string longName;
  for (int i = 0; i < 5; ++i) longName += std::string(60, 'x') + ".";
  EXPECT_FALSE(parseName(longName, c, &err));
  EXPECT_NE(err.find("255"), std::string::npos) << err;
  EXPECT_FALSE(parseName("bad name", c, &err));
  EXPECT_FALSE(parseName("", c, &err));
}

TEST(DnsName, InZoneMatchesWholeLabelsOnly) {
  EXPECT_TRUE(inZone("www.example.com", "example.com"));
  EXPECT_TRUE(inZone("example.com", "example.com"));
  EXPECT_FALSE(inZone("wwwexample.com", "example.com"));
  EXPECT_FALSE(inZone("com", "example.com"));
  EXPECT_TRUE(inZone("anything", ""));
}

}  // namespace
}  // namespace fail::dns
