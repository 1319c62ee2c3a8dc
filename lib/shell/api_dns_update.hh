// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// `fail::dns follow` and `fail::dns update` (RFC 2136, failover(n)): the subcommands of
// fail::dns that keep names in another name server (BIND, Knot, PowerDNS) pointing at
// healthy servers. fail::dns (api_dns.cc) dispatches to them; objv[0] is "fail::dns",
// objv[1] the subcommand.
#pragma once

#include <tcl.h>

namespace fail::shell {

class Api;

int dnsFollowCmd(Api& api, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]);
int dnsUpdateCmd(Api& api, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]);

}  // namespace fail::shell
