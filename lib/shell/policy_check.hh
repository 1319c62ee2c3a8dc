// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// What failsh refuses in a policy beyond a Tcl error while reading it (failsh(8),
// "Checking the policy"), the same at start, for -t and on SIGHUP: a proc whose body
// does not parse (Tcl would only say so when it runs), and a service whose start, stop,
// reclaim or reassert script calls a command that does not exist. Each error names the
// file, the line where the file shows it, and the proc or the service and option.
#pragma once

#include <tcl.h>

#include <string>
#include <vector>

#include "shell/engine.hh"

namespace fail::shell {

// The errors of the policy read into `policy` from `file`, whose services `declared`
// holds; empty when there is none. Leaves the interpreter's result alone.
std::vector<std::string> checkPolicy(Tcl_Interp* policy, const Engine& declared, const std::string& file);

// The parse error of a proc body ("" when it parses) and the line of the body where it
// is (1 is the line of the opening brace). Compiled in an interpreter of its own, as
// Tcl would compile it when the proc first runs.
std::string bodySyntaxError(const std::string& body, int& line);

// The first word of each command of `script` that names no command in `interp` (words
// built by substitution are not judged), or why the script does not parse.
struct ScriptCheck {
  std::vector<std::string> missing;
  std::string parseError;  // "" : it parses
};
ScriptCheck checkScript(Tcl_Interp* interp, const std::string& script);

}  // namespace fail::shell
