// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Dump: LIST and WATCH replies in slices, with the store changing between slices.
#include "server/dump.hh"

#include <gtest/gtest.h>

#include "proto/list.hh"

namespace fail::server {
namespace {

using state::SetInput;
using state::State;

class DumpTest : public ::testing::Test {
 protected:
  state::Store store{nullptr, {}, {}, 0};
  access::Grant all = access::Grant::full();
  void set(const std::string& name, State st, const std::string& note = std::string(100, 'n')) {
    SetInput i;
    i.name = name;
    i.state = st;
    i.note = note;
    std::uint64_t serial = 0;
    store.set(std::move(i), 1000, 0, nullptr, serial);
  }
  // Lines of a whole reply, pumped with a small budget; `between` runs between slices.
  std::string run(Dump d, size_t budget, const std::function<void()>& between = [] {},
                  int* slices = nullptr) {
    std::string all;
    int n = 0;
    for (;;) {
      std::string out;
      auto st = d.pump(store, out, budget);
      ++n;
      EXPECT_LE(out.size(), budget + 400) << "slice " << n;
      all += out;
      if (st != Dump::Status::More) {
        EXPECT_EQ(st, Dump::Status::Done);
        break;
      }
      between();
    }
    if (slices) *slices = n;
    return all;
  }
};

TEST_F(DumpTest, ListInSlicesEqualsListInOne) {
  for (int i = 0; i < 100; ++i) set("r" + std::to_string(i), State::Up);
  std::string whole = run(Dump::list(store, "*", all), 1 << 30);
  int slices = 0;
  std::string sliced = run(Dump::list(store, "*", all), 1000, [] {}, &slices);
  EXPECT_GT(slices, 10);
  EXPECT_EQ(sliced, whole);
  std::vector<std::string> w;
  ASSERT_TRUE(proto::splitList(whole.substr(0, whole.size() - 1), w));
  EXPECT_EQ(w.size(), 102u);
}

TEST_F(DumpTest, WatchCatchesUpWithChangesMadeBetweenSlices) {
  for (int i = 0; i < 50; ++i) set("r" + std::to_string(i), State::Up);
  int k = 0;
  std::string out = run(Dump::watch(store, "*", all), 500, [&] {
    set("r" + std::to_string(k++ % 50), State::Fail);
  });
  // OK WATCH 50, 50 RECORD lines, then every change made meanwhile, then SYNCED.
  EXPECT_EQ(out.rfind("OK WATCH 50\n", 0), 0u);
  size_t records = 0, changes = 0;
  for (size_t at = out.find("\nRECORD "); at != std::string::npos; at = out.find("\nRECORD ", at + 1)) ++records;
  for (size_t at = out.find("\nCHANGE "); at != std::string::npos; at = out.find("\nCHANGE ", at + 1)) ++changes;
  EXPECT_EQ(records, 50u);
  EXPECT_EQ(changes, static_cast<size_t>(k));
  EXPECT_NE(out.find("SYNCED " + std::to_string(store.publishedSerial()) + "\n"), std::string::npos);
  EXPECT_EQ(out.back(), '\n');
}

TEST_F(DumpTest, WatchSinceIsGoneWhenTheHistoryMovesPast) {
  state::Store::Options o;
  o.historyMax = 10;
  state::Store small(nullptr, {}, o, 0);
  auto put = [&](int i) {
    SetInput in;
    in.name = "x";
    in.state = i % 2 ? State::Up : State::Fail;
    std::uint64_t serial = 0;
    small.set(std::move(in), 1000, 0, nullptr, serial);
  };
  for (int i = 0; i < 5; ++i) put(i);
  Dump d = Dump::watchSince(small, "*", all, 0);
  std::string out;
  EXPECT_EQ(d.pump(small, out, 1), Dump::Status::More);
  for (int i = 0; i < 20; ++i) put(i);
  std::string more;
  EXPECT_EQ(d.pump(small, more, 1 << 20), Dump::Status::Gone);
}

}  // namespace
}  // namespace fail::server
