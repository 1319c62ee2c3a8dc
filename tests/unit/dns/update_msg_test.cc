// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/update_msg.hh"

#include <gtest/gtest.h>

#include "dns/ldns.hh"
#include "dns/tsig_sign.hh"

namespace fail::dns {
namespace {

TsigKey testKey(const char* secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ=") {
  TsigKey k;
  std::string err;
  EXPECT_TRUE(parseTsigKeyInline(std::string("hmac-sha256:failover-key:") + secret, k, &err)) << err;
  return k;
}

std::vector<std::string> rrStrings(ldns_rr_list* list) {
  std::vector<std::string> out;
  for (size_t i = 0; i < ldns_rr_list_rr_count(list); ++i) {
    char* s = ldns_rr2str(ldns_rr_list_rr(list, i));
    std::string t = s;
    free(s);
    while (!t.empty() && t.back() == '\n') t.pop_back();
    for (auto& c : t)
      if (c == '\t') c = ' ';
    out.push_back(t);
  }
  return out;
}

std::vector<std::uint8_t> wireOf(ldns_pkt* p) {
  std::uint8_t* w = nullptr;
  size_t n = 0;
  EXPECT_EQ(ldns_pkt2wire(&w, p, &n), LDNS_STATUS_OK);
  std::vector<std::uint8_t> out(w, w + n);
  free(w);
  ldns_pkt_free(p);
  return out;
}

// A reply to `req` as a server writes it: the question echoed, `rcode`, `answers` and
// `authority` (RR texts).
std::vector<std::uint8_t> reply(const Request& req, const Encoded& sent, std::uint16_t rcode,
                                const std::vector<std::string>& answers = {},
                                const std::vector<std::string>& authority = {}) {
  ldns_pkt* p = ldns_pkt_query_new(ldns_dname_new_frm_str((req.qname() + ".").c_str()),
                                   static_cast<ldns_rr_type>(req.qtype()), LDNS_RR_CLASS_IN, 0);
  ldns_pkt_set_id(p, sent.id);
  ldns_pkt_set_qr(p, true);
  ldns_pkt_set_opcode(p, req.isUpdate() ? LDNS_PACKET_UPDATE : LDNS_PACKET_QUERY);
  ldns_pkt_set_rcode(p, static_cast<std::uint8_t>(rcode));
  for (auto [list, section] : {std::pair{&answers, LDNS_SECTION_ANSWER}, std::pair{&authority, LDNS_SECTION_AUTHORITY}})
    for (const auto& text : *list) {
      ldns_rr* rr = nullptr;
      EXPECT_EQ(ldns_rr_new_frm_str(&rr, text.c_str(), 0, nullptr, nullptr), LDNS_STATUS_OK) << text;
      ldns_pkt_push_rr(p, section, rr);
    }
  return wireOf(p);
}

// Appends the TSIG RR a server sends with BADKEY or BADSIG: MAC empty.
void appendTsigError(std::vector<std::uint8_t>& w, const TsigKey& k, std::uint16_t error) {
  auto name = [&](const std::string& n) {
    std::size_t s = 0;
    while (s < n.size()) {
      std::size_t d = n.find('.', s);
      if (d == std::string::npos) d = n.size();
      w.push_back(static_cast<std::uint8_t>(d - s));
      w.insert(w.end(), n.begin() + static_cast<long>(s), n.begin() + static_cast<long>(d));
      s = d + 1;
    }
    w.push_back(0);
  };
  name(k.name);
  std::string alg = k.algorithm.substr(0, k.algorithm.size() - 1);
  std::vector<std::uint8_t> head{0, 250, 0, 255, 0, 0, 0, 0};
  w.insert(w.end(), head.begin(), head.end());
  std::uint16_t rdlen = static_cast<std::uint16_t>(alg.size() + 2 + 16);
  w.push_back(static_cast<std::uint8_t>(rdlen >> 8));
  w.push_back(static_cast<std::uint8_t>(rdlen));
  name(alg);
  std::vector<std::uint8_t> rest{0, 0, 0, 0, 3, 232, 1, 44, 0, 0, w[0], w[1], static_cast<std::uint8_t>(error >> 8),
                                 static_cast<std::uint8_t>(error), 0, 0};
  w.insert(w.end(), rest.begin(), rest.end());
  w[11] = static_cast<std::uint8_t>(w[11] + 1);
}

std::optional<Request> casUpdate(const TsigKey* key, std::string* err = nullptr) {
  return Request::update("example.test",
                         {RrsetChange{"www.example.test", kTypeA, 30, {"203.0.113.10", "203.0.113.11"},
                                      std::vector<std::string>{"203.0.113.20"}},
                          RrsetChange{"new.example.test", kTypeAaaa, 60, {"2001:db8::1"}, std::vector<std::string>{}},
                          RrsetChange{"example.test", kTypeA, 60, {}, std::nullopt}},
                         key, err);
}

TEST(UpdateMsg, BuildsTheCompareAndSwapUpdate) {
  TsigKey k = testKey();
  std::string err;
  auto req = casUpdate(&k, &err);
  ASSERT_TRUE(req) << err;
  EXPECT_TRUE(req->isUpdate());
  EXPECT_TRUE(req->isSigned());
  Encoded e = req->encode(0x1234, 1000);
  ldns_pkt* p = nullptr;
  ASSERT_EQ(ldns_wire2pkt(&p, e.wire.data(), e.wire.size()), LDNS_STATUS_OK);
  EXPECT_EQ(ldns_pkt_id(p), 0x1234);
  EXPECT_EQ(ldns_pkt_get_opcode(p), LDNS_PACKET_UPDATE);
  EXPECT_FALSE(ldns_pkt_rd(p));
  EXPECT_EQ(rrStrings(ldns_pkt_question(p)), std::vector<std::string>{"example.test. IN SOA"});
  // Prerequisites: the RRset as read (value dependent), "does not exist" for new; then
  // per name a delete of the RRset (no RDATA) and the adds.
  EXPECT_EQ(rrStrings(ldns_pkt_answer(p)),
            (std::vector<std::string>{"www.example.test. 0 IN A 203.0.113.20", "new.example.test. 0 NONE AAAA \\# 0"}));
  EXPECT_EQ(rrStrings(ldns_pkt_authority(p)),
            (std::vector<std::string>{"www.example.test. 0 ANY A \\# 0", "www.example.test. 30 IN A 203.0.113.10",
                                      "www.example.test. 30 IN A 203.0.113.11", "new.example.test. 0 ANY AAAA \\# 0",
                                      "new.example.test. 60 IN AAAA 2001:db8::1", "example.test. 0 ANY A \\# 0"}));
  ASSERT_NE(ldns_pkt_tsig(p), nullptr);
  EXPECT_EQ(e.mac.size(), 32u);
  EXPECT_TRUE(ldns_pkt_tsig_verify(p, e.wire.data(), e.wire.size(), "failover-key.", k.secret.c_str(), nullptr));
  ldns_pkt_free(p);
  // A new attempt is a new message: another ID, another MAC.
  Encoded again = req->encode(0x4321, 1001);
  EXPECT_EQ(again.wire[0], 0x43);
  EXPECT_NE(again.mac, e.mac);
  // Unsigned when no key is given.
  auto plain = casUpdate(nullptr);
  ASSERT_TRUE(plain);
  EXPECT_TRUE(plain->encode(1, 1).mac.empty());
}

TEST(UpdateMsg, RefusesBadChangesNamingThem) {
  struct Case {
    RrsetChange change;
    std::string error;
  } cases[] = {
      {{"www.example.com", kTypeA, 60, {"203.0.113.1"}, {}}, "www.example.com is not in zone example.test"},
      {{"www.example.test", kTypeA, 60, {"2001:db8::1"}, {}},
       "www.example.test: \"2001:db8::1\" is not an IPv4 address (type A)"},
      {{"www.example.test", kTypeAaaa, 60, {"203.0.113.1"}, {}},
       "www.example.test: \"203.0.113.1\" is not an IPv6 address (type AAAA)"},
      {{"www.example.test", kTypeA, 60, {"203.0.113.1"}, std::vector<std::string>{"x"}},
       "www.example.test: expected \"x\" is not an IPv4 address (type A)"},
      {{"www.example.test", 16, 60, {"x"}, {}}, "www.example.test: only A and AAAA records are updated"},
  };
  for (const auto& c : cases) {
    std::string err;
    EXPECT_FALSE(Request::update("example.test", {c.change}, nullptr, &err));
    EXPECT_EQ(err, c.error);
  }
  std::string err;
  RrsetChange a{"www.example.test", kTypeA, 60, {"203.0.113.1"}, {}};
  EXPECT_FALSE(Request::update("example.test", {a, a}, nullptr, &err));
  EXPECT_EQ(err, "www.example.test A is changed twice in one update");
  EXPECT_FALSE(Request::update("example.test", {}, nullptr, &err));
  EXPECT_EQ(err, "an update needs at least one change");
}

TEST(UpdateMsg, AcceptsAVerifiedReplyOnly) {
  TsigKey k = testKey();
  auto req = casUpdate(&k);
  ASSERT_TRUE(req);
  Encoded sent = req->encode(777, 5000);
  Reply r;
  std::string why;

  auto good = reply(*req, sent, kNoError);
  tsigSign(good, k, 5000, sent.mac, nullptr);
  ASSERT_EQ(req->check(sent, good.data(), good.size(), 5001, &r, &why), ReplyCheck::Accept) << why;
  EXPECT_TRUE(r.verified);
  EXPECT_EQ(r.rcode, kNoError);

  auto yx = reply(*req, sent, kYxRrset);
  tsigSign(yx, k, 5000, sent.mac, nullptr);
  ASSERT_EQ(req->check(sent, yx.data(), yx.size(), 5001, &r, &why), ReplyCheck::Accept) << why;
  EXPECT_EQ(rcodeName(r.rcode), "YXRRSET");

  // Forged: unsigned success, signed with another secret, another ID, another question.
  auto unsig = reply(*req, sent, kNoError);
  EXPECT_EQ(req->check(sent, unsig.data(), unsig.size(), 5001, &r, &why), ReplyCheck::Ignore);
  EXPECT_EQ(why, "an unsigned NOERROR reply to a signed request");
  auto unsigNx = reply(*req, sent, kNxRrset);
  EXPECT_EQ(req->check(sent, unsigNx.data(), unsigNx.size(), 5001, &r, &why), ReplyCheck::Ignore);
  auto other = reply(*req, sent, kNoError);
  tsigSign(other, testKey("b3RoZXItc2VjcmV0"), 5000, sent.mac, nullptr);
  EXPECT_EQ(req->check(sent, other.data(), other.size(), 5001, &r, &why), ReplyCheck::Ignore);
  EXPECT_EQ(why, "a reply whose TSIG does not verify");
  Encoded elsewhere = sent;
  elsewhere.id = 778;
  EXPECT_EQ(req->check(elsewhere, good.data(), good.size(), 5001, &r, &why), ReplyCheck::Ignore);
  EXPECT_EQ(why, "a reply with the wrong ID");
  auto q = Request::query("example.test", kTypeSoa, &k, nullptr);
  auto asQuery = reply(*q, sent, kNoError);
  EXPECT_EQ(req->check(sent, asQuery.data(), asQuery.size(), 5001, &r, &why), ReplyCheck::Ignore);
  EXPECT_EQ(why, "a reply with the wrong opcode");
  auto cut = good;
  cut.resize(cut.size() - 5);
  EXPECT_EQ(req->check(sent, cut.data(), cut.size(), 5001, &r, &why), ReplyCheck::Ignore);
  EXPECT_EQ(req->check(sent, sent.wire.data(), sent.wire.size(), 5001, &r, &why), ReplyCheck::Ignore);
  EXPECT_EQ(why, "a message that is not a reply");

  // A signed reply with one more, incomplete record after its TSIG (what made ldns's
  // parser leak the TSIG it had read): refused before ldns sees it.
  auto afterTsig = good;
  afterTsig[11] = static_cast<std::uint8_t>(afterTsig[11] + 1);  // ARCOUNT + 1
  afterTsig.insert(afterTsig.end(), {0, 0, 1});                  // root name, half a type
  EXPECT_EQ(req->check(sent, afterTsig.data(), afterTsig.size(), 5001, &r, &why), ReplyCheck::Ignore);
  EXPECT_EQ(why.rfind("a malformed reply: a TSIG record that is not the last record at offset ", 0), 0u) << why;
}

TEST(UpdateMsg, ReportsTsigErrorsAndUnsignedRefusals) {
  TsigKey k = testKey();
  auto req = casUpdate(&k);
  Encoded sent = req->encode(9, 5000);
  Reply r;
  std::string why;
  auto badkey = reply(*req, sent, kNotAuth);
  appendTsigError(badkey, k, kTsigBadKey);
  ASSERT_EQ(req->check(sent, badkey.data(), badkey.size(), 5000, &r, &why), ReplyCheck::Accept) << why;
  EXPECT_EQ(rcodeName(r.rcode), "NOTAUTH");
  EXPECT_EQ(tsigErrorName(r.tsigError), "BADKEY");
  EXPECT_FALSE(r.verified);
  auto badsig = reply(*req, sent, kNotAuth);
  appendTsigError(badsig, k, kTsigBadSig);
  ASSERT_EQ(req->check(sent, badsig.data(), badsig.size(), 5000, &r, &why), ReplyCheck::Accept) << why;
  EXPECT_EQ(tsigErrorName(r.tsigError), "BADSIG");
  auto notauth = reply(*req, sent, kNotAuth);
  ASSERT_EQ(req->check(sent, notauth.data(), notauth.size(), 5000, &r, &why), ReplyCheck::Accept) << why;
  EXPECT_TRUE(r.unsignedReply);
  EXPECT_EQ(r.tsigError, 0);
  auto refused = reply(*req, sent, kRefused);
  ASSERT_EQ(req->check(sent, refused.data(), refused.size(), 5000, &r, &why), ReplyCheck::Accept) << why;
  EXPECT_TRUE(r.unsignedReply);
}

TEST(UpdateMsg, ReadsAnRrsetAndTheSerial) {
  auto q = Request::query("www.example.test", kTypeA, nullptr, nullptr);
  ASSERT_TRUE(q);
  Encoded sent = q->encode(55, 0);
  ldns_pkt* p = nullptr;
  ASSERT_EQ(ldns_wire2pkt(&p, sent.wire.data(), sent.wire.size()), LDNS_STATUS_OK);
  EXPECT_FALSE(ldns_pkt_rd(p));
  ldns_pkt_free(p);
  Reply r;
  std::string why;
  auto w = reply(*q, sent, kNoError, {"WWW.example.test. 60 IN A 203.0.113.10", "www.example.test. 60 IN A 203.0.113.11",
                                      "other.example.test. 60 IN A 203.0.113.99"});
  ASSERT_EQ(q->check(sent, w.data(), w.size(), 0, &r, &why), ReplyCheck::Accept) << why;
  EXPECT_EQ(r.records, (std::vector<std::string>{"203.0.113.10", "203.0.113.11"}));
  EXPECT_FALSE(r.soaSerial);
  auto nodata = reply(*q, sent, kNoError, {}, {"example.test. 60 IN SOA ns1.example.test. h.example.test. 42 1 1 1 1"});
  ASSERT_EQ(q->check(sent, nodata.data(), nodata.size(), 0, &r, &why), ReplyCheck::Accept) << why;
  EXPECT_TRUE(r.records.empty());
  EXPECT_EQ(r.soaSerial, 42u);
  auto soa = Request::query("example.test", kTypeSoa, nullptr, nullptr);
  Encoded s2 = soa->encode(56, 0);
  auto sw = reply(*soa, s2, kNoError, {"example.test. 60 IN SOA ns1.example.test. h.example.test. 2026120601 1 1 1 1"});
  ASSERT_EQ(soa->check(s2, sw.data(), sw.size(), 0, &r, &why), ReplyCheck::Accept) << why;
  EXPECT_EQ(r.soaSerial, 2026120601u);
  auto wrongQ = reply(*soa, sent, kNoError);
  EXPECT_EQ(q->check(sent, wrongQ.data(), wrongQ.size(), 0, &r, &why), ReplyCheck::Ignore);
  EXPECT_EQ(why, "a reply to another question");
}

TEST(UpdateMsg, SameRecordsIgnoresOrderAndSpelling) {
  EXPECT_TRUE(sameRecords(kTypeA, {"203.0.113.1", "203.0.113.2"}, {"203.0.113.2", "203.0.113.1"}));
  EXPECT_TRUE(sameRecords(kTypeAaaa, {"2001:DB8:0::1"}, {"2001:db8::1"}));
  EXPECT_FALSE(sameRecords(kTypeA, {"203.0.113.1"}, {"203.0.113.1", "203.0.113.2"}));
  EXPECT_TRUE(sameRecords(kTypeA, {}, {}));
  EXPECT_EQ(rcodeName(kNxRrset), "NXRRSET");
  EXPECT_EQ(rcodeName(23), "RCODE23");
}

}  // namespace
}  // namespace fail::dns
