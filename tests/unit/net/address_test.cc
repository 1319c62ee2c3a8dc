// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// lib/net's addresses: HOST:PORT texts and numeric resolution (no resolver involved).
#include "net/address.hh"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace fail::net {
namespace {

TEST(NetAddress, SplitHostPort) {
  std::string h;
  std::uint16_t p = 0;
  EXPECT_TRUE(splitHostPort("127.0.0.1:80", h, p));
  EXPECT_EQ(h, "127.0.0.1");
  EXPECT_EQ(p, 80);
  EXPECT_TRUE(splitHostPort("[::1]:8080", h, p));
  EXPECT_EQ(h, "::1");
  EXPECT_EQ(p, 8080);
  EXPECT_TRUE(splitHostPort("::1", h, p, 53));
  EXPECT_EQ(h, "::1");
  EXPECT_EQ(p, 53);
  EXPECT_TRUE(splitHostPort("www.example.com", h, p, 443));
  EXPECT_EQ(p, 443);
  for (const char* bad : {"127.0.0.1", "127.0.0.1:", ":80", "h:0", "h:65536", "[::1", "[::1]x", "h:8x"})
    EXPECT_FALSE(splitHostPort(bad, h, p)) << bad;
}

TEST(NetAddress, ResolveNumeric) {
  auto a = resolveHostPort("127.0.0.1:1850");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->text(), "127.0.0.1:1850");
  auto b = resolve("::1", 53);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->text(), "[::1]:53");
  std::string err;
  EXPECT_FALSE(resolveHostPort("x:99999", 0, &err));
  EXPECT_NE(err.find("HOST:PORT"), std::string::npos);
}

}  // namespace
}  // namespace fail::net
