// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The answerer against ldns as the oracle: every response is parsed by ldns_wire2pkt.
#include "dns/answer.hh"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "dns/wire.hh"
#include "dns_test_util.hh"

namespace fail::dns {
namespace {

using namespace test;
using Lines = std::vector<std::string>;

class DnsAnswer : public ::testing::Test {
 protected:
  DnsAnswer() : builder_(testConfig(), 1000) { snap_ = builder_.publish(); }
  Pkt askPkt(const std::string& name, std::uint16_t type, const QueryOptions& o = {}, bool tcp = false) {
    last_ = ask(*snap_, cursor_, query(name, type, o), tcp);
    EXPECT_EQ(last_.outcome, Outcome::Answered) << name;
    if (last_.outcome != Outcome::Answered) return nullptr;
    return parse(last_.wire);
  }
  void up(const std::string& check) {
    builder_.setHealth(check, State::Up);
    snap_ = builder_.publish();
  }
  SnapshotBuilder builder_;
  std::shared_ptr<const Snapshot> snap_;
  Cursor cursor_;
  Answer last_;
};

TEST_F(DnsAnswer, PoolAnswerIsAuthoritativeWithTheQuestionEchoed) {
  up("web1");
  Pkt p = askPkt("www.example.com.", LDNS_RR_TYPE_A);
  ASSERT_TRUE(p);
  EXPECT_EQ(ldns_pkt_id(p.get()), 0x4242);
  EXPECT_TRUE(ldns_pkt_qr(p.get()));
  EXPECT_TRUE(ldns_pkt_aa(p.get()));
  EXPECT_TRUE(ldns_pkt_rd(p.get()));
  EXPECT_FALSE(ldns_pkt_ra(p.get()));
  EXPECT_FALSE(ldns_pkt_tc(p.get()));
  EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_NOERROR);
  EXPECT_EQ(section(p.get(), LDNS_SECTION_QUESTION), Lines{"www.example.com. IN A"});
  EXPECT_EQ(section(p.get(), LDNS_SECTION_ANSWER), Lines{"www.example.com. 30 IN A 203.0.113.10"});
  EXPECT_TRUE(section(p.get(), LDNS_SECTION_AUTHORITY).empty());
  EXPECT_EQ(ldns_pkt_arcount(p.get()), 0);  // no OPT without one in the query
  p = askPkt("www.example.com.", LDNS_RR_TYPE_AAAA);
  EXPECT_EQ(section(p.get(), LDNS_SECTION_ANSWER), Lines{"www.example.com. 30 IN AAAA 2001:db8::10"});
}

TEST_F(DnsAnswer, KeepsTheClientsLetterCase) {
  up("web1");
  Pkt p = askPkt("WwW.ExAmple.COM.", LDNS_RR_TYPE_A);
  EXPECT_EQ(section(p.get(), LDNS_SECTION_QUESTION), Lines{"WwW.ExAmple.COM. IN A"});
  EXPECT_EQ(section(p.get(), LDNS_SECTION_ANSWER), Lines{"WwW.ExAmple.COM. 30 IN A 203.0.113.10"});
  p = askPkt("NoSuch.EXAMPLE.com.", LDNS_RR_TYPE_A);
  EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_NXDOMAIN);
  const Lines auth = section(p.get(), LDNS_SECTION_AUTHORITY);
  ASSERT_EQ(auth.size(), 1u);
  // The SOA's MNAME and RNAME point into the question's apex: its letter case too.
  EXPECT_EQ(auth[0].rfind("EXAMPLE.com. 30 IN SOA ns1.EXAMPLE.com. hostmaster.EXAMPLE.com. 1001 ", 0), 0u) << auth[0];
}

