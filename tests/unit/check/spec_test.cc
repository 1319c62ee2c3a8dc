// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "check/spec.hh"

#include <gtest/gtest.h>

#include <algorithm>

#include "check/classify.hh"
#include "check/registry.hh"

namespace fail::check {
namespace {

using std::chrono::milliseconds;

const KindDesc& fakeKind() {
  static const KindDesc kind{
      "fake",
      "a kind for tests",
      {
          {"host", OptType::String, nullptr, "target", true},
          {"count", OptType::Int, "3", "how many"},
          {"verify", OptType::Bool, "yes", "verify"},
          {"codes", OptType::List, nullptr, "codes"},
          {"wait", OptType::Duration, nullptr, "a wait"},
      },
      nullptr,
  };
  return kind;
}

CheckSpec spec(std::map<std::string, std::string> opts, const std::string& name = "web1") {
  CheckSpec s;
  s.name = name;
  s.kind = "fake";
  s.file = "Hcfile";
  s.line = 12;
  s.options = std::move(opts);
  return s;
}

// The message of the ConfigError validate() throws ("" when it does not throw).
std::string errorOf(CheckSpec s, const KindDesc& kind = fakeKind()) {
  try {
    validate(s, kind);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Spec, DefaultsWhenACheckSaysNothing) {
  CheckSpec s = spec({{"host", "127.0.0.1"}});
  validate(s, fakeKind());
  EXPECT_EQ(s.interval, milliseconds(5000));
  EXPECT_EQ(s.timeout, milliseconds(2000));
  EXPECT_EQ(s.rise, 2);
  EXPECT_EQ(s.fall, 3);
  EXPECT_EQ(s.retry, milliseconds(0));
  EXPECT_EQ(s.warnLatency, milliseconds(0));
  EXPECT_TRUE(s.depends.empty());
  EXPECT_EQ(s.str("count"), "3");  // kind defaults filled in
  EXPECT_EQ(s.integer("count", 1, 10), 3);
  EXPECT_TRUE(s.flag("verify"));
  EXPECT_FALSE(s.has("codes"));
  EXPECT_FALSE(s.has("timeout"));
}

TEST(Spec, TimeoutIsTheSmallerOfTwoSecondsAndHalfTheInterval) {
  CheckSpec fast = spec({{"host", "h"}, {"interval", "1s"}});
  validate(fast, fakeKind());
  EXPECT_EQ(fast.timeout, milliseconds(500));
  CheckSpec slow = spec({{"host", "h"}, {"interval", "1m"}});
  validate(slow, fakeKind());
  EXPECT_EQ(slow.timeout, milliseconds(2000));
  CheckSpec given = spec({{"host", "h"}, {"interval", "1s"}, {"timeout", "900ms"}});
  validate(given, fakeKind());
  EXPECT_EQ(given.timeout, milliseconds(900));
}

TEST(Spec, ExplicitTimeoutNotBelowTheIntervalIsAnError) {
  for (const char* t : {"1s", "2s"}) {
    std::string e = errorOf(spec({{"host", "h"}, {"interval", "1s"}, {"timeout", t}}));
    EXPECT_NE(e.find("Hcfile:12"), std::string::npos) << e;
    EXPECT_NE(e.find("check web1"), std::string::npos) << e;
    EXPECT_NE(e.find("-timeout"), std::string::npos) << e;
    EXPECT_NE(e.find("below the interval"), std::string::npos) << e;
  }
}

TEST(Spec, UnknownOptionNamesFileLineCheckOptionAndTheValidOnes) {
  std::string e = errorOf(spec({{"host", "h"}, {"bogus", "1"}}));
  EXPECT_NE(e.find("Hcfile:12: check web1"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown option -bogus"), std::string::npos) << e;
  for (const char* valid : {"-interval", "-timeout", "-rise", "-fall", "-depends", "-retry",
                            "-warn-latency", "-host", "-count", "-wait"})
    EXPECT_NE(e.find(valid), std::string::npos) << valid << " in " << e;
}

TEST(Spec, BadValuesNameTheOption) {
  struct Case {
    const char* opt;
    const char* value;
  } cases[] = {
      {"interval", "5 seconds"}, {"interval", "0"},  {"timeout", "-1s"}, {"rise", "two"},
      {"rise", "0"},             {"fall", "1001"},   {"count", "x"},     {"verify", "maybe"},
      {"codes", "{unbalanced"},  {"wait", "3x"},     {"retry", "5s"},    {"depends", "{a b"},
      {"depends", "web1"},       {"depends", "a\x01"},
  };
  for (const Case& c : cases) {
    std::string e = errorOf(spec({{"host", "h"}, {c.opt, c.value}}));
    EXPECT_NE(e.find("Hcfile:12: check web1: -" + std::string(c.opt) + ": "), std::string::npos)
        << c.opt << "=" << c.value << ": " << e;
  }
}

TEST(Spec, EveryBadOptionOfOneCheckIsSaid) {
  std::string e = errorOf(spec({{"rise", "0"}, {"bogus", "1"}, {"retry", "soon"}, {"fall", "x"}}));
  for (const char* part : {"check web1: unknown option -bogus", "check web1: -host: required",
                           "check web1: -rise: ", "check web1: -fall: ", "check web1: -retry: "})
    EXPECT_NE(e.find(part), std::string::npos) << part << " in: " << e;
  EXPECT_EQ(std::count(e.begin(), e.end(), '\n'), 4) << e;  // five errors, one a line
}

TEST(Spec, RequiredOptionMissing) {
  std::string e = errorOf(spec({}));
  EXPECT_NE(e.find("Hcfile:12: check web1: -host: required"), std::string::npos) << e;
}

TEST(Spec, DashedKeysAreAcceptedToo) {
  CheckSpec s = spec({{"-host", "h"}, {"-rise", "5"}});
  validate(s, fakeKind());
  EXPECT_EQ(s.rise, 5);
  EXPECT_EQ(s.str("host"), "h");
}

TEST(Spec, CommonOptionsResolved) {
  CheckSpec s = spec({{"host", "h"},
                      {"interval", "1s"},
                      {"rise", "1"},
                      {"fall", "4"},
                      {"retry", "200ms"},
                      {"warn-latency", "300ms"},
                      {"depends", "dns1 gw"}});
  validate(s, fakeKind());
  EXPECT_EQ(s.rise, 1);
  EXPECT_EQ(s.fall, 4);
  EXPECT_EQ(s.retry, milliseconds(200));
  EXPECT_EQ(s.warnLatency, milliseconds(300));
  EXPECT_EQ(s.depends, (std::vector<std::string>{"dns1", "gw"}));
}

TEST(Spec, TypedGettersThrowNamingTheOption) {
  CheckSpec s = spec({{"host", "h"}, {"count", "30"}, {"codes", "200 {204 x}"}, {"wait", "1m30s"}});
  validate(s, fakeKind());
  EXPECT_EQ(s.list("codes"), (std::vector<std::string>{"200", "204 x"}));
  EXPECT_EQ(s.duration("wait"), milliseconds(90000));
  try {
    s.integer("count", 1, 10);
    FAIL() << "no throw";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("Hcfile:12: check web1: -count: expected an integer from 1 to 10"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(s.str("absent"), ConfigError);
  EXPECT_EQ(s.where(), "Hcfile:12: check web1: ");
  EXPECT_EQ(s.where("port"), "Hcfile:12: check web1: -port: ");
}

TEST(Spec, RegistryKnowsTcpAndExec) {
  ASSERT_NE(findKind("tcp"), nullptr);
  ASSERT_NE(findKind("exec"), nullptr);
  EXPECT_EQ(findKind("nosuch"), nullptr);
  CheckSpec s = spec({{"host", "127.0.0.1"}});
  s.kind = "tcp";
  std::string e = errorOf(s, tcpKind());
  EXPECT_NE(e.find("-port: required"), std::string::npos) << e;
  CheckSpec p = spec({{"host", "127.0.0.1"}, {"port", "70000"}});
  validate(p, tcpKind());
  ProbeContext ctx;
  EXPECT_THROW(tcpKind().make(ctx, p), ConfigError);
}

TEST(Classify, ErrnoMeansForACheck) {
  EXPECT_EQ(classifyErrno(ECONNREFUSED).outcome, Outcome::Unreachable);
  EXPECT_EQ(classifyErrno(ECONNREFUSED).note, "connection refused");
  EXPECT_EQ(classifyErrno(ETIMEDOUT).outcome, Outcome::Timeout);
  auto local = classifyErrno(EMFILE, "socket");
  EXPECT_EQ(local.outcome, Outcome::LocalError);
  EXPECT_EQ(local.note.rfind("socket: ", 0), 0u) << local.note;
}

}  // namespace
}  // namespace fail::check
