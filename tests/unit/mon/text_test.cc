// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "mon/text.hh"

#include <gtest/gtest.h>

#include <string>

#include "base/text.hh"

namespace fail::mon {
namespace {

// No byte below 0x20, no DEL, no C1 code point (U+0080..U+009F), well-formed UTF-8.
bool harmless(const std::string& s) {
  if (!validUtf8(s)) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return false;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xA0) return false;
  }
  return true;
}

TEST(MonText, PlainTextIsUnchanged) {
  EXPECT_EQ(terminalSafe("web1 is UP"), "web1 is UP");
  EXPECT_EQ(terminalSafe("Grüße, 世界"), "Grüße, 世界");
  EXPECT_EQ(terminalSafe(""), "");
}

TEST(MonText, EscapeSequencesShowAsText) {
  EXPECT_EQ(terminalSafe("\x1b[2J\x1b]0;pwned\x07"), "\\x1b[2J\\x1b]0;pwned\\x07");
  EXPECT_EQ(terminalSafe("a\nb\tc\rd"), "a\\nb\\tc\\rd");
  EXPECT_EQ(terminalSafe(std::string("nul\0x", 5)), "nul\\x00x");
  EXPECT_EQ(terminalSafe("del\x7f"), "del\\x7f");
}

TEST(MonText, C1ControlsShowAsText) {
  // U+009B is CSI on its own, U+009D OSC: both escaped, as code points.
  EXPECT_EQ(terminalSafe("\xc2\x9b" "2J"), "\\x9b2J");
  EXPECT_EQ(terminalSafe("\xc2\x9d" "0;t\xc2\x9c"), "\\x9d0;t\\x9c");
  EXPECT_EQ(terminalSafe("\xc2\xa0"), "\xc2\xa0");  // U+00A0 is printable
}

TEST(MonText, InvalidUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(terminalSafe("a\xff" "b"), "a\xef\xbf\xbd" "b");
  EXPECT_EQ(terminalSafe("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");  // overlong "/"
  EXPECT_EQ(terminalSafe("\xe0\x80\xaf"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(terminalSafe("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // surrogate
  EXPECT_EQ(terminalSafe("\xf4\x90\x80\x80").size(), 12u);                        // > U+10FFFF
  EXPECT_EQ(terminalSafe("ab\xe4\xb8"), "ab\xef\xbf\xbd\xef\xbf\xbd");            // truncated
  // An overlong ESC (C0 9B) must not come out as ESC.
  EXPECT_TRUE(harmless(terminalSafe("\xc0\x9b")));
}

TEST(MonText, BidiOverridesAreShownNotObeyed) {
  EXPECT_EQ(terminalSafe("a\xe2\x80\xae" "b"), "a\\u202eb");
  EXPECT_EQ(terminalSafe("\xe2\x81\xa6x"), "\\u2066x");
  EXPECT_EQ(terminalSafe("\xe2\x80\xa8"), "\\u2028");
}

TEST(MonText, WidthsOfWideAndCombiningCharacters) {
  EXPECT_EQ(displayWidth("abc"), 3);
  EXPECT_EQ(displayWidth("世界"), 4);
  EXPECT_EQ(displayWidth("e\xcc\x81"), 1);  // e + combining acute
  EXPECT_EQ(displayWidth("…"), 1);
  EXPECT_EQ(displayWidth(""), 0);
}

TEST(MonText, FitColumnsPadsAndCuts) {
  EXPECT_EQ(fitColumns("web", 6), "web   ");
  EXPECT_EQ(fitColumns("web", 6, false), "web");
  EXPECT_EQ(fitColumns("webserver", 6), "webse…");
  EXPECT_EQ(fitColumns("webserver", 1), "…");
  EXPECT_EQ(fitColumns("webserver", 0), "");
  EXPECT_EQ(fitColumns("webserver", -3), "");
  EXPECT_EQ(fitColumns("abcdef", 6), "abcdef");
}

TEST(MonText, FitColumnsNeverSplitsAWideCharacter) {
  // 世界人 is 6 columns; in 4 there is room for 世 (2) and the ellipsis, padded to 4.
  std::string s = fitColumns("世界人", 4);
  EXPECT_EQ(s, "世… ");
  EXPECT_EQ(displayWidth(s), 4);
  EXPECT_EQ(displayWidth(fitColumns("世界人", 5)), 5);
  EXPECT_EQ(fitColumns("世界人", 6), "世界人");
  EXPECT_EQ(fitColumns("e\xcc\x81" "e\xcc\x81", 2), "e\xcc\x81" "e\xcc\x81");
  EXPECT_TRUE(validUtf8(fitColumns("ééééé", 3)));
}

TEST(MonText, AHundredKilobyteWordFits) {
  std::string word(100'000, 'x');
  word += "\x1b[2J";
  std::string safe = terminalSafe(word);
  EXPECT_TRUE(harmless(safe));
  std::string cut = fitColumns(safe, 80);
  EXPECT_EQ(displayWidth(cut), 80);
  EXPECT_EQ(cut.substr(cut.size() - 3), "…");
}

TEST(MonText, EveryByteValueIsHarmless) {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  std::string safe = terminalSafe(all);
  EXPECT_TRUE(harmless(safe));
  for (int cols : {1, 5, 40, 1000}) EXPECT_LE(displayWidth(fitColumns(safe, cols)), cols);
}

TEST(MonText, AsciiKeepsTheColumns) {
  EXPECT_EQ(toAscii("Grüße, 世界 e\xcc\x81!"), "Gr??e, ???? e!");
  std::string s = fitColumns("世界人abc", 5);
  EXPECT_EQ(displayWidth(toAscii(s)), 5);
  EXPECT_EQ(toAscii("plain"), "plain");
}

}  // namespace
}  // namespace fail::mon
