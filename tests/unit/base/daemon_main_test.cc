// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// base/daemon_main and base/cli: the shared rows of every daemon, and --help made from
// the table (each row listed with its short name and argument).
#include "base/daemon_main.hh"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace fail::daemon {
namespace {

const Program kToy = {"toyd", "[OPTION]...", "A toy daemon.", "See toyd(8).", {"main", "toy"},
                      "check and exit", 'r', true};

// The line of `help` that lists `row`.
std::string lineOf(const std::string& help, const cli::Row& row) {
  std::string want = std::string("--") + row.longName + (row.argName ? std::string(" ") + row.argName : "");
  size_t at = help.find(want + " ");
  if (at == std::string::npos) return "";
  size_t begin = help.rfind('\n', at) + 1;
  return help.substr(begin, help.find('\n', at) - begin);
}

TEST(DaemonMainTest, HelpListsEveryRowOfTheTable) {
  Common c;
  std::string stateFile;
  std::vector<cli::Option> table = {
      {"state", 's', "FILE", "state file", [&](const std::string& v) { stateFile = v; }}};
  for (auto& o : commonOptions(kToy, c)) table.push_back(o);
  std::string help = helpText(kToy, table);
  EXPECT_EQ(help.rfind("Usage: toyd [OPTION]...\nA toy daemon.\n\n", 0), 0u) << help;
  for (const auto& o : table) {
    std::string line = lineOf(help, o.row());
    ASSERT_FALSE(line.empty()) << o.longName;
    if (o.shortName) {
      EXPECT_EQ(line.rfind(std::string("  -") + o.shortName + ", --", 0), 0u) << line;
    }
    EXPECT_NE(line.find(o.help), std::string::npos) << line;
  }
  EXPECT_NE(help.find("See toyd(8).\n"), std::string::npos);
}

TEST(DaemonMainTest, SharedRowsSetTheCommonSettings) {
  Common c;
  auto table = commonOptions(kToy, c);
  std::vector<std::string> words = {"toyd", "--daemon", "-r", "/run/toyd.pid", "-u", "nobody", "-d", "toy",
                                    "-d", "main=info", "-L", "syslog", "-t", "extra"};
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  auto operands = cli::parse(static_cast<int>(argv.size()), argv.data(), table);
  EXPECT_EQ(operands, std::vector<std::string>{"extra"});
  EXPECT_TRUE(c.daemon);
  EXPECT_TRUE(c.checkOnly);
  EXPECT_EQ(c.pidFile, "/run/toyd.pid");
  EXPECT_EQ(c.user, "nobody");
  EXPECT_EQ(c.logTo, "syslog");
  ASSERT_EQ(c.levels.size(), 2u);
  EXPECT_EQ(c.levels[0], (std::pair<std::string, std::string>{"toy", "debug"}));
  EXPECT_EQ(c.levels[1], (std::pair<std::string, std::string>{"main", "info"}));
}

TEST(DaemonMainTest, OnlyADaemonThatSwitchesUserHasMinusU) {
  Common c;
  Program plain = kToy;
  plain.user = false;
  plain.pidFileShort = 0;
  for (const auto& o : commonOptions(plain, c)) {
    EXPECT_STRNE(o.longName, "user");
    if (std::string(o.longName) == "pidfile") {
      EXPECT_EQ(o.shortName, 0);
    }
  }
}

TEST(CliTest, UsageErrorsNameTheOption) {
  bool flag = false;
  std::vector<cli::Option> table = {{"flag", 'f', nullptr, "a flag", [&](const std::string&) { flag = true; }},
                                    {"ttl", 0, "DURATION", "a value", [](const std::string&) {}}};
  auto error = [&](std::vector<std::string> words) {
    words.insert(words.begin(), "prog");
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    try {
      cli::parse(static_cast<int>(argv.size()), argv.data(), table);
    } catch (const cli::UsageError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(error({"-x"}), "unknown option '-x'");
  EXPECT_EQ(error({"--bogus"}), "unknown option '--bogus'");
  EXPECT_EQ(error({"--ttl"}), "option '--ttl' needs an argument");
  EXPECT_EQ(error({"word", "-f"}), "");  // options after operands too
  EXPECT_TRUE(flag);
}

}  // namespace
}  // namespace fail::daemon
