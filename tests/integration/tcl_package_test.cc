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

// In a sanitizer build the module needs the sanitizer runtimes loaded first, which a
// stock tclsh does not do: preload them (and leave Tcl's own exit-time leaks alone).
std::vector<std::string> sanitizerEnv() {
#if defined(__SANITIZE_ADDRESS__)
  auto runtime = [](const char* name) {
    std::string lib;
    if (FILE* p = ::popen((std::string("g++ -print-file-name=") + name).c_str(), "r")) {
      char buf[512];
      if (std::fgets(buf, sizeof buf, p)) lib = buf;
      ::pclose(p);
    }
    while (!lib.empty() && (lib.back() == '\n' || lib.back() == ' ')) lib.pop_back();
    return lib;
  };
  return {"LD_PRELOAD=" + runtime("libasan.so") + " " + runtime("libubsan.so"), "ASAN_OPTIONS=detect_leaks=0"};
#else
  return {};
#endif
}

TEST(TclPackage, TcltestSuiteInStockTclsh) {
  TempDir dir;
  Daemon faild("faild/faild", {"--memory", "--listen", "127.0.0.1:0"}, dir, "faild");
  ASSERT_TRUE(faild.start()) << faild.log();
  std::vector<std::string> env = sanitizerEnv();
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
