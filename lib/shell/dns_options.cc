// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "shell/dns_options.hh"


#include <algorithm>
#include <cctype>
#include <chrono>
#include <set>

#include "base/text.hh"
#include "dns/name.hh"
#include "dns/record.hh"
#include "net/prefix.hh"
#include "shell/api.hh"
#include "shell/dns_socket.hh"

namespace fail::shell {

using K = DnsOptionKind;
const DnsOption kDnsZoneOptions[] = {
    {"-ns", K::Names, "names", "the zone's name servers (its NS records); required unless -file has them", false},
    {"-soa-minimum", K::Duration, "t", "the SOA minimum: how long resolvers cache a negative answer (default 30s)", false},
    {"-mbox", K::Name, "name", "the SOA's mailbox (default hostmaster.ZONE)", false},
    {"-ttl", K::Duration, "t", "the TTL of the SOA and NS records (default 1h)", false},
    {"-file", K::Text, "path", "a zone file whose records are served too (not in a --safe policy)", false},
    {nullptr, K::Text, nullptr, nullptr, false},
};

const DnsOption kDnsPoolOptions[] = {
    {"-members", K::Text, "members", "the members: {{ADDRESS ?-check REC? ?-weight N?} ...}", true},
    {"-select", K::Word, "priority|wrr|all", "which members answer (default priority)", false},
    {"-ttl", K::Duration, "t", "the TTL of the answers (default 30s)", false},
    {"-max", K::Count, "n", "at most this many addresses per answer (default 0: no limit)", false},
    {"-all-down", K::Text, "all|none|servfail|addresses", "the answer when no member is in (default all)", false},
    {"-ttl-out", K::Duration, "t", "the TTL while a member is out or changed within -settle (default: -ttl)", false},
    {"-settle", K::Duration, "t", "how long after a change -ttl-out still applies (default 0)", false},
    {nullptr, K::Text, nullptr, nullptr, false},
};

const DnsOption kDnsMemberOptions[] = {
    {"-check", K::Text, "record", "the local faild's record that says whether the member is up", false},
    {"-weight", K::Count, "n", "its weight with -select wrr (default 1)", false},
    {nullptr, K::Text, nullptr, nullptr, false},
};

const DnsOption kDnsForceOptions[] = {
    {"-force", K::Word, "up|down|auto", "in whatever its check says, out, or as its check says", true},
    {"-weight", K::Count, "n", "its new weight with -select wrr", false},
    {nullptr, K::Text, nullptr, nullptr, false},
};

const DnsOption kDnsServeOptions[] = {
    {"-listen", K::Text, "addresses", "ADDRESS:PORT to answer on, UDP and TCP (PORT 0: any free port)", true},
    {"-forward", K::Text, "addresses", "resolvers (ADDRESS or ADDRESS:PORT) for names outside the zones", false},
    {"-allow", K::Text, "prefixes", "clients whose other queries are forwarded (default nobody)", false},
    {"-threads", K::Count, "n", "UDP threads (default 0: one per CPU, at most 4)", false},
    {"-tcp-max", K::Count, "n", "open TCP connections at most (default 1000)", false},
    {"-tcp-idle", K::Duration, "t", "an idle TCP connection is closed after this (default 10s)", false},
    {"-start-timeout", K::Duration, "t", "answer with the -all-down rule if faild is not synced by then (default 5s)",
     false},
    {nullptr, K::Text, nullptr, nullptr, false},
};

std::string dnsUsage(const char* lead, const DnsOption* rows) {
  std::string out = lead;
  for (const DnsOption* r = rows; r->name; ++r)
    out += r->required ? std::string(" ") + r->name + " " + r->value : std::string(" ?") + r->name + " " + r->value + "?";
  return out;
}

int dnsError(Tcl_Interp* interp, const std::string& msg, const char* cls) {
  Tcl_SetObjResult(interp, Tcl_NewStringObj(msg.c_str(), -1));
  Tcl_SetErrorCode(interp, "FAILOVER", "DNS", cls, nullptr);
  return TCL_ERROR;
}

namespace {

// The row of the option objv names, or null with an error naming `what` and the options.
const DnsOption* option(Tcl_Interp* interp, Tcl_Obj* obj, const DnsOption* rows, const std::string& what) {
  int idx = 0;
  if (Tcl_GetIndexFromObjStruct(nullptr, obj, rows, sizeof(DnsOption), "option", TCL_EXACT, &idx) == TCL_OK)
    return &rows[idx];
  std::string want;
  int n = 0;
  for (const DnsOption* r = rows; r->name; ++r) ++n;
  for (int i = 0; i < n; ++i) want += std::string(i == 0 ? "" : i == n - 1 ? " or " : ", ") + rows[i].name;
  dnsError(interp, what + ": unknown option \"" + Tcl_GetString(obj) + "\": want " + want);
  return nullptr;
}

// Checks the options named in `seen` against the table's required rows.
bool required(Tcl_Interp* interp, const DnsOption* rows, const std::set<std::string>& seen, const std::string& what) {
  for (const DnsOption* r = rows; r->name; ++r)
    if (r->required && !seen.count(r->name)) {
      dnsError(interp, what + ": " + r->name + " is required (" + r->help + ")");
      return false;
    }
  return true;
}

bool durationOpt(Tcl_Interp* interp, Tcl_Obj* obj, const std::string& what, std::chrono::milliseconds& out) {
  if (durationArg(interp, obj, out) && out.count() >= 0) return true;
  std::string msg = Tcl_GetStringResult(interp);
  dnsError(interp, what + ": " + (msg.empty() ? "want a duration" : msg));
  return false;
}

// A TTL: a duration in whole seconds, at most 2^31 - 1 (RFC 2181).
bool ttlOpt(Tcl_Interp* interp, Tcl_Obj* obj, const std::string& what, std::uint32_t& out) {
  std::chrono::milliseconds ms;
  if (!durationOpt(interp, obj, what, ms)) return false;
  if (ms.count() % 1000 != 0 || ms.count() / 1000 > 0x7fffffff) {
    dnsError(interp, what + ": want whole seconds up to 2147483647, got \"" + Tcl_GetString(obj) + "\"");
    return false;
  }
  out = static_cast<std::uint32_t>(ms.count() / 1000);
  return true;
}

bool countOpt(Tcl_Interp* interp, Tcl_Obj* obj, const std::string& what, unsigned min, unsigned max, unsigned& out) {
  Tcl_WideInt n = 0;
  if (Tcl_GetWideIntFromObj(nullptr, obj, &n) != TCL_OK || n < min || n > max) {
    dnsError(interp, what + ": want a number from " + std::to_string(min) + " to " + std::to_string(max) + ", got \"" +
                         Tcl_GetString(obj) + "\"");
    return false;
  }
  out = static_cast<unsigned>(n);
  return true;
}

bool listOpt(Tcl_Interp* interp, Tcl_Obj* obj, const std::string& what, std::vector<std::string>& out) {
  int n = 0;
  Tcl_Obj** elems = nullptr;
  if (Tcl_ListObjGetElements(nullptr, obj, &n, &elems) != TCL_OK) {
    dnsError(interp, what + ": not a list: \"" + std::string(Tcl_GetString(obj)) + "\"");
    return false;
  }
  out.clear();
  for (int i = 0; i < n; ++i) out.push_back(Tcl_GetString(elems[i]));
  return true;
}

bool nameOpt(Tcl_Interp* interp, const std::string& text, const std::string& what, std::string& out) {
  std::string err;
  if (dns::parseName(text, out, &err)) return true;
  dnsError(interp, what + ": " + err);
  return false;
}

// The deepest declared zone holding `name`; "" when none does (the root zone is "": a
// zone "." holds every name, so `found` tells).
std::string zoneOf(const DnsDecls& d, const std::string& name, bool& found) {
  found = false;
  std::string best;
  for (const auto& [z, zone] : d.config.zones)
    if (dns::inZone(name, z) && (!found || z.size() > best.size())) best = z, found = true;
  return best;
}

// An owner as the policy writes it: "@" is the apex of the zone declared last; a name
// ending with a dot or inside a declared zone is absolute; any other is relative to the
// zone declared last. The result lies inside a declared zone.
bool ownerName(Tcl_Interp* interp, const DnsDecls& d, const std::string& text, const std::string& what,
               std::string& out) {
  bool inside = false;
  bool haveLast = d.config.zones.count(d.lastZone) != 0;
  if (text == "@") {
    if (!haveLast) return dnsError(interp, what + ": \"@\" needs a zone declared first (fail::dns zone)"), false;
    out = d.lastZone;
    return true;
  }
  if (!nameOpt(interp, text, what, out)) return false;
  zoneOf(d, out, inside);
  if (!inside && !text.empty() && text.back() != '.' && haveLast && !d.lastZone.empty())
    if (std::string rel; dns::parseName(text + "." + d.lastZone, rel)) zoneOf(d, rel, inside), out = rel;
  if (!inside)
    return dnsError(interp, what + ": \"" + text + "\" is inside no declared zone (declare it first with fail::dns zone)"),
           false;
  return true;
}

// O(log n + the owner's records): the records are ordered by owner first.
bool hasAddressRecord(const DnsDecls& d, const std::string& owner) {
  for (auto it = d.records.lower_bound({owner, 0, {}}); it != d.records.end() && it->second.owner == owner; ++it)
    if (it->second.type == 1 || it->second.type == 28 || it->second.type == 5) return true;
  return false;
}

}  // namespace

dns::Config DnsDecls::build() const {
  dns::Config out = config;
  for (const auto& [k, r] : records) {
    bool found = false;
    std::string z = zoneOf(*this, r.owner, found);
    if (found) out.zones[z].records.push_back(r);
  }
  return out;
}

std::shared_ptr<const dns::Config> DnsDecls::share(const std::shared_ptr<const dns::Config>& running) {
  if (!shared) {
    std::vector<std::pair<std::string, const dns::StaticRecord*>> placed;  // as build() places them
    for (const auto& [k, r] : records) {
      bool found = false;
      std::string z = zoneOf(*this, r.owner, found);
      if (found) placed.emplace_back(std::move(z), &r);
    }
    auto out = std::make_shared<dns::Config>(std::move(config));
    config = dns::Config{};
    for (const auto& [z, r] : placed) out->zones[z].records.push_back(*r);
    shared = std::move(out);
  }
  if (running && running != shared && *running == *shared) shared = running;
  return shared;
}

void DnsDecls::unshare() {
  if (!shared) return;
  config = *shared;
  shared.reset();
  for (const auto& [k, r] : records) {  // build() appended them after each zone's own
    bool found = false;
    std::string z = zoneOf(*this, r.owner, found);
    if (found) config.zones[z].records.pop_back();
  }
}

namespace {

// -file: its records, and its SOA's values and apex NS where no option gave them.
bool zoneFile(Tcl_Interp* interp, dns::Zone& z, const std::set<std::string>& seen, const std::string& what) {
  std::string err;
  dns::Zone file = z;
  if (!dns::readZoneFile(z.file, z.name, z.records, &file, &err)) return dnsError(interp, what + " -file: " + err), false;
  if (!seen.count("-mbox")) z.mbox = file.mbox;
  if (!seen.count("-soa-minimum")) z.minimum = file.minimum;
  if (!seen.count("-ttl")) z.ttl = file.ttl;
  z.refresh = file.refresh, z.retry = file.retry, z.expire = file.expire;
  for (const auto& n : file.ns)
    if (std::find(z.ns.begin(), z.ns.end(), n) == z.ns.end()) z.ns.push_back(n);
  return true;
}

}  // namespace

int dnsZone(Tcl_Interp* interp, int objc, Tcl_Obj* const objv[], DnsDecls& decls, const DnsPolicyRules& rules) {
  if (objc < 3 || objc % 2 == 0) {
    Tcl_WrongNumArgs(interp, 2, objv, dnsUsage("name", kDnsZoneOptions).c_str());
    return TCL_ERROR;
  }
  dns::Zone z;
  std::string what = "fail::dns zone " + std::string(Tcl_GetString(objv[2]));
  if (!nameOpt(interp, Tcl_GetString(objv[2]), "fail::dns zone", z.name)) return TCL_ERROR;
  z.mbox = z.name.empty() ? "hostmaster" : "hostmaster." + z.name;
  std::set<std::string> seen;
  for (int i = 3; i < objc; i += 2) {
    const DnsOption* o = option(interp, objv[i], kDnsZoneOptions, what);
    if (!o) return TCL_ERROR;
    std::string opt = o->name, w = what + " " + opt;
    seen.insert(opt);
    std::string v = Tcl_GetString(objv[i + 1]);
    if (opt == "-ns") {
      std::vector<std::string> names;
      if (!listOpt(interp, objv[i + 1], w, names)) return TCL_ERROR;
      z.ns.clear();
      for (const auto& n : names) {
        std::string c;
        if (!nameOpt(interp, n, w, c)) return TCL_ERROR;
        if (std::find(z.ns.begin(), z.ns.end(), c) == z.ns.end()) z.ns.push_back(c);
      }
    } else if (opt == "-soa-minimum") {
      if (!ttlOpt(interp, objv[i + 1], w, z.minimum)) return TCL_ERROR;
    } else if (opt == "-ttl") {
      if (!ttlOpt(interp, objv[i + 1], w, z.ttl)) return TCL_ERROR;
    } else if (opt == "-mbox") {
      if (!nameOpt(interp, v, w, z.mbox)) return TCL_ERROR;
    } else if (opt == "-file") {
      if (rules.safe) return dnsError(interp, w + ": a --safe policy reads no file", "SAFE");
      if (v.empty()) return dnsError(interp, w + ": want a file name");
      z.file = v;
    }
  }
  if (!z.file.empty() && !zoneFile(interp, z, seen, what)) return TCL_ERROR;
  if (z.ns.empty()) return dnsError(interp, what + ": -ns is required (the zone's name servers), unless -file has them");
  decls.config.zones[z.name] = z;  // declared again: replaced
  decls.lastZone = z.name;
  Tcl_SetObjResult(interp, Tcl_NewStringObj(z.name.c_str(), -1));
  return TCL_OK;
}

int dnsRecord(Tcl_Interp* interp, int objc, Tcl_Obj* const objv[], DnsDecls& decls) {
  if (objc != 6) {
    Tcl_WrongNumArgs(interp, 2, objv, "owner type ttl rdata");
    return TCL_ERROR;
  }
  std::string type = Tcl_GetString(objv[3]);
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::toupper(c); });
  std::string what = "fail::dns record " + std::string(Tcl_GetString(objv[2])) + " " + type, owner;
  if (!ownerName(interp, decls, Tcl_GetString(objv[2]), what, owner)) return TCL_ERROR;
  std::uint32_t ttl = 0;
  if (!ttlOpt(interp, objv[4], what + " ttl", ttl)) return TCL_ERROR;
  if ((type == "A" || type == "AAAA" || type == "CNAME") && decls.config.pools.count(owner))
    return dnsError(interp, what + ": " + owner + " is a pool (fail::dns pool): its addresses come from its members");
  dns::StaticRecord r;
  std::string err;
  // Names inside the RDATA are absolute, with or without their dot (origin: the root).
  if (!dns::parseRecord(owner.empty() ? "." : owner + ".", type, ttl, Tcl_GetString(objv[5]), "", r, &err))
    return dnsError(interp, what + ": " + err);
  decls.records[{r.owner, r.type, r.rdata}] = r;  // declared again: replaced
  Tcl_SetObjResult(interp, Tcl_NewStringObj(owner.c_str(), -1));
  return TCL_OK;
}

