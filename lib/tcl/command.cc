// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "tcl/command.hh"

#include <atomic>
#include <exception>
#include <string>

#include "base/log.hh"

namespace fail::tcl {
namespace {

std::atomic<std::uint64_t> internal{0};

log::Facility& fac() {
  static log::Facility& f = log::facility("policy");
  return f;
}

struct Binding {
  Tcl_ObjCmdProc* fn;
  ClientData cd;
  Tcl_CmdDeleteProc* deleted;
};

void unbind(ClientData b) noexcept {
  auto* binding = static_cast<Binding*>(b);
  if (binding->deleted) binding->deleted(binding->cd);
  delete binding;
}

// The Tcl error for an exception `what` out of the command `objv[0]`. Allocates nothing
// C++ could throw from except the log line, which is skipped if it cannot be built.
int internalError(Tcl_Interp* interp, Tcl_Obj* command, const char* what) noexcept {
  ++internal;
  const char* name = command ? Tcl_GetString(command) : "?";
  try {
    log::write(fac(), log::Level::Err, std::string("internal error in ") + name + ": " + what);
  } catch (...) {
  }
  Tcl_SetObjResult(interp, Tcl_ObjPrintf("%s: internal error: %s", name, what));
  Tcl_SetErrorCode(interp, "FAILOVER", "INTERNAL", nullptr);
  return TCL_ERROR;
}

}  // namespace

int guardedCommand(ClientData b, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) noexcept {
  auto* binding = static_cast<Binding*>(b);
  Tcl_Obj* name = objc > 0 ? objv[0] : nullptr;
  try {
    return binding->fn(binding->cd, interp, objc, objv);
  } catch (const std::bad_alloc&) {
    return internalError(interp, name, "out of memory");
  } catch (const std::exception& e) {
    return internalError(interp, name, e.what());
  } catch (...) {
    return internalError(interp, name, "unknown exception");
  }
}

Tcl_Command createCommand(Tcl_Interp* interp, const char* name, Tcl_ObjCmdProc* fn, ClientData cd,
                          Tcl_CmdDeleteProc* deleted) {
  return Tcl_CreateObjCommand(interp, name, guardedCommand, new Binding{fn, cd, deleted}, unbind);
}

std::uint64_t internalErrors() { return internal; }

}  // namespace fail::tcl