// Negative answers are as small as gdnsd's and knotd's: the SOA's owner, MNAME and RNAME
// are compressed against the apex in the question; a name sharing only the root with the
// apex (ns1.example.com in pool.test) is written whole.
TEST_F(DnsAnswer, NegativeAnswersCompressTheSoaNamesAgainstTheApex) {
  Pkt p = askPkt("nosuch.example.com.", LDNS_RR_TYPE_A);
  ASSERT_TRUE(p);
  // header 12, question 20 + 4, SOA: owner 2 + 10, RDATA "ns1" + pointer 6,
  // "hostmaster" + pointer 13, timers 20.
  EXPECT_EQ(last_.wire.size(), 12u + 24u + 12u + 6u + 13u + 20u);
  p = askPkt("example.com.", LDNS_RR_TYPE_SOA);
  ASSERT_TRUE(p);
  EXPECT_EQ(last_.wire.size(), 12u + 17u + 12u + 6u + 13u + 20u);
  EXPECT_EQ(section(p.get(), LDNS_SECTION_ANSWER),
            Lines{"example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 1000 3600 600 86400 30"});
  p = askPkt("nosuch.pool.test.", LDNS_RR_TYPE_A);
  ASSERT_TRUE(p);
  EXPECT_EQ(last_.wire.size(), 12u + 22u + 12u + 17u + 13u + 20u);
  EXPECT_EQ(section(p.get(), LDNS_SECTION_AUTHORITY),
            Lines{"pool.test. 10 IN SOA ns1.example.com. hostmaster.pool.test. 1000 3600 600 86400 10"});
}

TEST_F(DnsAnswer, NxdomainAndNodataCarryTheSoaWithTheNegativeTtl) {
  Pkt p = askPkt("nosuch.example.com.", LDNS_RR_TYPE_A);
  EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_NXDOMAIN);
  EXPECT_TRUE(ldns_pkt_aa(p.get()));
  EXPECT_TRUE(section(p.get(), LDNS_SECTION_ANSWER).empty());
  EXPECT_EQ(section(p.get(), LDNS_SECTION_AUTHORITY),
            Lines{"example.com. 30 IN SOA ns1.example.com. hostmaster.example.com. 1000 3600 600 86400 30"});
  // NODATA: the name exists, not the type. TTL = min(SOA TTL 3600, minimum 30).
  p = askPkt("mail.example.com.", LDNS_RR_TYPE_MX);
  EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_NOERROR);
  EXPECT_TRUE(section(p.get(), LDNS_SECTION_ANSWER).empty());
  EXPECT_EQ(section(p.get(), LDNS_SECTION_AUTHORITY).size(), 1u);
  // Empty non-terminals: b.c and c exist (a.b.c has an A), NODATA not NXDOMAIN.
  for (const char* ent : {"b.c.example.com.", "c.example.com."}) {
    p = askPkt(ent, LDNS_RR_TYPE_A);
    EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_NOERROR) << ent;
    EXPECT_TRUE(section(p.get(), LDNS_SECTION_ANSWER).empty()) << ent;
    EXPECT_EQ(section(p.get(), LDNS_SECTION_AUTHORITY).size(), 1u) << ent;
  }
  p = askPkt("x.a.b.c.example.com.", LDNS_RR_TYPE_A);
  EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_NXDOMAIN);
  // A pool with no IPv6 member: AAAA is NODATA. The second zone's negative TTL: min(600, 10).
  p = askPkt("api.example.com.", LDNS_RR_TYPE_AAAA);
  EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_NOERROR);
  EXPECT_TRUE(section(p.get(), LDNS_SECTION_ANSWER).empty());
  p = askPkt("nosuch.pool.test.", LDNS_RR_TYPE_A);
  EXPECT_EQ(section(p.get(), LDNS_SECTION_AUTHORITY),
            Lines{"pool.test. 10 IN SOA ns1.example.com. hostmaster.pool.test. 1000 3600 600 86400 10"});
}

