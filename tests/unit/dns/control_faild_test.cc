// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/control_faild.hh"

#include <gtest/gtest.h>

namespace fail::dns {
namespace {

MemberView member(const std::string& address, bool in, const std::string& why) {
  MemberView m;
  m.address = address;
  m.in = in;
  m.why = why;
  return m;
}

TEST(FaildFeed, NoteSaysWhy) {
  PoolView v;
  v.name = "www.example.com";
  v.members = {member("203.0.113.10", true, "UP"), member("203.0.113.20", false, "FAIL")};
  EXPECT_EQ(FaildFeed::note(v), "1 of 2 members in (out: 203.0.113.20 FAIL)");
  v.members[0] = member("203.0.113.10", false, "forced down");
  v.allDown = true;
  EXPECT_EQ(FaildFeed::note(v), "all 2 members out (out: 203.0.113.10 forced down, 203.0.113.20 FAIL)");
  EXPECT_EQ(FaildFeed::recordName(v.name), "dns:www.example.com");
}

}  // namespace
}  // namespace fail::dns
