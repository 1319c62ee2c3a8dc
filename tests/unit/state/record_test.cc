// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include <gtest/gtest.h>

#include "state/record.hh"

namespace fail::state {

TEST(Record, EncodeDecodeRoundTrip) {
  Record r;
  r.name = "web1@fra";
  r.state = State::Fail;
  r.serial = 42;
  r.since = 1763784000000000;
  r.ttlMs = 3000;
  r.origin = "hc fra";
  r.note = "HTTP 503\nbody {x}";
  mergeAttr(r.attrs, "latency", "12ms");
  mergeAttr(r.attrs, "addr", "");
  mergeAttr(r.attrs, "weight", "3");
  Record back;
  std::string err;
  ASSERT_TRUE(decodeRecord(encodeRecord(r), back, &err)) << err;
  EXPECT_EQ(back.name, r.name);
  EXPECT_EQ(back.state, State::Fail);
  EXPECT_EQ(back.serial, 42u);
  EXPECT_EQ(back.since, r.since);
  EXPECT_EQ(back.ttlMs, 3000);
  EXPECT_EQ(back.origin, r.origin);
  EXPECT_EQ(back.note, r.note);
  ASSERT_EQ(back.attrs.size(), 2u);
  EXPECT_EQ(back.attrs[0].first, "latency");
  EXPECT_EQ(back.attrs[1].second, "3");
  EXPECT_EQ(encodeRecord(r).find('\n'), std::string::npos);
}

TEST(Record, ParseStateIgnoresCase) {
  EXPECT_EQ(parseState("up"), State::Up);
  EXPECT_EQ(parseState("Recover"), State::Recover);
  EXPECT_EQ(parseState("UNKNOWN"), State::Unknown);
  EXPECT_FALSE(parseState("DOWN"));
  EXPECT_FALSE(parseState(""));
}

TEST(Record, MergeAttrKeepsOrderAndRemoves) {
  Attrs a;
  EXPECT_TRUE(mergeAttr(a, "b", "1"));
  EXPECT_TRUE(mergeAttr(a, "a", "2"));
  EXPECT_FALSE(mergeAttr(a, "a", "2"));
  EXPECT_EQ(a[0].first, "a");
  EXPECT_TRUE(mergeAttr(a, "a", ""));
  EXPECT_EQ(a.size(), 1u);
  EXPECT_FALSE(validAttrKey("bad key"));
  EXPECT_TRUE(validAttrKey("latency.ms"));
}

TEST(Record, DecodeRejectsGarbage) {
  Record r;
  std::string err;
  EXPECT_FALSE(decodeRecord("name {x", r, &err));
  EXPECT_FALSE(decodeRecord("name", r, &err));
  EXPECT_FALSE(decodeRecord("state UP", r, &err));
  EXPECT_FALSE(decodeRecord("name a state SOMETIMES", r, &err));
}

}  // namespace fail::state