TEST_F(DnsAnswer, ApexSoaNsAndStaticRecords) {
  Pkt p = askPkt("example.com.", LDNS_RR_TYPE_SOA);
  EXPECT_EQ(section(p.get(), LDNS_SECTION_ANSWER),
            Lines{"example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 1000 3600 600 86400 30"});
  p = askPkt("example.com.", LDNS_RR_TYPE_NS);
  EXPECT_EQ(section(p.get(), LDNS_SECTION_ANSWER),
            (Lines{"example.com. 3600 IN NS ns1.example.com.", "example.com. 3600 IN NS ns2.example.com."}));
  p = askPkt("example.com.", LDNS_RR_TYPE_MX);
  EXPECT_EQ(section(p.get(), LDNS_SECTION_ANSWER), Lines{"example.com. 3600 IN MX 10 mail.example.com."});
  p = askPkt("example.com.", LDNS_RR_TYPE_TXT);
  EXPECT_EQ(section(p.get(), LDNS_SECTION_ANSWER), Lines{"example.com. 300 IN TXT \"hello\""});
  p = askPkt("ns1.example.com.", LDNS_RR_TYPE_A);
  EXPECT_EQ(section(p.get(), LDNS_SECTION_ANSWER), Lines{"ns1.example.com. 3600 IN A 203.0.113.53"});
}

TEST_F(DnsAnswer, CnameAnswersEveryTypeAndIsChasedOneStepInOurData) {
  for (std::uint16_t t : {LDNS_RR_TYPE_MX, LDNS_RR_TYPE_CNAME, LDNS_RR_TYPE_ANY}) {
    Pkt p = askPkt("alias.example.com.", t);
    EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_NOERROR);
    EXPECT_EQ(section(p.get(), LDNS_SECTION_ANSWER), Lines{"alias.example.com. 120 IN CNAME www.example.com."}) << t;
  }
  up("web1");
  Pkt p = askPkt("Alias.example.com.", LDNS_RR_TYPE_A);
  EXPECT_EQ(section(p.get(), LDNS_SECTION_ANSWER),
            (Lines{"Alias.example.com. 120 IN CNAME www.example.com.", "www.example.com. 30 IN A 203.0.113.10"}));
  p = askPkt("alias.example.com.", LDNS_RR_TYPE_AAAA);
  EXPECT_EQ(section(p.get(), LDNS_SECTION_ANSWER),
            (Lines{"alias.example.com. 120 IN CNAME www.example.com.", "www.example.com. 30 IN AAAA 2001:db8::10"}));
}

TEST(DnsAnswerCname, ChasesStaticTargetsButNotNamesCompressedAgainstThem) {
  Config c = testConfig();
  auto& recs = c.zones["example.com"].records;
  recs.push_back(record("m", "CNAME", 60, "mail.example.com."));
  recs.push_back(record("mail", "TXT", 60, "\"x\""));
  recs.push_back(record("mail", "MX", 60, "5 mx.mail.example.com."));
  recs.push_back(record("loop", "CNAME", 60, "loop.example.com."));
  SnapshotBuilder b(c, 1);
  auto snap = b.publish();
  Cursor cursor;
  Pkt p = parse(ask(*snap, cursor, query("m.example.com.", LDNS_RR_TYPE_A)).wire);
  EXPECT_EQ(section(p.get(), LDNS_SECTION_ANSWER),
            (Lines{"m.example.com. 60 IN CNAME mail.example.com.", "mail.example.com. 60 IN A 203.0.113.25"}));
  p = parse(ask(*snap, cursor, query("m.example.com.", LDNS_RR_TYPE_TXT)).wire);
  EXPECT_EQ(section(p.get(), LDNS_SECTION_ANSWER).size(), 2u);
  p = parse(ask(*snap, cursor, query("m.example.com.", LDNS_RR_TYPE_MX)).wire);
  EXPECT_EQ(section(p.get(), LDNS_SECTION_ANSWER), Lines{"m.example.com. 60 IN CNAME mail.example.com."});
  p = parse(ask(*snap, cursor, query("loop.example.com.", LDNS_RR_TYPE_A)).wire);
  EXPECT_EQ(section(p.get(), LDNS_SECTION_ANSWER), Lines{"loop.example.com. 60 IN CNAME loop.example.com."});
}

TEST_F(DnsAnswer, AnyIsAnsweredWithOneRrset) {
  up("web1");
  Pkt p = askPkt("www.example.com.", LDNS_RR_TYPE_ANY);
  EXPECT_EQ(section(p.get(), LDNS_SECTION_ANSWER), Lines{"www.example.com. 30 IN A 203.0.113.10"});
  p = askPkt("example.com.", LDNS_RR_TYPE_ANY);
  EXPECT_EQ(section(p.get(), LDNS_SECTION_ANSWER).size(), 1u);
}

