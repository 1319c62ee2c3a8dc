// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The fixture of the hc integration tests: a temporary folder, the real faild (--memory)
// and hc started from the build tree, WATCH/GET helpers on the line protocol, and the
// daemons' logs printed when a test fails.
#pragma once

#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "harness.hh"

namespace fail::test {

class HcFixture : public ::testing::Test {
 protected:
  std::unique_ptr<Daemon> startFaild(int port = 0, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--memory", "--listen", "127.0.0.1:" + std::to_string(port)};
    args.insert(args.end(), extra.begin(), extra.end());
    auto d = std::make_unique<Daemon>("faild/faild", args, dir, "faild" + std::to_string(++failds_));
    EXPECT_TRUE(d->start()) << d->log();
    return d;
  }
  std::unique_ptr<Daemon> startHc(const std::string& hcfile, std::vector<std::string> extra = {}) {
    writeFile(dir.file("Hcfile"), hcfile);
    std::vector<std::string> args = {"-f", dir.file("Hcfile"), "--monitor", "127.0.0.1:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto d = std::make_unique<Daemon>("hc/hc", args, dir, "hc" + std::to_string(++hcs_));
    EXPECT_TRUE(d->start()) << d->log();
    return d;
  }
  void TearDown() override {
    if (!HasFailure()) return;
    for (int i = 1; i <= failds_; ++i)
      std::cerr << "--- faild" << i << ".log:\n" << readFile(dir.file("faild" + std::to_string(i) + ".log"));
    for (int i = 1; i <= hcs_; ++i)
      std::cerr << "--- hc" << i << ".log:\n" << readFile(dir.file("hc" + std::to_string(i) + ".log"));
  }
  // Starts a WATCH of `pattern` and returns the client once it is synced.
  static std::unique_ptr<LineClient> watch(const std::string& address, const std::string& pattern) {
    auto c = std::make_unique<LineClient>(address);
    c->send("WATCH " + pattern);
    EXPECT_TRUE(c->readUntil([](const std::string& l) { return l.rfind("SYNCED ", 0) == 0; }));
    return c;
  }
  // The next CHANGE line for `name` with state `state`; returns its record dict.
  static std::string nextChange(LineClient& c, const std::string& name, const std::string& state) {
    auto line = c.readUntil([&](const std::string& l) {
      auto w = words(l);
      return w.size() == 3 && w[0] == "CHANGE" && field(w[2], "name") == name && field(w[2], "state") == state;
    });
    return line ? words(*line)[2] : "";
  }
  static std::string get(const std::string& address, const std::string& name) {
    LineClient c(address);
    auto w = words(c.request("GET " + name));
    return w.size() == 2 && w[0] == "OK" ? w[1] : "";
  }
  static std::string attr(const std::string& record, const std::string& key) {
    return field(field(record, "attrs"), key);
  }
  TempDir dir;
  int failds_ = 0, hcs_ = 0;
};

}  // namespace fail::test
