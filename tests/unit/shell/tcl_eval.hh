// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The shell tests' one way to run a script: its result, or "error: MESSAGE (ERRORCODE)".
#pragma once

#include <tcl.h>

#include <string>

namespace fail::shell::test {

inline std::string evalResult(Tcl_Interp* ip, const std::string& script) {
  int code = Tcl_Eval(ip, script.c_str());
  std::string r = Tcl_GetStringResult(ip);
  if (code == TCL_ERROR) r = "error: " + r + " (" + Tcl_GetVar(ip, "errorCode", TCL_GLOBAL_ONLY) + ")";
  Tcl_ResetResult(ip);
  return r;
}

}  // namespace fail::shell::test