TEST_F(DnsAnswer, EdnsIsEchoedWithOurPayload) {
  QueryOptions o;
  o.edns = true;
  o.payload = 4096;
  o.dnssecOk = true;
  Pkt p = askPkt("ns1.example.com.", LDNS_RR_TYPE_A, o);
  EXPECT_EQ(ldns_pkt_edns_udp_size(p.get()), 1232);
  EXPECT_EQ(ldns_pkt_edns_version(p.get()), 0);
  EXPECT_TRUE(ldns_pkt_edns_do(p.get()));
  EXPECT_EQ(section(p.get(), LDNS_SECTION_ANSWER).size(), 1u);
  // Version 1: BADVERS (16), our OPT saying version 0, no answer.
  o.version = 1;
  o.dnssecOk = false;
  p = askPkt("ns1.example.com.", LDNS_RR_TYPE_A, o);
  EXPECT_EQ(ldns_pkt_edns_extended_rcode(p.get()), 1);
  EXPECT_EQ(ldns_pkt_get_rcode(p.get()), 0);
  EXPECT_EQ(ldns_pkt_edns_version(p.get()), 0);
  EXPECT_EQ(ldns_pkt_ancount(p.get()), 0);
}

TEST_F(DnsAnswer, MalformedQueriesGetFormerr) {
  std::vector<std::uint8_t> q = query("www.example.com.", LDNS_RR_TYPE_A);
  auto expectFormerr = [&](std::vector<std::uint8_t> bad, const char* what) {
    const Answer a = ask(*snap_, cursor_, bad);
    ASSERT_EQ(a.outcome, Outcome::Answered) << what;
    Pkt p = parse(a.wire);
    ASSERT_TRUE(p) << what;
    EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_FORMERR) << what;
    EXPECT_EQ(ldns_pkt_id(p.get()), 0x4242) << what;
    EXPECT_TRUE(ldns_pkt_qr(p.get())) << what;
  };
  auto garbage = q;
  garbage.push_back(0);
  expectFormerr(garbage, "garbage after the question");
  auto cut = q;
  cut.resize(cut.size() - 2);
  expectFormerr(cut, "truncated question");
  auto two = q;
  two[5] = 2;
  expectFormerr(two, "QDCOUNT 2");
  auto none = q;
  none[5] = 0;
  none.resize(12);
  expectFormerr(none, "QDCOUNT 0");
  QueryOptions o;
  o.edns = true;
  auto withOpt = query("www.example.com.", LDNS_RR_TYPE_A, o);
  auto twoOpts = withOpt;
  twoOpts.insert(twoOpts.end(), withOpt.end() - 11, withOpt.end());
  twoOpts[11] = 2;
  expectFormerr(twoOpts, "two OPTs");
  auto optNotRoot = withOpt;  // ARCOUNT 1, but the count says 2 and nothing follows
  optNotRoot[11] = 2;
  expectFormerr(optNotRoot, "a record missing");
}

TEST_F(DnsAnswer, DropsResponsesAndRunts) {
  auto q = query("www.example.com.", LDNS_RR_TYPE_A);
  q[2] |= 0x80;  // QR
  EXPECT_EQ(ask(*snap_, cursor_, q).outcome, Outcome::Drop);
  std::vector<std::uint8_t> runt(11, 0);
  EXPECT_EQ(ask(*snap_, cursor_, runt).outcome, Outcome::Drop);
}

