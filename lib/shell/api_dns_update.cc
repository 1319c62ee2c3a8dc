// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// fail::dns update (failover(n), "DNS UPDATES"): one RFC 2136 UPDATE, signed with TSIG,
// waited for in Tcl's event loop (other events keep being served) for at most 5 s, under
// the callbacks' time limit. fail::dns follow is in api_dns_follow.cc.
#include "shell/api_dns_update.hh"

#include <memory>
#include <optional>

#include "base/log.hh"
#include "shell/api.hh"
#include "shell/dns_update.hh"
#include "shell/dns_update_args.hh"
#include "tcl/obj.hh"

namespace fail::shell {
namespace {

using namespace std::chrono_literals;

log::Facility& fac() {
  static log::Facility& f = log::facility("dns");
  return f;
}

// Waits for the primary at most this long: under the callbacks' default limit (10 s).
constexpr std::chrono::milliseconds kUpdateDeadline = 5s;

// Calls -command with the outcome dict, once, on the Tcl side, as a callback of its own.
void callCommand(Api& api, Tcl_Obj* prefix, const std::string& what, const UpdateOutcome& o) {
  Tcl_Obj* cmd = Tcl_DuplicateObj(prefix);
  Tcl_ListObjAppendElement(nullptr, cmd, outcomeDict(o));
  api.guard().call(cmd, "fail::dns update -command for " + what);
}

void logOutcome(const std::string& what, const UpdateOutcome& o) {
  log::write(fac(), o.ok() ? log::Level::Info : log::Level::Warning, "update " + what + ": " + o.describe());
}

}  // namespace

int dnsUpdateCmd(Api& api, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  if (api.safe()) return dnsSafeRefused(interp, "fail::dns update");
  DnsUpdateArgs a;
  if (!parseDnsUpdateArgs(interp, objc, objv, 2, a)) return TCL_ERROR;
  auto job = std::make_shared<UpdateJob>();
  if (!prepareUpdate(interp, a, *job)) return TCL_ERROR;
  const std::string what = a.name + " " + rrTypeName(a.type) + " at " + a.server;
  Bridge& bridge = api.bridge();
  if (a.command) {
    // Asynchronous: returns at once; the prefix is called with the outcome's dict (a
    // callback of its own, under the time limit) unless the policy was replaced meanwhile.
    tcl::ObjRef* prefix = new tcl::ObjRef(a.command);  // deleted on the Tcl side, below
    bridge.toLoop([&bridge, &api, alive = api.aliveFlag(), job, prefix, what] {
      startUpdate(bridge.base(), job, kUpdateDeadline, [&bridge, &api, alive, prefix, what](const UpdateOutcome& o) {
        bridge.toTcl([&api, alive, prefix, what, o] {
          std::unique_ptr<tcl::ObjRef> owned(prefix);
          logOutcome(what, o);
          if (*alive) callCommand(api, prefix->get(), what, o);
        });
      });
    });
    Tcl_ResetResult(interp);
    return TCL_OK;
  }
  auto done = std::make_shared<std::optional<UpdateOutcome>>();
  // The exchange runs on the loop side; its outcome comes back as plain data. A late
  // outcome (after the wait gave up) lands in `done`, which nobody reads any more.
  bridge.toLoop([&bridge, job, done] {
    startUpdate(bridge.base(), job, kUpdateDeadline,
                [&bridge, done](const UpdateOutcome& o) { bridge.toTcl([done, o] { *done = o; }); });
  });
  if (!Api::waitUntil([&] { return done->has_value(); }, kUpdateDeadline + 1s)) {
    UpdateOutcome t;  // the library's deadline should have come first
    t.result.timedOut = true;
    t.result.server = a.server;
    t.result.elapsed = kUpdateDeadline + 1s;
    t.result.error = "no reply from " + a.server + " within " + std::to_string(t.result.elapsed.count()) + " ms";
    *done = t;
  }
  const UpdateOutcome o = **done;
  logOutcome(what, o);
  if (!o.ok()) return outcomeError(interp, "fail::dns update " + what, o);
  Tcl_SetObjResult(interp, outcomeDict(o));
  return TCL_OK;
}

}  // namespace fail::shell
