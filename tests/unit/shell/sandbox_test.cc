// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The policy interpreter as failsh prepares it: exit refused, and in a safe interpreter
// after and fileevent through the Guard and the bounds on values and regular expressions.
#include <gtest/gtest.h>
#include <tcl.h>

#include <chrono>
#include <functional>
#include <string>

#include "shell/api.hh"
#include "shell/bridge.hh"
#include "shell/sandbox.hh"
#include "tcl_eval.hh"

namespace fail::shell {
namespace {

struct SandboxTest : ::testing::Test {
  Tcl_Interp* master = Tcl_CreateInterp();
  Tcl_Interp* ip = nullptr;
  SameThreadBridge bridge;
  std::unique_ptr<Api> api;
  void make(bool safe, std::chrono::milliseconds limit = std::chrono::milliseconds(200)) {
    ip = Tcl_CreateSlave(master, "policy", safe ? 1 : 0);
    api = std::make_unique<Api>(ip, limit, bridge);
    hardenPolicy(ip, *api, safe);
  }
  ~SandboxTest() override {
    api.reset();
    Tcl_DeleteInterp(master);
  }
  // The result of `script`, or "error: MESSAGE (ERRORCODE)".
  std::string eval(const std::string& script) {
    return test::evalResult(ip, script);
  }
  // Services Tcl's events until `done()` or 30 s by the clock (however busy the machine).
  bool waitFor(const std::function<bool()>& done) {
    for (auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30); !done();) {
      if (std::chrono::steady_clock::now() >= end) return false;
      Tcl_DoOneEvent(TCL_ALL_EVENTS | TCL_DONT_WAIT);
      Tcl_Sleep(1);
    }
    return true;
  }
  bool runUntil(const std::string& cond) {
    return waitFor([&] { return eval(cond) == "1"; });
  }
};

TEST_F(SandboxTest, AfterScriptsRunThroughTheGuardInASafePolicy) {
  make(true);
  std::string id = eval("after 0 {set ::x 1}");
  EXPECT_EQ(id, "after#0");
  EXPECT_EQ(eval("after info"), "after#0");
  EXPECT_EQ(eval("after info after#0"), "{set ::x 1} timer");
  EXPECT_EQ(eval("after cancel [after idle {set ::y 1}]; after info"), "after#0");
  ASSERT_TRUE(runUntil("info exists ::x"));
  EXPECT_EQ(eval("info exists ::y"), "0");
  EXPECT_EQ(api->guard().counters().calls, 1u);
  eval("after 0 {while 1 {}}");
  ASSERT_TRUE(runUntil("expr {1}") );
  waitFor([&] { return api->guard().counters().overruns != 0; });
  EXPECT_EQ(api->guard().counters().overruns, 1u);
  EXPECT_EQ(eval("after info after#9"), "error: event \"after#9\" doesn't exist (TCL LOOKUP EVENT after#9)");
  EXPECT_EQ(eval("after 10"), "");  // a plain wait, outside any limit
}

TEST_F(SandboxTest, ExitIsAnErrorAndATrustedPolicyKeepsTclsAfter) {
  make(false);
  EXPECT_EQ(eval("exit 3"),
            "error: exit: a policy callback cannot end failsh; stop it with SIGTERM (see failsh(8)) (FAILOVER SAFE EXIT)");
  EXPECT_EQ(eval("after 0 {error boom}; after info [lindex [after info] 0]"), "{error boom} timer");
  EXPECT_EQ(api->guard().counters().calls, 0u);
}

TEST_F(SandboxTest, SafeBoundsRefuseTheCrashVectorsOnly) {
  make(true);
  EXPECT_EQ(eval("regexp {^(a|b)+(c)$} abc"), "1");
  EXPECT_EQ(eval("switch -regexp -- abc {^a(b)c$ {set r yes} default {set r no}}"), "yes");
  EXPECT_EQ(eval("lsearch -regexp {x yy} {^y+$}"), "1");
  std::string deep = "set p [string repeat ( 40]a[string repeat ) 40]; ";
  EXPECT_NE(eval(deep + "regexp $p a").find("(FAILOVER SAFE REGEXP)"), std::string::npos);
  EXPECT_NE(eval(deep + "regsub -all -- $p a b").find("(FAILOVER SAFE REGEXP)"), std::string::npos);
  EXPECT_NE(eval(deep + "lsearch -regexp {a} $p").find("(FAILOVER SAFE REGEXP)"), std::string::npos);
  EXPECT_NE(eval(deep + "switch -regexp a [list $p {}]").find("(FAILOVER SAFE REGEXP)"), std::string::npos);
  EXPECT_NE(eval("regexp [string repeat (a) 101] a").find("101 groups"), std::string::npos);
  // A subject full of parentheses is no pattern.
  EXPECT_EQ(eval("regexp {a} [string repeat ( 500]a"), "1");
  std::string r = eval("set s x; while 1 {append s $s}");
  EXPECT_NE(r.find("a value of 33554432 bytes is refused"), std::string::npos) << r;
  // The last append made 32 MiB, which no command takes any more; it can be dropped.
  EXPECT_NE(eval("string length $s").find("(FAILOVER SAFE SIZE)"), std::string::npos);
  EXPECT_EQ(eval("unset s"), "");
  EXPECT_NE(eval("interp create x").find("invalid command name \"interp\""), std::string::npos);
  EXPECT_NE(eval("chan pipe").find("unknown or ambiguous subcommand \"pipe\""), std::string::npos);
  EXPECT_NE(eval("exec true").find("invalid command name \"exec\""), std::string::npos);
}

}  // namespace
}  // namespace fail::shell
