// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// compactOnStop: a clean stop leaves a compacted state file when the journal had grown
// beyond it, keeping the change history that WATCH since= needs.
#include "state/compact_on_stop.hh"

#include "state/journal_format.hh"
#include "state/store.hh"
#include "tests/unit/state/journal_test.hh"

namespace fail::state::testing {
namespace {

class CompactOnStopTest : public JournalTest {
 protected:
  std::unique_ptr<Store> openStore(size_t history, Recovery* seen = nullptr) {
    Recovery r;
    auto j = open(r);
    if (seen) *seen = r;
    journal_ = j.get();
    Store::Options o;
    o.historyMax = history;
    return std::make_unique<Store>(std::move(j), std::move(r), o, 0);
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
  // 100 changes to 5 records, then svc4 deleted.
  void load(Store& s) {
    for (int round = 0; round < 20; ++round)
      for (int i = 0; i < 5; ++i)
        set(s, "svc" + std::to_string(i), round % 2 ? State::Up : State::Fail,
            "round " + std::to_string(round));
    bool deleted = false;
    s.del("svc4", 1000, [&](bool, std::uint64_t, const std::string&) { deleted = true; });
    ASSERT_TRUE(pump(*journal_, [&] { return deleted; }));
    s.flush();
  }
  static std::vector<std::uint64_t> serialsSince(const Store& s, std::uint64_t since) {
    std::vector<std::uint64_t> out;
    EXPECT_TRUE(s.changesSince(since, [&](const Published& p) { out.push_back(p.serial()); }));
    return out;
  }
  Journal* journal_ = nullptr;
};

TEST_F(CompactOnStopTest, AGrownJournalKeepsTheHistoryAndOneLinePerRecord) {
  auto store = openStore(10);
  load(*store);
  std::uint64_t last = store->publishedSerial();
  std::uint64_t from = store->historyBase();
  ASSERT_EQ(from, last - 10);
  std::vector<std::uint64_t> held = serialsSince(*store, from);

  StopCompaction sc = compactOnStop(*store);
  EXPECT_TRUE(sc.compacted) << sc.error;
  EXPECT_EQ(sc.error, "");
  EXPECT_EQ(sc.records, 4u);
  EXPECT_LT(sc.after, sc.before);
  std::string file = slurp(path_);
  EXPECT_EQ(file.size(), sc.after);
  EXPECT_EQ(journal_->size(), sc.after);
  format::Contents c = format::parse(file, path_);
  EXPECT_TRUE(c.problems.empty()) << c.problems[0];
  EXPECT_EQ(c.base, from);
  EXPECT_EQ(c.changes.size(), 10u);  // the history, the DEL last
  EXPECT_TRUE(c.changes.back()->deleted());
  EXPECT_EQ(c.records.size(), 4u);

  // Already compact: nothing is written again.
  StopCompaction again = compactOnStop(*store);
  EXPECT_FALSE(again.compacted);
  EXPECT_EQ(again.error, "");

  store.reset();
  Recovery r;
  store = openStore(10, &r);
  EXPECT_TRUE(r.problems.empty());
  ASSERT_EQ(r.records.size(), 4u);
  EXPECT_EQ(r.base, from);
  EXPECT_GE(r.ceiling, last);
  ASSERT_NE(store->get("svc0"), nullptr);
  EXPECT_EQ(store->get("svc0")->note(), "round 19");
  EXPECT_EQ(store->get("svc0")->state(), State::Up);
  EXPECT_EQ(store->get("svc4"), nullptr);
  EXPECT_GE(store->publishedSerial(), last);  // serials go on above the mark
  EXPECT_EQ(serialsSince(*store, from), held) << "WATCH since= must see the same changes";
}

TEST_F(CompactOnStopTest, AJournalHoldingNoMoreThanTheHistoryIsLeftAsItIs) {
  auto store = openStore(20000);
  load(*store);
  std::string before = slurp(path_);
  StopCompaction sc = compactOnStop(*store);
  EXPECT_FALSE(sc.compacted);
  EXPECT_EQ(sc.error, "");
  EXPECT_GE(sc.after, sc.before);
  EXPECT_EQ(slurp(path_), before);
}

TEST_F(CompactOnStopTest, NothingWithoutAJournal) {
  Store store(nullptr, Recovery{}, Store::Options{}, 0);
  StopCompaction sc = compactOnStop(store);
  EXPECT_FALSE(sc.compacted);
  EXPECT_EQ(sc.error, "");
}

}  // namespace
}  // namespace fail::state::testing
