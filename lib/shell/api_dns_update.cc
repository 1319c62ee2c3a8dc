// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "shell/api_dns_update.hh"

#include "shell/api.hh"

namespace fail::shell {

// Placeholders until the RFC 2136 updater lands.
int dnsFollowCmd(Api&, Tcl_Interp* interp, int, Tcl_Obj* const[]) {
  Tcl_SetObjResult(interp, Tcl_NewStringObj("fail::dns follow: not implemented yet", -1));
  return TCL_ERROR;
}

int dnsUpdateCmd(Api&, Tcl_Interp* interp, int, Tcl_Obj* const[]) {
  Tcl_SetObjResult(interp, Tcl_NewStringObj("fail::dns update: not implemented yet", -1));
  return TCL_ERROR;
}

}  // namespace fail::shell
