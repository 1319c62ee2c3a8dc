// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The CGI programs' configuration file (conf.hh).
#include "mon/conf.hh"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace fail::mon {
namespace {

CgiConf parseOk(std::string_view text) {
  CgiConf c;
  std::string err;
  EXPECT_TRUE(parseConf(text, "/etc/failover/failmon.conf", "1848", c, err)) << err;
  return c;
}

std::string parseErr(std::string_view text) {
  CgiConf c;
  std::string err;
  EXPECT_FALSE(parseConf(text, "/etc/failover/failmon.conf", "1848", c, err));
  return err;
}

TEST(MonConf, ParsesEveryKeyword) {
  CgiConf c = parseOk(
      "# the pair\n"
      "title  Ops <status> page  \n"
      "refresh 15s\r\n"
      "\n"
      "   # indented comment\n"
      "timeout 1500ms\n"
      "target alpha 127.0.0.1 # the first\n"
      "target beta [::1]:1849 secret-file beta.secret tls ca /etc/ssl/ca.pem cert c.pem key k.pem\n"
      "target gamma unix:/run/failover/failsh.sock\n");
  EXPECT_EQ(c.title, "Ops <status> page");
  EXPECT_EQ(c.refresh.count(), 15000);
  EXPECT_EQ(c.timeout.count(), 1500);
  ASSERT_EQ(c.targets.size(), 3u);
  EXPECT_EQ(c.targets[0].spec.name, "alpha");
  EXPECT_EQ(c.targets[0].spec.link.target.display(), "127.0.0.1:1848");
  EXPECT_EQ(c.targets[0].line, 7);
  EXPECT_TRUE(c.targets[0].secretFile.empty());
  EXPECT_FALSE(c.targets[0].spec.link.tls.enabled);
  const auto& b = c.targets[1];
  EXPECT_EQ(b.spec.link.target.host, "::1");
  EXPECT_EQ(b.spec.link.target.port, "1849");
  EXPECT_EQ(b.secretFile, "/etc/failover/beta.secret");
  EXPECT_TRUE(b.spec.link.secret.empty());  // only loadConf reads it
  EXPECT_TRUE(b.spec.link.tls.enabled);
  EXPECT_EQ(b.spec.link.tls.ca, "/etc/ssl/ca.pem");
  EXPECT_EQ(b.spec.link.tls.cert, "/etc/failover/c.pem");
  EXPECT_EQ(b.spec.link.tls.key, "/etc/failover/k.pem");
  EXPECT_EQ(c.targets[2].spec.link.target.path, "/run/failover/failsh.sock");
}

TEST(MonConf, Defaults) {
  CgiConf c = parseOk("target a localhost:1850\n");
  EXPECT_EQ(c.title, "failover");
  EXPECT_EQ(c.refresh.count(), 30000);
  EXPECT_EQ(c.timeout.count(), 3000);
  EXPECT_EQ(parseOk("refresh 0\ntarget a localhost\n").refresh.count(), 0);
}

TEST(MonConf, ErrorsNameFileLineAndWord) {
  const std::string f = "/etc/failover/failmon.conf:";
  EXPECT_EQ(parseErr("target a 127.0.0.1\nfrobnicate 3\n"),
            f + "2: unknown keyword 'frobnicate' (title, refresh, timeout, target)");
  EXPECT_EQ(parseErr("refresh soon\n"), f + "1: bad DURATION 'soon' for 'refresh' (\"500ms\", \"5s\", \"1m\")");
  EXPECT_EQ(parseErr("timeout 0\n"), f + "1: 'timeout' '0' is out of range (100ms to 1m)");
  EXPECT_EQ(parseErr("refresh 1s 2s\n"), f + "1: 'refresh' takes one DURATION (\"500ms\", \"5s\", \"1m\")");
  EXPECT_EQ(parseErr("title a\ntitle b\n"), f + "2: 'title' given twice");
  EXPECT_EQ(parseErr("title\n"), f + "1: 'title' needs TEXT");
  EXPECT_EQ(parseErr("target a\n"), f + "1: 'target' needs NAME ADDRESS[:PORT]");
  EXPECT_EQ(parseErr("target a 127.0.0.1:99999\n"),
            f + "1: bad ADDRESS '127.0.0.1:99999': bad address '127.0.0.1:99999' (say HOST:PORT)");
  EXPECT_EQ(parseErr("target a/<b> x\n").find(f + "1: bad target NAME"), 0u);
  EXPECT_EQ(parseErr("target a x\ntarget a y\n"), f + "2: target 'a' already named on line 1");
  EXPECT_EQ(parseErr("target a x tls tls\n"), f + "1: option 'tls' given twice");
  EXPECT_EQ(parseErr("target a x secret-file\n"), f + "1: 'secret-file' needs a FILE");
  EXPECT_EQ(parseErr("target a x ca ca.pem\n"), f + "1: 'ca', 'cert' and 'key' need 'tls'");
  EXPECT_EQ(parseErr("target a x tls key k.pem\n"), f + "1: 'key' needs 'cert'");
  EXPECT_EQ(parseErr("target a x bogus\n"),
            f + "1: unknown target option 'bogus' (secret-file FILE, tls, ca FILE, cert FILE, key FILE)");
  EXPECT_EQ(parseErr("title a\x01" "b\n"), f + "1: control character '\\x01' in line");
  EXPECT_EQ(parseErr("title \xff\n"), f + "1: line is not valid UTF-8");
  EXPECT_EQ(parseErr("# nothing\n"), "/etc/failover/failmon.conf: no 'target' line: nothing to show");
}

TEST(MonConf, NeverShowsWhatMayBeASecret) {
  std::string e = parseErr("target a 127.0.0.1 secret Hunter2!\n");
  EXPECT_EQ(e.find("Hunter2"), std::string::npos) << e;
  EXPECT_NE(e.find("secret-file FILE"), std::string::npos) << e;
  e = parseErr("target a 127.0.0.1 Hunter2!\n");
  EXPECT_EQ(e.find("Hunter2"), std::string::npos) << e;
  EXPECT_NE(e.find("(not shown: it may be a secret)"), std::string::npos) << e;
  e = parseErr("S3cr3t-Value 127.0.0.1\n");
  EXPECT_EQ(e.find("S3cr3t"), std::string::npos) << e;
}

class MonConfFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/monconfXXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }
  std::string write(const std::string& name, const std::string& text) {
    std::string p = dir_ + "/" + name;
    std::ofstream(p) << text;
    return p;
  }
  std::string dir_;
};

