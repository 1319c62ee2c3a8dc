// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "state/version_pool.hh"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <thread>
#include <vector>

namespace fail::state {
namespace {

TEST(VersionPool, AFreedBlockServesTheNextOfItsSize) {
  if (!versionpool::pooling()) GTEST_SKIP() << "blocks come from operator new in this build";
  void* a = versionpool::allocate(213);
  versionpool::Stats before = versionpool::stats();
  versionpool::release(a, 213);
  versionpool::Stats freed = versionpool::stats();
  EXPECT_EQ(freed.usedBytes, before.usedBytes - 216);  // counted to 8 bytes
  EXPECT_EQ(freed.freeBytes, before.freeBytes + 216);
  void* b = versionpool::allocate(210);  // rounds to the same 216
  EXPECT_EQ(b, a);
  EXPECT_EQ(versionpool::stats().freeBytes, before.freeBytes);
  void* c = versionpool::allocate(220);  // another size: another block
  EXPECT_NE(c, a);
  versionpool::release(b, 210);
  versionpool::release(c, 220);
}

TEST(VersionPool, LargeBlocksAreNotPooled) {
  versionpool::Stats before = versionpool::stats();
  void* p = versionpool::allocate(versionpool::kMaxPooled + 1);
  std::memset(p, 0x5a, versionpool::kMaxPooled + 1);
  EXPECT_EQ(versionpool::stats().usedBytes, before.usedBytes);
  versionpool::release(p, versionpool::kMaxPooled + 1);
  EXPECT_EQ(versionpool::stats().freeBytes, before.freeBytes);
}

// Blocks of many sizes, across several slabs: aligned, apart, and each keeps its bytes.
TEST(VersionPool, BlocksAreAlignedAndDoNotOverlap) {
  std::vector<std::pair<unsigned char*, size_t>> blocks;
  for (int i = 0; i < 20000; ++i) {
    size_t n = 1 + static_cast<size_t>(i * 37 % versionpool::kMaxPooled);
    auto* p = static_cast<unsigned char*>(versionpool::allocate(n));
    ASSERT_EQ(reinterpret_cast<std::uintptr_t>(p) % 8, 0u);
    std::memset(p, i & 0xff, n);
    blocks.emplace_back(p, n);
  }
  std::map<unsigned char*, size_t> spans;
  for (auto [p, n] : blocks) spans[p] = n;
  ASSERT_EQ(spans.size(), blocks.size());
  unsigned char* end = nullptr;
  for (auto [p, n] : spans) {
    EXPECT_GE(p, end);
    end = p + n;
  }
  for (size_t i = 0; i < blocks.size(); ++i) {
    auto [p, n] = blocks[i];
    for (size_t j = 0; j < n; ++j) ASSERT_EQ(p[j], i & 0xff) << i;
    versionpool::release(p, n);
  }
}

// The journal's thread lets go of versions while the loop thread makes new ones.
TEST(VersionPool, ReleasedFromAnotherThread) {
  constexpr int kBlocks = 50000;
  std::vector<void*> made(kBlocks);
  for (auto& p : made) p = versionpool::allocate(120);
  std::thread other([&] {
    for (void* p : made) versionpool::release(p, 120);
  });
  std::vector<void*> mine;
  for (int i = 0; i < kBlocks; ++i) mine.push_back(versionpool::allocate(120));
  other.join();
  for (void* p : mine) versionpool::release(p, 120);
  SUCCEED();
}

}  // namespace
}  // namespace fail::state
