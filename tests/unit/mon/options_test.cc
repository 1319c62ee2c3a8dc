// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failmon's command line (mon/options.hh).
#include "mon/options.hh"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

namespace fail::mon {
namespace {

Options parse(std::initializer_list<const char*> args, const char* env = nullptr) {
  std::vector<std::string> words = {"failmon"};
  for (const char* a : args) words.emplace_back(a);
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  return parseOptions(static_cast<int>(words.size()), argv.data(), env);
}

std::string usageError(std::initializer_list<const char*> args) {
  try {
    parse(args);
  } catch (const cli::UsageError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(MonOptions, NoTargetIsTheLocalFailshInCursesMode) {
  Options o = parse({});
  EXPECT_EQ(o.mode, Mode::Curses);
  EXPECT_FALSE(o.json);
  ASSERT_EQ(o.targets.size(), 1u);
  EXPECT_EQ(o.targets[0].name, "127.0.0.1:1848");
  EXPECT_EQ(o.targets[0].link.target.port, "1848");
}

TEST(MonOptions, TargetsTakeEveryFormAndDashPIsTheDefaultPort) {
  Options o = parse({"-1", "alpha", "beta:1847", "[::1]:1850", "unix:/run/x.sock", "-p", "2000"});
  EXPECT_EQ(o.mode, Mode::Once);
  ASSERT_EQ(o.targets.size(), 4u);
  EXPECT_EQ(o.targets[0].name, "alpha:2000");
  EXPECT_EQ(o.targets[1].name, "beta:1847");
  EXPECT_EQ(o.targets[2].name, "[::1]:1850");
  EXPECT_EQ(o.targets[3].link.target.kind, client::Target::Kind::Unix);
  EXPECT_EQ(o.targets[3].link.target.path, "/run/x.sock");
  EXPECT_EQ(o.targets[0].link.name, "alpha:2000");
}

TEST(MonOptions, ModesAndJson) {
  EXPECT_EQ(parse({"-l"}).mode, Mode::Lines);
  EXPECT_EQ(parse({"-h"}).mode, Mode::Html);
  EXPECT_EQ(parse({"--once"}).mode, Mode::Once);
  EXPECT_EQ(parse({"-c"}).mode, Mode::Curses);
  EXPECT_TRUE(parse({"--json"}).json);
  Options lj = parse({"-l", "--json"});
  EXPECT_EQ(lj.mode, Mode::Lines);
  EXPECT_TRUE(lj.json);
  EXPECT_TRUE(parse({"--help"}).help);
  EXPECT_TRUE(parse({"-V"}).version);
}

TEST(MonOptions, UsageErrorsNameTheOption) {
  EXPECT_EQ(usageError({"-l", "-1"}), "-1 excludes -l");
  EXPECT_EQ(usageError({"-h", "-c"}), "-c excludes -h");
  EXPECT_EQ(usageError({"-h", "--json"}), "--json excludes -h");
  EXPECT_EQ(usageError({"-c", "--json"}), "--json excludes -c");
  EXPECT_EQ(usageError({"-p", "0"}), "bad port '0' for -p (1-65535)");
  EXPECT_EQ(usageError({"--timeout", "soon"}), "bad duration 'soon' for --timeout (say 500ms, 5s, 1m)");
  EXPECT_EQ(usageError({"--key", "k.pem"}), "--key needs --cert");
  EXPECT_EQ(usageError({"-s", "x", "--secret-file", "/nonexistent"}), "-s excludes --secret-file");
  EXPECT_NE(usageError({"-x"}).find("-x"), std::string::npos);
  EXPECT_NE(usageError({"host:99999"}).find("host:99999"), std::string::npos);
  EXPECT_NE(usageError({"--secret-file", "/nonexistent/secret"}).find("/nonexistent/secret"), std::string::npos);
}

TEST(MonOptions, SecretsAndTlsReachEveryTarget) {
  Options o = parse({"-s", "sesame", "--ca", "ca.pem", "a", "b"});
  ASSERT_EQ(o.targets.size(), 2u);
  for (const auto& t : o.targets) {
    EXPECT_EQ(t.link.secret, "sesame");
    EXPECT_TRUE(t.link.tls.enabled);
    EXPECT_EQ(t.link.tls.ca, "ca.pem");
  }
  EXPECT_EQ(parse({}, "fromenv").targets[0].link.secret, "fromenv");
  std::string path = ::testing::TempDir() + "failmon-secret";
  { std::ofstream(path) << "filed\r\n"; }
  EXPECT_EQ(parse({"--secret-file", path.c_str()}, "fromenv").targets[0].link.secret, "filed");
  std::remove(path.c_str());
}

TEST(MonOptions, TimeoutAndDebug) {
  Options o = parse({"-t", "1500ms", "-d", "link", "-d", "failmon=info"});
  EXPECT_EQ(o.timeout.count(), 1500);
  ASSERT_EQ(o.levels.size(), 2u);
  EXPECT_EQ(o.levels[0], (std::pair<std::string, std::string>{"link", "debug"}));
  EXPECT_EQ(o.levels[1], (std::pair<std::string, std::string>{"failmon", "info"}));
}

TEST(MonOptions, HelpListsEveryOption) {
  std::string help = usage();
  for (const cli::Row& r : optionRows()) EXPECT_NE(help.find(std::string("--") + r.longName), std::string::npos) << r.longName;
  EXPECT_NE(help.find("failmon.cgi"), std::string::npos);
}

}  // namespace
}  // namespace fail::mon