TEST_F(DnsAnswer, OtherClassesRefusedOtherOpcodesNotimp) {
  QueryOptions o;
  o.qclass = LDNS_RR_CLASS_CH;
  Pkt p = askPkt("version.bind.", LDNS_RR_TYPE_TXT, o);
  EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_REFUSED);
  EXPECT_FALSE(ldns_pkt_aa(p.get()));
  o.qclass = LDNS_RR_CLASS_HS;
  p = askPkt("www.example.com.", LDNS_RR_TYPE_A, o);
  EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_REFUSED);
  auto q = query("www.example.com.", LDNS_RR_TYPE_A);
  q[2] = static_cast<std::uint8_t>((q[2] & 0x87) | (2 << 3));  // opcode STATUS
  const Answer a = ask(*snap_, cursor_, q);
  ASSERT_EQ(a.outcome, Outcome::Answered);
  p = parse(a.wire);
  EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_NOTIMPL);
  EXPECT_EQ(ldns_pkt_get_opcode(p.get()), LDNS_PACKET_STATUS);
  p = askPkt("example.com.", LDNS_RR_TYPE_AXFR);
  EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_REFUSED);
}

TEST_F(DnsAnswer, NamesOutsideTheZonesAreForwardOrRefused) {
  const auto q = query("www.example.net.", LDNS_RR_TYPE_A);
  EXPECT_EQ(ask(*snap_, cursor_, q).outcome, Outcome::Forward);
  EXPECT_EQ(ask(*snap_, cursor_, query("com.", LDNS_RR_TYPE_NS)).outcome, Outcome::Forward);
  EXPECT_EQ(ask(*snap_, cursor_, query(".", LDNS_RR_TYPE_NS)).outcome, Outcome::Forward);
  std::uint8_t out[512];
  const std::size_t n = refuse(Request{q.data(), q.size(), false}, Rcode::Refused, out, sizeof out);
  ASSERT_GT(n, 0u);
  Pkt p = parse(std::vector<std::uint8_t>(out, out + n));
  EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_REFUSED);
  EXPECT_EQ(section(p.get(), LDNS_SECTION_QUESTION), Lines{"www.example.net. IN A"});
  EXPECT_EQ(refuse(Request{q.data(), 5, false}, Rcode::Refused, out, sizeof out), 0u);
}

// A zone with a big TXT set: too big for 512, fits 1232 with EDNS, and for TCP.
TEST(DnsAnswerSize, TruncatesToTheClientsLimit) {
  Config c = testConfig();
  for (int i = 0; i < 12; ++i)
    c.zones["example.com"].records.push_back(record("big", "TXT", 60, "\"" + std::string(60, 'a' + i) + "\""));
  for (int i = 0; i < 40; ++i)
    c.zones["example.com"].records.push_back(record("huge", "TXT", 60, "\"" + std::string(200, 'a' + i % 26) + std::to_string(i) + "\""));
  SnapshotBuilder b(c, 1);
  auto snap = b.publish();
  Cursor cursor;
  auto check = [&](const std::string& name, const QueryOptions& o, bool tcp, bool tc, std::size_t records) {
    const Answer a = ask(*snap, cursor, query(name, LDNS_RR_TYPE_TXT, o), tcp);
    ASSERT_EQ(a.outcome, Outcome::Answered);
    Pkt p = parse(a.wire);
    EXPECT_EQ(ldns_pkt_tc(p.get()), tc) << name << " tcp " << tcp;
    EXPECT_EQ(ldns_pkt_ancount(p.get()), records) << name;
    EXPECT_EQ(section(p.get(), LDNS_SECTION_QUESTION).size(), 1u);
    if (!tcp) {
      EXPECT_LE(a.wire.size(), o.edns ? std::min<std::size_t>(1232, std::max<std::size_t>(512, o.payload)) : 512u);
    }
    EXPECT_EQ(ldns_pkt_edns(p.get()), o.edns);
  };
  QueryOptions plain, edns, small;
  edns.edns = true;
  small.edns = true;
  small.payload = 100;  // below 512: taken as 512
  check("big.example.com.", plain, false, true, 0);
  check("big.example.com.", edns, false, false, 12);
  check("big.example.com.", small, false, true, 0);
  check("big.example.com.", plain, true, false, 12);
  check("huge.example.com.", edns, false, true, 0);
  check("huge.example.com.", plain, true, false, 40);
}

