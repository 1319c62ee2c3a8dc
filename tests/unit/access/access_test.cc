// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

#include "access/access.hh"

namespace fail::access {
namespace {

// The message of the runtime_error that parse() throws for `text`, or "" if none.
std::string parseError(const std::string& text) {
  try {
    AccessFile::parse(text, "acc");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

const char kSample[] =
    "# faild access\n"
    "\n"
    "*        s3cr3t$[x]  RW  failsh@a\n"
    "web*     webpw       ro  hc-fra   # reporter in Frankfurt\n"
    "  db1    dbpw        Rw\r\n"
    "web1     webpw       RW\n"
    "*        readonly    RO\n"
    "\t# indented comment\n"
    "web2     #hash       RO\n";

}  // namespace

TEST(AccessParse, Sample) {
  auto f = AccessFile::parse(kSample, "acc");
  const auto& e = f.entries();
  ASSERT_EQ(e.size(), 6u);
  EXPECT_EQ(e[0].pattern, "*");
  EXPECT_EQ(e[0].secret, "s3cr3t$[x]");  // no Tcl substitution
  EXPECT_EQ(e[0].level, Level::Rw);
  EXPECT_EQ(e[0].name, "failsh@a");
  EXPECT_EQ(e[0].line, 3);
  EXPECT_EQ(e[1].pattern, "web*");
  EXPECT_EQ(e[1].level, Level::Ro);
  EXPECT_EQ(e[1].name, "hc-fra");
  EXPECT_EQ(e[2].pattern, "db1");
  EXPECT_EQ(e[2].secret, "dbpw");  // CR dropped
  EXPECT_EQ(e[2].level, Level::Rw);
  EXPECT_EQ(e[2].name, "");
  EXPECT_EQ(e[2].line, 5);
  EXPECT_EQ(e[5].secret, "#hash");  // a secret may begin with '#'
  EXPECT_EQ(e[5].line, 9);
}

TEST(AccessParse, EmptyAndCommentsOnly) {
  EXPECT_TRUE(AccessFile::parse("", "acc").entries().empty());
  EXPECT_TRUE(AccessFile::parse("\n\n# x\n   \n\t\n", "acc").entries().empty());
  EXPECT_EQ(AccessFile::parse("* pw RW", "acc").entries().size(), 1u);  // no final LF
}

TEST(AccessParse, Errors) {
  EXPECT_EQ(parseError("* pw\n"),
            "acc:1: too few fields (2): expected PATTERN SECRET RO|RW ?NAME?");
  EXPECT_EQ(parseError("\n*\n"), "acc:2: too few fields (1): expected PATTERN SECRET RO|RW ?NAME?");
  EXPECT_EQ(parseError("# c\n* pw RW name extra\n"),
            "acc:2: too many fields (5): expected PATTERN SECRET RO|RW ?NAME?");
  EXPECT_EQ(parseError("* pw RX\n"), "acc:1: bad level 'RX': expected RO or RW");
  EXPECT_EQ(parseError("* pw R\n"), "acc:1: bad level 'R': expected RO or RW");
  EXPECT_EQ(parseError("* pw RWX\n"), "acc:1: bad level 'RWX': expected RO or RW");
  EXPECT_NE(parseError("* pw RW bad!name\n").find("acc:1: bad NAME 'bad!name'"),
            std::string::npos);
  EXPECT_NE(parseError("* pw RW " + std::string(256, 'a') + "\n").find("acc:1: bad NAME"),
            std::string::npos);
  EXPECT_NE(parseError("w\xc3\xa9 pw RW\n").find("acc:1: bad pattern"), std::string::npos);
  EXPECT_NE(parseError("* p\x01w RW\n").find("acc:1: control character \\x01"),
            std::string::npos);
  EXPECT_NE(parseError(std::string("* p\0w RW\n", 9)).find("acc:1: control character"),
            std::string::npos);
  EXPECT_NE(parseError("* \xff\xfe RW\n").find("acc:1: secret is not valid UTF-8"),
            std::string::npos);
  // '#' only starts a comment at the start of a line or after the secret.
  EXPECT_EQ(parseError("* pw # RW\n"),
            "acc:1: too few fields (2): expected PATTERN SECRET RO|RW ?NAME?");
}

TEST(AccessParse, SecretsAreUtf8AndAnyPunctuation) {
  auto f = AccessFile::parse("* p\xc3\xa4ss{}\"\\;$ RO\n", "acc");
  ASSERT_EQ(f.entries().size(), 1u);
  EXPECT_EQ(f.entries()[0].secret, "p\xc3\xa4ss{}\"\\;$");
}

TEST(AccessAuth, MatchesEveryEntryWithTheSecret) {
  auto f = AccessFile::parse(kSample, "acc");
  auto g = f.authenticate("webpw");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->levelFor("web1"), Level::Rw);
  EXPECT_EQ(g->levelFor("web7"), Level::Ro);
  EXPECT_EQ(g->levelFor("webmail"), Level::Ro);
  EXPECT_EQ(g->levelFor("db1"), Level::None);
  EXPECT_EQ(g->best(), Level::Rw);
  EXPECT_FALSE(g->canDebug());
  EXPECT_EQ(g->name(), "hc-fra");
  EXPECT_TRUE(g->any());
}

TEST(AccessAuth, WrongSecrets) {
  auto f = AccessFile::parse(kSample, "acc");
  EXPECT_FALSE(f.authenticate(""));
  EXPECT_FALSE(f.authenticate("webp"));
  EXPECT_FALSE(f.authenticate("webpw "));
  EXPECT_FALSE(f.authenticate("WEBPW"));
  EXPECT_FALSE(f.authenticate("s3cr3t"));
}

TEST(AccessAuth, FullAndDebug) {
  auto f = AccessFile::parse(kSample, "acc");
  auto g = f.authenticate("s3cr3t$[x]");
  ASSERT_TRUE(g);
  EXPECT_TRUE(g->canDebug());
  EXPECT_EQ(g->levelFor("anything"), Level::Rw);
  EXPECT_EQ(g->name(), "failsh@a");

  auto ro = f.authenticate("readonly");
  ASSERT_TRUE(ro);
  EXPECT_FALSE(ro->canDebug());
  EXPECT_EQ(ro->levelFor("x"), Level::Ro);
  EXPECT_EQ(ro->best(), Level::Ro);
  EXPECT_EQ(ro->name(), "");

  auto db = f.authenticate("dbpw");
  ASSERT_TRUE(db);
  EXPECT_FALSE(db->canDebug());  // RW, but not on "*"
  EXPECT_EQ(db->levelFor("db1"), Level::Rw);
  EXPECT_EQ(db->levelFor("db10"), Level::None);
}

TEST(AccessGrant, FullAndEmpty) {
  auto g = Grant::full("unix");
  EXPECT_TRUE(g.any());
  EXPECT_TRUE(g.canDebug());
  EXPECT_EQ(g.levelFor("x"), Level::Rw);
  EXPECT_EQ(g.best(), Level::Rw);
  EXPECT_EQ(g.name(), "unix");
  EXPECT_EQ(Grant::full().name(), "");

  Grant none;
  EXPECT_FALSE(none.any());
  EXPECT_FALSE(none.canDebug());
  EXPECT_EQ(none.levelFor("x"), Level::None);
  EXPECT_EQ(none.best(), Level::None);
  EXPECT_EQ(none.name(), "");
}

TEST(AccessGrant, GlobPatterns) {
  auto f = AccessFile::parse("web[0-9]@* pw RW\n?b pw RO\n", "acc");
  auto g = f.authenticate("pw");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->levelFor("web1@fra"), Level::Rw);
  EXPECT_EQ(g->levelFor("webx@fra"), Level::None);
  EXPECT_EQ(g->levelFor("ab"), Level::Ro);
  EXPECT_EQ(g->levelFor("abc"), Level::None);
}

TEST(AccessByName, CertificateCommonName) {
  auto f = AccessFile::parse(kSample, "acc");
  auto g = f.byName("hc-fra");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->levelFor("web3"), Level::Ro);
  EXPECT_EQ(g->levelFor("db1"), Level::None);
  EXPECT_EQ(g->name(), "hc-fra");
  EXPECT_FALSE(f.byName(""));  // entries without NAME are never reached by name
  EXPECT_FALSE(f.byName("nobody"));
  EXPECT_FALSE(f.byName("HC-FRA"));
}

TEST(AccessSecret, Equals) {
  EXPECT_TRUE(secretEquals("", ""));
  EXPECT_TRUE(secretEquals("abc", "abc"));
  EXPECT_FALSE(secretEquals("abc", "abd"));
  EXPECT_FALSE(secretEquals("abc", "ab"));
  EXPECT_FALSE(secretEquals("", "a"));
  EXPECT_FALSE(secretEquals(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

TEST(AccessLoad, ReadsAFileAndNamesItInErrors) {
  char dir[] = "/tmp/access_test.XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string path = std::string(dir) + "/access";
  {
    std::ofstream out(path);
    out << "# test\n* pw RW me\nweb* ro RO\n";
  }
  chmod(path.c_str(), 0600);
  auto f = AccessFile::load(path);
  EXPECT_EQ(f.entries().size(), 2u);
  {
    std::ofstream out(path);
    out << "* pw RW\n* pw XX\n";
  }
  try {
    AccessFile::load(path);
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), path + ":2: bad level 'XX': expected RO or RW");
  }
  unlink(path.c_str());
  try {
    AccessFile::load(path);
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), path + ": No such file or directory");
  }
  rmdir(dir);
}

}  // namespace fail::access
