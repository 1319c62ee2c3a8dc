// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// compactOnStop: a clean stop leaves a compacted state file when the journal had grown.
#include "state/compact_on_stop.hh"

#include "state/journal_format.hh"
#include "state/store.hh"
#include "tests/unit/state/journal_test.hh"

namespace fail::state::testing {
namespace {

class CompactOnStopTest : public JournalTest {
 protected:
  std::unique_ptr<Store> openStore() {
    Recovery r;
    auto j = open(r);
    journal_ = j.get();
    return std::make_unique<Store>(std::move(j), std::move(r), Store::Options{}, 0);
  }
  void set(Store& s, const std::string& name, State state, const std::string& note) {
    SetInput in;
    in.name = name;
    in.state = state;
    in.note = note;
    in.origin = "test";
    std::uint64_t serial = 0;
    bool called = false;
    s.set(std::move(in), 1000, 0, [&](bool, std::uint64_t, const std::string&) { called = true; },
          serial);
    ASSERT_TRUE(pump(*journal_, [&] { return called; }));
  }
  Journal* journal_ = nullptr;
};

TEST_F(CompactOnStopTest, AGrownJournalIsRewrittenAsOneLinePerRecord) {
  auto store = openStore();
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 5; ++i)
      set(*store, "svc" + std::to_string(i), round % 2 ? State::Up : State::Fail,
          "round " + std::to_string(round));
  }
  bool deleted = false;
  store->del("svc4", 1000, [&](bool, std::uint64_t, const std::string&) { deleted = true; });
  ASSERT_TRUE(pump(*journal_, [&] { return deleted; }));
  store->flush();
  std::uint64_t last = store->publishedSerial();

  StopCompaction sc = compactOnStop(*store);
  EXPECT_TRUE(sc.compacted) << sc.error;
  EXPECT_EQ(sc.error, "");
  EXPECT_EQ(sc.records, 4u);
  EXPECT_LT(sc.after, sc.before);
  std::string file = slurp(path_);
  EXPECT_EQ(file.size(), sc.after);
  EXPECT_EQ(journal_->size(), sc.after);
  format::Contents c = format::parse(file, path_);
  EXPECT_TRUE(c.problems.empty());
  EXPECT_TRUE(c.changes.empty()) << "only R lines after the header";
  EXPECT_EQ(c.base, last);
  EXPECT_EQ(c.records.size(), 4u);

  // Already compact: nothing is written again.
  StopCompaction again = compactOnStop(*store);
  EXPECT_FALSE(again.compacted);
  EXPECT_EQ(again.error, "");

  store.reset();
  Recovery r;
  auto j = open(r);
  EXPECT_TRUE(r.problems.empty());
  ASSERT_EQ(r.records.size(), 4u);
  EXPECT_EQ(r.base, last);
  EXPECT_TRUE(r.changes.empty());
  ASSERT_NE(find(r, "svc0"), nullptr);
  EXPECT_EQ(find(r, "svc0")->note, "round 19");
  EXPECT_EQ(find(r, "svc4"), nullptr);
  EXPECT_GE(r.ceiling, last);
}

TEST_F(CompactOnStopTest, NothingWithoutAJournal) {
  Store store(nullptr, Recovery{}, Store::Options{}, 0);
  StopCompaction sc = compactOnStop(store);
  EXPECT_FALSE(sc.compacted);
  EXPECT_EQ(sc.error, "");
}

}  // namespace
}  // namespace fail::state::testing