namespace {

bool parseMember(Tcl_Interp* interp, Tcl_Obj* obj, const std::string& what, dns::Member& m) {
  std::vector<std::string> words;
  if (!listOpt(interp, obj, what, words)) return false;
  if (words.empty() || words.size() % 2 == 0)
    return dnsError(interp, what + ": want {ADDRESS ?-check record? ?-weight n?}, got \"" +
                                std::string(Tcl_GetString(obj)) + "\""),
           false;
  if (!dns::parseAddress(words[0], m.address, nullptr))
    return dnsError(interp, what + ": \"" + words[0] + "\" is no IPv4 or IPv6 address"), false;
  std::string w = what + " " + words[0];
  for (size_t i = 1; i < words.size(); i += 2) {
    tcl::ObjRef name(Tcl_NewStringObj(words[i].c_str(), -1)), value(Tcl_NewStringObj(words[i + 1].c_str(), -1));
    const DnsOption* o = option(interp, name.get(), kDnsMemberOptions, w);
    if (!o) return false;
    if (std::string(o->name) == "-check") {
      if (!validName(words[i + 1]))
        return dnsError(interp, w + " -check: \"" + words[i + 1] + "\" is no record name"), false;
      m.check = words[i + 1];
    } else if (!countOpt(interp, value.get(), w + " -weight", 1, 1000000, m.weight)) {
      return false;
    }
  }
  return true;
}

bool parseAllDown(Tcl_Interp* interp, Tcl_Obj* obj, const std::string& what, dns::AllDown& out) {
  std::string v = Tcl_GetString(obj);
  out = dns::AllDown{};
  if (v == "all") return true;
  if (v == "none") return out.kind = dns::AllDown::Kind::None, true;
  if (v == "servfail") return out.kind = dns::AllDown::Kind::Servfail, true;
  std::vector<std::string> words;
  if (!listOpt(interp, obj, what, words)) return false;
  out.kind = dns::AllDown::Kind::Address;
  for (const auto& w : words) {
    dns::IpAddress ip;
    if (!dns::parseAddress(w, ip, nullptr))
      return dnsError(interp, what + ": want all, none, servfail or addresses, got \"" + w + "\""), false;
    out.addresses.push_back(ip);
  }
  if (out.addresses.empty()) return dnsError(interp, what + ": want all, none, servfail or addresses"), false;
  return true;
}

}  // namespace

