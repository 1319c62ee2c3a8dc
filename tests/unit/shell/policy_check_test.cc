// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// shell/policy_check.hh: proc bodies that do not parse, and service scripts that call
// commands that do not exist.
#include <gtest/gtest.h>
#include <tcl.h>

#include "shell/policy_check.hh"

namespace fail::shell {
namespace {

TEST(BodySyntaxError, FindsTheErrorAndItsLineWhereTclCompilesTheBody) {
  int line = -1;
  EXPECT_EQ(bodySyntaxError("\n  set a 1\n  return $a\n", line), "");
  EXPECT_EQ(bodySyntaxError("\n  set a 1\n  set x \"abc\"def\n", line), "extra characters after close-quote");
  EXPECT_EQ(line, 3);
  // In the body of an if, which Tcl compiles with the proc.
  EXPECT_EQ(bodySyntaxError("\n  if {1} {\n    set y [foo\n  }\n", line), "missing close-bracket");
  EXPECT_EQ(line, 3);
  EXPECT_EQ(bodySyntaxError("set x {a}b", line), "extra characters after close-brace");
  EXPECT_EQ(line, 1);
  // A braced argument of a command Tcl does not compile is data, not script.
  EXPECT_EQ(bodySyntaxError("puts {a \"b\"c}\nmycmd {set x \"a\"b}\n", line), "");
}

TEST(CheckScript, NamesTheCommandsThatDoNotExist) {
  Tcl_Interp* ip = Tcl_CreateInterp();
  ASSERT_EQ(Tcl_Eval(ip, "proc start {} { return UP }"), TCL_OK);
  Tcl_SetResult(ip, const_cast<char*>("kept"), TCL_STATIC);
  EXPECT_TRUE(checkScript(ip, "start").missing.empty());
  EXPECT_TRUE(checkScript(ip, "::start").missing.empty());
  EXPECT_EQ(checkScript(ip, "startWww").missing, std::vector<std::string>{"startWww"});
  EXPECT_EQ(checkScript(ip, "set a 1; nosuch $a\nstart").missing, std::vector<std::string>{"nosuch"});
  EXPECT_TRUE(checkScript(ip, "[string cat st art]").missing.empty());  // substituted: not judged
  ScriptCheck bad = checkScript(ip, "start [");
  EXPECT_NE(bad.parseError.find("missing close-bracket"), std::string::npos) << bad.parseError;
  EXPECT_STREQ(Tcl_GetStringResult(ip), "kept");
  Tcl_DeleteInterp(ip);
}

}  // namespace
}  // namespace fail::shell
