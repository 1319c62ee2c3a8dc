// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// fail::dns (failover(n), "DNS FRONT-END"): zone, record, pool, member, serve, explain,
// stats, and the RFC 2136 subcommands follow and update (api_dns_update.cc). The
// declarations are parsed by shell/dns_options.hh into the policy's DnsDecls; once the
// policy runs (Api::dnsHost set) they are applied to the front-end at once.
#include <cstring>
#include <optional>

#include "dns/name.hh"
#include "shell/api.hh"
#include "shell/api_dns_update.hh"
#include "shell/dns_host.hh"
#include "tcl/command.hh"

namespace fail::shell {
namespace {

Tcl_Obj* str(const std::string& s) { return Tcl_NewStringObj(s.c_str(), static_cast<int>(s.size())); }

void put(Tcl_Obj* dict, const char* key, Tcl_Obj* value) { Tcl_DictObjPut(nullptr, dict, str(key), value); }

Tcl_Obj* words(const std::vector<std::string>& v) {
  Tcl_Obj* l = Tcl_NewListObj(0, nullptr);
  for (const auto& w : v) Tcl_ListObjAppendElement(nullptr, l, str(w));
  return l;
}

DnsPolicyRules rulesOf(Api& api) {
  DnsPolicyRules r;
  r.safe = api.safe();
  Api* a = &api;
  r.hostAllowed = [a](const std::string& host) { return a->hostAllowed(a->interp(), host, "fail::dns serve -forward"); };
  return r;
}

// Whether a declaration goes to the front-end at once: the policy runs (Api::dnsHost)
// and serves, or this is its `serve`.
bool goesLive(const Api& api, bool serve) {
  return api.dnsHost && (serve || api.dns.view().serving || api.dnsHost->running());
}

// What a declaration may have to be undone to: the declarations as they were, copied
// only when the front-end will be handed the result and may refuse it. A policy being
// read (failsh, failsh -t: no front-end yet) copies nothing, so each declaration costs
// O(log n): a copy per command made a policy of n declarations O(n²) (bench/dns_bench.md).
// A failed parse changes nothing by itself (dns_options.hh declares only what passed).
std::optional<DnsDecls> undoPoint(const Api& api, bool serve = false) {
  if (!goesLive(api, serve)) return std::nullopt;
  return api.dns;
}

// A declaration of the running policy takes effect at once; when the front-end refuses
// it (an address that cannot be bound) the declaration is undone.
int applied(Api& api, Tcl_Interp* interp, std::optional<DnsDecls>& before) {
  if (!api.dnsHost || (!api.dns.view().serving && !api.dnsHost->running())) return TCL_OK;
  std::string err;
  if (api.dnsHost->apply(api.dns.share(api.dnsHost->shared()), &err)) return TCL_OK;
  if (before) api.dns = std::move(*before);
  return dnsError(interp, "fail::dns serve: " + err, "BIND");
}

using Declare = int (*)(Api&, Tcl_Interp*, int, Tcl_Obj* const[]);

int zoneCmd(Api& api, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  api.dns.unshare();
  std::optional<DnsDecls> before = undoPoint(api);
  if (dnsZone(interp, objc, objv, api.dns, rulesOf(api)) != TCL_OK) return TCL_ERROR;
  return applied(api, interp, before);
}

int recordCmd(Api& api, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  api.dns.unshare();
  std::optional<DnsDecls> before = undoPoint(api);
  if (dnsRecord(interp, objc, objv, api.dns) != TCL_OK) return TCL_ERROR;
  return applied(api, interp, before);
}

int poolCmd(Api& api, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  api.dns.unshare();
  std::optional<DnsDecls> before = undoPoint(api);
  if (dnsPool(interp, objc, objv, api.dns) != TCL_OK) return TCL_ERROR;
  return applied(api, interp, before);
}

int serveCmd(Api& api, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  api.dns.unshare();
  std::optional<DnsDecls> before = undoPoint(api, true);
  if (dnsServe(interp, objc, objv, api.dns, rulesOf(api)) != TCL_OK) return TCL_ERROR;
  if (api.dnsHost) api.ensureStarted();  // the package: the engine watches the local faild too
  if (applied(api, interp, before) != TCL_OK) return TCL_ERROR;
  if (api.dnsHost && api.dnsHost->running()) Tcl_SetObjResult(interp, words(api.dnsHost->frontEnd()->bound()));
  return TCL_OK;
}

int memberCmd(Api& api, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  MemberChange c;
  api.dns.unshare();  // kept so until the next declaration hands it over again
  if (dnsMemberParse(interp, objc, objv, api.dns, c) != TCL_OK) return TCL_ERROR;
  if (api.dnsHost && api.dnsHost->running()) {
    std::string err;
    if (!api.dnsHost->frontEnd()->setMember(c.pool, c.address, c.force, c.weight, &err))
      return dnsError(interp, "fail::dns member " + c.pool + " " + c.address + ": " + err, "UNKNOWN");
  }
  dnsMemberApply(api.dns, c);  // also recorded: a later declaration keeps it
  return TCL_OK;
}

const char* forceName(dns::Force f) { return f == dns::Force::Up ? "up" : f == dns::Force::Down ? "down" : "auto"; }

Tcl_Obj* viewDict(const dns::PoolView& v) {
  Tcl_Obj* d = Tcl_NewDictObj();
  put(d, "name", str(v.name));
  put(d, "answer", words(v.answer));
  put(d, "ttl", Tcl_NewWideIntObj(v.ttl));
  put(d, "all-down", Tcl_NewBooleanObj(v.allDown));
  put(d, "changes", Tcl_NewWideIntObj(static_cast<Tcl_WideInt>(v.changes)));
  Tcl_Obj* members = Tcl_NewListObj(0, nullptr);
  for (const auto& m : v.members) {
    Tcl_Obj* md = Tcl_NewDictObj();
    put(md, "member", str(m.address));
    put(md, "record", str(m.check));
    put(md, "state", str(state::stateName(m.state)));
    put(md, "force", str(forceName(m.force)));
    put(md, "weight", Tcl_NewWideIntObj(m.weight));
    put(md, "in", Tcl_NewBooleanObj(m.in));
    put(md, "why", str(m.why));
    Tcl_ListObjAppendElement(nullptr, members, md);
  }
  put(d, "members", members);
  return d;
}

// Before the front-end runs: the declaration, every member's health unknown.
dns::PoolView declaredView(const dns::Pool& p) {
  dns::PoolView v;
  v.name = p.name;
  v.ttl = p.ttl;
  for (const auto& m : p.members) {
    dns::MemberView mv;
    mv.address = m.address.text;
    mv.check = m.check;
    mv.state = m.check.empty() ? State::Up : State::Unknown;
    mv.force = m.force;
    mv.weight = m.weight;
    mv.in = false;
    mv.why = "not serving";
    v.members.push_back(mv);
  }
  return v;
}

int explainCmd(Api& api, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  if (objc != 3) {
    Tcl_WrongNumArgs(interp, 2, objv, "pool");
    return TCL_ERROR;
  }
  std::string name, err;
  if (!dns::parseName(Tcl_GetString(objv[2]), name, &err)) return dnsError(interp, "fail::dns explain: " + err);
  dns::PoolView v;
  if (api.dnsHost && api.dnsHost->running() && api.dnsHost->frontEnd()->explain(name, v)) {
    Tcl_SetObjResult(interp, viewDict(v));
    return TCL_OK;
  }
  auto it = api.dns.view().pools.find(name);
  if (it == api.dns.view().pools.end()) return dnsError(interp, "fail::dns explain: no pool " + name, "UNKNOWN");
  Tcl_SetObjResult(interp, viewDict(declaredView(it->second)));
  return TCL_OK;
}

int statsCmd(Api& api, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  if (objc != 2) {
    Tcl_WrongNumArgs(interp, 2, objv, "");
    return TCL_ERROR;
  }
  dns::Stats s;
  bool serving = api.dnsHost && api.dnsHost->running();
  if (serving) s = api.dnsHost->frontEnd()->stats();
  const dns::Counters& c = s.total;
  auto n = [](std::uint64_t v) { return Tcl_NewWideIntObj(static_cast<Tcl_WideInt>(v)); };
  Tcl_Obj* d = Tcl_NewDictObj();
  put(d, "serving", Tcl_NewBooleanObj(serving));
  put(d, "listen", words(serving ? api.dnsHost->frontEnd()->bound() : std::vector<std::string>{}));
  const std::pair<const char*, std::uint64_t> counters[] = {
      {"queries", c.queries}, {"tcp", c.tcp}, {"truncated", c.truncated}, {"forwarded", c.forwarded},
      {"refused", c.refused}, {"dropped", c.dropped}, {"edns", c.edns}, {"badvers", c.badvers},
      {"tcp-open", s.tcpOpen}, {"tcp-refused", s.tcpRefused}, {"forward-timeouts", s.forwardTimeouts},
      {"generation", s.generation}};
  for (const auto& [k, v] : counters) put(d, k, n(v));
  static const char* const kRcodes[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"};
  Tcl_Obj* rcodes = Tcl_NewDictObj();
  for (int i = 0; i < 6; ++i) put(rcodes, kRcodes[i], n(c.rcode[i]));
  put(d, "rcodes", rcodes);
  Tcl_Obj* pools = Tcl_NewDictObj();
  for (const auto& p : s.pools) put(pools, p.name.c_str(), n(p.queries));
  if (!serving)
    for (const auto& [name, p] : api.dns.view().pools) put(pools, name.c_str(), n(0));
  put(d, "pools", pools);
  Tcl_SetObjResult(interp, d);
  return TCL_OK;
}

struct Subcommand {
  const char* name;  // first: Tcl_GetIndexFromObjStruct reads it
  Declare fn;
  const char* usage;
};

const Subcommand kSubcommands[] = {
    {"zone", zoneCmd, "name -ns names ?option value ...?"},
    {"record", recordCmd, "owner type ttl rdata"},
    {"pool", poolCmd, "name -members members ?option value ...?"},
    {"member", memberCmd, "pool address -force up|down|auto ?-weight n?"},
    {"serve", serveCmd, "-listen addresses ?option value ...?"},
    {"explain", explainCmd, "pool"},
    {"stats", statsCmd, ""},
    {"follow", dnsFollowCmd, "..."},
    {"update", dnsUpdateCmd, "..."},
    {nullptr, nullptr, nullptr},
};

int dnsCmd(ClientData cd, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  return runSubcommand(*static_cast<Api*>(cd), interp, objc, objv, kSubcommands, "subcommand ?arg ...?");
}

}  // namespace

void registerDnsCommand(Tcl_Interp* interp, Api& api) {
  tcl::createCommand(interp, "::fail::dns", dnsCmd, &api, nullptr);
}

}  // namespace fail::shell
