// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// TSIG signing and verification, with ldns as the oracle for the algorithms it knows.
#include "dns/tsig_sign.hh"

#include <gtest/gtest.h>

#include <ctime>

#include "dns/ldns.hh"

namespace fail::dns {
namespace {

TsigKey key(const char* algorithm) {
  TsigKey k;
  k.name = "failover-key";
  k.algorithm = tsigAlgorithm(algorithm);
  k.secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ=";
  return k;
}

// A query for www.example.test A with `id`, as ldns encodes it.
std::vector<std::uint8_t> queryWire(std::uint16_t id, bool response) {
  ldns_pkt* p = ldns_pkt_query_new(ldns_dname_new_frm_str("www.example.test."), LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, 0);
  ldns_pkt_set_id(p, id);
  ldns_pkt_set_qr(p, response);
  std::uint8_t* w = nullptr;
  size_t n = 0;
  EXPECT_EQ(ldns_pkt2wire(&w, p, &n), LDNS_STATUS_OK);
  std::vector<std::uint8_t> out(w, w + n);
  free(w);
  ldns_pkt_free(p);
  return out;
}

class TsigSignLdns : public ::testing::TestWithParam<const char*> {};

// ldns verifies what we sign (a request), and we verify what ldns signs (the reply, over
// our request's MAC).
TEST_P(TsigSignLdns, AgreesWithLdnsBothWays) {
  TsigKey k = key(GetParam());
  std::uint64_t now = static_cast<std::uint64_t>(std::time(nullptr));
  auto wire = queryWire(4242, false);
  std::string err;
  auto mac = tsigSign(wire, k, now, {}, &err);
  ASSERT_FALSE(mac.empty()) << err;

  ldns_pkt* req = nullptr;
  ASSERT_EQ(ldns_wire2pkt(&req, wire.data(), wire.size()), LDNS_STATUS_OK);
  EXPECT_TRUE(ldns_pkt_tsig_verify(req, wire.data(), wire.size(), k.ldnsName().c_str(), k.secret.c_str(), nullptr));
  ldns_pkt_free(req);

  ldns_pkt* rep = nullptr;
  auto repWire = queryWire(4242, true);
  ASSERT_EQ(ldns_wire2pkt(&rep, repWire.data(), repWire.size()), LDNS_STATUS_OK);
  std::vector<std::uint8_t> macData{static_cast<std::uint8_t>(mac.size() >> 8), static_cast<std::uint8_t>(mac.size())};
  macData.insert(macData.end(), mac.begin(), mac.end());
  ldns_rdf* macRdf = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_INT16_DATA, macData.size(), macData.data());
  ASSERT_EQ(ldns_pkt_tsig_sign(rep, k.ldnsName().c_str(), k.secret.c_str(), 300, k.algorithm.c_str(), macRdf),
            LDNS_STATUS_OK);
  std::uint8_t* w = nullptr;
  size_t n = 0;
  ASSERT_EQ(ldns_pkt2wire(&w, rep, &n), LDNS_STATUS_OK);
  TsigSeen seen;
  EXPECT_EQ(tsigVerify(w, n, k, mac, now, &seen), TsigVerdict::Verified);
  EXPECT_TRUE(seen.present);
  EXPECT_EQ(seen.keyName, "failover-key");
  EXPECT_EQ(seen.algorithm, k.algorithm);
  // Over another request's MAC, the same reply does not verify.
  auto other = mac;
  other[0] ^= 1;
  EXPECT_EQ(tsigVerify(w, n, k, other, now, nullptr), TsigVerdict::Forged);
  free(w);
  ldns_rdf_deep_free(macRdf);
  ldns_pkt_free(rep);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, TsigSignLdns,
                         ::testing::Values("hmac-sha256", "hmac-sha512", "hmac-sha1", "hmac-md5"));

// sha384 and sha224 (which ldns 1.8.3 cannot do): a reply we sign verifies, a flipped
// byte anywhere but in the header's ID does not.
TEST(TsigSign, Sha384AndSha224SignAndVerify) {
  for (const char* a : {"hmac-sha384", "hmac-sha224", "hmac-sha256"}) {
    TsigKey k = key(a);
    auto req = queryWire(7, false);
    auto mac = tsigSign(req, k, 1000, {}, nullptr);
    ASSERT_EQ(mac.size(), std::string(a) == "hmac-sha384" ? 48u : std::string(a) == "hmac-sha224" ? 28u : 32u);
    auto rep = queryWire(7, true);
    tsigSign(rep, k, 1001, mac, nullptr);
    EXPECT_EQ(tsigVerify(rep.data(), rep.size(), k, mac, 1000, nullptr), TsigVerdict::Verified) << a;
    for (std::size_t i = 2; i < rep.size(); ++i) {  // not the ID: the digest has the original ID
      auto bad = rep;
      bad[i] ^= 0x01;
      EXPECT_NE(tsigVerify(bad.data(), bad.size(), k, mac, 1000, nullptr), TsigVerdict::Verified) << a << " byte " << i;
    }
  }
}

TEST(TsigSign, TellsUnsignedWrongKeyAndTime) {
  TsigKey k = key("hmac-sha256");
  auto req = queryWire(9, false);
  auto mac = tsigSign(req, k, 5000, {}, nullptr);
  auto rep = queryWire(9, true);
  EXPECT_EQ(tsigVerify(rep.data(), rep.size(), k, mac, 5000, nullptr), TsigVerdict::Unsigned);
  TsigKey other = k;
  other.secret = "b3RoZXItc2VjcmV0";
  auto forged = rep;
  tsigSign(forged, other, 5000, mac, nullptr);
  EXPECT_EQ(tsigVerify(forged.data(), forged.size(), k, mac, 5000, nullptr), TsigVerdict::Forged);
  other = k;
  other.name = "another-key";
  forged = rep;
  tsigSign(forged, other, 5000, mac, nullptr);
  EXPECT_EQ(tsigVerify(forged.data(), forged.size(), k, mac, 5000, nullptr), TsigVerdict::Forged);
  auto late = rep;
  tsigSign(late, k, 5000, mac, nullptr);
  EXPECT_EQ(tsigVerify(late.data(), late.size(), k, mac, 5000 + kTsigFudge + 1, nullptr), TsigVerdict::BadTime);
  EXPECT_EQ(tsigVerify(late.data(), late.size(), k, mac, 5000 + kTsigFudge, nullptr), TsigVerdict::Verified);
  for (std::size_t cut = 0; cut < late.size(); ++cut)
    EXPECT_NE(tsigVerify(late.data(), cut, k, mac, 5000, nullptr), TsigVerdict::Verified) << cut;
}

TEST(TsigSign, NamesErrors) {
  EXPECT_EQ(tsigErrorName(0), "");
  EXPECT_EQ(tsigErrorName(kTsigBadSig), "BADSIG");
  EXPECT_EQ(tsigErrorName(kTsigBadKey), "BADKEY");
  EXPECT_EQ(tsigErrorName(kTsigBadTime), "BADTIME");
  EXPECT_EQ(tsigErrorName(99), "TSIGERROR99");
}

}  // namespace
}  // namespace fail::dns
