// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// fail::exec (failover(n)): output, exit statuses, signals and the time limit, in the
// policy interpreter while the loop keeps running.
#include <gtest/gtest.h>
#include <tcl.h>

#include <string>

#include "shell/api.hh"
#include "shell/bridge.hh"
#include "shell/engine.hh"

namespace fail::shell {
namespace {

struct ExecTest : ::testing::Test {
  Tcl_Interp* ip = Tcl_CreateInterp();
  SameThreadBridge bridge;
  Api api{ip, std::chrono::milliseconds(200), bridge};
  Engine engine{bridge.base(), EngineOptions{}, api};
  ExecTest() { api.attach(engine); }
  ~ExecTest() override { Tcl_DeleteInterp(ip); }
  // The result, or "error: MESSAGE (ERRORCODE)" with a CHILDSTATUS pid written as PID.
  std::string eval(const std::string& script) {
    int code = Tcl_Eval(ip, script.c_str());
    std::string r = Tcl_GetStringResult(ip);
    if (code == TCL_ERROR) {
      Tcl_Eval(ip, "expr {[lindex $::errorCode 0] eq {CHILDSTATUS} ? [lreplace $::errorCode 1 1 PID] : $::errorCode}");
      r = "error: " + r + " (" + Tcl_GetStringResult(ip) + ")";
    }
    Tcl_ResetResult(ip);
    return r;
  }
};

TEST_F(ExecTest, OutputAndErrorInTheOrderWrittenWithoutTheLastNewlines) {
  EXPECT_EQ(eval("fail::exec sh -c {echo one; echo two >&2; echo three; echo; echo}"), "one\ntwo\nthree");
  EXPECT_EQ(eval("fail::exec sh -c {read x; echo \"[$x]\"}"), "[]");  // stdin is /dev/null
  EXPECT_EQ(eval("string length [fail::exec sh -c {head -c 3000000 /dev/zero | tr '\\0' x}]"), "1048576");
}

TEST_F(ExecTest, ExitStatusesSignalsAndSpawnFailures) {
  EXPECT_EQ(eval("fail::exec sh -c {echo no; exit 3}"), "error: sh: exit 3: no (CHILDSTATUS PID 3)");
  EXPECT_EQ(eval("fail::exec sh -c {kill -TERM $$}"), "error: sh: killed by signal 15 (CHILDSTATUS PID 143)");
  EXPECT_EQ(eval("fail::exec /nonexistent/program"),
            "error: fail::exec: cannot run /nonexistent/program: No such file or directory (FAILOVER EXEC)");
  EXPECT_EQ(eval("fail::exec"), "error: wrong # args: should be \"fail::exec ?-timeout T? program ?arg ...?\" (TCL WRONGARGS)");
}

TEST_F(ExecTest, TheTimeLimitKillsTheWholeGroupAndTimersRunMeanwhile) {
  eval("set ::ticks 0; proc tick {} { incr ::ticks; after 20 tick }; after 20 tick");
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(eval("fail::exec -timeout 300ms sh -c {sleep 30 & sleep 30}"),
            "error: sh: timed out after 300ms (killed) (FAILOVER TIMEOUT)");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_GE(std::stoi(eval("set ::ticks")), 3);
}

}  // namespace
}  // namespace fail::shell
