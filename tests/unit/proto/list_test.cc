// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// splitList and the encoder: known cases, then a differential test against Tcl's own
// list parser (Tcl_ListObjGetElements, the Tcl_Obj form of Tcl_SplitList, which also
// takes NUL bytes), then round trips.
#include <gtest/gtest.h>
#include <tcl.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "base/text.hh"
#include "proto/list.hh"
#include "../../fuzz/tcl_oracle.hh"

namespace fail::proto {
namespace {

using Words = std::vector<std::string>;

// For failure messages: every byte outside printable ASCII as \xHH.
std::string show(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string show(const Words& w) {
  std::string out = "[";
  for (const auto& s : w) out += show(s) + " ";
  return out + "]";
}

Words split(std::string_view text) {
  Words w;
  ListError err;
  EXPECT_TRUE(splitList(text, w, &err)) << show(text) << ": " << err.message;
  return w;
}

// Tcl's own reader and the inputs where ours differs on purpose: shared with fuzz_list.
using fuzz::divergesOnPurpose;
using fuzz::fromTcl;
using fuzz::tclSplit;

// Pieces random inputs are made of: list syntax, escapes, digits, multi-byte UTF-8 and
// a few bytes that are not UTF-8.
const std::vector<std::string>& pieces() {
  static const std::vector<std::string> p = {
      "{", "}", "\"", "\\", " ", "\t", "\n", "\r", "\v", "\f", "x", "u", "U", "0", "1",
      "3", "7", "8", "9", "a", "b", "c", "d", "e", "f", "A", "F", "g", "n", "t", "z", ";",
      "$", "[", "]", "#", "{}", "\\\n", "\\x", "\\u", "\\U", "\\0", "\\{", "\\}", "\\\\",
      "\\ ", "\\\"", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xd7\x90",
      std::string(1, '\0'), "\xff", "\x80", "\xe0\x80", "\xed\xa0\x80", "\x01", "\x7f",
      "\\\xc3\xa9", "\\\xe2\x82\xac", "\\\xff", "\\\x80"};
  return p;
}

}  // namespace

TEST(ListSplit, Basics) {
  EXPECT_EQ(split(""), Words{});
  EXPECT_EQ(split(" \t\n\r\v\f "), Words{});
  EXPECT_EQ(split("a b  c"), (Words{"a", "b", "c"}));
  EXPECT_EQ(split("{a b} \"c d\" e\\ f"), (Words{"a b", "c d", "e f"}));
  EXPECT_EQ(split("{} \"\""), (Words{"", ""}));
  EXPECT_EQ(split("{a {b c} \\n} x"), (Words{"a {b c} \\n", "x"}));  // braces: literal
  EXPECT_EQ(split("\"{\" a{b a\"b"), (Words{"{", "a{b", "a\"b"}));
  EXPECT_EQ(split("\"a\\tb\\x41\\101\\u00e9\""), Words{"a\tbAA\xc3\xa9"});
  EXPECT_EQ(split("a\\\n   b"), Words{"a b"});
  EXPECT_EQ(split("a\\"), Words{"a\\"});
  EXPECT_EQ(split("\\q\\a\\b\\f\\v\\r"), Words{"q\a\b\f\v\r"});
  EXPECT_EQ(split(std::string_view("a\0b c", 5)), (Words{std::string("a\0b", 3), "c"}));
  EXPECT_EQ(split("\\x00"), Words{std::string(1, '\0')});
  EXPECT_EQ(split(std::string_view("a\\\0b", 4)), Words{std::string("a\\\0b", 4)});
  EXPECT_EQ(split("{a\\}b}"), Words{"a\\}b"});
}

TEST(ListSplit, NumericEscapesFollowTcl) {
  EXPECT_EQ(split("\\x1g"), Words{"\x01g"});
  EXPECT_EQ(split("\\xfff"), Words{"\xc3\xbf" "f"});  // at most two digits
  EXPECT_EQ(split("\\xg"), Words{"xg"});
  EXPECT_EQ(split("\\777"), Words{"?7"});  // the third digit only below \040
  EXPECT_EQ(split("\\0401"), Words{" 1"});
  EXPECT_EQ(split("\\uFFFFF"), Words{"\xef\xbf\xbf" "F"});
  EXPECT_EQ(split("\\U1"), Words{"\x01"});
  EXPECT_EQ(split("\\U0001F600z"), Words{"\xf0\x9f\x98\x80z"});
  EXPECT_EQ(split("\\U10FFFF"), Words{"\xf4\x8f\xbf\xbf"});
  // \U stops just before the value would pass U+10FFFF (Tcl's TclParseHex).
  EXPECT_EQ(split("\\U110000"), Words{"\xf0\x91\x80\x80" "0"});
  EXPECT_EQ(split("\\U00110000"), Words{"\xf0\x91\x80\x80" "0"});
  EXPECT_EQ(split("\\U111111111"), Words{"\xf0\x91\x84\x91" "1111"});
  EXPECT_EQ(split("\\uD800\\uDFFF"), Words{"\xef\xbf\xbd\xef\xbf\xbd"});  // surrogates
}

TEST(ListSplit, BackslashBeforeNonAscii) {
  EXPECT_EQ(split("\\\xc3\xa9"), Words{"\xc3\xa9"});
  EXPECT_EQ(split("\\\xf0\x9f\x98\x80"), Words{"\xf0\x9f\x98\x80"});
  EXPECT_EQ(split("\\\xff"), Words{"\xc3\xbf"});  // a stray byte, as Latin-1
  EXPECT_EQ(split("\\\xe0\x80\x80"), Words{"\xc3\xa0\x80\x80"});  // overlong: stray
  EXPECT_EQ(split("\\\xf4\x90\x80\x80"), Words{"\xc3\xb4\x90\x80\x80"});
}

TEST(ListSplit, Errors) {
  struct Case {
    const char* text;
    size_t offset;
    const char* message;
  } cases[] = {
      {"a {b", 2, "unmatched open brace in list"},
      {"{a\\}", 0, "unmatched open brace in list"},
      {"a \"b", 2, "unmatched open quote in list"},
      {"{a}b c", 3, "list element in braces followed by \"b\" instead of space"},
      {"\"a\"bcdefghijklmnopqrstuvwxyz", 3,
       "list element in quotes followed by \"bcdefghijklmnopqrstu\" instead of space"},
  };
  for (const auto& c : cases) {
    Words w;
    ListError err;
    EXPECT_FALSE(splitList(c.text, w, &err)) << c.text;
    EXPECT_EQ(err.offset, c.offset) << c.text;
    EXPECT_EQ(err.message, c.message) << c.text;
    std::string tclErr;
    EXPECT_FALSE(tclSplit(c.text, w, tclErr));
    EXPECT_EQ(tclErr, c.message) << c.text;
  }
}

// Random inputs: Tcl and splitList accept the same ones, with the same words, and
// reject the same ones, with the same message.
TEST(ListDiff, RandomInputsAgreeWithTcl) {
  std::mt19937 rng(20240601);
  const auto& p = pieces();
  std::uniform_int_distribution<size_t> pick(0, p.size() - 1);
  std::uniform_int_distribution<int> lenDist(0, 24);
  int compared = 0, rejected = 0;
  for (int iter = 0; iter < 200000; ++iter) {
    std::string in;
    for (int n = lenDist(rng); n > 0; --n) in += p[pick(rng)];
    if (divergesOnPurpose(in)) continue;
    Words ours, theirs;
    ListError err;
    std::string tclErr;
    bool okOurs = splitList(in, ours, &err);
    bool okTcl = tclSplit(in, theirs, tclErr);
    ASSERT_EQ(okOurs, okTcl) << show(in) << " ours: " << err.message << " tcl: " << tclErr;
    if (okOurs) {
      ASSERT_EQ(ours, theirs) << show(in) << "\n ours " << show(ours) << "\n tcl  "
                              << show(theirs);
    } else {
      ++rejected;
      // Tcl cuts the quoted junk in characters, not bytes, and at a NUL: compare all
      // of the message for plain ASCII input, the part before the junk otherwise.
      bool ascii = std::all_of(in.begin(), in.end(),
                               [](char c) { return c > 0 && static_cast<signed char>(c) > 0; });
      if (ascii) {
        ASSERT_EQ(err.message, tclErr) << show(in);
      } else {
        ASSERT_EQ(err.message.substr(0, err.message.find('"')),
                  tclErr.substr(0, tclErr.find('"')))
            << show(in);
      }
    }
    ++compared;
  }
  EXPECT_GT(compared, 100000);
  EXPECT_GT(rejected, 10000);
  EXPECT_GT(compared - rejected, 10000);
}

TEST(ListEncode, Canonical) {
  EXPECT_EQ(encodeWord(""), "{}");
  EXPECT_EQ(encodeWord("abc"), "abc");
  EXPECT_EQ(encodeWord("HTTP 503\nbody"), "HTTP\\ 503\\nbody");
  EXPECT_EQ(encodeWord("a;$[]\\\"{}"), "a\\;\\$\\[\\]\\\\\\\"\\{\\}");
  EXPECT_EQ(encodeWord(std::string("\0\x01\r\t\x7f", 5)), "\\x00\\x01\\r\\t\\x7f");
  EXPECT_EQ(encodeWord("\xc3\xa9"), "\xc3\xa9");
  EXPECT_EQ(encodeList({"a", "", "b c"}), "a {} b\\ c");
  EXPECT_EQ(encodeList({}), "");
  std::string out;
  appendElement(out, "");
  appendElement(out, "x");
  EXPECT_EQ(out, "{} x");
}

TEST(ListEncode, AppendWordKeepsWhatIsThere) {
  std::string out = "OK ";
  appendWord(out, std::string("a b\x01\xff}", 6));
  EXPECT_EQ(out, "OK a\\ b\\x01\xff\\}");
  appendWord(out, "plain");
  EXPECT_EQ(out, "OK a\\ b\\x01\xff\\}plain");
}

namespace {

std::string randomWord(std::mt19937& rng, bool utf8Only) {
  static const char* kUtf8[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xd7\x90"};
  std::uniform_int_distribution<int> len(0, 12), kind(0, 9), byte(0, 255), ascii(0, 127);
  std::string w;
  for (int n = len(rng); n > 0; --n) {
    int k = kind(rng);
    if (k < 2) w += kUtf8[byte(rng) % 4];
    else if (k < 4) w += "{}\"\\ \t\n\r;$[]#"[byte(rng) % 14];
    else if (utf8Only || k < 7) w += static_cast<char>(ascii(rng));
    else w += static_cast<char>(byte(rng));
  }
  return w;
}

}  // namespace

TEST(ListEncode, RoundTripsThroughSplitListAndTcl) {
  std::mt19937 rng(7);
  for (int iter = 0; iter < 20000; ++iter) {
    bool utf8Only = iter % 2 == 0;
    Words words(static_cast<size_t>(iter % 7));
    for (auto& w : words) w = randomWord(rng, utf8Only);
    std::string line = encodeList(words);
    for (unsigned char c : line) ASSERT_GE(c, 0x20) << show(line);
    ASSERT_EQ(line.find('\x7f'), std::string::npos) << show(line);
    std::string joined;
    for (const auto& w : words) {
      std::string e = encodeWord(w);
      if (!w.empty()) {
        ASSERT_NE(e[0], '{') << show(w);
      }
      if (!joined.empty()) joined += ' ';
      joined += e;
    }
    ASSERT_EQ(line, joined);
    if (utf8Only) {
      ASSERT_TRUE(validUtf8(line)) << show(line);
    }

    Words back;
    ASSERT_TRUE(splitList(line, back)) << show(line);
    ASSERT_EQ(back, words) << show(line);

    // Tcl writes NUL as C0 80: compare with that mapping on both sides.
    Words theirs, expected;
    std::string tclErr;
    ASSERT_TRUE(tclSplit(line, theirs, tclErr)) << show(line) << ": " << tclErr;
    for (const auto& w : words) expected.push_back(fromTcl(w));
    ASSERT_EQ(theirs, expected) << show(line);
  }
}

TEST(ListEncode, NestedListsRoundTrip) {
  Words inner = {"a b", "", "c\nd", "{"};
  std::string innerLine = encodeList(inner);
  std::string outer = encodeList({"OK", innerLine});
  Words w = split(outer);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(split(w[1]), inner);
}

}  // namespace fail::proto
