// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: a packet into the DNS front-end's answerer (dns/answer.hh) against a
// small fixed snapshot, over UDP and TCP, and into refuse(). Nothing may crash or read
// outside the packet (ASan); every response must fit its limit, carry the query's ID
// with QR set, and parse with ldns (the oracle).
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "check.hh"
#include "dns/answer.hh"
#include "dns/ldns.hh"
#include "dns/record.hh"
#include "dns/wire.hh"

namespace {

using namespace fail::dns;

void addRecord(Zone& z, const char* owner, const char* type, const char* rdata) {
  StaticRecord r;
  FUZZ_CHECK(parseRecord(owner, type, 300, rdata, z.name, r, nullptr));
  z.records.push_back(r);
}

Member member(const char* address, const char* check, unsigned weight = 1) {
  Member m;
  FUZZ_CHECK(parseAddress(address, m.address, nullptr));
  m.check = check;
  m.weight = weight;
  return m;
}

struct Fixture {
  std::unique_ptr<SnapshotBuilder> builder;
  std::shared_ptr<const Snapshot> snap;
  Cursor cursor;
  Fixture() {
    Config c;
    Zone& z = c.zones["example.com"];
    z.name = "example.com";
    z.ns = {"ns1.example.com", "ns2.example.com"};
    addRecord(z, "@", "MX", "10 mail.example.com.");
    addRecord(z, "@", "TXT", "\"hello world\"");
    addRecord(z, "alias", "CNAME", "www.example.com.");
    addRecord(z, "a.b.c", "A", "203.0.113.99");
    addRecord(z, "_sip._tcp", "SRV", "0 5 5060 sip.example.com.");
    for (int i = 0; i < 30; ++i) addRecord(z, "big", "TXT", ("\"" + std::string(40, 'a' + i % 26) + "\"").c_str());
    Zone& t = c.zones["a"];
    t.name = "a";
    Pool www;
    www.name = "www.example.com";
    www.members = {member("203.0.113.10", "web1"), member("203.0.113.20", "web2"), member("2001:db8::10", "web1")};
    c.pools[www.name] = www;
    Pool api;
    api.name = "a";
    api.select = Select::Wrr;
    api.members = {member("203.0.113.30", "api1", 3), member("203.0.113.31", "", 1)};
    c.pools[api.name] = api;
    Pool sf;
    sf.name = "sf.example.com";
    sf.select = Select::All;
    sf.allDown.kind = AllDown::Kind::Servfail;
    sf.members = {member("203.0.113.50", "sf1")};
    c.pools[sf.name] = sf;
    builder = std::make_unique<SnapshotBuilder>(c, 7);
    builder->setHealth("web2", fail::proto::State::Up);
    snap = builder->publish();
  }
};

void checkResponse(const uint8_t* q, std::size_t qsize, const uint8_t* out, std::size_t size, std::size_t limit) {
  FUZZ_CHECK(size >= fail::dns::wire::kHeaderSize && size <= limit);
  FUZZ_CHECK(std::memcmp(out, q, 2) == 0);  // the ID
  FUZZ_CHECK((out[2] & 0x80) != 0);          // QR
  (void)qsize;
  ldns_pkt* pkt = nullptr;
  FUZZ_CHECK(ldns_wire2pkt(&pkt, out, size) == LDNS_STATUS_OK);
  FUZZ_CHECK(ldns_pkt_qdcount(pkt) <= 1);
  ldns_pkt_free(pkt);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture f;
  static std::vector<uint8_t> out(65535);
  // A copy of exactly `size` bytes, so that ASan sees any read past the packet.
  std::vector<uint8_t> q(data, data + size);
  Counters c;
  for (bool tcp : {false, true}) {
    std::size_t n = 0;
    const std::size_t cap = tcp ? 65535 : 1232;
    const Outcome o = respond(*f.snap, f.cursor, Request{q.data(), q.size(), tcp}, out.data(), cap, &n, c);
    if (o == Outcome::Answered) checkResponse(q.data(), q.size(), out.data(), n, cap);
    if (o == Outcome::Drop) FUZZ_CHECK(size < 12 || (data[2] & 0x80) != 0);
    if (o == Outcome::Forward) {
      const std::size_t r = refuse(Request{q.data(), q.size(), tcp}, Rcode::Refused, out.data(), cap);
      FUZZ_CHECK(r > 0);
      checkResponse(q.data(), q.size(), out.data(), r, cap);
    }
  }
  // UDP with the smallest buffer the contract allows.
  std::vector<uint8_t> small(512);
  std::size_t n = 0;
  if (respond(*f.snap, f.cursor, Request{q.data(), q.size(), false}, small.data(), small.size(), &n, c) ==
      Outcome::Answered)
    checkResponse(q.data(), q.size(), small.data(), n, small.size());
  return 0;
}
