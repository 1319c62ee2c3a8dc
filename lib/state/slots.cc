// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "state/slots.hh"

#include <functional>
#include <utility>

namespace fail::state {

static_assert(sizeof(Slot) == 16, "a slot is a version pointer and a deadline");

size_t SlotTable::home(std::string_view name) const {
  return std::hash<std::string_view>{}(name) & (capacity_ - 1);
}

Slot* SlotTable::find(std::string_view name) const {
  if (size_ == 0) return nullptr;
  for (size_t i = home(name);; i = (i + 1) & (capacity_ - 1)) {
    Slot& s = slots_[i];
    if (!s.version) return nullptr;
    if (s.name() == name) return &s;
  }
}

void SlotTable::grow(size_t capacity) {
  std::unique_ptr<Slot[]> old = std::move(slots_);
  size_t oldCapacity = capacity_;
  slots_ = std::make_unique<Slot[]>(capacity);
  capacity_ = capacity;
  for (size_t i = 0; i < oldCapacity; ++i) {
    if (!old[i].version) continue;
    size_t j = home(old[i].name());
    while (slots_[j].version) j = (j + 1) & (capacity_ - 1);
    slots_[j].version = std::move(old[i].version);
    slots_[j].deadline = old[i].deadline;
  }
  ++moves_;
}

void SlotTable::reserve(size_t n) {
  size_t want = 16;
  while (want * 4 < n * 5) want *= 2;  // at most 4/5 full
  if (want > capacity_) grow(want);
}

Slot* SlotTable::insert(VersionRef v) {
  reserve(size_ + 1);
  size_t i = home(v->name());
  while (slots_[i].version) i = (i + 1) & (capacity_ - 1);
  slots_[i].version = std::move(v);
  slots_[i].deadline = 0;
  ++size_;
  return &slots_[i];
}

void SlotTable::erase(Slot* s) {
  size_t mask = capacity_ - 1;
  size_t hole = static_cast<size_t>(s - slots_.get());
  slots_[hole].version.reset();
  --size_;
  ++moves_;
  // Backward shift: a later slot of the same run moves into the hole when its home
  // does not lie (cyclically) between the hole and itself.
  for (size_t j = (hole + 1) & mask; slots_[j].version; j = (j + 1) & mask) {
    size_t k = home(slots_[j].name());
    bool between = hole <= j ? (hole < k && k <= j) : (hole < k || k <= j);
    if (between) continue;
    slots_[hole].version = std::move(slots_[j].version);
    slots_[hole].deadline = slots_[j].deadline;
    hole = j;
  }
  slots_[hole].deadline = 0;
}

}  // namespace fail::state
