// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The counts and membership the Model keeps as records change (model.hh), which the
// screens read on every frame instead of walking every record.
#include <gtest/gtest.h>

#include "mon/model.hh"

namespace fail::mon {
namespace {

state::Record rec(std::string name, state::State st, std::uint64_t serial) {
  state::Record r;
  r.name = std::move(name);
  r.state = st;
  r.serial = serial;
  r.since = static_cast<Micros>(serial) * 1'000'000;
  return r;
}

void expectKept(const Model& m) {
  Counts all;
  for (std::size_t i = 0; i < m.size(); ++i) {
    Counts walked = Model::counts(m.at(i)), kept = m.counts(i);
    EXPECT_EQ(kept.up, walked.up);
    EXPECT_EQ(kept.recover, walked.recover);
    EXPECT_EQ(kept.fail, walked.fail);
    EXPECT_EQ(kept.unknown, walked.unknown);
    all.up += walked.up, all.recover += walked.recover, all.fail += walked.fail, all.unknown += walked.unknown;
  }
  EXPECT_EQ(m.counts().total(), all.total());
  EXPECT_EQ(m.counts().fail, all.fail);
  EXPECT_EQ(m.counts().up, all.up);
}

TEST(MonModelCounts, KeptAsRecordsComeChangeAndGo) {
  Model m;
  m.add("a");
  m.add("b");
  m.connected(0, "faild", "1", 1);
  m.listing(0);
  m.record(0, rec("x", state::State::Up, 1));
  m.record(0, rec("y", state::State::Fail, 2));
  m.record(0, rec("y", state::State::Fail, 2));  // listed again: no double count
  m.synced(0, 2, 3);
  expectKept(m);
  EXPECT_EQ(m.counts(0).fail, 1u);
  std::uint64_t membership = m.at(0).membership;
  m.change(0, 3, rec("x", state::State::Recover, 3));
  EXPECT_EQ(m.at(0).membership, membership);  // a change is not a membership change
  expectKept(m);
  m.change(0, 4, rec("z", state::State::Unknown, 4));
  EXPECT_GT(m.at(0).membership, membership);
  membership = m.at(0).membership;
  expectKept(m);
  m.erase(0, 5, "y", 5);
  EXPECT_GT(m.at(0).membership, membership);
  membership = m.at(0).membership;
  expectKept(m);
  m.erase(0, 6, "nothing", 6);
  EXPECT_EQ(m.at(0).membership, membership);
  // A new listing that drops x: gone at SYNCED.
  m.down(0, "gone", 7);
  m.connected(0, "faild", "1", 8);
  m.listing(0);
  m.record(0, rec("z", state::State::Up, 9));
  m.synced(0, 9, 9);
  EXPECT_GT(m.at(0).membership, membership);
  expectKept(m);
  EXPECT_EQ(m.counts(0).total(), 1u);
  m.record(1, rec("w", state::State::Fail, 1));
  expectKept(m);
  EXPECT_EQ(m.counts().fail, 1u);
}

}  // namespace
}  // namespace fail::mon
