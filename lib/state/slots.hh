// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The Store's index by name: an open-addressing hash table (linear probing, deletion by
// backward shift) of slots, each a record's current version and its ttl deadline. A
// slot is found by its version's own name, so no name is stored twice. 16 bytes a slot,
// and nothing else per record: the Store finds the deadlines that ran out by going over
// the slots.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "base/time.hh"
#include "state/version.hh"

namespace fail::state {

struct Slot {
  mutable VersionRef version;  // null: an empty slot
  mutable Micros deadline = 0;  // steady clock; 0: no ttl running
  std::string_view name() const { return version->name(); }
};

class SlotTable {
 public:
  SlotTable() = default;
  SlotTable(const SlotTable&) = delete;
  SlotTable& operator=(const SlotTable&) = delete;

  // The slot of `name`, null when there is none.
  Slot* find(std::string_view name) const;
  // Adds a slot holding `v`, whose name must not be in the table yet.
  Slot* insert(VersionRef v);
  // Removes a slot found by find().
  void erase(Slot* s);
  // Makes room for `n` slots at once.
  void reserve(size_t n);
  size_t size() const { return size_; }
  // Changes whenever a slot may have moved (insert, erase): a kept Slot* stays valid
  // while it is the same.
  std::uint32_t moves() const { return moves_; }

  template <class F>
  void forEach(F&& f) const {
    for (size_t i = 0; i < capacity_; ++i)
      if (slots_[i].version) f(slots_[i]);
  }

 private:
  size_t home(std::string_view name) const;
  void grow(size_t capacity);

  std::unique_ptr<Slot[]> slots_;
  size_t capacity_ = 0;  // a power of two, or 0
  size_t size_ = 0;
  std::uint32_t moves_ = 0;
};

}  // namespace fail::state
