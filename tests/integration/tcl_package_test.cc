// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// `package require failover` in Debian's stock tclsh: runs the tcltest suite
// tests/tcl/failover.test against a real faild and reads its summary.
#include <gtest/gtest.h>

#include <cstdio>
#include <regex>
#include <string>
#include <vector>

#include "harness.hh"

namespace fail::test {
namespace {

TEST(TclPackage, TcltestSuiteInStockTclsh) {
  TempDir dir;
  Daemon faild("faild/faild", {"--memory", "--listen", "127.0.0.1:0"}, dir, "faild");
  ASSERT_TRUE(faild.start()) << faild.log();
  std::vector<std::string> env = tclshSanitizerEnv();
  env.push_back("TCLLIBPATH=" + buildDir() + "/tcl");
  env.push_back("FAILD_PORT=" + std::to_string(faild.port()));
  RunResult r = runProgram("/usr/bin/tclsh8.6", {sourceDir() + "/tests/tcl/failover.test"}, env);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex(R"(Total\s+(\d+)\s+Passed\s+(\d+)\s+Skipped\s+(\d+)\s+Failed\s+(\d+))")))
      << r.out << r.err;
  EXPECT_GE(std::stoi(m[1]), 12) << r.out;
  EXPECT_EQ(m[4], "0") << r.out << r.err;
  EXPECT_EQ(m[3], "0") << r.out;
  EXPECT_EQ(r.status, 0) << r.err;
}

}  // namespace
}  // namespace fail::test
