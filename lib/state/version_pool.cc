// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "state/version_pool.hh"

#include <sys/mman.h>

#include <mutex>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define FAIL_VERSION_POOL 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FAIL_VERSION_POOL 0
#endif
#endif
#ifndef FAIL_VERSION_POOL
#define FAIL_VERSION_POOL 1
#endif

namespace fail::state::versionpool {
namespace {

constexpr size_t kGrain = 8;
// Slabs are mapped, not malloc'd, so that they stay apart from the heap; pages are
// resident only once a block in them is used.
constexpr size_t kSlabBytes = size_t{1} << 20;

size_t rounded(size_t bytes) { return (bytes + kGrain - 1) & ~(kGrain - 1); }

struct FreeBlock {
  FreeBlock* next;
};

struct Pool {
  std::mutex mutex;
  FreeBlock* free[kMaxPooled / kGrain + 1] = {};  // by size / kGrain
  char* cursor = nullptr;  // the unused end of the newest slab
  char* end = nullptr;
  Stats stats;

  void push(void* p, size_t size) {
    FreeBlock* b = static_cast<FreeBlock*>(p);
    b->next = free[size / kGrain];
    free[size / kGrain] = b;
    stats.freeBytes += size;
  }

  void* carve(size_t size) {
    if (static_cast<size_t>(end - cursor) < size) {
      void* slab = ::mmap(nullptr, kSlabBytes, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (slab == MAP_FAILED) throw std::bad_alloc();
      // The old slab's rest serves a later block of its size.
      if (size_t rest = static_cast<size_t>(end - cursor); rest >= sizeof(FreeBlock))
        push(cursor, rest);
      cursor = static_cast<char*>(slab);
      end = cursor + kSlabBytes;
      stats.slabBytes += kSlabBytes;
    }
    void* p = cursor;
    cursor += size;
    return p;
  }
};

// Never destroyed: versions may be let go of during static destruction.
Pool& pool() {
  static Pool* p = new Pool;
  return *p;
}

}  // namespace

bool pooling() { return FAIL_VERSION_POOL; }

void* allocate(size_t bytes) {
  size_t size = rounded(bytes < sizeof(FreeBlock) ? sizeof(FreeBlock) : bytes);
  if (!FAIL_VERSION_POOL || size > kMaxPooled) return ::operator new(bytes);
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  void* block = p.free[size / kGrain];
  if (block) {
    p.free[size / kGrain] = p.free[size / kGrain]->next;
    p.stats.freeBytes -= size;
  } else {
    block = p.carve(size);
  }
  p.stats.usedBytes += size;
  return block;
}

void release(void* block, size_t bytes) noexcept {
  size_t size = rounded(bytes < sizeof(FreeBlock) ? sizeof(FreeBlock) : bytes);
  if (!FAIL_VERSION_POOL || size > kMaxPooled) {
    ::operator delete(block);
    return;
  }
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  p.stats.usedBytes -= size;
  p.push(block, size);
}

Stats stats() {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  return p.stats;
}

}  // namespace fail::state::versionpool