int dnsPool(Tcl_Interp* interp, int objc, Tcl_Obj* const objv[], DnsDecls& decls) {
  if (objc < 3 || objc % 2 == 0) {
    Tcl_WrongNumArgs(interp, 2, objv, dnsUsage("name", kDnsPoolOptions).c_str());
    return TCL_ERROR;
  }
  dns::Pool p;
  std::string what = "fail::dns pool " + std::string(Tcl_GetString(objv[2]));
  if (!ownerName(interp, decls, Tcl_GetString(objv[2]), what, p.name)) return TCL_ERROR;
  std::set<std::string> seen;
  bool ttlOutSet = false;
  for (int i = 3; i < objc; i += 2) {
    const DnsOption* o = option(interp, objv[i], kDnsPoolOptions, what);
    if (!o) return TCL_ERROR;
    std::string opt = o->name, w = what + " " + opt, v = Tcl_GetString(objv[i + 1]);
    seen.insert(opt);
    if (opt == "-members") {
      int n = 0;
      Tcl_Obj** elems = nullptr;
      if (Tcl_ListObjGetElements(nullptr, objv[i + 1], &n, &elems) != TCL_OK || n == 0)
        return dnsError(interp, w + ": want a non-empty list of {ADDRESS ?-check record? ?-weight n?}");
      p.members.clear();
      for (int k = 0; k < n; ++k) {
        dns::Member m;
        if (!parseMember(interp, elems[k], w, m)) return TCL_ERROR;
        for (const auto& other : p.members)
          if (other.address.family == m.address.family && other.address.bytes == m.address.bytes)
            return dnsError(interp, w + ": " + m.address.text + " is named twice");
        p.members.push_back(std::move(m));
      }
    } else if (opt == "-select") {
      if (v == "priority") p.select = dns::Select::Priority;
      else if (v == "wrr") p.select = dns::Select::Wrr;
      else if (v == "all") p.select = dns::Select::All;
      else return dnsError(interp, w + ": want priority, wrr or all, got \"" + v + "\"");
    } else if (opt == "-ttl") {
      if (!ttlOpt(interp, objv[i + 1], w, p.ttl)) return TCL_ERROR;
    } else if (opt == "-max") {
      if (!countOpt(interp, objv[i + 1], w, 0, 1000, p.max)) return TCL_ERROR;
    } else if (opt == "-all-down") {
      if (!parseAllDown(interp, objv[i + 1], w, p.allDown)) return TCL_ERROR;
    } else if (opt == "-ttl-out") {
      if (!ttlOpt(interp, objv[i + 1], w, p.ttlOut)) return TCL_ERROR;
      ttlOutSet = true;
    } else if (opt == "-settle") {
      if (!durationOpt(interp, objv[i + 1], w, p.settle)) return TCL_ERROR;
    }
  }
  if (!required(interp, kDnsPoolOptions, seen, what)) return TCL_ERROR;
  if (seen.count("-settle") && !ttlOutSet) return dnsError(interp, what + ": -settle needs -ttl-out");
  if (ttlOutSet && p.ttlOut > p.ttl)
    return dnsError(interp, what + ": -ttl-out (" + std::to_string(p.ttlOut) + "s) is longer than -ttl (" +
                                std::to_string(p.ttl) + "s)");
  if (hasAddressRecord(decls, p.name))
    return dnsError(interp, what + ": " + p.name + " already has A, AAAA or CNAME records (fail::dns record)");
  decls.config.pools[p.name] = p;  // declared again: replaced
  Tcl_SetObjResult(interp, Tcl_NewStringObj(p.name.c_str(), -1));
  return TCL_OK;
}

