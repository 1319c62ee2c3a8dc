// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Helpers for the answer and snapshot tests: a small Config, queries built by ldns, and
// responses parsed by ldns (the oracle).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "dns/answer.hh"
#include "dns/config.hh"
#include "dns/ldns.hh"
#include "dns/record.hh"
#include "dns/snapshot.hh"

namespace fail::dns::test {

inline IpAddress addr(const std::string& text) {
  IpAddress a;
  EXPECT_TRUE(parseAddress(text, a, nullptr)) << text;
  return a;
}

inline Member member(const std::string& address, const std::string& check = "", unsigned weight = 1) {
  Member m;
  m.address = addr(address);
  m.check = check;
  m.weight = weight;
  return m;
}

inline StaticRecord record(const std::string& owner, const std::string& type, std::uint32_t ttl,
                           const std::string& rdata, const std::string& origin = "example.com") {
  StaticRecord r;
  std::string err;
  EXPECT_TRUE(parseRecord(owner, type, ttl, rdata, origin, r, &err)) << err;
  return r;
}

// example.com: NS ns1/ns2, MX, TXT, a CNAME, an A deep below empty non-terminals, and
// pools www (priority, web1/web2, one IPv6), api (wrr 3:1), rr (all), sf (servfail when
// all down), apex pool on pool.test.
inline Config testConfig() {
  Config c;
  Zone z;
  z.name = "example.com";
  z.ns = {"ns1.example.com", "ns2.example.com"};
  z.mbox = "hostmaster.example.com";
  z.minimum = 30;
  z.ttl = 3600;
  z.records = {record("@", "MX", 3600, "10 mail.example.com."), record("@", "TXT", 300, "\"hello\""),
               record("ns1", "A", 3600, "203.0.113.53"),       record("alias", "CNAME", 120, "www.example.com."),
               record("a.b.c", "A", 60, "203.0.113.99"),       record("mail", "A", 60, "203.0.113.25")};
  c.zones["example.com"] = z;
  Zone t;
  t.name = "pool.test";
  t.ns = {"ns1.example.com"};
  t.minimum = 10;
  t.ttl = 600;
  c.zones["pool.test"] = t;

  Pool www;
  www.name = "www.example.com";
  www.members = {member("203.0.113.10", "web1"), member("203.0.113.20", "web2"), member("2001:db8::10", "web1")};
  c.pools[www.name] = www;
  Pool api;
  api.name = "api.example.com";
  api.select = Select::Wrr;
  api.max = 1;
  api.members = {member("203.0.113.30", "api1", 3), member("203.0.113.31", "api2", 1)};
  c.pools[api.name] = api;
  Pool rr;
  rr.name = "rr.example.com";
  rr.select = Select::All;
  rr.members = {member("203.0.113.41"), member("203.0.113.42"), member("203.0.113.43")};
  c.pools[rr.name] = rr;
  Pool sf;
  sf.name = "sf.example.com";
  sf.allDown.kind = AllDown::Kind::Servfail;
  sf.members = {member("203.0.113.50", "sf1")};
  c.pools[sf.name] = sf;
  Pool apex;
  apex.name = "pool.test";
  apex.ttl = 20;
  apex.ttlOut = 5;
  apex.settle = std::chrono::seconds(60);
  apex.members = {member("203.0.113.60", "p1"), member("203.0.113.61", "p2")};
  c.pools[apex.name] = apex;
  return c;
}

struct PktFree {
  void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
using Pkt = std::unique_ptr<ldns_pkt, PktFree>;

struct QueryOptions {
  std::uint16_t id = 0x4242;
  bool edns = false;
  std::uint16_t payload = 1232;
  std::uint8_t version = 0;
  bool dnssecOk = false;
  std::uint16_t qclass = LDNS_RR_CLASS_IN;
};

inline std::vector<std::uint8_t> query(const std::string& name, std::uint16_t type, const QueryOptions& o = {}) {
  ldns_rdf* qname = ldns_dname_new_frm_str(name.c_str());
  EXPECT_NE(qname, nullptr) << name;
  Pkt p(ldns_pkt_query_new(qname, static_cast<ldns_rr_type>(type), static_cast<ldns_rr_class>(o.qclass), LDNS_RD));
  ldns_pkt_set_id(p.get(), o.id);
  if (o.edns) {
    ldns_pkt_set_edns_udp_size(p.get(), o.payload);
    ldns_pkt_set_edns_version(p.get(), o.version);
    ldns_pkt_set_edns_do(p.get(), o.dnssecOk);
  }
  std::uint8_t* wire = nullptr;
  std::size_t size = 0;
  EXPECT_EQ(ldns_pkt2wire(&wire, p.get(), &size), LDNS_STATUS_OK);
  std::vector<std::uint8_t> out(wire, wire + size);
  std::free(wire);
  return out;
}

inline Pkt parse(const std::vector<std::uint8_t>& wire) {
  ldns_pkt* p = nullptr;
  const ldns_status st = ldns_wire2pkt(&p, wire.data(), wire.size());
  EXPECT_EQ(st, LDNS_STATUS_OK) << ldns_get_errorstr_by_id(st);
  return Pkt(p);
}

struct Answer {
  Outcome outcome = Outcome::Drop;
  std::vector<std::uint8_t> wire;
};

inline Answer ask(const Snapshot& snap, Cursor& cursor, const std::vector<std::uint8_t>& q, bool tcp = false) {
  std::vector<std::uint8_t> out(65535);
  std::size_t size = 0;
  Counters c;
  Answer a;
  a.outcome = respond(snap, cursor, Request{q.data(), q.size(), tcp}, out.data(), out.size(), &size, c);
  if (a.outcome == Outcome::Answered) a.wire.assign(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(size));
  return a;
}

// The text of the records of one section ("www.example.com. 30 IN A 203.0.113.10"),
// tab-separated fields turned into single spaces.
inline std::vector<std::string> section(ldns_pkt* p, ldns_pkt_section which) {
  std::vector<std::string> out;
  ldns_rr_list* list = ldns_pkt_get_section_clone(p, which);
  for (std::size_t i = 0; list && i < ldns_rr_list_rr_count(list); ++i) {
    char* s = ldns_rr2str(ldns_rr_list_rr(list, i));
    std::string line(s);
    std::free(s);
    while (!line.empty() && line.back() == '\n') line.pop_back();
    for (char& ch : line)
      if (ch == '\t') ch = ' ';
    out.push_back(line);
  }
  ldns_rr_list_deep_free(list);
  return out;
}

}  // namespace fail::dns::test
