// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// fail::ip add|del|has|list: service addresses for IP takeover (lib/netif). Adding
// announces the address to the link (gratuitous ARP, or an unsolicited neighbour
// advertisement for IPv6) so neighbours stop sending to the failed host's MAC.
#include <cstring>

#include "base/log.hh"
#include "netif/netif.hh"
#include "shell/api.hh"
#include "tcl/command.hh"

namespace fail::shell {
namespace {

log::Facility& fac() {
  static log::Facility& f = log::facility("policy");
  return f;
}

int error(Tcl_Interp* interp, const std::string& msg, const char* code) {
  Tcl_SetObjResult(interp, Tcl_NewStringObj(msg.c_str(), -1));
  Tcl_SetErrorCode(interp, "FAILOVER", code, nullptr);
  return TCL_ERROR;
}

// fail::ip add ADDRESS/PREFIX -dev IFACE ?-announce N?
// fail::ip del ADDRESS/PREFIX -dev IFACE
// fail::ip has ADDRESS/PREFIX -dev IFACE
// fail::ip list -dev IFACE
int ipCmd(ClientData, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  static const char* const subs[] = {"add", "del", "has", "list", nullptr};
  int idx = 0;
  if (objc < 2) {
    Tcl_WrongNumArgs(interp, 1, objv, "add|del|has|list ?address/prefix? -dev iface ?-announce n?");
    return TCL_ERROR;
  }
  if (Tcl_GetIndexFromObj(interp, objv[1], subs, "subcommand", 0, &idx) != TCL_OK) return TCL_ERROR;
  bool listing = idx == 3;
  int i = listing ? 2 : 3;
  if (!listing && objc < 3) {
    Tcl_WrongNumArgs(interp, 2, objv, "address/prefix -dev iface");
    return TCL_ERROR;
  }
  std::string dev;
  int announceCount = 3;
  for (; i < objc; i += 2) {
    std::string opt = Tcl_GetString(objv[i]);
    if (i + 1 >= objc) return error(interp, "fail::ip: " + opt + " needs a value", "ARGS");
    if (opt == "-dev") {
      dev = Tcl_GetString(objv[i + 1]);
    } else if (opt == "-announce" && idx == 0) {
      if (Tcl_GetIntFromObj(interp, objv[i + 1], &announceCount) != TCL_OK || announceCount < 0 || announceCount > 20)
        return error(interp, "fail::ip add -announce: want 0 to 20", "ARGS");
    } else {
      return error(interp, "fail::ip: unknown option \"" + opt + "\"", "ARGS");
    }
  }
  if (dev.empty()) return error(interp, "fail::ip: -dev IFACE is required", "ARGS");
  std::string err;
  if (listing) {
    auto addrs = netif::listAddresses(dev, &err);
    if (!err.empty()) return error(interp, err, "IP");
    Tcl_Obj* l = Tcl_NewListObj(0, nullptr);
    for (const auto& a : addrs) Tcl_ListObjAppendElement(nullptr, l, Tcl_NewStringObj(a.str().c_str(), -1));
    Tcl_SetObjResult(interp, l);
    return TCL_OK;
  }
  netif::Cidr cidr;
  if (!netif::parseCidr(Tcl_GetString(objv[2]), &cidr, &err)) return error(interp, "fail::ip: " + err, "ARGS");
  switch (idx) {
    case 0: {
      bool already = false;
      if (!netif::addAddress(dev, cidr, &err, &already)) return error(interp, err, "IP");
      if (!already) FAIL_LOG(fac(), Notice) << "+ip " << cidr.str() << " dev " << dev;
      if (announceCount > 0 && !netif::announce(dev, cidr, announceCount, &err))
        FAIL_LOG(fac(), Warning) << "ip " << cidr.str() << " dev " << dev << ": not announced: " << err;
      Tcl_SetObjResult(interp, Tcl_NewStringObj(already ? "present" : "added", -1));
      return TCL_OK;
    }
    case 1: {
      bool absent = false;
      if (!netif::delAddress(dev, cidr, &err, &absent)) return error(interp, err, "IP");
      if (!absent) FAIL_LOG(fac(), Notice) << "-ip " << cidr.str() << " dev " << dev;
      Tcl_SetObjResult(interp, Tcl_NewStringObj(absent ? "absent" : "deleted", -1));
      return TCL_OK;
    }
    case 2: {
      bool has = netif::hasAddress(dev, cidr, &err);
      if (!err.empty()) return error(interp, err, "IP");
      Tcl_SetObjResult(interp, Tcl_NewBooleanObj(has));
      return TCL_OK;
    }
  }
  return TCL_ERROR;
}

}  // namespace

void registerIpCommand(Tcl_Interp* interp, Api&) {
  tcl::createCommand(interp, "::fail::ip", ipCmd, nullptr, nullptr);
}

}  // namespace fail::shell
