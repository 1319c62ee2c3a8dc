// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "shell/dns_update_args.hh"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#include "base/log.hh"
#include "base/text.hh"
#include "base/time.hh"
#include "dns/name.hh"
#include "net/address.hh"

namespace fail::shell {
namespace {

constexpr std::uint32_t kMaxTtl = 2147483647;  // RFC 2181 §8

bool fail(Tcl_Interp* interp, const std::string& msg) {
  Tcl_SetObjResult(interp, Tcl_NewStringObj(msg.c_str(), -1));
  Tcl_SetErrorCode(interp, "FAILOVER", "ARGS", nullptr);
  return false;
}

std::string quoted(const std::string& s) { return "\"" + printable(s, 80) + "\""; }

// A list of addresses of `type`'s family; `what` names the option in errors.
bool addressList(Tcl_Interp* interp, Tcl_Obj* list, std::uint16_t type, const std::string& what,
                 std::vector<dns::IpAddress>& out) {
  int n = 0;
  Tcl_Obj** elems = nullptr;
  if (Tcl_ListObjGetElements(interp, list, &n, &elems) != TCL_OK)
    return fail(interp, what + ": not a list of addresses");
  out.clear();
  int family = type == 28 ? AF_INET6 : AF_INET;
  for (int i = 0; i < n; ++i) {
    dns::IpAddress a;
    std::string text = Tcl_GetString(elems[i]);
    if (!parseIpAddress(text, a)) return fail(interp, what + ": " + quoted(text) + " is not an IP address");
    if (a.family != family)
      return fail(interp, what + ": " + quoted(text) + " is not an " + (family == AF_INET ? "IPv4" : "IPv6") +
                              " address, as " + rrTypeName(type) + " records hold");
    for (const auto& b : out)
      if (b.bytes == a.bytes) return fail(interp, what + ": " + quoted(text) + " is given twice");
    out.push_back(a);
  }
  return true;
}

bool ttlArg(Tcl_Interp* interp, Tcl_Obj* obj, const std::string& what, std::uint32_t& out) {
  auto ms = parseDurationMs(Tcl_GetString(obj));
  if (!ms || *ms < 0 || *ms / 1000 > kMaxTtl || *ms % 1000)
    return fail(interp, what + ": want a duration in whole seconds (60, 30s, 5m), got " + quoted(Tcl_GetString(obj)));
  out = static_cast<std::uint32_t>(*ms / 1000);
  return true;
}

bool nameArg(Tcl_Interp* interp, const std::string& text, const std::string& what, std::string& out) {
  std::string err;
  if (!dns::parseName(text, out, &err)) return fail(interp, what + ": " + err);
  return true;
}

bool keyArgs(Tcl_Interp* interp, const std::string& opt, const std::string& value, DnsKeyArg& key) {
  if (opt == "-key-file") {
    if (value.empty()) return fail(interp, "-key-file: empty file name");
    key.file = value;
  } else {  // -key: never quoted back, it holds a secret
    if (std::count(value.begin(), value.end(), ':') < 2)
      return fail(interp, "-key: want ALGORITHM:NAME:SECRET (as dig -y takes it)");
    key.inline_ = value;
    // Registered at once: an error further on quotes the command in errorInfo.
    log::redact(value.substr(value.rfind(':') + 1));
  }
  return true;
}

bool needKey(Tcl_Interp* interp, const std::string& cmd, const DnsKeyArg& key) {
  if (key.file.empty() == key.inline_.empty())
    return fail(interp, cmd + ": give exactly one of -key-file and -key (nothing is sent unsigned)");
  return true;
}

bool serverArg(Tcl_Interp* interp, const std::string& what, const std::string& text, std::string& out) {
  std::string err;
  if (!parseDnsServer(text, out, err)) return fail(interp, what + ": " + err);
  return true;
}

bool typeArg(Tcl_Interp* interp, const std::string& text, std::uint16_t& out) {
  std::string t = text;
  for (char& c : t) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (t == "A") return out = 1, true;
  if (t == "AAAA") return out = 28, true;
  return fail(interp, "-replace: type " + quoted(text) + ": want A or AAAA");
}

// The member list of follow: {{ADDR -check REC} {ADDR} ...}.
bool membersArg(Tcl_Interp* interp, Tcl_Obj* list, DnsFollowArgs& out) {
  int n = 0;
  Tcl_Obj** elems = nullptr;
  if (Tcl_ListObjGetElements(interp, list, &n, &elems) != TCL_OK || n == 0)
    return fail(interp, "-members: want a list of {ADDRESS ?-check RECORD?}");
  out.members.clear();
  for (int i = 0; i < n; ++i) {
    int m = 0;
    Tcl_Obj** w = nullptr;
    if (Tcl_ListObjGetElements(interp, elems[i], &m, &w) != TCL_OK || (m != 1 && m != 3))
      return fail(interp, "-members: " + quoted(Tcl_GetString(elems[i])) + ": want {ADDRESS ?-check RECORD?}");
    DnsFollowMember mem;
    std::string text = Tcl_GetString(w[0]);
    if (!parseIpAddress(text, mem.address)) return fail(interp, "-members: " + quoted(text) + " is not an IP address");
    if (m == 3) {
      if (std::strcmp(Tcl_GetString(w[1]), "-check") != 0)
        return fail(interp, "-members: unknown member option " + quoted(Tcl_GetString(w[1])) + ": want -check");
      mem.check = Tcl_GetString(w[2]);
      if (!validName(mem.check)) return fail(interp, "-members: -check " + quoted(mem.check) + " is not a record name");
    }
    if (i == 0) out.type = mem.address.family == AF_INET6 ? 28 : 1;
    int family = out.type == 28 ? AF_INET6 : AF_INET;
    if (mem.address.family != family)
      return fail(interp, "-members: " + quoted(text) + " is not an " + (family == AF_INET ? "IPv4" : "IPv6") +
                              " address like the first member (one name follows one family: declare A and "
                              "AAAA apart)");
    for (const auto& o : out.members)
      if (o.address.bytes == mem.address.bytes) return fail(interp, "-members: " + quoted(text) + " is given twice");
    out.members.push_back(std::move(mem));
  }
  return true;
}

// {ADDRESS[:PORT] ...}; the word ns (or ns:PORT) stands for the zone's NS set.
bool secondariesArg(Tcl_Interp* interp, Tcl_Obj* list, DnsFollowArgs& a) {
  int n = 0;
  Tcl_Obj** elems = nullptr;
  if (Tcl_ListObjGetElements(interp, list, &n, &elems) != TCL_OK)
    return fail(interp, "-secondaries: want a list of ADDRESS[:PORT] or ns[:PORT]");
  a.secondaries.clear();
  for (int i = 0; i < n; ++i) {
    std::string text = Tcl_GetString(elems[i]), s;
    if (text == "ns" || text.compare(0, 3, "ns:") == 0) {
      a.secondariesFromNs = true;
      if (text.size() > 3) {
        int port = 0;
        if (Tcl_GetInt(nullptr, text.c_str() + 3, &port) != TCL_OK || port < 1 || port > 65535)
          return fail(interp, "-secondaries: " + quoted(text) + ": want ns or ns:PORT, a port from 1 to 65535");
        a.nsPort = static_cast<std::uint16_t>(port);
      }
      continue;
    }
    if (!serverArg(interp, "-secondaries", text, s)) return false;
    a.secondaries.push_back(s);
  }
  return true;
}

bool inZoneArg(Tcl_Interp* interp, const std::string& what, const std::string& name, const std::string& zone) {
  if (dns::inZone(name, zone)) return true;
  return fail(interp, what + ": " + quoted(name) + " is not inside the zone " + quoted(zone));
}

}  // namespace

const char* rrTypeName(std::uint16_t type) { return type == 28 ? "AAAA" : type == 1 ? "A" : "?"; }

bool parseIpAddress(const std::string& text, dns::IpAddress& out) {
  dns::IpAddress a;
  a.text = text;
  if (inet_pton(AF_INET, text.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET;
  } else if (inet_pton(AF_INET6, text.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET6;
  } else {
    return false;
  }
  out = a;
  return true;
}

bool parseDnsServer(const std::string& text, std::string& out, std::string& err) {
  std::string host;
  std::uint16_t port = 0;
  if (!net::splitHostPort(text, host, port, 53)) {
    err = quoted(text) + ": want ADDRESS[:PORT], a port from 1 to 65535";
    return false;
  }
  dns::IpAddress a;
  if (!parseIpAddress(host, a)) {
    err = quoted(text) + ": want a numeric IPv4 or IPv6 address (a name would be looked up, blocking)";
    return false;
  }
  out = (a.family == AF_INET6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
  return true;
}

bool parseDnsUpdateArgs(Tcl_Interp* interp, int objc, Tcl_Obj* const objv[], int first, DnsUpdateArgs& out) {
  const std::string cmd = "fail::dns update";
  bool haveTtl = false, haveReplace = false;
  bool haveZone = false;
  Tcl_Obj *addrs = nullptr, *expect = nullptr;
  for (int i = first; i < objc;) {
    std::string opt = Tcl_GetString(objv[i]);
    int need = opt == "-replace" ? 3 : 1;
    if (i + need >= objc) return fail(interp, cmd + " " + opt + ": value missing");
    if (opt == "-server") {
      if (!serverArg(interp, "-server", Tcl_GetString(objv[i + 1]), out.server)) return false;
    } else if (opt == "-zone") {
      if (!nameArg(interp, Tcl_GetString(objv[i + 1]), "-zone", out.zone)) return false;
      haveZone = true;
    } else if (opt == "-key-file" || opt == "-key") {
      if (!keyArgs(interp, opt, Tcl_GetString(objv[i + 1]), out.key)) return false;
    } else if (opt == "-replace") {
      if (!nameArg(interp, Tcl_GetString(objv[i + 1]), "-replace", out.name) || !typeArg(interp, Tcl_GetString(objv[i + 2]), out.type))
        return false;
      addrs = objv[i + 3];
      haveReplace = true;
    } else if (opt == "-ttl") {
      if (!ttlArg(interp, objv[i + 1], "-ttl", out.ttl)) return false;
      haveTtl = true;
    } else if (opt == "-expect") {
      expect = objv[i + 1];
    } else if (opt == "-command") {
      out.command = objv[i + 1];
    } else {
      return fail(interp, cmd + ": unknown option " + quoted(opt) +
                              ": want -server, -zone, -key-file, -key, -replace, -ttl, -expect or -command");
    }
    i += need + 1;
  }
  if (out.server.empty() || !haveZone || !haveReplace || !haveTtl)
    return fail(interp, cmd + ": -server, -zone, -replace and -ttl are required");
  if (!needKey(interp, cmd, out.key) || !inZoneArg(interp, "-replace", out.name, out.zone)) return false;
  if (!addressList(interp, addrs, out.type, "-replace", out.addresses)) return false;
  if (expect) {
    out.expect.emplace();
    if (!addressList(interp, expect, out.type, "-expect", *out.expect)) return false;
  }
  return true;
}

bool parseDnsFollowArgs(Tcl_Interp* interp, int objc, Tcl_Obj* const objv[], int first, DnsFollowArgs& out) {
  if (first >= objc) return fail(interp, "fail::dns follow: a name is required");
  const std::string nameText = Tcl_GetString(objv[first]);
  if (!nameArg(interp, nameText, "fail::dns follow", out.name)) return false;
  const std::string cmd = "fail::dns follow " + out.name;
  bool haveMembers = false, haveZone = false;
  for (int i = first + 1; i < objc; i += 2) {
    std::string opt = Tcl_GetString(objv[i]);
    if (i + 1 >= objc) return fail(interp, cmd + " " + opt + ": value missing");
    std::string v = Tcl_GetString(objv[i + 1]);
    if (opt == "-zone") {
      if (!nameArg(interp, v, "-zone", out.zone)) return false;
      haveZone = true;
    } else if (opt == "-server") {
      if (!serverArg(interp, "-server", v, out.server)) return false;
    } else if (opt == "-key-file" || opt == "-key") {
      if (!keyArgs(interp, opt, v, out.key)) return false;
    } else if (opt == "-select") {
      if (v == "all") out.select = DnsFollowArgs::Select::All;
      else if (v == "priority") out.select = DnsFollowArgs::Select::Priority;
      else return fail(interp, cmd + " -select: want all or priority, got " + quoted(v));
    } else if (opt == "-all-down") {
      if (v == "all") out.allDown = DnsFollowArgs::AllDown::All;
      else if (v == "none") out.allDown = DnsFollowArgs::AllDown::None;
      else if (v == "keep") out.allDown = DnsFollowArgs::AllDown::Keep;
      else return fail(interp, cmd + " -all-down: want all, none or keep, got " + quoted(v));
    } else if (opt == "-ttl") {
      if (!ttlArg(interp, objv[i + 1], cmd + " -ttl", out.ttl)) return false;
    } else if (opt == "-members") {
      if (!membersArg(interp, objv[i + 1], out)) return false;
      haveMembers = true;
    } else if (opt == "-reconcile") {
      auto ms = parseDurationMs(v);
      if (!ms || *ms < 1000)
        return fail(interp, cmd + " -reconcile: want a duration of at least 1s (30s, 5m), got " + quoted(v));
      out.reconcile = std::chrono::milliseconds(*ms);
    } else if (opt == "-secondaries") {
      if (!secondariesArg(interp, objv[i + 1], out)) return false;
    } else {
      return fail(interp, cmd + ": unknown option " + quoted(opt) +
                              ": want -zone, -server, -key-file, -key, -select, -ttl, -members, -all-down, "
                              "-reconcile or -secondaries");
    }
  }
  if (!haveZone || out.server.empty() || !haveMembers)
    return fail(interp, cmd + ": -zone, -server and -members are required");
  return needKey(interp, cmd, out.key) && inZoneArg(interp, "fail::dns follow", out.name, out.zone);
}

}  // namespace fail::shell
