// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/record.hh"

#include <arpa/inet.h>
#include <strings.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "base/text.hh"
#include "dns/ldns.hh"
#include "dns/name.hh"

namespace fail::dns {

namespace {

struct RrFree {
  void operator()(ldns_rr* rr) const { ldns_rr_free(rr); }
};
struct RdfFree {
  void operator()(ldns_rdf* rdf) const { ldns_rdf_deep_free(rdf); }
};
struct ZoneFree {
  void operator()(ldns_zone* z) const { ldns_zone_deep_free(z); }
};
struct BufferFree {
  void operator()(ldns_buffer* b) const { ldns_buffer_free(b); }
};
struct FileClose {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using RrPtr = std::unique_ptr<ldns_rr, RrFree>;
using RdfPtr = std::unique_ptr<ldns_rdf, RdfFree>;

bool fail(std::string* err, std::string text) {
  if (err) *err = std::move(text);
  return false;
}

// An ldns name (absolute) in canonical form.
bool canonicalOf(const ldns_rdf* dname, std::string& out, std::string* err) {
  char* text = ldns_rdf2str(dname);
  if (!text) return fail(err, "cannot print a domain name");
  std::string s(text);
  std::free(text);
  return parseName(s, out, err);
}

RdfPtr originRdf(std::string_view origin) {
  const std::string text = std::string(origin) + ".";
  return RdfPtr(ldns_dname_new_frm_str(text.c_str()));
}

// Fills `out` from an ldns record: owner (inside `origin`), type, TTL, RDATA.
bool fromLdns(const ldns_rr* rr, std::string_view origin, StaticRecord& out, std::string* err) {
  StaticRecord rec;
  if (!canonicalOf(ldns_rr_owner(rr), rec.owner, err)) return false;
  if (!inZone(rec.owner, origin))
    return fail(err, "record owner \"" + rec.owner + "\" is outside zone \"" + std::string(origin) + "\"");
  if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) return fail(err, "record of \"" + rec.owner + "\" is not class IN");
  rec.type = static_cast<std::uint16_t>(ldns_rr_get_type(rr));
  rec.ttl = ldns_rr_ttl(rr);
  std::unique_ptr<ldns_buffer, BufferFree> buf(ldns_buffer_new(256));
  if (!buf || ldns_rr_rdata2buffer_wire(buf.get(), rr) != LDNS_STATUS_OK)
    return fail(err, "cannot encode the data of \"" + rec.owner + "\"");
  const auto* data = ldns_buffer_begin(buf.get());
  rec.rdata.assign(data, data + ldns_buffer_position(buf.get()));
  if (rec.rdata.size() > 65535) return fail(err, "record data of \"" + rec.owner + "\" longer than 65535 bytes");
  out = std::move(rec);
  return true;
}

}  // namespace

bool parseRecord(std::string_view owner, std::string_view typeText, std::uint32_t ttl, std::string_view rdataText,
                 std::string_view origin, StaticRecord& out, std::string* err) {
  if (ttl > 0x7fffffffU) return fail(err, "TTL " + std::to_string(ttl) + " is above 2147483647");
  if (owner.empty()) return fail(err, "empty record owner");
  for (std::string_view part : {owner, typeText, rdataText}) {
    bool quoted = false, escaped = false;
    for (char c : part) {
      const auto b = static_cast<unsigned char>(c);
      if ((b < 0x20 && c != '\t') || b == 0x7f || (c == ';' && !quoted && !escaped))
        return fail(err, "record text \"" + printable(part) + "\" holds a control byte or a ';' outside quotes");
      if (c == '"' && !escaped) quoted = !quoted;
      escaped = c == '\\' && !escaped;
    }
  }
  std::uint16_t type = 0;
  if (!parseType(typeText, type)) return fail(err, "unknown record type \"" + printable(typeText) + "\"");
  if (type == LDNS_RR_TYPE_SOA) return fail(err, "SOA is declared by the zone, not as a record");
  if (type == LDNS_RR_TYPE_OPT || type == LDNS_RR_TYPE_TSIG || (type >= 128 && type <= 255))
    return fail(err, "record type \"" + printable(typeText) + "\" cannot be served");
  const std::string line = std::string(owner) + " " + std::to_string(ttl) + " IN " + typeName(type) + " " +
                           std::string(rdataText);
  RdfPtr org = originRdf(origin);
  if (!org) return fail(err, "bad origin \"" + std::string(origin) + "\"");
  ldns_rr* raw = nullptr;
  const ldns_status st = ldns_rr_new_frm_str(&raw, line.c_str(), ttl, org.get(), nullptr);
  RrPtr rr(raw);
  if (st != LDNS_STATUS_OK || !rr)
    return fail(err, "bad " + typeName(type) + " record \"" + printable(line) + "\": " + ldns_get_errorstr_by_id(st));
  const std::size_t data = rdataText.find_first_not_of(" \t");
  const bool generic = data != std::string_view::npos && rdataText.substr(data, 2) == "\\#";  // RFC 3597 "\# 0"
  if (ldns_rr_rd_count(rr.get()) == 0 && !generic)
    return fail(err, "bad " + typeName(type) + " record \"" + printable(line) + "\": no data");
  return fromLdns(rr.get(), origin, out, err);
}

namespace {

// The apex SOA's timers into `zone`.
void takeSoa(const ldns_rr* soa, Zone& zone, std::string* err) {
  std::string mbox;
  if (ldns_rr_rd_count(soa) >= 7 && canonicalOf(ldns_rr_rdf(soa, 1), mbox, err)) zone.mbox = mbox;
  if (ldns_rr_rd_count(soa) < 7) return;
  zone.refresh = ldns_rdf2native_int32(ldns_rr_rdf(soa, 3));
  zone.retry = ldns_rdf2native_int32(ldns_rr_rdf(soa, 4));
  zone.expire = ldns_rdf2native_int32(ldns_rr_rdf(soa, 5));
  zone.minimum = ldns_rdf2native_int32(ldns_rr_rdf(soa, 6));
  zone.ttl = ldns_rr_ttl(soa);
}

}  // namespace

bool readZoneFile(const std::string& path, std::string_view origin, std::vector<StaticRecord>& records,
                  Zone* soaInto, std::string* err) {
  std::unique_ptr<std::FILE, FileClose> fp(std::fopen(path.c_str(), "r"));
  if (!fp) return fail(err, path + ": cannot open: " + std::strerror(errno));
  RdfPtr org = originRdf(origin);
  if (!org) return fail(err, path + ": bad origin \"" + std::string(origin) + "\"");
  ldns_zone* rawZone = nullptr;
  int line = 0;  // ldns counts the newlines it read
  const ldns_status st = ldns_zone_new_frm_fp_l(&rawZone, fp.get(), org.get(), 3600, LDNS_RR_CLASS_IN, &line);
  std::unique_ptr<ldns_zone, ZoneFree> zone(rawZone);
  if (st != LDNS_STATUS_OK || !zone) {
    // ldns counts the newlines it consumed: the failing line is one more unless the
    // last byte it read was that line's newline.
    const long at = std::ftell(fp.get());
    if (at > 0 && std::fseek(fp.get(), at - 1, SEEK_SET) == 0 && std::fgetc(fp.get()) != '\n') ++line;
    return fail(err, path + ":" + std::to_string(std::max(line, 1)) + ": " + ldns_get_errorstr_by_id(st));
  }
  std::vector<StaticRecord> got;
  std::vector<std::string> ns;
  if (const ldns_rr* soa = ldns_zone_soa(zone.get())) {
    std::string owner;
    if (!canonicalOf(ldns_rr_owner(soa), owner, err)) return fail(err, path + ": " + *err);
    if (owner != origin) return fail(err, path + ": SOA of \"" + owner + "\", not of \"" + std::string(origin) + "\"");
    if (soaInto) takeSoa(soa, *soaInto, err);
  }
  const ldns_rr_list* list = ldns_zone_rrs(zone.get());
  for (std::size_t i = 0; list && i < ldns_rr_list_rr_count(list); ++i) {
    const ldns_rr* rr = ldns_rr_list_rr(list, i);
    StaticRecord rec;
    std::string why;
    if (!fromLdns(rr, origin, rec, &why)) return fail(err, path + ": " + why);
    if (rec.type == LDNS_RR_TYPE_SOA) return fail(err, path + ": a second SOA, for \"" + rec.owner + "\"");
    if (rec.type == LDNS_RR_TYPE_NS && rec.owner == origin) {
      std::string target;
      if (!canonicalOf(ldns_rr_rdf(rr, 0), target, &why)) return fail(err, path + ": " + why);
      ns.push_back(target);
      if (soaInto) soaInto->ttl = rec.ttl;
      continue;
    }
    got.push_back(std::move(rec));
  }
  if (soaInto && !ns.empty()) soaInto->ns = std::move(ns);
  records.insert(records.end(), std::make_move_iterator(got.begin()), std::make_move_iterator(got.end()));
  return true;
}

bool parseAddress(std::string_view text, IpAddress& out, std::string* err) {
  char buf[64];
  if (text.empty() || text.size() >= sizeof buf) return fail(err, "not an IP address: \"" + printable(text) + "\"");
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  IpAddress a;
  if (inet_pton(AF_INET, buf, a.bytes.data()) == 1) {
    a.family = AF_INET;
  } else if (inet_pton(AF_INET6, buf, a.bytes.data()) == 1) {
    a.family = AF_INET6;
  } else {
    return fail(err, "not an IP address: \"" + printable(text) + "\"");
  }
  a.text = std::string(text);
  out = std::move(a);
  return true;
}

std::string typeName(std::uint16_t type) {
  const ldns_rr_descriptor* d = ldns_rr_descript(type);
  if (d && d->_name) return d->_name;
  return "TYPE" + std::to_string(type);
}

bool parseType(std::string_view text, std::uint16_t& type) {
  if (text.empty() || text.size() > 32) return false;
  if (text.size() > 4 && strncasecmp(std::string(text.substr(0, 4)).c_str(), "type", 4) == 0) {  // RFC 3597
    unsigned long n = 0;
    for (char c : text.substr(4)) {
      if (c < '0' || c > '9') return false;
      n = n * 10 + static_cast<unsigned long>(c - '0');
      if (n > 65535) return false;
    }
    if (n == 0) return false;
    type = static_cast<std::uint16_t>(n);
    return true;
  }
  const std::string s(text);
  const ldns_rr_type t = ldns_get_rr_type_by_name(s.c_str());
  if (t == 0) return false;
  type = static_cast<std::uint16_t>(t);
  return true;
}

}  // namespace fail::dns

#if defined(__SANITIZE_ADDRESS__)
// ldns 1.8.3 leaks what it was building when a zone file or a record's text has an error
// (ldns_zone_new_frm_fp_l, the rdata parsers): a few bytes per refused configuration,
// its bug. A sanitizer build of anything that reads records (failsh, the tests) tells
// LeakSanitizer so; ldns has no frame pointers, so its reports end in these ldns
// functions. Our own ldns objects live in RAII holders. (GCC's sanitizer builds; the
// clang fuzz targets say the same in tests/fuzz/fuzz_dns_record.cc.)
extern "C" const char* __lsan_default_suppressions() {
  return "leak:ldns_rr_new\nleak:ldns_rdf_new_frm_data\nleak:ldns_dname_cat\nleak:ldns_rr_push_rdf\n";
}
#endif
