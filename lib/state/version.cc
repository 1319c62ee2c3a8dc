// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "state/version.hh"

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>
#include <vector>

#include "proto/list.hh"

namespace fail::state {
namespace {

// A byte appendWord copies as it is.
bool plainByte(unsigned char c) {
  return c >= 0x20 && c != 0x7f && c != ' ' && c != ';' && c != '$' && c != '[' && c != ']' &&
         c != '\\' && c != '"' && c != '{' && c != '}';
}

bool escapedAsItself(char c) {
  return c == ' ' || c == ';' || c == '$' || c == '[' || c == ']' || c == '\\' || c == '"' ||
         c == '{' || c == '}';
}

int lowerHex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Reads one byte of appendWord's canonical form at text[p]: a plain byte or one escape.
// Returns the bytes consumed (0: not canonical) and the byte it stands for in *out.
size_t unescapeOne(std::string_view text, size_t p, char& out) {
  char c = text[p];
  if (c != '\\') {
    out = c;
    return plainByte(static_cast<unsigned char>(c)) ? 1 : 0;
  }
  if (p + 1 >= text.size()) return 0;
  char e = text[p + 1];
  if (escapedAsItself(e)) {
    out = e;
    return 2;
  }
  if (e == 'n' || e == 'r' || e == 't') {
    out = e == 'n' ? '\n' : e == 'r' ? '\r' : '\t';
    return 2;
  }
  if (e != 'x' || p + 3 >= text.size()) return 0;
  int hi = lowerHex(text[p + 2]), lo = lowerHex(text[p + 3]);
  if (hi < 0 || lo < 0) return 0;
  int v = hi * 16 + lo;
  if ((v >= 0x20 && v != 0x7f) || v == '\n' || v == '\r' || v == '\t') return 0;
  out = static_cast<char>(v);
  return 4;
}

// Undoes appendWord on `word` (canonical form only). `at`, when given, receives the
// offset in `word` of each byte's escape, and word.size() last.
bool unescapeWord(std::string_view word, std::string& out, std::vector<std::uint32_t>* at) {
  out.clear();
  if (at) at->clear();
  if (word == "{}") {
    if (at) at->push_back(2);
    return true;
  }
  if (word.empty()) return false;
  for (size_t p = 0; p < word.size();) {
    char c;
    size_t n = unescapeOne(word, p, c);
    if (n == 0) return false;
    if (at) at->push_back(static_cast<std::uint32_t>(p));
    out += c;
    p += n;
  }
  if (at) at->push_back(static_cast<std::uint32_t>(word.size()));
  return true;
}

// A record dict in canonical form (encodeRecord's: words separated by one space, each
// word canonical), read into `r`; the note element's span in `dict` goes to
// [*noteAt, *noteEnd). False when the dict is not canonical or a field is not sound
// (*err says which, "" for merely not canonical).
bool decodeCanonical(std::string_view dict, Record& r, size_t* noteAt, size_t* noteEnd,
                     std::string* err) {
  std::string key, value;
  size_t p = 0;
  bool haveKey = false;
  while (p <= dict.size()) {
    size_t end = p;
    while (end < dict.size() && dict[end] != ' ') end += dict[end] == '\\' ? 2 : 1;
    end = std::min(end, dict.size());
    std::string& w = haveKey ? value : key;
    if (!unescapeWord(dict.substr(p, end - p), w, nullptr)) return false;
    if (haveKey) {
      if (key == "note") {
        *noteAt = p;
        *noteEnd = end;
      }
      if (!decodeField(key, value, r, err)) return false;
    }
    haveKey = !haveKey;
    p = end + 1;
  }
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

VersionRef Version::allocate(std::string_view name, std::string_view word) {
  if (name.size() > UINT32_MAX / 4 || word.size() > UINT32_MAX / 4)
    throw std::length_error("state::Version: record too large");
  void* mem = ::operator new(sizeof(Version) + name.size() + word.size());
  Version* v = new (mem) Version();
  v->nameLen_ = static_cast<std::uint32_t>(name.size());
  v->wordLen_ = static_cast<std::uint32_t>(word.size());
  if (!name.empty()) std::memcpy(v->data_, name.data(), name.size());
  if (!word.empty()) std::memcpy(v->data_ + name.size(), word.data(), word.size());
  return VersionRef(v);
}

void Version::release() const {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  Version* self = const_cast<Version*>(this);
  self->~Version();
  ::operator delete(static_cast<void*>(self));
}

VersionRef Version::make(const Record& r) {
  Scratch& s = scratch();
  size_t noteAt = 0, noteEnd = 0;
  s.dict = encodeRecord(r, &noteAt, &noteEnd);
  // appendWord escapes byte by byte, so the dict's parts can be encoded one by one (none
  // is empty: the note's element is at least "{}") and the note's place is known.
  std::string_view dict = s.dict;
  s.outer.clear();
  proto::appendWord(s.outer, dict.substr(0, noteAt));
  size_t at = s.outer.size();
  proto::appendWord(s.outer, dict.substr(noteAt, noteEnd - noteAt));
  size_t end = s.outer.size();
  if (noteEnd < dict.size()) proto::appendWord(s.outer, dict.substr(noteEnd));
  VersionRef v = allocate(r.name, s.outer);
  Version* p = v.p_;
  p->noteAt_ = static_cast<std::uint32_t>(at);
  p->noteLen_ = static_cast<std::uint32_t>(end - at);
  p->state_ = r.state;
  p->serial_ = r.serial;
  p->since_ = r.since;
  p->ttlMs_ = r.ttlMs;
  return v;
}

VersionRef Version::tombstone(std::string_view name, std::uint64_t serial, Micros at) {
  VersionRef v = allocate(name, {});
  v.p_->deleted_ = true;
  v.p_->serial_ = serial;
  v.p_->since_ = at;
  return v;
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
  if (unescapeWord(word, s.dict, &s.at)) {
    if (decodeCanonical(s.dict, r, &noteAt, &noteEnd, &why)) {
      if (r.name.empty()) return bad("record: no name");
      VersionRef v = allocate(r.name, word);
      Version* p = v.p_;
      p->noteAt_ = s.at[noteAt];
      p->noteLen_ = s.at[noteEnd] - s.at[noteAt];
      if (noteEnd == noteAt) p->noteAt_ = p->noteLen_ = 0;  // no note key: noteIs("") only
      p->state_ = r.state;
      p->serial_ = r.serial;
      p->since_ = r.since;
      p->ttlMs_ = r.ttlMs;
      return v;
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

bool Version::noteIs(std::string_view note) const {
  if (deleted_) return note.empty();
  if (noteLen_ == 0) return note.empty();
  Scratch& s = scratch();
  s.inner.clear();
  proto::appendWord(s.inner, note);
  s.outer.clear();
  proto::appendWord(s.outer, s.inner);
  return word().substr(noteAt_, noteLen_) == s.outer;
}

std::string Version::note() const {
  if (deleted_ || noteLen_ == 0) return {};
  std::string inner, note;
  if (!unescapeWord(word().substr(noteAt_, noteLen_), inner, nullptr) ||
      !unescapeWord(inner, note, nullptr))
    return record().note;  // not reached: every version's word is canonical
  return note;
}

std::string Version::origin() const { return record().origin; }

Attrs Version::attrs() const { return record().attrs; }

Record Version::record() const {
  Record r;
  if (!deleted_) {
    std::string dict;
    if (unescapeWord(word(), dict, nullptr)) decodeRecord(dict, r);
  }
  r.name = std::string(name());
  r.state = state_;
  r.serial = serial_;
  r.since = since_;
  r.ttlMs = ttlMs_;
  return r;
}

}  // namespace fail::state
