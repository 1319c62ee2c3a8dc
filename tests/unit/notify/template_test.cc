// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Templates: fields replaced, "$$", errors that name what and where, JSON escaping of
// control characters and invalid UTF-8, the built-in templates.
#include "notify/template.hh"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace fail::notify {
namespace {

Template parsed(std::string_view text) {
  std::string err;
  auto t = Template::parse(text, &err);
  EXPECT_TRUE(t) << err;
  return t ? *t : *Template::parse("", nullptr);
}

std::string parseError(std::string_view text) {
  std::string err;
  EXPECT_FALSE(Template::parse(text, &err)) << text;
  return err;
}

TEST(Template, FieldNamesAreSortedAndUnique) {
  const auto& names = fieldNames();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end());
  for (const char* n : {"attributes", "channel", "count", "duration", "host", "key", "kind", "link",
                        "location", "note", "origin", "previous", "record", "records", "since",
                        "state", "time", "subject", "body"})
    EXPECT_TRUE(std::binary_search(names.begin(), names.end(), n)) << n;
}

TEST(Template, ReplacesFields) {
  auto t = parsed("${record} is ${state} (was ${previous}) ${record}");
  Fields f{{"record", "www"}, {"state", "FAIL"}, {"previous", "UP"}};
  EXPECT_EQ(t.render(f), "www is FAIL (was UP) www");
  EXPECT_EQ(t.text(), "${record} is ${state} (was ${previous}) ${record}");
  EXPECT_EQ(t.fields(), (std::vector<std::string>{"record", "state", "previous", "record"}));
}

TEST(Template, MissingFieldIsEmpty) {
  EXPECT_EQ(parsed("[${note}]").render({}), "[]");
}

TEST(Template, DoubleDollarIsADollar) {
  EXPECT_EQ(parsed("costs $$5, $${record}").render({{"record", "x"}}), "costs $5, ${record}");
  EXPECT_EQ(parsed("").render({}), "");
  EXPECT_EQ(parsed("plain").render({}), "plain");
}

TEST(Template, FieldTextIsNotExpandedAgain) {
  EXPECT_EQ(parsed("${note}").render({{"note", "${record} $$"}, {"record", "x"}}), "${record} $$");
}

TEST(Template, UnknownFieldNamesItAndWhere) {
  std::string err = parseError("state: ${sevrity}!");
  EXPECT_NE(err.find("unknown field ${sevrity} at offset 7"), std::string::npos) << err;
  EXPECT_NE(err.find("known: attributes, body, channel"), std::string::npos) << err;
}

TEST(Template, BadDollarsAreErrors) {
  EXPECT_NE(parseError("a $b").find("'$' at offset 2"), std::string::npos);
  EXPECT_NE(parseError("end $").find("'$' at offset 4"), std::string::npos);
  EXPECT_NE(parseError("x ${record").find("unterminated ${ at offset 2"), std::string::npos);
  EXPECT_NE(parseError("${}").find("unknown field ${} at offset 0"), std::string::npos);
  // An unprintable name is shown escaped.
  EXPECT_NE(parseError("${a\nb}").find("${a\\x0ab}"), std::string::npos) << parseError("${a\nb}");
}

TEST(Template, RejectsInvalidUtf8) {
  EXPECT_NE(parseError("ok \xff").find("invalid UTF-8 at offset 3"), std::string::npos);
  EXPECT_FALSE(Template::parse("\xc0\x80", nullptr));  // no *err: no crash
}

TEST(Template, JsonEscapesFieldsOnly) {
  auto t = parsed("{\"note\":\"${note}\"}");
  std::string note = "a \"quoted\" \\ line\nand\ttab \x01 bell\x7f é";
  std::string out = t.render({{"note", note}}, Template::Escape::Json);
  EXPECT_EQ(out, "{\"note\":\"a \\\"quoted\\\" \\\\ line\\nand\\ttab \\u0001 bell\x7f é\"}");
  EXPECT_EQ(nlohmann::json::parse(out)["note"], note);
  // Without escaping the text is as it is.
  EXPECT_EQ(t.render({{"note", "a\"b"}}), "{\"note\":\"a\"b\"}");
}

TEST(Template, JsonReplacesInvalidUtf8) {
  EXPECT_EQ(jsonEscape("a\xff" "b\xc3"), "a\xef\xbf\xbd" "b\xef\xbf\xbd");
  EXPECT_EQ(jsonEscape(std::string("nul\0x", 5)), "nul\\u0000x");
  auto t = parsed("{\"r\":\"${record}\"}");
  std::string out = t.render({{"record", "bad\xfe\xfe"}}, Template::Escape::Json);
  EXPECT_EQ(nlohmann::json::parse(out)["r"], "bad\xef\xbf\xbd\xef\xbf\xbd");
}

TEST(Template, DefaultsRender) {
  Fields f{{"record", "www"}, {"state", "FAIL"}, {"previous", "UP"}, {"duration", "2h"},
           {"count", "12"},   {"channel", "ops"}, {"records", "a, b"}, {"subject", "S"},
           {"body", "B\n\"x\""}};
  EXPECT_EQ(defaultSubject().render(f), "[failover] www is FAIL");
  EXPECT_EQ(defaultSubject(Kind::Repeat).render(f), "[failover] www is still FAIL");
  EXPECT_EQ(defaultSubject(Kind::Resolved).render(f), "[failover] resolved: www is FAIL");
  EXPECT_EQ(defaultSubject(Kind::Digest).render(f),
            "[failover] 12 more notifications held back on ops");
  EXPECT_EQ(defaultSubject(Kind::Send).render(f), "S");
  EXPECT_EQ(defaultBody(Kind::Send).render(f), "B\n\"x\"");
  EXPECT_EQ(defaultBody().render(f).rfind("www is FAIL; it was UP for 2h.\n", 0), 0u);
  EXPECT_NE(defaultBody(Kind::Digest).render(f).find("a, b"), std::string::npos);

  // The JSON body holds every field, and is JSON whatever the fields hold.
  Fields all;
  for (const auto& n : fieldNames()) all[n] = n + " \"\n\x02\xff";
  auto j = nlohmann::json::parse(defaultJson().render(all, Template::Escape::Json));
  for (const auto& n : fieldNames()) {
    ASSERT_TRUE(j.contains(n)) << n;
    EXPECT_EQ(j[n], n + " \"\n\x02\xef\xbf\xbd");
  }
  EXPECT_EQ(j.size(), fieldNames().size());
}

}  // namespace
}  // namespace fail::notify
