// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "shell/dns_records.hh"

#include <arpa/inet.h>

#include <cstdio>
#include <cstring>
#include <memory>

#include "dns/ldns.hh"
#include "dns/name.hh"

namespace fail::shell {
namespace {

struct RdfFree {
  void operator()(ldns_rdf* r) const { ldns_rdf_deep_free(r); }
};
struct RrFree {
  void operator()(ldns_rr* r) const { ldns_rr_free(r); }
};
struct ZoneFree {
  void operator()(ldns_zone* z) const { ldns_zone_deep_free(z); }
};
struct FileClose {
  void operator()(FILE* f) const { std::fclose(f); }
};
using Rdf = std::unique_ptr<ldns_rdf, RdfFree>;

// The canonical text of a name rdf.
std::string nameOf(const ldns_rdf* rdf) {
  char* s = ldns_rdf2str(rdf);
  std::string text = s ? s : "";
  std::free(s);
  std::string canonical;
  return dns::parseName(text, canonical) ? canonical : text;
}

std::vector<std::uint8_t> rdataOf(const ldns_rr* rr) {
  std::vector<std::uint8_t> out;
  for (size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
    const ldns_rdf* rdf = ldns_rr_rdf(rr, i);
    const std::uint8_t* d = ldns_rdf_data(rdf);
    out.insert(out.end(), d, d + ldns_rdf_size(rdf));
  }
  return out;
}

dns::StaticRecord recordOf(const ldns_rr* rr) {
  dns::StaticRecord r;
  r.owner = nameOf(ldns_rr_owner(rr));
  r.type = static_cast<std::uint16_t>(ldns_rr_get_type(rr));
  r.ttl = ldns_rr_ttl(rr);
  r.rdata = rdataOf(rr);
  return r;
}

}  // namespace

bool parseIp(const std::string& text, dns::IpAddress& out) {
  dns::IpAddress a;
  a.text = text;
  if (::inet_pton(AF_INET, text.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET;
  } else if (::inet_pton(AF_INET6, text.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET6;
  } else {
    return false;
  }
  out = a;
  return true;
}

bool parseStaticRecord(const std::string& owner, const std::string& type, std::uint32_t ttl,
                       const std::string& rdata, dns::StaticRecord& out, std::string* err) {
  ldns_rr_type t = ldns_get_rr_type_by_name(type.c_str());
  if (t == 0 || type.find_first_of(" \t\n") != std::string::npos) {
    if (err) *err = "unknown record type \"" + type + "\"";
    return false;
  }
  if (t == LDNS_RR_TYPE_SOA || t == LDNS_RR_TYPE_OPT || t == LDNS_RR_TYPE_ANY || t == LDNS_RR_TYPE_AXFR ||
      t == LDNS_RR_TYPE_IXFR) {
    if (err) *err = "type " + type + " cannot be declared (the SOA is built from the zone's options)";
    return false;
  }
  if (rdata.find('\n') != std::string::npos || rdata.find(';') != std::string::npos) {
    if (err) *err = "the RDATA \"" + rdata + "\" holds a newline or a ';' (write one record per command)";
    return false;
  }
  std::string text = (owner.empty() ? "." : owner + ".") + " " + std::to_string(ttl) + " IN " + type + " " + rdata;
  Rdf root(ldns_dname_new_frm_str("."));
  ldns_rr* raw = nullptr;
  ldns_status st = ldns_rr_new_frm_str(&raw, text.c_str(), ttl, root.get(), nullptr);
  std::unique_ptr<ldns_rr, RrFree> rr(raw);
  if (st != LDNS_STATUS_OK || !rr) {
    if (err) *err = "bad " + type + " RDATA \"" + rdata + "\": " + ldns_get_errorstr_by_id(st);
    return false;
  }
  out = recordOf(rr.get());
  out.owner = owner;
  out.ttl = ttl;
  return true;
}

bool readZoneFile(const std::string& path, const std::string& zone, std::uint32_t defaultTtl,
                  std::vector<dns::StaticRecord>& out, std::vector<std::string>& ns, std::string* err) {
  std::unique_ptr<FILE, FileClose> f(std::fopen(path.c_str(), "r"));
  if (!f) {
    if (err) *err = path + ": cannot read: " + std::strerror(errno);
    return false;
  }
  Rdf origin(ldns_dname_new_frm_str((zone.empty() ? std::string(".") : zone + ".").c_str()));
  ldns_zone* raw = nullptr;
  int line = 0;
  ldns_status st = ldns_zone_new_frm_fp_l(&raw, f.get(), origin.get(), defaultTtl, LDNS_RR_CLASS_IN, &line);
  std::unique_ptr<ldns_zone, ZoneFree> z(raw);
  if (st != LDNS_STATUS_OK || !z) {
    if (err) *err = path + ":" + std::to_string(line) + ": " + ldns_get_errorstr_by_id(st);
    return false;
  }
  ldns_rr_list* rrs = ldns_zone_rrs(z.get());
  for (size_t i = 0; rrs && i < ldns_rr_list_rr_count(rrs); ++i) {
    const ldns_rr* rr = ldns_rr_list_rr(rrs, i);
    dns::StaticRecord r = recordOf(rr);
    if (!dns::inZone(r.owner, zone)) {
      if (err) *err = path + ": " + (r.owner.empty() ? "." : r.owner) + " is outside the zone " + zone;
      return false;
    }
    if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
      if (err) *err = path + ": " + r.owner + ": only class IN is served";
      return false;
    }
    if (r.type == LDNS_RR_TYPE_SOA) continue;
    if (r.type == LDNS_RR_TYPE_NS && r.owner == zone) {
      ns.push_back(nameOf(ldns_rr_rdf(rr, 0)));
      continue;
    }
    out.push_back(std::move(r));
  }
  return true;
}

}  // namespace fail::shell