int dnsMemberParse(Tcl_Interp* interp, int objc, Tcl_Obj* const objv[], const DnsDecls& decls, MemberChange& out) {
  if (objc < 4 || objc % 2 != 0) {
    Tcl_WrongNumArgs(interp, 2, objv, dnsUsage("pool address", kDnsForceOptions).c_str());
    return TCL_ERROR;
  }
  std::string what = "fail::dns member " + std::string(Tcl_GetString(objv[2])) + " " + Tcl_GetString(objv[3]);
  std::string name;
  if (!nameOpt(interp, Tcl_GetString(objv[2]), what, name)) return TCL_ERROR;
  auto it = decls.config.pools.find(name);
  if (it == decls.config.pools.end()) return dnsError(interp, what + ": no pool " + name, "UNKNOWN");
  dns::IpAddress ip;
  if (!dns::parseAddress(Tcl_GetString(objv[3]), ip, nullptr))
    return dnsError(interp, what + ": \"" + Tcl_GetString(objv[3]) + "\" is no IPv4 or IPv6 address");
  const dns::Member* m = nullptr;
  for (const auto& x : it->second.members)
    if (x.address.family == ip.family && x.address.bytes == ip.bytes) m = &x;
  if (!m) return dnsError(interp, what + ": no member " + ip.text + " in the pool " + name, "UNKNOWN");
  out = MemberChange{name, m->address.text, dns::Force::Auto, 0};
  std::set<std::string> seen;
  for (int i = 4; i < objc; i += 2) {
    const DnsOption* o = option(interp, objv[i], kDnsForceOptions, what);
    if (!o) return TCL_ERROR;
    std::string opt = o->name, w = what + " " + opt, v = Tcl_GetString(objv[i + 1]);
    seen.insert(opt);
    if (opt == "-force") {
      if (v == "up") out.force = dns::Force::Up;
      else if (v == "down") out.force = dns::Force::Down;
      else if (v == "auto") out.force = dns::Force::Auto;
      else return dnsError(interp, w + ": want up, down or auto, got \"" + v + "\"");
    } else if (!countOpt(interp, objv[i + 1], w, 1, 1000000, out.weight)) {
      return TCL_ERROR;
    }
  }
  return required(interp, kDnsForceOptions, seen, what) ? TCL_OK : TCL_ERROR;
}

