// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// One version of a record as a Store holds it: made once, never changed, shared.
//
// A record's version carries the few fields the store decides with (name, state,
// serial, since, ttl) and the record dict already encoded as one protocol word: the
// bytes that follow "OK " in a GET reply, "CHANGE SERIAL " in a WATCH line, "S " or
// "R " in the state file (doc/faild-state.md). It is encoded once, when the version is
// made (or taken as read from the state file), and then only copied: the record's slot
// in the store, the history of published changes, the changes in flight and the
// journal's queue all hold the same block. A deletion is a version too (a tombstone:
// name, serial, time; no word).
//
// One block per version (state/version_pool.hh): the header, the name's bytes, the word's
// bytes. Reference counts are atomic: the journal's thread may hold versions too.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "state/record.hh"

namespace fail::state {

class Version;

// An owning pointer to a Version (intrusive count). Copying it is an atomic increment.
class VersionRef {
 public:
  VersionRef() = default;
  VersionRef(const VersionRef& o);
  VersionRef(VersionRef&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  VersionRef& operator=(VersionRef o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }
  ~VersionRef();
  const Version* get() const { return p_; }
  const Version* operator->() const { return p_; }
  const Version& operator*() const { return *p_; }
  explicit operator bool() const { return p_ != nullptr; }
  void reset() { VersionRef().swap(*this); }
  void swap(VersionRef& o) noexcept { std::swap(p_, o.p_); }

 private:
  friend class Version;
  explicit VersionRef(Version* p) : p_(p) {}  // adopts a count of one
  Version* p_ = nullptr;
};

class Version {
 public:
  // Encodes `r` (encodeRecord) into a new version.
  static VersionRef make(const Record& r);
  // The same with the attributes of another version as they stand in its word
  // (`attrsTail`, from attrsTail(); r.attrs is not read), so they are not decoded and
  // encoded again. An empty `attrsTail` is make(r).
  static VersionRef make(const Record& r, std::string_view attrsTail);
  // A deletion of `name` with `serial` at wall-clock `at`.
  static VersionRef tombstone(std::string_view name, std::uint64_t serial, Micros at);
  // A version from a word as written by make() and read back (the state file): the
  // word is decoded and checked (a sound record dict, no raw control byte); the version
  // keeps the word's bytes as they are, so nothing is encoded again. Returns an empty
  // ref and sets *err (when given, "record: WHAT") when the word is not a sound record.
  static VersionRef fromWord(std::string_view word, std::string* err = nullptr);

  Version(const Version&) = delete;
  Version& operator=(const Version&) = delete;

  // One more owning reference to this version (for a caller handed a `const Version&`,
  // e.g. by Store::forEachPublished, that keeps it).
  VersionRef ref() const;

  bool deleted() const { return deleted_; }
  std::string_view name() const { return {data_ + (ownName_ ? 0 : kNameInWord), nameLen_}; }
  // The record dict as one protocol word (empty for a tombstone).
  std::string_view word() const { return {data_ + (ownName_ ? nameLen_ : 0), wordLen_}; }
  State state() const { return static_cast<State>(state_); }
  std::uint64_t serial() const { return serial_; }
  // A tombstone: the time of deletion. Otherwise read from the word (it is not kept
  // apart: few callers need it), so this allocates.
  Micros since() const;
  // Decoded from the word when it is too long to keep (kTtlInWord).
  std::int64_t ttlMs() const { return ttl_ != kTtlInWord ? ttl_ : record().ttlMs; }

  // True when the record's note is `note`, without decoding the word.
  bool noteIs(std::string_view note) const;
  // The end of word() from the separator after the note on (the attributes, last), when
  // the word has make()'s keys in its order; empty otherwise (and for a tombstone).
  std::string_view attrsTail() const;
  // The fields not kept apart, decoded from the word (these allocate).
  std::string note() const;
  std::string origin() const;
  Attrs attrs() const;
  Record record() const;  // every field

  // The bytes of this version's block.
  size_t footprint() const {
    return sizeof(Version) + (ownName_ ? nameLen_ : 0) + wordLen_ + (deleted_ ? sizeof(Micros) : 0);
  }

 private:
  friend class VersionRef;
  Version() = default;
  // `tail`: bytes kept after the word (a tombstone's time).
  static VersionRef allocate(std::string_view name, std::string_view word,
                             std::string_view tail = {});
  void release() const;
  void setNoteAt(size_t at);       // kNoteFar when it does not fit
  void setTtl(std::int64_t ms);    // kTtlInWord when it does not fit

  // Where a word written by make() holds the name ("name\ " first): a name that needs
  // no escaping is read there instead of being stored twice.
  static constexpr size_t kNameInWord = 6;

  // A ttl of 2^31 - 1 ms (24.8 days) or more is not kept here but read from the word.
  static constexpr std::uint32_t kTtlInWord = (std::uint32_t{1} << 31) - 1;
  // A note starting this far into the word or farther is found by decoding it.
  static constexpr std::uint16_t kNoteFar = (1u << 15) - 1;
  // Names are at most 255 bytes (validName); this many here.
  static constexpr size_t kMaxName = (1u << 13) - 1;

  // 24 bytes, in every record's block: the since time is in the word (and after a
  // tombstone's name), and the rare values too large for these fields are read there.
  mutable std::atomic<std::uint32_t> refs_{1};
  std::uint32_t wordLen_ = 0;
  std::uint64_t serial_ = 0;
  std::uint32_t ttl_ : 31 = 0;  // ms, or kTtlInWord
  std::uint32_t deleted_ : 1 = 0;
  std::uint16_t noteAt_ : 15 = 0;  // where the note's element starts in word(); 0: no note
  std::uint16_t standard_ : 1 = 0;  // word() has make()'s keys in its order
  std::uint16_t nameLen_ : 13 = 0;
  std::uint16_t state_ : 2 = 0;
  std::uint16_t ownName_ : 1 = 1;  // data_ starts with the name; else it is at word()[6]
  // The name (when ownName_), then the word, then a tombstone's time: a flexible array
  // member, allocated with the header.
  char data_[];
};

inline VersionRef::VersionRef(const VersionRef& o) : p_(o.p_) {
  if (p_) p_->refs_.fetch_add(1, std::memory_order_relaxed);
}
inline VersionRef::~VersionRef() {
  if (p_) p_->release();
}
inline VersionRef Version::ref() const {
  refs_.fetch_add(1, std::memory_order_relaxed);
  return VersionRef(const_cast<Version*>(this));
}

}  // namespace fail::state
