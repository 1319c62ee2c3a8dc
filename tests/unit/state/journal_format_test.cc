// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The state file's line format, without any I/O: encoding, and reading back every kind
// of damage (doc/faild-state.md).
#include <gtest/gtest.h>

#include <random>

#include "state/journal_format.hh"

namespace fail::state::format {
namespace {

Record rec(const std::string& name, State state, std::uint64_t serial, std::string note = "") {
  Record r;
  r.name = name;
  r.state = state;
  r.serial = serial;
  r.since = 1763784000000000 + static_cast<Micros>(serial);
  r.ttlMs = serial % 2 ? 3000 : 0;
  r.origin = "hc@fra";
  r.note = std::move(note);
  return r;
}

const Version& set(const Record& r) {
  static VersionRef v;  // one at a time: each is written at once
  v = Version::make(r);
  return *v;
}
const Version& del(const std::string& name, std::uint64_t serial, Micros at) {
  static VersionRef v;
  v = Version::tombstone(name, serial, at);
  return *v;
}
// The record named `name` in `c` (an empty one when there is none).
Record at(const Contents& c, const std::string& name) {
  for (const VersionRef& v : c.records)
    if (v->name() == name) return v->record();
  ADD_FAILURE() << "no record " << name;
  return Record{};
}
size_t count(const Contents& c, const std::string& name) {
  size_t n = 0;
  for (const VersionRef& v : c.records) n += v->name() == name;
  return n;
}

// Sum of the bytes that the problems say were lost ("lost N bytes", or in the summary
// "N bytes lost among them").
size_t lostBytes(const std::vector<std::string>& problems) {
  size_t sum = 0;
  for (const auto& p : problems) {
    if (size_t at = p.find("; lost "); at != std::string::npos) {
      sum += std::stoul(p.substr(at + 7));
    } else if (size_t end = p.rfind(" bytes lost among them"); end != std::string::npos) {
      size_t start = p.rfind(' ', end - 1) + 1;
      sum += std::stoul(p.substr(start, end - start));
    }
  }
  return sum;
}

// A small sound file with every kind of entry.
std::string sample() {
  std::string f;
  appendHeader(f, 7);
  appendRecordEntry(f, *Version::make(rec("www", State::Up, 5)));
  appendRecordEntry(f, *Version::make(rec("db", State::Fail, 7, "HTTP 503\nbody {x} $y [z]")));
  appendChangeEntry(f, set(rec("www", State::Fail, 8, "down")));
  appendChangeEntry(f, del("db", 9, 1763784000000099));
  appendAttrsEntry(f, "www", {{"latency", "12ms"}, {"weight", "3"}});
  appendChangeEntry(f, set(rec("web1@fra", State::Recover, 10)));
  return f;
}

std::vector<size_t> lineStarts(const std::string& f) {
  std::vector<size_t> starts{0};
  for (size_t i = 0; i + 1 < f.size(); ++i)
    if (f[i] == '\n') starts.push_back(i + 1);
  return starts;
}

TEST(JournalFormat, Crc32IsZlibs) {
  EXPECT_EQ(crc32(""), 0u);
  EXPECT_EQ(crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(crc32("The quick brown fox jumps over the lazy dog"), 0x414FA339u);
}

TEST(JournalFormat, LinesAreChecksummedTextWithoutControlBytes) {
  std::string f = sample();
  for (size_t start : lineStarts(f)) {
    size_t nl = f.find('\n', start);
    ASSERT_NE(nl, std::string::npos);
    std::string line = f.substr(start, nl - start);
    ASSERT_GT(line.size(), 9u);
    EXPECT_EQ(line[8], ' ');
    char hex[9];
    std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(crc32(line.substr(9))));
    EXPECT_EQ(line.substr(0, 8), hex);
    for (unsigned char c : line) EXPECT_GE(c, 0x20) << line;
  }
  EXPECT_EQ(f.substr(9, 20), "FAILD-STATE 1 base 7");
}

TEST(JournalFormat, ReadsWhatItWrites) {
  Contents c = parse(sample(), "f");
  EXPECT_TRUE(c.problems.empty()) << c.problems[0];
  EXPECT_EQ(c.base, 7u);
  EXPECT_EQ(c.highest, 10u);
  ASSERT_EQ(c.records.size(), 2u);  // db deleted
  const Record& www = at(c, "www");
  EXPECT_EQ(www.state, State::Fail);
  EXPECT_EQ(www.serial, 8u);
  EXPECT_EQ(www.note, "down");
  EXPECT_EQ(www.ttlMs, 0);
  ASSERT_EQ(www.attrs.size(), 2u);
  EXPECT_EQ(www.attrs[0], (std::pair<std::string, std::string>{"latency", "12ms"}));
  EXPECT_EQ(at(c, "web1@fra").ttlMs, 0);
  ASSERT_EQ(c.changes.size(), 3u);
  EXPECT_EQ(c.changes[0]->deleted(), false);
  EXPECT_EQ(c.changes[0]->serial(), 8u);
  EXPECT_TRUE(c.changes[0]->attrs().empty());  // history: as changed, before the refresh
  EXPECT_EQ(c.changes[1]->deleted(), true);
  EXPECT_EQ(c.changes[1]->name(), "db");
  EXPECT_EQ(c.changes[1]->serial(), 9u);
  EXPECT_EQ(c.changes[1]->since(), 1763784000000099);
  EXPECT_EQ(c.changes[2]->name(), "web1@fra");
}

TEST(JournalFormat, AttrsReplaceTheSetAndIgnoreAbsentRecords) {
  std::string f;
  appendHeader(f, 0);
  Record r = rec("www", State::Up, 1);
  r.attrs = {{"a", "1"}, {"b", "2"}};
  appendChangeEntry(f, set(r));
  appendAttrsEntry(f, "www", {{"b", "3"}});
  appendAttrsEntry(f, "gone", {{"x", "1"}});
  Contents c = parse(f, "f");
  EXPECT_TRUE(c.problems.empty());
  EXPECT_EQ(at(c, "www").attrs, (Attrs{{"b", "3"}}));
  EXPECT_EQ(count(c, "gone"), 0u);
}

TEST(JournalFormat, EveryTruncationIsNoticedAndAccounted) {
  const std::string f = sample();
  std::vector<size_t> starts = lineStarts(f);
  for (size_t cut = 0; cut <= f.size(); ++cut) {
    Contents c = parse(std::string_view(f).substr(0, cut), "f");
    size_t boundary = 0;
    for (size_t s : starts)
      if (s <= cut) boundary = s;
    if (cut == f.size()) boundary = cut;
    if (cut == boundary && cut > 0) {
      EXPECT_TRUE(c.problems.empty()) << "cut " << cut << ": " << c.problems[0];
    } else {
      ASSERT_FALSE(c.problems.empty()) << "cut " << cut;
      EXPECT_EQ(lostBytes(c.problems), cut - boundary) << "cut " << cut;
      if (cut > 0) {
        EXPECT_NE(c.problems[0].find("f: offset " + std::to_string(boundary) + ": "),
                  std::string::npos)
            << c.problems[0];
      }
    }
  }
}

TEST(JournalFormat, EveryFlippedBitLosesExactlyItsEntries) {
  const std::string f = sample();
  std::vector<size_t> starts = lineStarts(f);
  starts.push_back(f.size());
  for (size_t at = 0; at < f.size(); ++at) {
    for (unsigned char bit : {0x01, 0x20, 0x80}) {
      std::string g = f;
      g[at] = static_cast<char>(g[at] ^ bit);
      size_t line = 0;
      while (starts[line + 1] <= at) ++line;
      size_t expect = starts[line + 1] - starts[line];
      // A damaged newline joins the line to the next one.
      if (f[at] == '\n' && line + 2 < starts.size()) expect += starts[line + 2] - starts[line + 1];
      Contents c = parse(g, "f");
      ASSERT_FALSE(c.problems.empty()) << "flip at " << at;
      EXPECT_EQ(lostBytes(c.problems), expect) << "flip at " << at << ": " << c.problems[0];
      EXPECT_NE(c.problems[0].find("offset " + std::to_string(starts[line])), std::string::npos)
          << c.problems[0];
    }
  }
}

TEST(JournalFormat, ProblemsGuessWhatWasLost) {
  std::string f;
  appendHeader(f, 0);
  size_t at = f.size();
  appendChangeEntry(f, set(rec("www", State::Up, 42)));
  std::string g = f;
  g[at + 3] = g[at + 3] == '0' ? '1' : '0';  // in the checksum
  Contents c = parse(g, "/var/lib/failover/faild.state");
  ASSERT_EQ(c.problems.size(), 1u);
  EXPECT_EQ(c.problems[0].rfind("/var/lib/failover/faild.state: offset " + std::to_string(at) +
                                    ": checksum mismatch; lost " +
                                    std::to_string(f.size() - at) + " bytes",
                                0),
            0u)
      << c.problems[0];
  EXPECT_NE(c.problems[0].find("the change to 'www' serial 42"), std::string::npos);

  std::string d;
  appendHeader(d, 0);
  appendChangeEntry(d, del("web1", 17, 5));
  d[d.size() - 2] ^= 1;
  c = parse(d, "f");
  ASSERT_FALSE(c.problems.empty());
  EXPECT_NE(c.problems[0].find("the deletion of 'web1' serial 17"), std::string::npos)
      << c.problems[0];

  // Cut short: still named.
  c = parse(std::string_view(f).substr(0, f.size() - 30), "f");
  ASSERT_FALSE(c.problems.empty());
  EXPECT_NE(c.problems[0].find("no newline"), std::string::npos) << c.problems[0];
  EXPECT_NE(c.problems[0].find("'www' serial 42"), std::string::npos) << c.problems[0];
}

TEST(JournalFormat, HeaderProblems) {
  EXPECT_FALSE(parse("", "f").problems.empty());
  std::string f;
  appendLine(f, "FAILD-STATE 1 base -5");
  EXPECT_NE(parse(f, "f").problems.at(0).find("bad header"), std::string::npos);
  f.clear();
  appendLine(f, "FAILD-STATE 1 base 18446744073709551616");
  EXPECT_FALSE(parse(f, "f").problems.empty());
  f.clear();
  appendLine(f, "FAILD-STATE 2 base 0 more");
  Contents c = parse(f, "f");
  EXPECT_EQ(c.otherVersion, "2");
  f.clear();  // no header at all: entries still read, the base taken as 0
  appendChangeEntry(f, set(rec("www", State::Up, 3)));
  c = parse(f, "f");
  ASSERT_EQ(c.problems.size(), 1u);
  EXPECT_NE(c.problems[0].find("no FAILD-STATE header"), std::string::npos);
  EXPECT_EQ(c.records.size(), 1u);
}

TEST(JournalFormat, SoundButWrongEntriesAreProblems) {
  for (const char* payload : {"X foo", "S {unterminated", "S name\\ www\\ state\\ BOGUS",
                              "D x y z w", "D 1 www", "A www", "A www {a}", "R", "S"}) {
    std::string f;
    appendHeader(f, 0);
    size_t at = f.size();
    appendLine(f, payload);
    Contents c = parse(f, "f");
    ASSERT_EQ(c.problems.size(), 1u) << payload;
    EXPECT_EQ(lostBytes(c.problems), f.size() - at) << payload;
  }
}

// Issue 10: a record whose name the protocol rejects (here with a valid checksum) could
// never be deleted. Every entry naming one is a problem, the rest is read as usual.
TEST(JournalFormat, NamesTheProtocolRejectsAreProblems) {
  Record bad = rec("../x y", State::Up, 2);
  std::vector<std::string> lines;
  for (int kind = 0; kind < 4; ++kind) {
    std::string line;
    if (kind == 0) appendRecordEntry(line, *Version::make(bad));
    if (kind == 1) appendChangeEntry(line, set(bad));
    if (kind == 2) appendChangeEntry(line, del("../x y", 3, 1763784000000003));
    if (kind == 3) appendAttrsEntry(line, "../x y", {{"k", "v"}});
    lines.push_back(line);
  }
  lines.push_back([] {
    std::string l;
    appendRecordEntry(l, *Version::make(rec(std::string(256, 'n'), State::Up, 4)));  // too long a name
    return l;
  }());
  for (const auto& line : lines) {
    std::string f;
    appendHeader(f, 1);
    appendRecordEntry(f, *Version::make(rec("www", State::Up, 1)));
    size_t at = f.size();
    f += line;
    Contents c = parse(f, "f");
    ASSERT_EQ(c.problems.size(), 1u) << line;
    EXPECT_NE(c.problems[0].find("offset " + std::to_string(at) +
                                 ": a record name the protocol rejects"),
              std::string::npos)
        << c.problems[0];
    EXPECT_EQ(lostBytes(c.problems), line.size());
    ASSERT_EQ(c.records.size(), 1u);
    EXPECT_EQ(count(c, "www"), 1u);
  }
}

TEST(JournalFormat, SerialGoingBackwardsIsAProblem) {
  std::string f;
  appendHeader(f, 10);
  appendChangeEntry(f, set(rec("www", State::Up, 11)));
  appendChangeEntry(f, set(rec("www", State::Fail, 11)));
  Contents c = parse(f, "f");
  ASSERT_EQ(c.problems.size(), 1u);
  EXPECT_NE(c.problems[0].find("does not follow serial 11"), std::string::npos);
  EXPECT_EQ(at(c, "www").state, State::Fail);  // applied all the same
}

TEST(JournalFormat, ManyProblemsAreSummedUp) {
  std::string f;
  appendHeader(f, 0);
  for (int i = 0; i < 500; ++i) f += "garbage line\n";
  Contents c = parse(f, "f");
  EXPECT_EQ(c.problems.size(), kMaxProblems + 1);
  EXPECT_NE(c.problems.back().find("480 more problems"), std::string::npos) << c.problems.back();
  EXPECT_EQ(lostBytes(c.problems), 500u * 13);
}

TEST(JournalFormat, RandomInputNeverBreaksTheReader) {
  std::mt19937 rng(20261122);
  const std::string base = sample();
  for (int round = 0; round < 3000; ++round) {
    std::string g;
    if (round % 2) {  // mutate a sound file in several places
      g = base;
      int n = 1 + static_cast<int>(rng() % 8);
      for (int k = 0; k < n; ++k) g[rng() % g.size()] = static_cast<char>(rng());
      if (rng() % 4 == 0) g.resize(rng() % g.size());
    } else {  // noise, biased towards the characters the format uses
      static const std::string alphabet = "0123456789abcdef SRDA{}\\\"\n FAILD-STATE base ";
      g.resize(rng() % 600);
      for (char& ch : g)
        ch = rng() % 3 ? alphabet[rng() % alphabet.size()] : static_cast<char>(rng());
    }
    Contents c = parse(g, "f");
    EXPECT_LE(lostBytes(c.problems), g.size()) << round;
  }
}

}  // namespace
}  // namespace fail::state::format
