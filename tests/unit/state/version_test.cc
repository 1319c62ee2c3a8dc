// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "state/version.hh"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "proto/list.hh"
#include "state/slots.hh"

namespace fail::state {
namespace {

Record sample(std::string note = "all fine") {
  Record r;
  r.name = "www";
  r.state = State::Up;
  r.serial = 42;
  r.since = 1765000000123456;
  r.ttlMs = 30000;
  r.origin = "hc@web1";
  r.note = std::move(note);
  r.attrs = {{"addr", "192.0.2.1"}, {"weight", "10 20"}};
  return r;
}

void expectSame(const Record& a, const Record& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.serial, b.serial);
  EXPECT_EQ(a.since, b.since);
  EXPECT_EQ(a.ttlMs, b.ttlMs);
  EXPECT_EQ(a.origin, b.origin);
  EXPECT_EQ(a.note, b.note);
  EXPECT_EQ(a.attrs, b.attrs);
}

const std::vector<std::string>& awkwardNotes() {
  static const std::vector<std::string> notes = {
      "", "plain", "two words", "{braced}", "back\\slash", "tab\there", "line\nbreak",
      "\"quoted\" $x [y];", "caf\xc3\xa9 \xe2\x9c\x93", "}{", "\\", " ", "\x01\x7f"};
  return notes;
}

TEST(Version, MakeWordIsWhatAppendRecordWrites) {
  for (const auto& note : awkwardNotes()) {
    Record r = sample(note);
    VersionRef v = Version::make(r);
    std::string expect;
    appendRecord(expect, r);
    EXPECT_EQ(v->word(), expect) << note;
    EXPECT_EQ(v->name(), "www");
    EXPECT_EQ(v->serial(), 42u);
    EXPECT_EQ(v->state(), State::Up);
    EXPECT_EQ(v->since(), r.since);
    EXPECT_EQ(v->ttlMs(), 30000);
    EXPECT_FALSE(v->deleted());
    EXPECT_EQ(v->note(), note);
    expectSame(v->record(), r);
    EXPECT_EQ(v->origin(), "hc@web1");
    EXPECT_EQ(v->attrs(), r.attrs);
  }
}

TEST(Version, FromWordRoundTrip) {
  for (const auto& note : awkwardNotes()) {
    Record r = sample(note);
    VersionRef made = Version::make(r);
    std::string err;
    VersionRef v = Version::fromWord(made->word(), &err);
    ASSERT_TRUE(v) << err;
    EXPECT_EQ(v->word(), made->word());  // kept as it is
    expectSame(v->record(), r);
    EXPECT_EQ(v->since(), r.since);
    EXPECT_EQ(v->note(), note);
    EXPECT_TRUE(v->noteIs(note)) << note;
    EXPECT_FALSE(v->noteIs(note + "x"));
  }
}

TEST(Version, FromWordTakesNonCanonicalListsAndEncodesThem) {
  // Tcl's list rules allow braces; the version's word is the encoder's form.
  std::string err;
  VersionRef v = Version::fromWord("{name www state FAIL serial 7 note {a b}}", &err);
  ASSERT_TRUE(v) << err;
  EXPECT_EQ(v->name(), "www");
  EXPECT_EQ(v->state(), State::Fail);
  EXPECT_EQ(v->serial(), 7u);
  EXPECT_TRUE(v->noteIs("a b"));
  EXPECT_EQ(v->word(), Version::make(v->record())->word());
}

TEST(Version, FromWordRefusesGarbageWithAMessage) {
  struct Case {
    std::string word, what;
  };
  std::vector<Case> cases = {
      {"", "0 words, not one"},
      {"name\\ www\\ state\\ BOGUS", "bad state"},
      {"name\\ www\\ serial\\ -1", "bad serial"},
      {"name\\ www\\ state", "odd number"},
      {"state\\ UP", "no name"},
      {"name\\ w\x01w", "raw control byte 1 at offset 7"},
      {"{name www", "unmatched open brace"},
      {"a b", "2 words"},
      {"name\\ www\\ attrs\\ \\{a\\}", "attrs"},
  };
  for (const auto& c : cases) {
    std::string err;
    EXPECT_FALSE(Version::fromWord(c.word, &err)) << c.word;
    EXPECT_NE(err.find(c.what), std::string::npos) << c.word << ": " << err;
    EXPECT_EQ(err.rfind("record: ", 0), 0u) << err;
  }
  EXPECT_FALSE(Version::fromWord("{name www"));  // no message wanted
}

TEST(Version, NoteIsWithoutDecoding) {
  for (const auto& note : awkwardNotes()) {
    VersionRef v = Version::make(sample(note));
    EXPECT_TRUE(v->noteIs(note)) << note;
    for (const auto& other : awkwardNotes()) {
      if (other == note) continue;
      EXPECT_FALSE(v->noteIs(other)) << note << " / " << other;
    }
  }
  // A note that looks like another field's encoding is still only the note.
  Record r = sample("x");
  r.origin = "note x";
  EXPECT_FALSE(Version::make(r)->noteIs("note x"));
}

TEST(Version, AttrsTailCarriesTheAttributesOver) {
  for (const auto& note : awkwardNotes()) {
    Record r = sample(note);
    r.attrs.emplace_back("zeta", "a b\\ attrs\\ {c}");
    VersionRef old = Version::make(r);
    VersionRef read = Version::fromWord(old->word());
    ASSERT_TRUE(read);
    for (const VersionRef& from : {old, read}) {
      std::string_view tail = from->attrsTail();
      ASSERT_FALSE(tail.empty()) << note;
      Record next = sample("changed " + note);
      next.state = State::Fail;
      next.serial = 43;
      next.attrs.clear();  // not read
      Record want = next;
      want.attrs = r.attrs;
      EXPECT_EQ(Version::make(next, tail)->word(), Version::make(want)->word()) << note;
    }
  }
  // Keys in another order: no tail, the caller decodes.
  VersionRef other = Version::fromWord("attrs\\ \\{\\}\\ name\\ x\\ note\\ y");
  ASSERT_TRUE(other);
  EXPECT_TRUE(other->attrsTail().empty());
  EXPECT_TRUE(Version::tombstone("x", 1, 2)->attrsTail().empty());
}

// Values too large for the header's fields are read from the word instead.
TEST(Version, ALongTtlOrAFarNoteIsReadFromTheWord) {
  for (std::int64_t ttl : std::vector<std::int64_t>{2147483646, 2147483647, 30LL * 86'400'000,
                                                    kMaxTtlMs, 200000000LL * 86'400'000}) {
    Record r = sample();
    r.ttlMs = ttl;
    VersionRef v = Version::make(r);
    EXPECT_EQ(v->ttlMs(), ttl);
    EXPECT_EQ(v->record().ttlMs, ttl);
    VersionRef back = Version::fromWord(v->word());
    ASSERT_TRUE(back);
    EXPECT_EQ(back->ttlMs(), ttl);
  }
  Record r = sample("far");
  r.origin = std::string(40000, 'o') + " x";  // the note starts beyond 32 kB
  for (const VersionRef& v : {Version::make(r), Version::fromWord(Version::make(r)->word())}) {
    ASSERT_TRUE(v);
    EXPECT_TRUE(v->noteIs("far"));
    EXPECT_FALSE(v->noteIs("fa"));
    EXPECT_EQ(v->note(), "far");
    EXPECT_TRUE(v->attrsTail().empty());  // the caller decodes the attributes
    expectSame(v->record(), r);
  }
}

TEST(Version, ANameTooLongToKeepIsRefused) {
  Record r = sample();
  r.name = std::string(8192, 'n');
  EXPECT_THROW(Version::make(r), std::length_error);
  std::string word = "name\\ " + r.name + "\\ state\\ UP";
  std::string err;
  EXPECT_FALSE(Version::fromWord(word, &err));
  EXPECT_NE(err.find("name longer than 8191 bytes"), std::string::npos) << err;
  r.name.pop_back();
  EXPECT_EQ(Version::make(r)->name(), r.name);
}

TEST(Version, Tombstone) {
  VersionRef t = Version::tombstone("old name", 99, 1765000000000001);
  EXPECT_TRUE(t->deleted());
  EXPECT_EQ(t->name(), "old name");
  EXPECT_EQ(t->serial(), 99u);
  EXPECT_EQ(t->since(), 1765000000000001);
  EXPECT_TRUE(t->word().empty());
  EXPECT_EQ(t->note(), "");
  Record r = t->record();
  EXPECT_EQ(r.name, "old name");
  EXPECT_EQ(r.serial, 99u);
  EXPECT_EQ(r.since, 1765000000000001);
  // The time follows the name in the block: the header holds no since field.
  EXPECT_EQ(t->footprint(), sizeof(Version) + 8 + sizeof(Micros));
  EXPECT_EQ(Version::tombstone("x", 1, -5)->since(), -5);
}

TEST(Version, SharedCountsAndCopies) {
  VersionRef a = Version::make(sample());
  VersionRef b = a;
  VersionRef c;
  c = b;
  EXPECT_EQ(a.get(), c.get());
  b.reset();
  EXPECT_FALSE(b);
  VersionRef d = std::move(c);
  EXPECT_FALSE(c);
  EXPECT_EQ(d->name(), "www");
  EXPECT_GE(a->footprint(), sizeof(Version) + a->word().size());
}

TEST(Version, ANameThatNeedsEscapingIsKeptApart) {
  for (std::string name : {"www", "a b", "x{y}", "name", "w\\"}) {
    Record r = sample();
    r.name = name;
    VersionRef v = Version::make(r);
    EXPECT_EQ(v->name(), name);
    EXPECT_EQ(v->record().name, name);
    VersionRef back = Version::fromWord(v->word());
    ASSERT_TRUE(back) << name;
    EXPECT_EQ(back->name(), name);
    EXPECT_EQ(back->word(), v->word());
  }
  // A plain name is not stored twice.
  VersionRef plain = Version::make(sample());
  EXPECT_EQ(plain->footprint(), sizeof(Version) + plain->word().size());
}

TEST(Slots, InsertFindEraseKeepEveryOtherSlotFindable) {
  SlotTable t;
  std::vector<std::string> names;
  for (int i = 0; i < 2000; ++i) names.push_back("n" + std::to_string(i * 7919 % 10007));
  for (const auto& n : names) {
    Record r = sample();
    r.name = n;
    ASSERT_EQ(t.find(n), nullptr);
    t.insert(Version::make(r))->deadline = static_cast<Micros>(n.size());
  }
  EXPECT_EQ(t.size(), names.size());
  for (size_t i = 0; i < names.size(); i += 3) t.erase(t.find(names[i]));
  for (size_t i = 0; i < names.size(); ++i) {
    Slot* s = t.find(names[i]);
    if (i % 3 == 0) {
      EXPECT_EQ(s, nullptr) << names[i];
    } else {
      ASSERT_NE(s, nullptr) << names[i];
      EXPECT_EQ(s->name(), names[i]);
      EXPECT_EQ(s->deadline, static_cast<Micros>(names[i].size()));
    }
  }
  size_t n = 0;
  t.forEach([&](const Slot&) { ++n; });
  EXPECT_EQ(n, t.size());
}

}  // namespace
}  // namespace fail::state
