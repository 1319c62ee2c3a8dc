// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/update_msg.hh"

#include <arpa/inet.h>

#include <algorithm>
#include <set>

#include "dns/ldns.hh"
#include "dns/name.hh"
#include "dns/tsig_sign.hh"
#include "dns/wire.hh"

namespace fail::dns {

namespace {

struct PktFree {
  void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
struct ListFree {
  void operator()(ldns_rr_list* l) const { ldns_rr_list_deep_free(l); }
};
using PktPtr = std::unique_ptr<ldns_pkt, PktFree>;
using ListPtr = std::unique_ptr<ldns_rr_list, ListFree>;

const char* typeName(std::uint16_t type) { return type == kTypeAaaa ? "AAAA" : type == kTypeSoa ? "SOA" : "A"; }

// Pushes the RR written `text` onto `list`; false with *err when ldns refuses it.
bool pushRr(ldns_rr_list* list, const std::string& text, std::string* err) {
  ldns_rr* rr = nullptr;
  ldns_status st = ldns_rr_new_frm_str(&rr, text.c_str(), 0, nullptr, nullptr);
  if (st != LDNS_STATUS_OK || !rr) {
    if (err) *err = "cannot build the record \"" + text + "\": " + ldns_get_errorstr_by_id(st);
    return false;
  }
  ldns_rr_list_push_rr(list, rr);
  return true;
}

// The address `text` in canonical form for `type`, or "" when it is not of that family.
std::string canonicalAddress(std::uint16_t type, const std::string& text) {
  int family = type == kTypeAaaa ? AF_INET6 : AF_INET;
  unsigned char buf[16];
  char out[INET6_ADDRSTRLEN];
  if (inet_pton(family, text.c_str(), buf) != 1 || !inet_ntop(family, buf, out, sizeof out)) return "";
  return out;
}

bool checkChange(const std::string& zone, const RrsetChange& c, std::string* err) {
  auto bad = [&](const std::string& what) {
    if (err) *err = what;
    return false;
  };
  if (!inZone(c.name, zone)) return bad(c.name + " is not in zone " + zone);
  if (c.type != kTypeA && c.type != kTypeAaaa) return bad(c.name + ": only A and AAAA records are updated");
  if (c.ttl > 0x7fffffff) return bad(c.name + ": TTL too large");
  const char* family = c.type == kTypeA ? "IPv4" : "IPv6";
  for (const auto& r : c.records)
    if (canonicalAddress(c.type, r).empty())
      return bad(c.name + ": \"" + r + "\" is not an " + family + " address (type " + typeName(c.type) + ")");
  if (c.expect)
    for (const auto& r : *c.expect)
      if (canonicalAddress(c.type, r).empty())
        return bad(c.name + ": expected \"" + r + "\" is not an " + family + " address (type " + typeName(c.type) + ")");
  return true;
}

// RFC 2136 §2.4 and §2.5 for one change.
bool addChange(const RrsetChange& c, ldns_rr_list* prereq, ldns_rr_list* update, std::string* err) {
  std::string owner = c.name + ". ", type = typeName(c.type);
  if (c.expect && c.expect->empty()) {
    if (!pushRr(prereq, owner + "0 NONE " + type + " \\# 0", err)) return false;  // §2.4.3
  } else if (c.expect) {
    for (const auto& r : *c.expect)
      if (!pushRr(prereq, owner + "0 IN " + type + " " + r, err)) return false;  // §2.4.2
  }
  // §2.5.2 delete the RRset: written with generic RDATA (ldns refuses "name 0 ANY A").
  if (!pushRr(update, owner + "0 ANY " + type + " \\# 0", err)) return false;
  for (const auto& r : c.records)
    if (!pushRr(update, owner + std::to_string(c.ttl) + " IN " + type + " " + r, err)) return false;
  return true;
}

bool toWire(ldns_pkt* pkt, std::vector<std::uint8_t>& out, std::string* err) {
  std::uint8_t* wire = nullptr;
  size_t size = 0;
  ldns_status st = ldns_pkt2wire(&wire, pkt, &size);
  if (st != LDNS_STATUS_OK || !wire) {
    if (err) *err = std::string("cannot encode the message: ") + ldns_get_errorstr_by_id(st);
    return false;
  }
  out.assign(wire, wire + size);
  LDNS_FREE(wire);
  return true;
}

std::string lowerNoDot(const ldns_rdf* rdf) {
  char* s = ldns_rdf2str(rdf);
  std::string out = s ? s : "";
  free(s);
  if (!out.empty() && out.back() == '.') out.pop_back();
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string rdataText(const ldns_rr* rr) {
  std::string out;
  for (size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
    char* s = ldns_rdf2str(ldns_rr_rdf(rr, i));
    if (!out.empty()) out += ' ';
    out += s ? s : "";
    free(s);
  }
  return out;
}

bool failureRcode(std::uint16_t rcode) {
  return rcode == kFormErr || rcode == kServFail || rcode == kNotImp || rcode == kRefused || rcode == kNotAuth;
}

}  // namespace

std::string rcodeName(std::uint16_t rcode) {
  static const char* names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
                                "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE"};
  return rcode <= kNotZone ? names[rcode] : "RCODE" + std::to_string(rcode);
}

struct Request::Impl {
  std::vector<std::uint8_t> wire;  // unsigned, ID 0
  std::optional<TsigKey> key;
  std::string qname;
  std::uint16_t qtype = kTypeSoa;
  bool update = false;
};

Request::Request(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Request::Request(Request&&) noexcept = default;
Request& Request::operator=(Request&&) noexcept = default;
Request::~Request() = default;

bool Request::isUpdate() const { return impl_->update; }
bool Request::isSigned() const { return impl_->key.has_value(); }
const std::string& Request::qname() const { return impl_->qname; }
std::uint16_t Request::qtype() const { return impl_->qtype; }

std::optional<Request> Request::update(const std::string& zone, const std::vector<RrsetChange>& changes,
                                       const TsigKey* key, std::string* err) {
  if (changes.empty()) {
    if (err) *err = "an update needs at least one change";
    return std::nullopt;
  }
  std::set<std::pair<std::string, std::uint16_t>> seen;
  ListPtr prereq(ldns_rr_list_new()), update(ldns_rr_list_new());
  for (const auto& c : changes) {
    if (!checkChange(zone, c, err)) return std::nullopt;
    if (!seen.insert({c.name, c.type}).second) {
      if (err) *err = c.name + " " + typeName(c.type) + " is changed twice in one update";
      return std::nullopt;
    }
    if (!addChange(c, prereq.get(), update.get(), err)) return std::nullopt;
  }
  ldns_rdf* zoneRdf = ldns_dname_new_frm_str((zone + ".").c_str());
  if (!zoneRdf) {
    if (err) *err = "bad zone name " + zone;
    return std::nullopt;
  }
  PktPtr pkt(ldns_update_pkt_new(zoneRdf, LDNS_RR_CLASS_IN, prereq.get(), update.get(), nullptr));
  if (!pkt) {
    if (err) *err = "cannot build the update";
    return std::nullopt;
  }
  ldns_pkt_set_rd(pkt.get(), false);  // ldns sets RD; RFC 2136's header has no RD
  auto impl = std::make_unique<Impl>();
  if (!toWire(pkt.get(), impl->wire, err)) return std::nullopt;
  if (key) impl->key = *key;
  impl->qname = zone;
  impl->update = true;
  return Request(std::move(impl));
}

std::optional<Request> Request::query(const std::string& name, std::uint16_t type, const TsigKey* key,
                                      std::string* err) {
  ldns_rdf* owner = ldns_dname_new_frm_str((name + ".").c_str());
  if (!owner) {
    if (err) *err = "bad name " + name;
    return std::nullopt;
  }
  PktPtr pkt(ldns_pkt_query_new(owner, static_cast<ldns_rr_type>(type), LDNS_RR_CLASS_IN, 0));
  if (!pkt) {
    if (err) *err = "cannot build the query";
    return std::nullopt;
  }
  auto impl = std::make_unique<Impl>();
  if (!toWire(pkt.get(), impl->wire, err)) return std::nullopt;
  if (key) impl->key = *key;
  impl->qname = name;
  impl->qtype = type;
  return Request(std::move(impl));
}

Encoded Request::encode(std::uint16_t id, std::uint64_t timeSigned) const {
  Encoded e;
  e.id = id;
  e.wire = impl_->wire;
  e.wire[0] = static_cast<std::uint8_t>(id >> 8);
  e.wire[1] = static_cast<std::uint8_t>(id);
  if (impl_->key) {
    e.mac = tsigSign(e.wire, *impl_->key, timeSigned, {}, nullptr);
    if (e.mac.empty()) e.wire.clear();
  }
  return e;
}

ReplyCheck Request::check(const Encoded& sent, const std::uint8_t* data, std::size_t length, std::uint64_t now,
                          Reply* reply, std::string* why) const {
  auto ignore = [&](const std::string& w) {
    if (why) *why = w;
    return ReplyCheck::Ignore;
  };
  if (length < 12) return ignore("a message shorter than a DNS header");
  if ((data[0] << 8 | data[1]) != sent.id) return ignore("a reply with the wrong ID");
  if (!(data[2] & 0x80)) return ignore("a message that is not a reply");
  int opcode = (data[2] >> 3) & 0x0f;
  if (opcode != (impl_->update ? LDNS_PACKET_UPDATE : LDNS_PACKET_QUERY)) return ignore("a reply with the wrong opcode");
  std::string malformed;
  if (!wire::wellFormed(data, length, &malformed)) return ignore("a malformed reply: " + malformed);
  ldns_pkt* raw = nullptr;
  ldns_status st = ldns_wire2pkt(&raw, data, length);
  PktPtr pkt(raw);
  if (st != LDNS_STATUS_OK || !pkt) return ignore(std::string("a malformed reply: ") + ldns_get_errorstr_by_id(st));
  Reply r;
  r.rcode = ldns_pkt_get_rcode(pkt.get());
  r.truncated = ldns_pkt_tc(pkt.get());
  ldns_rr_list* question = ldns_pkt_question(pkt.get());
  if (ldns_rr_list_rr_count(question) == 1) {
    ldns_rr* q = ldns_rr_list_rr(question, 0);
    if (lowerNoDot(ldns_rr_owner(q)) != impl_->qname || ldns_rr_get_type(q) != impl_->qtype ||
        ldns_rr_get_class(q) != LDNS_RR_CLASS_IN)
      return ignore("a reply to another question");
  } else if (!(ldns_rr_list_rr_count(question) == 0 && failureRcode(r.rcode))) {
    return ignore("a reply without our question");
  }
  if (impl_->key && !r.truncated) {  // a TC reply only sends us to TCP: nothing in it is believed
    TsigSeen seen;
    switch (tsigVerify(data, length, *impl_->key, sent.mac, now, &seen)) {
      case TsigVerdict::Verified: r.verified = true; break;
      case TsigVerdict::ErrorSet: r.tsigError = seen.error; break;
      case TsigVerdict::BadTime: r.verified = true; r.tsigError = kTsigBadTime; break;
      case TsigVerdict::Unsigned:
        if (!failureRcode(r.rcode)) return ignore("an unsigned " + rcodeName(r.rcode) + " reply to a signed request");
        r.unsignedReply = true;
        break;
      case TsigVerdict::Forged: return ignore("a reply whose TSIG does not verify");
      case TsigVerdict::Malformed: return ignore("a reply with a malformed TSIG record");
    }
  }
  if (!impl_->update && !r.truncated) {
    ldns_rr_list* answer = ldns_pkt_answer(pkt.get());
    for (size_t i = 0; i < ldns_rr_list_rr_count(answer); ++i) {
      ldns_rr* rr = ldns_rr_list_rr(answer, i);
      if (lowerNoDot(ldns_rr_owner(rr)) != impl_->qname) continue;
      if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && ldns_rr_rd_count(rr) >= 3)
        r.soaSerial = ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
      if (ldns_rr_get_type(rr) == impl_->qtype) r.records.push_back(rdataText(rr));
    }
    ldns_rr_list* auth = ldns_pkt_authority(pkt.get());
    for (size_t i = 0; i < ldns_rr_list_rr_count(auth) && !r.soaSerial; ++i) {
      ldns_rr* rr = ldns_rr_list_rr(auth, i);
      if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && ldns_rr_rd_count(rr) >= 3)
        r.soaSerial = ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
    }
  }
  if (reply) *reply = std::move(r);
  return ReplyCheck::Accept;
}

bool sameRecords(std::uint16_t type, const std::vector<std::string>& a, const std::vector<std::string>& b) {
  auto norm = [type](const std::vector<std::string>& v) {
    std::vector<std::string> out;
    for (const auto& s : v) {
      std::string c = (type == kTypeA || type == kTypeAaaa) ? canonicalAddress(type, s) : s;
      out.push_back(c.empty() ? s : c);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  };
  return norm(a) == norm(b);
}

}  // namespace fail::dns
