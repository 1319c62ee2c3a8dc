// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Where versions (state/version.hh) live: blocks carved from slabs of their own, apart
// from the heap where each request's passing allocations come and go.
//
// Why: a version lives as long as its record; the parsed request, the reply and the
// journal's entry made along with it live a few milliseconds. Sharing one heap, malloc
// puts new versions into the holes those passing blocks leave behind, and the rest of
// each hole, too small for the next version, stays empty between records: 100,000
// records loaded 16 connections × 32 in flight left 16,600 such holes, 3.7 MB, 15% of
// the heap, that no trim can give back. Here a freed block waits for the next version of
// its size, and a block costs its size rounded up to 8 bytes (malloc: to 16, plus 8 of
// its own per block).
//
// Slabs are never given back: a store that shrinks keeps its blocks for the versions
// that come next. Thread-safe (the journal's thread lets go of versions too). Blocks
// larger than kMaxPooled, and every block in a build with AddressSanitizer (so that it
// sees a version used after it is freed), come from operator new.
#pragma once

#include <cstddef>

namespace fail::state::versionpool {

// The largest block kept in slabs; larger ones are rare (a record with a long note or
// many attributes) and go to operator new.
inline constexpr size_t kMaxPooled = 2048;

// `bytes` bytes aligned for a Version (8). Throws std::bad_alloc.
void* allocate(size_t bytes);
// Gives back a block from allocate(bytes), with the same `bytes`.
void release(void* p, size_t bytes) noexcept;

struct Stats {
  size_t slabBytes = 0;  // taken from the system for slabs (touched or not)
  size_t usedBytes = 0;  // in live blocks, rounded as kept
  size_t freeBytes = 0;  // in blocks waiting for reuse
};
Stats stats();
// False in a build where every block comes from operator new.
bool pooling();

}  // namespace fail::state::versionpool
