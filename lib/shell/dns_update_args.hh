// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The options of `fail::dns update` and `fail::dns follow` (failover(n), "DNS UPDATES")
// read into plain values on the Tcl thread, checked whole before anything is sent or
// declared: names canonical and inside the zone, addresses of the RRset's family, a
// numeric server address (no name lookup: it would block the shell), durations. Every
// error is a sentence naming the option, with -errorcode {FAILOVER ARGS}.
#pragma once

#include <tcl.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dns/config.hh"

namespace fail::shell {

// Where the TSIG key comes from: -key-file FILE or -key ALGORITHM:NAME:SECRET.
struct DnsKeyArg {
  std::string file;    // -key-file
  std::string inline_; // -key (a secret: never logged, never in an error message)
  friend bool operator==(const DnsKeyArg&, const DnsKeyArg&) = default;
};

// fail::dns update -server ADDR[:PORT] -zone Z (-key-file F | -key A:N:S)
//   -replace NAME TYPE {ADDRESSES} -ttl D ?-expect {ADDRESSES}? ?-command PREFIX?
struct DnsUpdateArgs {
  std::string server;  // "ADDRESS:PORT", the port 53 when none was given
  std::string zone;    // canonical
  DnsKeyArg key;
  std::string name;           // canonical, inside the zone
  std::uint16_t type = 1;     // 1 (A) or 28 (AAAA)
  std::vector<dns::IpAddress> addresses;
  std::uint32_t ttl = 0;      // seconds
  std::optional<std::vector<dns::IpAddress>> expect;  // {}: the RRset must not exist
  Tcl_Obj* command = nullptr;  // borrowed from objv; null: none
};

// One member of a followed name: an address in while the local faild's record `check`
// is UP ("" : always in).
struct DnsFollowMember {
  dns::IpAddress address;
  std::string check;
  friend bool operator==(const DnsFollowMember&, const DnsFollowMember&) = default;
};

// fail::dns follow NAME -zone Z -server ADDR[:PORT] (-key-file F | -key A:N:S)
//   -select all|priority -ttl D -members {{ADDR -check REC} ...}
//   -all-down all|none|keep ?-reconcile D? ?-secondaries {ADDR[:PORT]|ns[:PORT] ...}?
struct DnsFollowArgs {
  std::string name, zone, server;
  DnsKeyArg key;
  enum class Select { All, Priority } select = Select::All;
  enum class AllDown { All, None, Keep } allDown = AllDown::All;
  std::uint16_t type = 1;  // from the members' family
  std::uint32_t ttl = 60;
  std::vector<DnsFollowMember> members;
  std::chrono::milliseconds reconcile{300000};  // 5m
  std::vector<std::string> secondaries;          // "ADDRESS:PORT"; empty: none read back
  bool secondariesFromNs = false;                 // the word "ns": also the zone's NS set,
  std::uint16_t nsPort = 53;                      // at this port ("ns:PORT")
  friend bool operator==(const DnsFollowArgs&, const DnsFollowArgs&) = default;
};

// Parse objv[first..objc) as the options above; false with the error in interp.
bool parseDnsUpdateArgs(Tcl_Interp* interp, int objc, Tcl_Obj* const objv[], int first, DnsUpdateArgs& out);
// objv[first] is NAME.
bool parseDnsFollowArgs(Tcl_Interp* interp, int objc, Tcl_Obj* const objv[], int first, DnsFollowArgs& out);

// "203.0.113.10" or "2001:db8::1" into an IpAddress; false when it is neither.
bool parseIpAddress(const std::string& text, dns::IpAddress& out);
// "ADDRESS", "ADDRESS:PORT", "[V6]:PORT", a bare IPv6 address: "ADDRESS:PORT" (port 53
// by default) with a numeric address; false with a sentence in err.
bool parseDnsServer(const std::string& text, std::string& out, std::string& err);
// The RR type's name: "A", "AAAA".
const char* rrTypeName(std::uint16_t type);

}  // namespace fail::shell
