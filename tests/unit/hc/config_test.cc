// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The Hcfile reader: Tcl in a stripped safe interpreter, declarations validated against
// the kinds' schemas, every error naming file, line, check and option.
#include "hc/config.hh"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace fail::hc {
namespace {

using namespace std::chrono_literals;

class HcfileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hcfile-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
  std::string write(const std::string& text, const std::string& name = "Hcfile") {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  Config load(const std::string& text, const Limits& limits = {}) { return loadConfig(write(text), limits); }
  // The error message loading `text` gives ("" if it loads).
  std::string error(const std::string& text, const Limits& limits = {}) {
    try {
      load(text, limits);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }
  std::string path() const { return dir_ + "/Hcfile"; }
  std::string dir_;
};

TEST_F(HcfileTest, ChecksDefaultsReportsAndLocation) {
  Config c = load(
      "# a comment\n"
      "location fra\n"
      "report 127.0.0.1:1847\n"
      "report unix:/run/failover/faild.sock -secret s3cret\n"
      "defaults -interval 1s -fall 2\n"
      "check web1 tcp -host 127.0.0.1 -port 80\n"
      "defaults -rise 5\n"
      "check web2 tcp -host 127.0.0.1 -port 81 -interval 10s -timeout 3s\n");
  ASSERT_EQ(c.checks.size(), 2u);
  const auto& w1 = c.checks[0];
  EXPECT_EQ(w1.name, "web1");
  EXPECT_EQ(w1.kind, "tcp");
  EXPECT_EQ(w1.file, path());
  EXPECT_EQ(w1.line, 6);
  EXPECT_EQ(w1.interval, 1000ms);
  EXPECT_EQ(w1.timeout, 500ms);  // half the interval, below 2s
  EXPECT_EQ(w1.rise, 2);         // the later `defaults -rise 5` does not reach back
  EXPECT_EQ(w1.fall, 2);
  EXPECT_EQ(w1.options.at("port"), "80");
  const auto& w2 = c.checks[1];
  EXPECT_EQ(w2.line, 8);
  EXPECT_EQ(w2.interval, 10000ms);
  EXPECT_EQ(w2.timeout, 3000ms);
  EXPECT_EQ(w2.rise, 5);
  EXPECT_EQ(w2.fall, 2);
  EXPECT_EQ(c.location, "fra");
  EXPECT_EQ(c.reportName("web1"), "web1@fra");
  ASSERT_EQ(c.reports.size(), 2u);
  EXPECT_EQ(c.reports[0].target.host, "127.0.0.1");
  EXPECT_EQ(c.reports[0].target.port, "1847");
  EXPECT_EQ(c.reports[0].line, 3);
  EXPECT_EQ(c.reports[1].target.kind, client::Target::Kind::Unix);
  EXPECT_EQ(c.reports[1].secret, "s3cret");
  EXPECT_TRUE(c.warnings.empty());
}

TEST_F(HcfileTest, DefaultsFollowTheIssue) {
  Config c = load("check a tcp -host 127.0.0.1 -port 1\n");
  ASSERT_EQ(c.checks.size(), 1u);
  EXPECT_EQ(c.checks[0].interval, 5000ms);
  EXPECT_EQ(c.checks[0].timeout, 2000ms);
  EXPECT_EQ(c.checks[0].rise, 2);
  EXPECT_EQ(c.checks[0].fall, 3);
  EXPECT_EQ(c.location, "");
  EXPECT_EQ(c.reportName("a"), "a");
}

TEST_F(HcfileTest, LoopsAndProcsNameTheLineOfEachCheck) {
  Config c = load(
      "set hosts {a b c}\n"
      "foreach h $hosts {\n"
      "    check web-$h tcp -host 127.0.0.1 \\\n"
      "        -port [expr {8000 + [lsearch $hosts $h]}]\n"
      "}\n"
      "proc web {name port} {\n"
      "    check $name tcp -host 127.0.0.1 -port $port\n"
      "}\n"
      "web d 9000\n"
      "check e tcp {*}[list -host 127.0.0.1 -port 9] -depends {web-a d}\n"
      "eval [list check f tcp -host 127.0.0.1 -port 10]\n");
  ASSERT_EQ(c.checks.size(), 6u);
  EXPECT_EQ(c.checks[0].name, "web-a");
  EXPECT_EQ(c.checks[0].line, 3);
  EXPECT_EQ(c.checks[2].options.at("port"), "8002");
  EXPECT_EQ(c.checks[3].name, "d");
  EXPECT_EQ(c.checks[3].line, 7);
  EXPECT_EQ(c.checks[4].line, 10);
  EXPECT_EQ(c.checks[4].depends, (std::vector<std::string>{"web-a", "d"}));
  EXPECT_EQ(c.checks[5].line, 11);
  EXPECT_EQ(c.checks[5].file, path());
}

TEST_F(HcfileTest, ErrorsNameFileLineCheckAndOption) {
  std::string p = path();
  EXPECT_EQ(error("\ncheck web1 nosuch -port 1\n").rfind(p + ":2: check web1: unknown kind \"nosuch\"", 0), 0u)
      << error("\ncheck web1 nosuch -port 1\n");
  std::string e = error("check a tcp -host 127.0.0.1 -port 1\n\n\ncheck web1 tcp -host 127.0.0.1 -port 1 -bogus 3\n");
  EXPECT_EQ(e.rfind(p + ":4: check web1: ", 0), 0u) << e;
  EXPECT_NE(e.find("-bogus"), std::string::npos) << e;
  e = error("check web1 tcp -host 127.0.0.1 -port 1 -interval soon\n");
  EXPECT_EQ(e.rfind(p + ":1: check web1: -interval: ", 0), 0u) << e;
  e = error("check web1 tcp -host 127.0.0.1 -port 1 -interval 2s -timeout 2s\n");
  EXPECT_EQ(e.rfind(p + ":1: check web1: -timeout: must be below", 0), 0u) << e;
  e = error("check web1 tcp -host 127.0.0.1\n");
  EXPECT_EQ(e.rfind(p + ":1: check web1: -port: required", 0), 0u) << e;
  e = error("check web1 tcp -host 127.0.0.1 -port\n");
  EXPECT_EQ(e, p + ":1: check web1: -port: missing value");
  e = error("check web1 tcp host h\n");
  EXPECT_EQ(e.rfind(p + ":1: check web1: expected an option", 0), 0u) << e;
  e = error("check web1 tcp -port 1 -port 2 -host 127.0.0.1\n");
  EXPECT_EQ(e, p + ":1: check web1: -port given twice");
  e = error("check web1\n");
  EXPECT_EQ(e.rfind(p + ":1: usage: check NAME KIND", 0), 0u) << e;
  e = error("check a tcp -host 127.0.0.1 -port 1\ncheck a tcp -host 127.0.0.1 -port 2\n");
  EXPECT_EQ(e, p + ":2: check a: already declared at " + p + ":1");
  e = error("check a tcp -host 127.0.0.1 -port 1 -depends {b}\n");
  EXPECT_EQ(e, p + ":1: check a: -depends: no check named \"b\"");
  e = error("check a tcp -host 127.0.0.1 -port 1 -depends b\ncheck b tcp -host 127.0.0.1 -port 1 -depends a\n");
  EXPECT_EQ(e, p + ":1: check a: -depends: dependency cycle: a -> b -> a");
  e = error("check bad@name tcp -host 127.0.0.1 -port 1\n");
  EXPECT_EQ(e.rfind(p + ":1: check bad@name: not a check name", 0), 0u) << e;
  // Several validation errors are reported together.
  e = error("check a tcp -port x -host 127.0.0.1\ncheck b tcp -host 127.0.0.1 -port 1 -rise 0\n");
  EXPECT_NE(e.find(p + ":1: check a: -port"), std::string::npos) << e;
  EXPECT_NE(e.find("\n" + p + ":2: check b: -rise"), std::string::npos) << e;
}

// Every error of a file in one run (Hcfile(5), hc -t), in the order of the file: a
// wrong report line does not stop the script, a check with a bad value does not hide
// another check's dangling -depends, and one check's several bad options are each said.
TEST_F(HcfileTest, EveryErrorOfAFileInOneRun) {
  std::string p = path();
  std::string e = error(
      "report 127.0.0.1:1847 -bogus x\n"
      "check a tcp -host 127.0.0.1 -port 99999\n"
      "check b tcp -host 127.0.0.1 -port 80 -depends nosuch\n"
      "defaults -nosuch 1 -rise 2\n"
      "check c tcp -host 127.0.0.1 -port 80 -interval 1s -timeout 2s -fall 0\n"
      "check d tcp -host 127.0.0.1 -port\n"
      "check e tcp -host 127.0.0.1 -port 80 -depends d\n");
  std::vector<std::string> want = {
      p + ":1: report 127.0.0.1:1847: unknown option \"-bogus\"",
      p + ":2: check a: -port: expected an integer from 1 to 65535",
      p + ":3: check b: -depends: no check named \"nosuch\"",
      p + ":4: defaults: unknown option -nosuch",
      p + ":5: check c: -timeout: must be below the interval",
      p + ":5: check c: -fall: expected an integer from 1 to 1000",
      p + ":6: check d: -port: missing value",
  };
  std::vector<std::string> lines;
  for (size_t from = 0; from <= e.size();) {
    size_t nl = std::min(e.find('\n', from), e.size());
    lines.push_back(e.substr(from, nl - from));
    from = nl + 1;
  }
  ASSERT_EQ(lines.size(), want.size()) << e;
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(lines[i].rfind(want[i], 0), 0u) << lines[i];
}

TEST_F(HcfileTest, TclErrorsNameTheLine) {
  std::string p = path();
  EXPECT_EQ(error("set a 1\n\nset b [expr {1 +}]\n").rfind(p + ":3: ", 0), 0u);
  EXPECT_EQ(error("set a 1\ncheck a {\n"), p + ":2: missing close-brace");
  EXPECT_EQ(error("set a 1\nnosuch command\n"), p + ":2: invalid command name \"nosuch\"");
  EXPECT_EQ(error("proc f {} { error boom }\n\nf\n"), p + ":3: boom");
  EXPECT_EQ(error("return\n"), "");  // a return ends the file early, as in `source`
}

TEST_F(HcfileTest, NothingWithSideEffectsExists) {
  for (const char* cmd : {"exec ls", "open /etc/passwd", "source /etc/passwd", "socket 127.0.0.1 1",
                          "file exists /", "after 10", "vwait x", "update", "puts hi", "clock seconds",
                          "interp create", "load x", "cd /", "glob *", "exit 3", "namespace eval x {}",
                          "rename check {}", "package require Tcl", "::tcl::chan::puts stdout x",
                          "oo::class create c", "coroutine c set x 1", "trace add variable x write f"}) {
    std::string e = error(std::string(cmd) + "\n");
    EXPECT_NE(e.find("invalid command name"), std::string::npos) << cmd << ": " << e;
  }
  // Exactly the documented commands exist (Hcfile(5) lists them).
  std::string expected;
  std::vector<std::string> all = tclCommands();
  for (const char* c : {"check", "defaults", "location", "report"}) all.push_back(c);
  std::sort(all.begin(), all.end());
  for (const auto& c : all) expected += (expected.empty() ? "" : " ") + c;
  std::string e = error("set got [lsort [info commands]]\nif {$got ne {" + expected + "}} { error $got }\n");
  EXPECT_EQ(e, "");
  // What a user with many targets needs still works.
  EXPECT_EQ(error("dict for {k v} [dict create a 1 b 2] { lappend l [format %s-%d $k $v] }\n"
                  "if {[string map {- _} [join $l ,]] ne {a_1,b_2}} { error $l }\n"
                  "try { error x } on error {m} { set m }\n"
                  "set n [regsub -all {\\d} abc123 #]\n"),
            "");
}

TEST_F(HcfileTest, RunawayScriptsAreStopped) {
  Limits l;
  l.time = 300ms;
  auto t0 = std::chrono::steady_clock::now();
  std::string e = error("set i 0\nwhile 1 { incr i }\n", l);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
  EXPECT_NE(e.find(":2: time limit exceeded"), std::string::npos) << e;
  l.time = 10s;
  l.commands = 1000;
  e = error("proc g {} { set y 1 }\nfor {set i 0} {$i < 100000} {incr i} { g }\n", l);
  EXPECT_NE(e.find("command count limit exceeded"), std::string::npos) << "[" << e << "]";
  e = error("proc f {} { f }\nf\n");
  EXPECT_NE(e.find(":2: too many nested evaluations"), std::string::npos) << e;
}

TEST_F(HcfileTest, ReportOptions) {
  std::string p = path();
  std::string secret = write("from-a-file\nsecond line ignored\n", "secret");
  Config c = load("report 127.0.0.1:1847 -secret-file " + secret + "\nreport {[::1]:1900} -tls\n");
  ASSERT_EQ(c.reports.size(), 2u);
  EXPECT_EQ(c.reports[0].secret, "from-a-file");
  EXPECT_EQ(c.reports[1].target.host, "::1");
  EXPECT_EQ(c.reports[1].target.port, "1900");
  EXPECT_TRUE(c.reports[1].tls.enabled);
  EXPECT_EQ(error("report 127.0.0.1 -bogus 1\n").rfind(p + ":1: report 127.0.0.1: unknown option \"-bogus\"", 0), 0u);
  EXPECT_EQ(error("report 127.0.0.1 -secret\n"), p + ":1: report 127.0.0.1: -secret: missing value");
  EXPECT_EQ(error("report 127.0.0.1 -secret a -secret-file " + secret + "\n"),
            p + ":1: report 127.0.0.1: -secret excludes -secret-file");
  EXPECT_EQ(error("report 127.0.0.1 -secret-file /nonexistent/x\n"),
            p + ":1: report 127.0.0.1: cannot read secret file /nonexistent/x");
  EXPECT_EQ(error("report 127.0.0.1 -ca /etc/ssl/x.pem\n"), p + ":1: report 127.0.0.1: -ca, -cert and -key need -tls");
  EXPECT_EQ(error("report 127.0.0.1:1\nreport 127.0.0.1:1\n"),
            p + ":2: report 127.0.0.1:1: already given at " + p + ":1");
  EXPECT_EQ(error("report\n"), p + ":1: usage: report HOST:PORT ?-secret S? ?-secret-file F? ?-tls? ?-ca FILE? "
                                   "?-cert FILE? ?-key FILE?");
  Config w = load("report 203.0.113.5:1847 -secret s\n");
  ASSERT_EQ(w.warnings.size(), 1u);
  EXPECT_NE(w.warnings[0].find("clear text"), std::string::npos);
}

TEST_F(HcfileTest, LocationAndDefaultsErrors) {
  std::string p = path();
  EXPECT_EQ(error("location fra\nlocation ams\n"), p + ":2: location: already set at " + p + ":1");
  EXPECT_EQ(error("location a@b\n").rfind(p + ":1: location: \"a@b\" is not a location name", 0), 0u);
  EXPECT_EQ(error("defaults -nosuch 1\n"), p + ":1: defaults: unknown option -nosuch (no kind of check takes it)");
  // A default only reaches the kinds that know the option.
  Config c = load("defaults -send PING -interval 2s\ncheck a tcp -host 127.0.0.1 -port 1\n"
                  "check b exec -command {/bin/true}\ndefaults\ncheck c tcp -host 127.0.0.1 -port 1\n");
  EXPECT_EQ(c.checks[0].options.at("send"), "PING");
  EXPECT_EQ(c.checks[1].options.count("send"), 0u);
  EXPECT_EQ(c.checks[1].interval, 2000ms);
  EXPECT_EQ(c.checks[2].options.count("send"), 0u);  // `defaults` alone forgets them
  EXPECT_EQ(c.checks[2].interval, 5000ms);
}

TEST_F(HcfileTest, UnreadableFile) {
  try {
    loadConfig(dir_ + "/nothere");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), dir_ + "/nothere: cannot read: No such file or directory");
  }
}

}  // namespace
}  // namespace fail::hc
