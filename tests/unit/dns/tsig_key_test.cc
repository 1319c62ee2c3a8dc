// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/tsig_key.hh"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "base/log.hh"

namespace fail::dns {
namespace {

constexpr const char* kSecret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ=";

TEST(TsigKey, ReadsTsigKeygenOutput) {
  std::string text = std::string("key \"Failover-Key\" {\n\talgorithm hmac-sha256;\n\tsecret \"") + kSecret +
                     "\";\n};\n";
  TsigKey k;
  std::string err;
  ASSERT_TRUE(parseTsigKeyText(text, "tsig.key", k, &err)) << err;
  EXPECT_EQ(k.name, "failover-key");
  EXPECT_EQ(k.algorithm, "hmac-sha256.");
  EXPECT_EQ(k.algorithmName(), "hmac-sha256");
  EXPECT_EQ(k.secret, kSecret);
  EXPECT_EQ(k.origin, "tsig.key:1");
  EXPECT_EQ(k.ldnsName(), "failover-key.");
}

TEST(TsigKey, ReadsBindWithCommentsAndSeveralKeysByName) {
  std::string text = std::string("# made by hand\n/* two\nkeys */ key a { algorithm hmac-sha512; secret \"") +
                     kSecret + "\"; };\n// next\nkey \"b.example\" {\n secret \"" + kSecret +
                     "\";\n algorithm HMAC-MD5.SIG-ALG.REG.INT;\n};\n";
  TsigKey k;
  std::string err;
  EXPECT_FALSE(parseTsigKeyText(text, "f", k, &err));
  EXPECT_EQ(err, "f: holds 2 keys: name the one to use");
  ASSERT_TRUE(parseTsigKeyText(text, "f", k, &err, "B.example.")) << err;
  EXPECT_EQ(k.name, "b.example");
  EXPECT_EQ(k.algorithm, "hmac-md5.sig-alg.reg.int.");
  EXPECT_EQ(k.algorithmName(), "hmac-md5");
  EXPECT_EQ(k.origin, "f:5");
  ASSERT_TRUE(parseTsigKeyText(text, "f", k, &err, "a")) << err;
  EXPECT_EQ(k.algorithm, "hmac-sha512.");
  EXPECT_FALSE(parseTsigKeyText(text, "f", k, &err, "c"));
  EXPECT_EQ(err, "f: no key named c");
}

TEST(TsigKey, ReadsKnotKeySection) {
  std::string text = std::string("# hmac-sha384:knot-key:") + kSecret + "\nkey:\n  - id: knot-key\n" +
                     "    algorithm: hmac-sha384\n    secret: " + kSecret + "\n";
  TsigKey k;
  std::string err;
  ASSERT_TRUE(parseTsigKeyText(text, "knot.key", k, &err)) << err;
  EXPECT_EQ(k.name, "knot-key");
  EXPECT_EQ(k.algorithm, "hmac-sha384.");
  EXPECT_EQ(k.secret, kSecret);
  EXPECT_EQ(k.origin, "knot.key:3");
}

TEST(TsigKey, ReadsTheColonFormsWithSha256ByDefault) {
  TsigKey k;
  std::string err;
  ASSERT_TRUE(parseTsigKeyText(std::string("hmac-sha224:k1:") + kSecret + "\n", "f", k, &err)) << err;
  EXPECT_EQ(k.algorithm, "hmac-sha224.");
  ASSERT_TRUE(parseTsigKeyInline(std::string("k2:") + kSecret, k, &err)) << err;
  EXPECT_EQ(k.name, "k2");
  EXPECT_EQ(k.algorithm, "hmac-sha256.");
  EXPECT_EQ(k.origin, "-key");
  ASSERT_TRUE(parseTsigKeyInline(std::string("hmac-sha1:k3:") + kSecret, k, &err)) << err;
  EXPECT_EQ(k.algorithm, "hmac-sha1.");
}

TEST(TsigKey, AcceptsTheSixAlgorithmsOnly) {
  for (const char* a : {"hmac-sha256", "HMAC-SHA512.", "hmac-sha384", "hmac-sha224", "hmac-sha1", "hmac-md5"})
    EXPECT_NE(tsigAlgorithm(a), "") << a;
  for (const char* a : {"hmac-sha3", "gss-tsig", "", "sha256", "hmac-sha256x"}) EXPECT_EQ(tsigAlgorithm(a), "") << a;
}

// Every malformed file gets FILE:LINE and what is wrong, and never the secret.
TEST(TsigKey, RejectsGarbageNamingFileAndLineWithoutTheSecret) {
  std::string s = kSecret;
  struct Case {
    std::string text, error;
  } cases[] = {
      {"key \"k\" {\n algorithm hmac-sha3;\n secret \"" + s + "\";\n};\n",
       "f:1: unknown TSIG algorithm \"hmac-sha3\" for key k (hmac-sha256, hmac-sha512, hmac-sha384, hmac-sha224, "
       "hmac-sha1 or hmac-md5)"},
      {"key \"k\" {\n algorithm hmac-sha256;\n};\n", "f:1: key k has no secret"},
      {"key \"k\" {\n secret \"" + s + "!\";\n};\n", "f:1: the secret of key k is not base64"},
      {"key \"k\" {\n secret " + s + " extra;\n};\n", "f:2: expected ';'"},
      {"key \"k\" {\n color blue;\n};\n", "f:2: unknown key clause \"color\""},
      {"options { };\n", "f:1: expected a key statement (key \"NAME\" { ... };)"},
      {"key \"k\" {\n secret \"" + s + "\";\n", "f:2: expected '}' at the end"},
      {"key \"a..b\" { secret \"" + s + "\"; };\n", "f:1: bad key name: empty label in domain name: \"a..b\""},
      {"key:\n  - id: k\n    secret: " + s + "\n    algorithm: md4\n",
       "f:2: unknown TSIG algorithm \"md4\" for key k (hmac-sha256, hmac-sha512, hmac-sha384, hmac-sha224, hmac-sha1 "
       "or hmac-md5)"},
      {"key:\n  - id: k\n    colour: " + s + "\n", "f:3: unknown key field \"colour\""},
      {"key:\n  - id: k\n    secret: " + s + "\nsecret: " + s + "\n",
       "f:4: unexpected section \"secret\" (a Knot key file has only key:)"},
      {s + "\n", "f:1: expected ALGORITHM:NAME:SECRET"},
      {"hmac-sha256:k:" + s + "\nhmac-sha256:k:" + s + "\n",
       "f:1: expected one ALGORITHM:NAME:SECRET line, a BIND key or a Knot key:"},
      {"hmac-foo:k:" + s + "\n",
       "f:1: unknown TSIG algorithm \"hmac-foo\" for key k (hmac-sha256, hmac-sha512, hmac-sha384, hmac-sha224, "
       "hmac-sha1 or hmac-md5)"},
      {"# nothing\n\n", "f: no TSIG key in the file"},
  };
  for (const auto& c : cases) {
    TsigKey k;
    std::string err;
    EXPECT_FALSE(parseTsigKeyText(c.text, "f", k, &err)) << c.text;
    EXPECT_EQ(err, c.error) << c.text;
    EXPECT_EQ(err.find(s.substr(0, 12)), std::string::npos) << err;
  }
}

// Found by fuzz_tsig_key: a NUL byte inside a word looped for ever.
TEST(TsigKey, ANulByteIsAnError) {
  TsigKey k;
  std::string err;
  std::string text("key \"k\" { algorithm hmac\0-sha256; };\n", 37);
  EXPECT_FALSE(parseTsigKeyText(text, "f", k, &err));
  EXPECT_EQ(err, "f:1: unknown TSIG algorithm \"hmac\\x00-sha256\" for key k (hmac-sha256, hmac-sha512, hmac-sha384, "
                 "hmac-sha224, hmac-sha1 or hmac-md5)");
}

TEST(TsigKey, ReadsAFileAndRedactsTheSecretFromLogs) {
  std::string path = ::testing::TempDir() + "tsig_key_test.key";
  std::ofstream(path) << "key \"k\" { algorithm hmac-sha256; secret \"" << kSecret << "\"; };\n";
  TsigKey k;
  std::string err;
  ASSERT_TRUE(readTsigKeyFile(path, k, &err)) << err;
  EXPECT_EQ(k.origin, path + ":1");
  EXPECT_EQ(log::redacted(std::string("the secret is ") + kSecret), "the secret is ***");
  std::remove(path.c_str());
  EXPECT_FALSE(readTsigKeyFile(path, k, &err));
  EXPECT_EQ(err, path + ": cannot read the key file: No such file or directory");
}

TEST(TsigKey, DecodesBase64) {
  std::vector<std::uint8_t> out;
  ASSERT_TRUE(decodeTsigSecret("YWJj", out));
  EXPECT_EQ(std::string(out.begin(), out.end()), "abc");
  ASSERT_TRUE(decodeTsigSecret("YWI=", out));
  EXPECT_EQ(std::string(out.begin(), out.end()), "ab");
  EXPECT_FALSE(decodeTsigSecret("", out));
  EXPECT_FALSE(decodeTsigSecret("YWJ", out));
  EXPECT_FALSE(decodeTsigSecret("YW=j", out));
  EXPECT_FALSE(decodeTsigSecret("YW J", out));
}

}  // namespace
}  // namespace fail::dns
