// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The fixture of failsh's integration tests: a real faild (in memory, on a free loopback
// port) and a real failsh running a policy written to TAG.tcl, dumping to TAG.dump; the
// logs of every daemon started are printed when a test fails.
#pragma once

#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "harness.hh"

namespace fail::test {

class FailshFixture : public ::testing::Test {
 protected:
  std::unique_ptr<Daemon> faild(const std::string& tag) {
    auto d = std::make_unique<Daemon>("faild/faild", std::vector<std::string>{"--memory", "--listen", "127.0.0.1:0"},
                                      dir, tag);
    EXPECT_TRUE(d->start()) << d->log();
    tags_.push_back(tag);
    return d;
  }
  std::unique_ptr<Daemon> failsh(const std::string& tag, const std::string& policy,
                                 std::vector<std::string> extra = {}) {
    writeFile(dir.file(tag + ".tcl"), policy);
    std::vector<std::string> args = {"-f", dir.file(tag + ".tcl"), "-m", "127.0.0.1:0", "-l", dir.file(tag + ".dump")};
    args.insert(args.end(), extra.begin(), extra.end());
    auto d = std::make_unique<Daemon>("failsh/failsh", args, dir, tag);
    EXPECT_TRUE(d->start()) << d->log();
    tags_.push_back(tag);
    return d;
  }
  static std::string recordOf(const std::string& address, const std::string& name) {
    LineClient c(address);
    auto w = words(c.request("GET " + name));
    return w.size() == 2 && w[0] == "OK" ? w[1] : "";
  }
  void TearDown() override {
    if (!HasFailure()) return;
    for (const auto& t : tags_) std::cerr << "--- " << t << ".log:\n" << readFile(dir.file(t + ".log"));
  }
  TempDir dir;
  std::vector<std::string> tags_;
};

}  // namespace fail::test