TEST_F(MonConfFiles, LoadsSecretsFromFiles) {
  write("s", "Hunter2\r\nignored\n");
  std::string conf = write("failmon.conf", "target a 127.0.0.1 secret-file s\n");
  CgiConf c;
  std::string err;
  ASSERT_TRUE(loadConf(conf, "1848", c, err)) << err;
  EXPECT_EQ(c.targets[0].spec.link.secret, "Hunter2");
}

TEST_F(MonConfFiles, ErrorsNameTheFileAndLine) {
  CgiConf c;
  std::string err;
  EXPECT_FALSE(loadConf(dir_ + "/missing.conf", "1848", c, err));
  EXPECT_EQ(err, dir_ + "/missing.conf: cannot read: No such file or directory");
  std::string conf = write("failmon.conf", "title t\ntarget a 127.0.0.1 secret-file nope\n");
  EXPECT_FALSE(loadConf(conf, "1848", c, err));
  EXPECT_EQ(err, conf + ":2: cannot read secret file '" + dir_ + "/nope': No such file or directory");
  write("empty", "\n");
  conf = write("failmon.conf", "target a 127.0.0.1 secret-file empty\n");
  EXPECT_FALSE(loadConf(conf, "1848", c, err));
  EXPECT_EQ(err, conf + ":1: secret file '" + dir_ + "/empty' is empty");
}

}  // namespace
}  // namespace fail::mon