TEST_F(DnsAnswer, RotationAndWrrWalkTheCycleWithTheCursor) {
  Pkt p;
  std::string seen;
  for (int i = 0; i < 3; ++i) {
    p = askPkt("rr.example.com.", LDNS_RR_TYPE_A);
    const Lines ans = section(p.get(), LDNS_SECTION_ANSWER);
    ASSERT_EQ(ans.size(), 3u);
    seen += ans[0].back();
  }
  EXPECT_EQ(seen, "123");
  up("api1");
  up("api2");
  seen.clear();
  for (int i = 0; i < 8; ++i) {
    p = askPkt("api.example.com.", LDNS_RR_TYPE_A);
    const Lines ans = section(p.get(), LDNS_SECTION_ANSWER);
    ASSERT_EQ(ans.size(), 1u);
    seen += ans[0].back();
  }
  EXPECT_EQ(seen, "00100010");  // 3:1, .30 .30 .31 .30
  ASSERT_GE(cursor_.queries.size(), poolCount(*snap_));
  std::uint64_t apiQueries = 0;
  for (std::size_t i = 0; i < poolCount(*snap_); ++i)
    if (poolName(*snap_, i) == "api.example.com") apiQueries = cursor_.queries[i];
  EXPECT_EQ(apiQueries, 8u);
}

TEST_F(DnsAnswer, AllDownRules) {
  // www: nothing UP yet: the Gcore rule answers every member.
  Pkt p = askPkt("www.example.com.", LDNS_RR_TYPE_A);
  EXPECT_EQ(section(p.get(), LDNS_SECTION_ANSWER).size(), 2u);
  p = askPkt("sf.example.com.", LDNS_RR_TYPE_A);
  EXPECT_EQ(ldns_pkt_get_rcode(p.get()), LDNS_RCODE_SERVFAIL);
  EXPECT_EQ(ldns_pkt_ancount(p.get()), 0);
}

// The replacement below pairs malloc with free; GCC cannot see that when it inlines.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

// Allocations counted by the replaced operator new (program-wide, but it counts only on
// the thread and while this test asks).
thread_local bool gCounting = false;
thread_local std::size_t gAllocations = 0;

}  // namespace
}  // namespace fail::dns

void* operator new(std::size_t n) {
  if (fail::dns::gCounting) ++fail::dns::gAllocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  if (fail::dns::gCounting) ++fail::dns::gAllocations;
  return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
// Every form of delete frees what every form of new above took from malloc (a sanitizer
// build checks that the two are paired: std::stable_sort uses the nothrow form).
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace fail::dns {
namespace {

TEST_F(DnsAnswer, AllocatesNothingOver10000Queries) {
  up("web1");
  up("api1");
  QueryOptions e;
  e.edns = true;
  std::vector<std::vector<std::uint8_t>> qs = {
      query("www.example.com.", LDNS_RR_TYPE_A),        query("WWW.example.com.", LDNS_RR_TYPE_AAAA, e),
      query("api.example.com.", LDNS_RR_TYPE_A),        query("rr.example.com.", LDNS_RR_TYPE_A, e),
      query("nosuch.example.com.", LDNS_RR_TYPE_A, e), query("example.com.", LDNS_RR_TYPE_SOA),
      query("mail.example.com.", LDNS_RR_TYPE_MX),      query("alias.example.com.", LDNS_RR_TYPE_A),
      query("www.example.net.", LDNS_RR_TYPE_A),        query("c.example.com.", LDNS_RR_TYPE_A)};
  std::vector<std::uint8_t> out(65535);
  Counters c;
  std::size_t size = 0;
  for (const auto& q : qs) respond(*snap_, cursor_, Request{q.data(), q.size(), false}, out.data(), 512, &size, c);
  gAllocations = 0;
  gCounting = true;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 10000; ++i) {
    const auto& q = qs[static_cast<std::size_t>(i) % qs.size()];
    respond(*snap_, cursor_, Request{q.data(), q.size(), false}, out.data(), out.size(), &size, c);
  }
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
  gCounting = false;
  EXPECT_EQ(gAllocations, 0u);
  std::printf("respond(): %.0f ns per query (10,000 mixed queries, this build)\n", ns / 10000.0);
  EXPECT_EQ(c.queries, 10010u);
}

}  // namespace
}  // namespace fail::dns
