// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The pure parts of follow: the wanted RRset (a table) and the checks of a spec. The
// rounds against real servers are in tests/integration/dns_update_lib_test.cc.
#include "dns/follow.hh"

#include <gtest/gtest.h>

#include <map>

namespace fail::dns {
namespace {

using proto::State;
using V = std::vector<std::string>;

FollowSpec spec(FollowSelect select, FollowAllDown allDown) {
  FollowSpec s;
  s.name = "www.example.test";
  s.zone = "example.test";
  s.select = select;
  s.allDown = allDown;
  s.members = {{"203.0.113.10", "web1"}, {"203.0.113.20", "web2"}, {"203.0.113.30", "web3"}};
  s.server = *net::resolveHostPort("127.0.0.1:53");
  return s;
}

TEST(Follow, WantedRecordsTable) {
  struct Row {
    FollowSelect select;
    FollowAllDown allDown;
    std::map<std::string, State> states;
    std::optional<V> want;
  };
  const State U = State::Up, F = State::Fail, R = State::Recover, X = State::Unknown;
  Row rows[] = {
      {FollowSelect::All, FollowAllDown::All, {{"web1", U}, {"web2", U}, {"web3", U}},
       V{"203.0.113.10", "203.0.113.20", "203.0.113.30"}},
      {FollowSelect::All, FollowAllDown::All, {{"web1", F}, {"web2", U}, {"web3", R}}, V{"203.0.113.20"}},
      {FollowSelect::All, FollowAllDown::All, {{"web1", F}, {"web2", X}, {"web3", R}},
       V{"203.0.113.10", "203.0.113.20", "203.0.113.30"}},
      {FollowSelect::All, FollowAllDown::None, {{"web1", F}, {"web2", F}, {"web3", F}}, V{}},
      {FollowSelect::All, FollowAllDown::Keep, {{"web1", F}, {"web2", F}, {"web3", F}}, std::nullopt},
      {FollowSelect::All, FollowAllDown::Keep, {}, std::nullopt},  // records never seen are not UP
      {FollowSelect::Priority, FollowAllDown::All, {{"web1", U}, {"web2", U}, {"web3", U}}, V{"203.0.113.10"}},
      {FollowSelect::Priority, FollowAllDown::All, {{"web1", F}, {"web2", F}, {"web3", U}}, V{"203.0.113.30"}},
      {FollowSelect::Priority, FollowAllDown::All, {{"web1", F}, {"web2", F}, {"web3", F}},
       V{"203.0.113.10", "203.0.113.20", "203.0.113.30"}},
      {FollowSelect::Priority, FollowAllDown::None, {{"web1", F}, {"web2", F}, {"web3", F}}, V{}},
  };
  for (const auto& row : rows) {
    auto s = spec(row.select, row.allDown);
    auto got = wantedRecords(s, [&](const std::string& r) {
      auto it = row.states.find(r);
      return it == row.states.end() ? State::Unknown : it->second;
    });
    EXPECT_EQ(got, row.want);
  }
}

TEST(Follow, AMemberWithoutACheckIsAlwaysIn) {
  auto s = spec(FollowSelect::Priority, FollowAllDown::None);
  s.members.push_back({"203.0.113.40", ""});
  auto got = wantedRecords(s, [](const std::string&) { return State::Fail; });
  EXPECT_EQ(got, V{"203.0.113.40"});
}

TEST(Follow, ValidSpecs) {
  std::string err;
  auto s = spec(FollowSelect::All, FollowAllDown::All);
  EXPECT_TRUE(validFollowSpec(s, &err)) << err;
  s.name = "www.example.com";
  EXPECT_FALSE(validFollowSpec(s, &err));
  EXPECT_EQ(err, "www.example.com is not in zone example.test");
  s = spec(FollowSelect::All, FollowAllDown::All);
  s.members.push_back({"2001:db8::1", "web4"});
  EXPECT_FALSE(validFollowSpec(s, &err));
  EXPECT_EQ(err, "www.example.test: member \"2001:db8::1\" is not an IPv4 address (the members of one name are of one family)");
  s.members = {{"2001:db8::1", ""}, {"2001:db8::2", ""}};
  EXPECT_TRUE(validFollowSpec(s, &err)) << err;
  s.members = {};
  EXPECT_FALSE(validFollowSpec(s, &err));
  EXPECT_EQ(err, "www.example.test: -members is empty");
  s.members = {{"203.0.113.1", ""}, {"203.0.113.1", "x"}};
  EXPECT_FALSE(validFollowSpec(s, &err));
  EXPECT_EQ(err, "www.example.test: member 203.0.113.1 is listed twice");
  s = spec(FollowSelect::All, FollowAllDown::All);
  s.server = {};
  EXPECT_FALSE(validFollowSpec(s, &err));
  EXPECT_EQ(err, "www.example.test: no -server");
}

TEST(Follow, OutcomeNames) {
  EXPECT_STREQ(outcomeName(FollowOutcome::Kind::Updated), "updated");
  EXPECT_STREQ(outcomeName(FollowOutcome::Kind::InSync), "in-sync");
  EXPECT_STREQ(outcomeName(FollowOutcome::Kind::Failed), "failed");
  EXPECT_STREQ(outcomeName(FollowOutcome::Kind::Verified), "verified");
  EXPECT_STREQ(outcomeName(FollowOutcome::Kind::Lagging), "lagging");
}

}  // namespace
}  // namespace fail::dns