void dnsMemberApply(DnsDecls& decls, const MemberChange& change) {
  auto it = decls.config.pools.find(change.pool);
  if (it == decls.config.pools.end()) return;
  for (auto& m : it->second.members)
    if (m.address.text == change.address) {
      m.force = change.force;
      if (change.weight) m.weight = change.weight;
    }
}

int dnsServe(Tcl_Interp* interp, int objc, Tcl_Obj* const objv[], DnsDecls& decls, const DnsPolicyRules& rules) {
  if (objc < 2 || objc % 2 != 0) {
    Tcl_WrongNumArgs(interp, 2, objv, dnsUsage("", kDnsServeOptions).substr(1).c_str());
    return TCL_ERROR;
  }
  dns::Serve s;
  std::string what = "fail::dns serve";
  std::set<std::string> seen;
  for (int i = 2; i < objc; i += 2) {
    const DnsOption* o = option(interp, objv[i], kDnsServeOptions, what);
    if (!o) return TCL_ERROR;
    std::string opt = o->name, w = what + " " + opt;
    seen.insert(opt);
    std::vector<std::string> words;
    if (opt == "-listen" || opt == "-forward" || opt == "-allow") {
      if (!listOpt(interp, objv[i + 1], w, words)) return TCL_ERROR;
      std::vector<std::string>& out = opt == "-listen" ? s.listen : opt == "-forward" ? s.forward : s.allow;
      out.clear();
      for (const auto& word : words) {
        std::string norm, why;
        net::Prefix pfx;
        if (opt == "-allow") {
          if (!net::parsePrefix(word, &pfx, &why)) return dnsError(interp, w + ": " + why);
          norm = pfx.str();
        } else if (!parseDnsSocket(word, opt == "-listen" ? 0 : 53, opt == "-listen", norm)) {
          return dnsError(interp, w + ": \"" + word + "\" is no " +
                                      (opt == "-listen" ? "ADDRESS:PORT (a numeric address, PORT 0 to 65535)"
                                                        : "ADDRESS or ADDRESS:PORT (a numeric address)"));
        }
        if (std::find(out.begin(), out.end(), norm) != out.end())
          return dnsError(interp, w + ": \"" + word + "\" is named twice");
        if (opt == "-forward" && rules.safe) {
          std::string host = norm.substr(0, norm.rfind(':'));
          if (host.front() == '[') host = host.substr(1, host.size() - 2);
          if (!rules.hostAllowed || !rules.hostAllowed(host))
            return dnsError(interp, w + ": host \"" + host +
                                        "\" was not named by the administrator (failsh --allow-host, --hosts): a "
                                        "--safe policy reaches no other host",
                            "SAFE");
        }
        out.push_back(norm);
      }
      if (opt == "-listen" && out.empty()) return dnsError(interp, w + ": want at least one ADDRESS:PORT");
    } else if (opt == "-threads") {
      if (!countOpt(interp, objv[i + 1], w, 0, 64, s.udpThreads)) return TCL_ERROR;
    } else if (opt == "-tcp-max") {
      if (!countOpt(interp, objv[i + 1], w, 1, 100000, s.tcpMax)) return TCL_ERROR;
    } else if (opt == "-tcp-idle" || opt == "-start-timeout") {
      if (!durationOpt(interp, objv[i + 1], w, opt == "-tcp-idle" ? s.tcpIdle : s.startTimeout)) return TCL_ERROR;
      if (opt == "-tcp-idle" && s.tcpIdle.count() == 0) return dnsError(interp, w + ": want a duration above 0");
    }
  }
  if (!required(interp, kDnsServeOptions, seen, what)) return TCL_ERROR;
  decls.config.serve = s;  // declared again: replaced
  decls.config.serving = true;
  Tcl_SetObjResult(interp, Tcl_NewObj());
  return TCL_OK;
}

}  // namespace fail::shell
