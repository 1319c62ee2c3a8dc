// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "state/version.hh"

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>
#include <vector>

#include "proto/list.hh"
#include "state/version_pool.hh"

namespace fail::state {
namespace {

// The end of the canonical element starting at list[p]: the next unescaped space.
size_t elementEnd(std::string_view list, size_t p) {
  while (p < list.size() && list[p] != ' ') p += list[p] == '\\' ? 2 : 1;
  return std::min(p, list.size());
}

// True when `list` is canonical words, an even number of them (a sound attrs dict
// as the encoder writes it), checked without building the attributes.
bool canonicalPairs(std::string_view list, std::string& scratch) {
  if (list.empty()) return true;
  size_t n = 0;
  for (size_t p = 0; p <= list.size(); ++n) {
    size_t end = elementEnd(list, p);
    if (!proto::decodeCanonicalWord(list.substr(p, end - p), scratch, nullptr)) return false;
    p = end + 1;
  }
  return n % 2 == 0;
}

// The keys in the order make() writes them.
constexpr std::string_view kKeys[] = {"name", "state", "serial", "since",
                                      "ttl",  "origin", "note",  "attrs"};
constexpr size_t kNumKeys = sizeof kKeys / sizeof kKeys[0];

// A record dict in canonical form (encodeRecord's: words separated by one space, each
// word canonical), read into `r` (its attributes checked, not kept); the note element's
// span in `dict` goes to [*noteAt, *noteEnd), *standard says whether the keys are
// make()'s, in its order. False when the dict is not canonical or a field is not sound
// (*err says which, "" for merely not canonical).
bool decodeCanonical(std::string_view dict, Record& r, size_t* noteAt, size_t* noteEnd,
                     bool* standard, std::string* err) {
  std::string key, value, scratch;
  size_t p = 0, pairs = 0;
  unsigned seen = 0;  // the known keys read so far, one bit each (kKeys' order)
  bool haveKey = false;
  *standard = true;
  while (p <= dict.size()) {
    size_t end = elementEnd(dict, p);
    std::string& w = haveKey ? value : key;
    if (!proto::decodeCanonicalWord(dict.substr(p, end - p), w, nullptr)) return false;
    if (haveKey) {
      // A known key given twice: decodeRecord keeps the last, this reading the first
      // note's place; such a dict is read the long way.
      for (size_t k = 0; k < kNumKeys; ++k) {
        if (key != kKeys[k]) continue;
        if (seen & (1u << k)) return false;
        seen |= 1u << k;
      }
      if (key == "note") {
        *noteAt = p;
        *noteEnd = end;
      }
      *standard = *standard && pairs < kNumKeys && key == kKeys[pairs];
      ++pairs;
      bool checked = key == "attrs" && canonicalPairs(value, scratch);
      if (!checked && !decodeField(key, value, r, err)) return false;
    }
    haveKey = !haveKey;
    p = end + 1;
  }
  *standard = *standard && pairs == kNumKeys;
  if (haveKey) {
    *err = "record: odd number of words in dict";
    return false;
  }
  return true;
}

struct Scratch {
  std::string dict, inner, outer;
  std::vector<std::uint32_t> at;
};
Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

}  // namespace

VersionRef Version::allocate(std::string_view name, std::string_view word,
                             std::string_view tail) {
  if (name.size() > kMaxName || word.size() > UINT32_MAX / 4)
    throw std::length_error("state::Version: record or name too large");
  bool inWord = word.substr(0, kNameInWord) == "name\\ " &&
                word.substr(kNameInWord, name.size()) == name;
  size_t own = inWord ? 0 : name.size();
  void* mem = versionpool::allocate(sizeof(Version) + own + word.size() + tail.size());
  Version* v = new (mem) Version();
  v->nameLen_ = static_cast<std::uint16_t>(name.size() & kMaxName);
  v->wordLen_ = static_cast<std::uint32_t>(word.size());
  v->ownName_ = !inWord;
  if (own) std::memcpy(v->data_, name.data(), own);
  if (!word.empty()) std::memcpy(v->data_ + own, word.data(), word.size());
  if (!tail.empty()) std::memcpy(v->data_ + own + word.size(), tail.data(), tail.size());
  return VersionRef(v);
}

void Version::release() const {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  Version* self = const_cast<Version*>(this);
  size_t bytes = footprint();
  self->~Version();
  versionpool::release(self, bytes);
}

VersionRef Version::make(const Record& r) { return make(r, {}); }

VersionRef Version::make(const Record& r, std::string_view attrsTail) {
  Scratch& s = scratch();
  size_t noteAt = 0, noteEnd = 0;
  s.dict.clear();
  appendRecordDict(s.dict, r, &noteAt, &noteEnd);
  // appendWord escapes byte by byte, so the dict's parts can be encoded one by one (none
  // is empty: the note's element is at least "{}") and the note's place is known.
  std::string_view dict = s.dict;
  s.outer.clear();
  proto::appendWord(s.outer, dict.substr(0, noteAt));
  size_t at = s.outer.size();
  proto::appendWord(s.outer, dict.substr(noteAt, noteEnd - noteAt));
  if (!attrsTail.empty())
    s.outer += attrsTail;  // already encoded twice over, as the rest of a word
  else if (noteEnd < dict.size())
    proto::appendWord(s.outer, dict.substr(noteEnd));
  VersionRef v = allocate(r.name, s.outer);
  Version* p = v.p_;
  p->standard_ = 1;
  p->setNoteAt(at);
  p->state_ = static_cast<std::uint8_t>(r.state) & 3;
  p->serial_ = r.serial;
  p->setTtl(r.ttlMs);
  return v;
}

static_assert(sizeof(Version) == 24, "the header of a record's block");

void Version::setNoteAt(size_t at) {
  noteAt_ = static_cast<std::uint16_t>(std::min<size_t>(at, kNoteFar));
}

void Version::setTtl(std::int64_t ms) {
  ttl_ = ms >= 0 && ms < kTtlInWord ? static_cast<std::uint32_t>(ms) : kTtlInWord;
}

VersionRef Version::tombstone(std::string_view name, std::uint64_t serial, Micros at) {
  char time[sizeof at];
  std::memcpy(time, &at, sizeof at);
  VersionRef v = allocate(name, {}, {time, sizeof time});
  v.p_->deleted_ = true;  // footprint() counts the time from here on
  v.p_->serial_ = serial;
  return v;
}

Micros Version::since() const {
  if (!deleted_) return record().since;
  Micros at;
  std::memcpy(&at, data_ + nameLen_, sizeof at);
  return at;
}

VersionRef Version::fromWord(std::string_view word, std::string* err) {
  auto bad = [&](std::string msg) {  // msg starts "record: "
    if (err) *err = std::move(msg);
    return VersionRef();
  };
  for (size_t i = 0; i < word.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(word[i]);
    if (c < 0x20 || c == 0x7f)
      return bad("record: raw control byte " + std::to_string(c) + " at offset " +
                 std::to_string(i));
  }
  Scratch& s = scratch();
  Record r;
  std::string why;
  size_t noteAt = 0, noteEnd = 0;
  bool standard = false;
  s.at.reserve(word.size() + 1);
  if (proto::decodeCanonicalWord(word, s.dict, &s.at)) {
    if (decodeCanonical(s.dict, r, &noteAt, &noteEnd, &standard, &why)) {
      if (r.name.empty()) return bad("record: no name");
      if (r.name.size() > kMaxName) return bad("record: name longer than " + std::to_string(kMaxName) + " bytes");
      VersionRef v = allocate(r.name, word);
      Version* p = v.p_;
      p->setNoteAt(noteEnd == noteAt ? 0 : s.at[noteAt]);  // 0: no note key
      p->standard_ = standard;
      p->state_ = static_cast<std::uint8_t>(r.state) & 3;
      p->serial_ = r.serial;
      p->setTtl(r.ttlMs);
      // A word the one-pass reader took but whose note is not where the encoder puts it
      // (keys repeated or out of order in a hand-made file) is encoded again below.
      if (v->noteIs(r.note)) return v;
      return make(r);
    }
    if (!why.empty()) return bad(why);
  }
  // Not in the encoder's canonical form (a hand-edited file): read with Tcl's list rules
  // and encoded again, so that every version's word is canonical.
  std::vector<std::string> words;
  proto::ListError le;
  if (!proto::splitList(word, words, &le))
    return bad("record: " + le.message + " at offset " + std::to_string(le.offset));
  if (words.size() != 1) return bad("record: " + std::to_string(words.size()) + " words, not one");
  if (!decodeRecord(words[0], r, &why)) return bad(why);
  return make(r);
}

// The note's element is the canonical encoding of the note, twice over (as a dict
// element, then as part of the word). It ends where the word does or at the next dict
// separator, a space escaped once (backslash, space), which never occurs inside an
// element (an element's own spaces are escaped twice). So no decoding is needed.
bool Version::noteIs(std::string_view note) const {
  if (deleted_ || noteAt_ == 0) return note.empty();
  if (noteAt_ == kNoteFar) return this->note() == note;
  Scratch& s = scratch();
  s.inner.clear();
  proto::appendWord(s.inner, note);
  s.outer.clear();
  proto::appendWord(s.outer, s.inner);
  std::string_view w = word().substr(noteAt_);
  if (w.substr(0, s.outer.size()) != s.outer) return false;
  std::string_view after = w.substr(s.outer.size());
  return after.empty() || after.substr(0, 2) == "\\ ";
}

std::string_view Version::attrsTail() const {
  if (!standard_ || noteAt_ == 0 || noteAt_ == kNoteFar) return {};
  // From the note's element on: the first separator, a space escaped once (an element's
  // spaces are escaped twice). Read as the dict reads it: a backslash escapes one byte.
  std::string_view w = word();
  bool escaped = false;
  for (size_t p = noteAt_; p < w.size();) {
    char c;
    size_t n = proto::canonicalByteAt(w, p, c);
    if (n == 0) return {};  // not reached: the word is canonical
    if (c == ' ' && !escaped) return w.substr(p);
    escaped = !escaped && c == '\\';
    p += n;
  }
  return {};
}

std::string Version::note() const {
  if (deleted_ || noteAt_ == 0) return {};
  return record().note;
}

std::string Version::origin() const { return record().origin; }

Attrs Version::attrs() const { return record().attrs; }

Record Version::record() const {
  Record r;
  if (!deleted_) {
    std::string dict;
    if (proto::decodeCanonicalWord(word(), dict, nullptr)) decodeRecord(dict, r);
  }
  r.name = std::string(name());
  r.state = state();
  r.serial = serial_;
  if (ttl_ != kTtlInWord) r.ttlMs = ttl_;  // else the word's
  if (deleted_) r.since = since();  // a record's is the word's
  return r;
}

}  // namespace fail::state
