// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// htmlEscape and cspHash (base/html.hh).
#include "base/html.hh"

#include <gtest/gtest.h>

#include <string>

namespace fail {
namespace {

TEST(HtmlEscape, EscapesMarkupAndQuotes) {
  EXPECT_EQ(htmlEscape("<b a=\"x\" c='y'>&amp;</b>"), "&lt;b a=&quot;x&quot; c=&#39;y&#39;&gt;&amp;amp;&lt;/b&gt;");
  EXPECT_EQ(htmlEscape("plain text é ü 日本"), "plain text é ü 日本");
}

TEST(HtmlEscape, ShowsControlCharactersVisibly) {
  EXPECT_EQ(htmlEscape("a\nb\tc\rd\x1b[2Je\x7f"), "a\\nb\\tc\\rd\\x1b[2Je\\x7f");
  EXPECT_EQ(htmlEscape(std::string("nul\0x", 5)), "nul\\x00x");
  EXPECT_EQ(htmlEscape("csi\xc2\x9b" "1m"), "csi\\u009b1m");  // C1 CSI
  EXPECT_EQ(htmlEscape("right\xe2\x80\xaeleft"), "right\\u202eleft");  // RLO
}

TEST(HtmlEscape, ReplacesInvalidUtf8) {
  EXPECT_EQ(htmlEscape("a\xff" "b"), "a\xef\xbf\xbd" "b");
  EXPECT_EQ(htmlEscape("\xc0\xbc"), "\xef\xbf\xbd\xef\xbf\xbd");      // overlong '<'
  EXPECT_EQ(htmlEscape("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // surrogate
  EXPECT_EQ(htmlEscape("cut\xe6\x97"), "cut\xef\xbf\xbd\xef\xbf\xbd");
}

TEST(HtmlEscape, ShowsLineAndParagraphSeparatorsVisibly) {
  // U+2028 and U+2029 end a line in JavaScript source and split text invisibly.
  EXPECT_EQ(htmlEscape("a\xe2\x80\xa8" "b\xe2\x80\xa9" "c"), "a\\u2028b\\u2029c");
}

TEST(CspHash, IsTheBase64Sha256OfTheText) {
  // printf '' | openssl dgst -sha256 -binary | base64
  EXPECT_EQ(cspHash(""), "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");
  EXPECT_NE(cspHash("a"), cspHash("b"));
}

}  // namespace
}  // namespace fail
