// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The declarations of `fail::dns zone|record|pool|member|serve` (failover(n), "DNS
// FRONT-END") as option tables, and what a policy declared so far (DnsDecls), from which
// the front-end's dns::Config is built. Runs on the Tcl thread; touches no socket and no
// front-end. Every error names the subcommand, the declaration and the option; the
// policy reader adds the file and the line.
#pragma once

#include <tcl.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "dns/config.hh"

namespace fail::shell {

enum class DnsOptionKind {
  Names,     // a Tcl list of domain names
  Name,      // one domain name
  Duration,  // a duration (whole seconds where it becomes a TTL)
  Count,     // a non-negative integer
  Word,      // one word of a fixed set (help lists it)
  Text,      // anything (a path, a list parsed later)
};

struct DnsOption {
  const char* name;  // first: Tcl_GetIndexFromObjStruct reads it; nullptr ends the table
  DnsOptionKind kind;
  const char* value;  // the value's name in the usage and the synopsis
  const char* help;
  bool required;
};

extern const DnsOption kDnsZoneOptions[];
extern const DnsOption kDnsPoolOptions[];
extern const DnsOption kDnsMemberOptions[];  // inside -members {ADDRESS ?-check REC? ?-weight N?}
extern const DnsOption kDnsForceOptions[];   // fail::dns member POOL ADDRESS ...
extern const DnsOption kDnsServeOptions[];

// "name -ns names ?-soa-minimum t? ...": the table as a usage line (after `lead`).
std::string dnsUsage(const char* lead, const DnsOption* rows);

// What a policy declared, keyed by name: a second declaration replaces the first, the
// same one twice changes nothing.
struct DnsDecls {
  dns::Config config;  // zones (without their `record` records), pools, serve
  // fail::dns record, by (owner, type, rdata): the TTL of the latest declaration wins.
  std::map<std::tuple<std::string, std::uint16_t, std::vector<std::uint8_t>>, dns::StaticRecord> records;
  std::string lastZone;  // relative owners are relative to it
  // The Config handed to the front-end: zones with their records.
  dns::Config build() const;

  // The hand-over without a copy (the front-end shares one immutable Config): `config`
  // moves into build()'s result, kept in `shared` until the next change. When that equals
  // `running`, `running` is kept and returned instead, so that one Config is held, not two.
  std::shared_ptr<const dns::Config> share(const std::shared_ptr<const dns::Config>& running = {});
  // Before a change: `config` back from `shared` (a copy), `shared` dropped. Nothing
  // when not shared.
  void unshare();
  // What is declared, shared or not (zones with their `record` records once shared).
  const dns::Config& view() const { return shared ? *shared : config; }
  std::shared_ptr<const dns::Config> shared;  // set by share(); `config` is empty then
};

// What the commands may do besides declaring: a --safe policy reads no file and forwards
// only to hosts the administrator named.
struct DnsPolicyRules {
  bool safe = false;
  std::function<bool(const std::string& host)> hostAllowed;  // safe only; null: none allowed
};

// Each parses objv (objv[0] "fail::dns", objv[1] the subcommand) into `decls`; TCL_OK
// with the declared name as the result, or TCL_ERROR with a message and
// -errorcode {FAILOVER DNS ...}.
int dnsZone(Tcl_Interp* interp, int objc, Tcl_Obj* const objv[], DnsDecls& decls, const DnsPolicyRules& rules);
int dnsRecord(Tcl_Interp* interp, int objc, Tcl_Obj* const objv[], DnsDecls& decls);
int dnsPool(Tcl_Interp* interp, int objc, Tcl_Obj* const objv[], DnsDecls& decls);
int dnsServe(Tcl_Interp* interp, int objc, Tcl_Obj* const objv[], DnsDecls& decls, const DnsPolicyRules& rules);

// fail::dns member POOL ADDRESS -force up|down|auto ?-weight N?, parsed: the canonical
// pool name and the member's address as the pool declares it.
struct MemberChange {
  std::string pool, address;
  dns::Force force = dns::Force::Auto;
  unsigned weight = 0;  // 0: unchanged
};
int dnsMemberParse(Tcl_Interp* interp, int objc, Tcl_Obj* const objv[], const DnsDecls& decls, MemberChange& out);
// Records the change in the declarations (the pool and member exist: checked by the parse).
void dnsMemberApply(DnsDecls& decls, const MemberChange& change);

// An error result with -errorcode {FAILOVER DNS CLASS}; returns TCL_ERROR.
int dnsError(Tcl_Interp* interp, const std::string& msg, const char* cls = "ARGS");

}  // namespace fail::shell
