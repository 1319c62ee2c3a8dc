// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The one way a failover Tcl command is created: through a noexcept trampoline, so that
// no C++ exception crosses Tcl's C frames (which would end the process). An exception
// thrown by a command becomes a Tcl error with -errorcode {FAILOVER INTERNAL} and the
// exception's text, is logged (facility "policy", level err) and counted.
#pragma once

#include <tcl.h>

#include <cstdint>

namespace fail::tcl {

// Like Tcl_CreateObjCommand: `fn(cd, …)` runs for the command, `deleted(cd)` (when given)
// once when the command goes away. Returns the command's token.
Tcl_Command createCommand(Tcl_Interp* interp, const char* name, Tcl_ObjCmdProc* fn, ClientData cd = nullptr,
                          Tcl_CmdDeleteProc* deleted = nullptr);

// The trampoline every command created by createCommand has as its objProc (tests check
// that a command was created this way with Tcl_GetCommandInfo).
int guardedCommand(ClientData binding, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) noexcept;

// Exceptions turned into Tcl errors so far, in this process.
std::uint64_t internalErrors();

}  // namespace fail::tcl
