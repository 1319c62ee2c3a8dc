// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// fail::dns follow NAME ... (failover(n), "DNS UPDATES"): a declaration, keyed by name,
// handed to the engine's followed names (shell/dns_follow.hh), which keep NAME's RRset
// in the primary equal to the healthy members. Returns NAME.
#include "shell/api.hh"
#include "shell/api_dns_update.hh"
#include "shell/dns_follow.hh"
#include "shell/dns_update.hh"
#include "shell/dns_update_args.hh"

namespace fail::shell {
namespace {

int argsError(Tcl_Interp* interp, const std::string& msg) {
  Tcl_SetObjResult(interp, Tcl_NewStringObj(msg.c_str(), -1));
  Tcl_SetErrorCode(interp, "FAILOVER", "ARGS", nullptr);
  return TCL_ERROR;
}

// The library's spec from the checked options and the key.
bool toSpec(Tcl_Interp* interp, DnsFollowDecl& d) {
  const DnsFollowArgs& a = d.args;
  dns::FollowSpec& s = d.spec;
  std::string err;
  auto server = net::resolveHostPort(a.server, 53, &err);  // numeric: no lookup
  if (!server) return argsError(interp, "-server: " + err) == TCL_OK;
  s.name = a.name;
  s.zone = a.zone;
  s.server = *server;
  s.key = d.key;
  s.select = a.select == DnsFollowArgs::Select::All ? dns::FollowSelect::All : dns::FollowSelect::Priority;
  s.allDown = a.allDown == DnsFollowArgs::AllDown::All    ? dns::FollowAllDown::All
              : a.allDown == DnsFollowArgs::AllDown::None ? dns::FollowAllDown::None
                                                          : dns::FollowAllDown::Keep;
  s.ttl = a.ttl;
  s.reconcile = a.reconcile;
  for (const auto& m : a.members) s.members.push_back({m.address.text, m.check});
  s.secondariesFromNs = a.secondariesFromNs;
  s.nsPort = a.nsPort;
  for (const auto& text : a.secondaries) {
    auto sec = net::resolveHostPort(text, 53, &err);
    if (!sec) return argsError(interp, "-secondaries: " + err) == TCL_OK;
    s.secondaries.push_back(*sec);
  }
  if (!dns::validFollowSpec(s, &err)) return argsError(interp, "fail::dns follow " + a.name + ": " + err) == TCL_OK;
  return true;
}

}  // namespace

int dnsFollowCmd(Api& api, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  if (api.safe()) return dnsSafeRefused(interp, "fail::dns follow");
  DnsFollowDecl d;
  if (!parseDnsFollowArgs(interp, objc, objv, 2, d.args)) return TCL_ERROR;
  if (!loadKey(interp, d.args.key, d.key) || !toSpec(interp, d)) return TCL_ERROR;
  api.ensureStarted();
  std::string name = d.args.name, err;
  bool ok = api.bridge().onLoop([&api, &d, &err] {
    DnsFollows& follows = api.engine().dnsFollows();
    if (!follows.declare(std::move(d), &err)) return false;
    // The Tcl package's engine (or a declaration made after the policy was read):
    // followed at once. failsh's staging engine only keeps it until adopt().
    if (api.engine().started()) follows.activate();
    return true;
  });
  if (!ok) return argsError(interp, "fail::dns follow " + name + ": " + err);
  Tcl_SetObjResult(interp, Tcl_NewStringObj(name.c_str(), -1));
  return TCL_OK;
}

}  // namespace fail::shell
