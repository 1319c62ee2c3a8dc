// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The Hcfile read in a child: the answer's form (config_wire) and what the parent makes of
// every way the child can end (config_reader). The real child (hc itself) is run by the
// integration tests (tests/integration/hc_config_test.cc); here a shell script stands in.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>

#include "hc/config_reader.hh"
#include "hc/config_wire.hh"
#include "loop.hh"

namespace fail::hc {
namespace {

using namespace std::chrono_literals;

class ConfigReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hc-reader-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
  std::string write(const std::string& name, const std::string& text, int mode = 0600) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    ::chmod(path.c_str(), static_cast<mode_t>(mode));
    return path;
  }
  std::string error(const spawn::Result& r, const ReaderOptions& o = {}) {
    try {
      configFromChild("/etc/Hcfile", o, r);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }
  std::string dir_;
};

const char* kSample =
    "location fra\n"
    "report 127.0.0.1:1847 -secret {s3cret with spaces}\n"
    "report unix:/run/faild.sock\n"
    "report 127.0.0.2:1847 -secret x\n"
    "defaults -interval 1s\n"
    "check web1 http -url {http://127.0.0.1/a?x={1}&y=\\}} -status {200 204} -depends dns\n"
    "check dns tcp -host 127.0.0.1 -port 53 -interval 10s -timeout 3s\n";

TEST_F(ConfigReaderTest, RoundTripThroughTheWireForm) {
  Config in = loadConfig(write("Hcfile", kSample));
  in.warnings.push_back("a warning\non two lines {with [braces}");
  std::string wire = encodeConfig(in);
  EXPECT_EQ(wire.find("\n\n"), std::string::npos);
  spawn::Result r;
  r.end = spawn::Result::End::Exited;
  r.code = 0;
  r.out = wire;
  Config out = configFromChild(in.file, {}, r);
  EXPECT_EQ(out.file, in.file);
  EXPECT_EQ(out.location, "fra");
  EXPECT_EQ(out.warnings, in.warnings);
  ASSERT_EQ(out.checks.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(out.checks[i].name, in.checks[i].name);
    EXPECT_EQ(out.checks[i].kind, in.checks[i].kind);
    EXPECT_EQ(out.checks[i].file, in.checks[i].file);
    EXPECT_EQ(out.checks[i].line, in.checks[i].line);
    EXPECT_EQ(out.checks[i].options, in.checks[i].options);
    EXPECT_EQ(out.checks[i].interval, in.checks[i].interval);
    EXPECT_EQ(out.checks[i].timeout, in.checks[i].timeout);
    EXPECT_EQ(out.checks[i].depends, in.checks[i].depends);
  }
  EXPECT_EQ(out.checks[0].str("url"), "http://127.0.0.1/a?x={1}&y=\\}");
  EXPECT_EQ(out.checks[1].timeout, 3000ms);
  ASSERT_EQ(out.reports.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(out.reports[i].address, in.reports[i].address);
    EXPECT_EQ(out.reports[i].target.display(), in.reports[i].target.display());
    EXPECT_TRUE(out.reports[i].sameAs(in.reports[i]));
    EXPECT_EQ(out.reports[i].line, in.reports[i].line);
  }
  EXPECT_EQ(out.reports[0].secret, "s3cret with spaces");
}

TEST_F(ConfigReaderTest, MalformedOrCutAnswersAreRefused) {
  Config in = loadConfig(write("Hcfile", "report 127.0.0.1:1847\ncheck a tcp -host 127.0.0.1 -port 1\n"));
  std::string wire = encodeConfig(in);
  Config out;
  std::string err;
  ASSERT_TRUE(decodeConfig(wire, out, err)) << err;
  // Every proper prefix is refused (a child killed while writing).
  for (size_t n = 0; n < wire.size(); ++n) EXPECT_FALSE(decodeConfig(wire.substr(0, n), out, err)) << n;
  for (const char* bad : {"", "\n", "hcconfig 2\n", "hcconfig 1\nfile a\nlocation {}\nend 1 0\n",
                          "hcconfig 1\nfile a\nlocation {}\ncheck a b c d {}\nend 1 0\n",
                          "hcconfig 1\nfile a\nlocation {}\ncheck a b c 1 {x}\nend 1 0\n",
                          "hcconfig 1\nfile a\nlocation {}\nreport a f 1 s {} 2 {} {} {}\nend 0 1\n",
                          "hcconfig 1\nfile a\nlocation {}\nend 0 0\nend 0 0\n",
                          "hcconfig 1\nfile a\nlocation {} {}\nend 0 0\n",
                          "hcconfig 1\nfile a\nlocation {\nend 0 0\n", "hcconfig 1\nlocation {}\nend 0 0\n"}) {
    EXPECT_FALSE(decodeConfig(bad, out, err)) << bad;
    EXPECT_FALSE(err.empty());
  }
  spawn::Result r;
  r.end = spawn::Result::End::Exited;
  r.out = "hcconfig 1\n";
  EXPECT_EQ(error(r).rfind("/etc/Hcfile: internal error: the Hcfile reader's answer is malformed", 0), 0u) << error(r);
}

TEST_F(ConfigReaderTest, EveryWayTheChildEndsIsAClearError) {
  using End = spawn::Result::End;
  spawn::Result r;
  r.end = End::Exited;
  r.code = 1;
  r.err = "/etc/Hcfile:3: check web1: -port: required for kind tcp\n";
  EXPECT_EQ(error(r), "/etc/Hcfile:3: check web1: -port: required for kind tcp");
  r.end = End::Signaled;
  r.code = SIGSEGV;
  r.err = "";
  EXPECT_EQ(error(r), "/etc/Hcfile: the Tcl interpreter crashed (killed by SIGSEGV (crashed)): a limit (stack 8 MiB, memory 1024 MiB) was hit, by deep recursion such as a deeply nested regexp?");
  r.code = SIGABRT;
  r.err = "unable to alloc 1073741824 bytes\n";
  EXPECT_NE(error(r).find("aborted (killed by SIGABRT (crashed)), out of memory?"), std::string::npos) << error(r);
  EXPECT_NE(error(r).find(": unable to alloc 1073741824 bytes"), std::string::npos) << error(r);
  r.code = SIGALRM;
  EXPECT_EQ(error(r), "/etc/Hcfile: the script ran past its time limit of 10 s inside one command (arithmetic on "
                      "huge numbers?) and was stopped: unable to alloc 1073741824 bytes");
  r.code = SIGXCPU;
  EXPECT_NE(error(r).find("used more than 30 s of CPU"), std::string::npos) << error(r);
  r.end = End::TimedOut;
  r.timeout = 30s;
  EXPECT_EQ(error(r), "/etc/Hcfile: reading took longer than 30 s and was stopped (an Hcfile may run for 10 s)");
  r.end = End::SpawnFailed;
  r.code = ENOENT;
  EXPECT_EQ(error(r), "/etc/Hcfile: cannot run the reader /proc/self/exe: could not be started: No such file or directory");
  r.end = End::Exited;
  r.code = 2;
  r.err = "";
  EXPECT_EQ(error(r), "/etc/Hcfile: the reader exited with status 2");
}

TEST_F(ConfigReaderTest, SpawnOptionsCarryTheLimits) {
  ReaderOptions o;
  o.tcl.time = 2s;
  spawn::Options s = readerSpawnOptions("/etc/Hcfile", o);
  EXPECT_EQ(s.argv, (std::vector<std::string>{"/proc/self/exe", kReadConfigOption, "/etc/Hcfile", "2000"}));
  EXPECT_EQ(s.timeout, 6s);
  EXPECT_EQ(s.limits.cpuSeconds, 6u);
  EXPECT_EQ(s.limits.stack, 8u << 20);
#if !defined(__SANITIZE_ADDRESS__)
  EXPECT_TRUE(s.env.empty());  // (ASAN_OPTIONS under AddressSanitizer)
#endif
}

// The reader on a loop, with a script standing in for hc: the loop runs while it reads,
// and a start() while it reads asks for one more read after it.
TEST_F(ConfigReaderTest, ReadsOnTheLoopAndQueuesOneMoreRead) {
  Config in = loadConfig(write("Hcfile", "check a tcp -host 127.0.0.1 -port 1\n"));
  std::string wire = write("answer", encodeConfig(in));
  write("reader", "#!/bin/sh\nsleep 0.2\ncat " + wire + "\n", 0700);
  test::Loop loop;
  ReaderOptions o;
  o.exe = dir_ + "/reader";
  int reads = 0;
  std::string lastErr = "none";
  std::optional<Config> last;
  ConfigReader reader(loop.base(), in.file, o, [&](std::optional<Config> cfg, const std::string& err) {
    ++reads;
    last = std::move(cfg);
    lastErr = err;
  });
  EXPECT_TRUE(reader.start());
  EXPECT_TRUE(reader.busy());
  EXPECT_FALSE(reader.start());  // one more after this one
  EXPECT_FALSE(reader.start());  // still one more, not two
  ASSERT_TRUE(loop.until([&] { return reads == 2 && !reader.busy(); }));
  EXPECT_EQ(lastErr, "");
  ASSERT_TRUE(last);
  ASSERT_EQ(last->checks.size(), 1u);
  EXPECT_EQ(last->checks[0].name, "a");
  // A reader that fails: the error, no Config.
  write("reader", "#!/bin/sh\necho '" + in.file + ":1: broken' >&2\nexit 1\n", 0700);
  EXPECT_TRUE(reader.start());
  ASSERT_TRUE(loop.until([&] { return reads == 3; }));
  EXPECT_FALSE(last);
  EXPECT_EQ(lastErr, in.file + ":1: broken");
}

}  // namespace
}  // namespace fail::hc
