// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/record.hh"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "dns/wire.hh"

namespace fail::dns {
namespace {

std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

TEST(DnsRecord, ParsesAnyTypeLdnsKnowsIntoUncompressedWire) {
  StaticRecord r;
  std::string err;
  ASSERT_TRUE(parseRecord("@", "MX", 3600, "10 mail.example.com.", "example.com", r, &err)) << err;
  EXPECT_EQ(r.owner, "example.com");
  EXPECT_EQ(r.type, 15);
  EXPECT_EQ(r.ttl, 3600u);
  EXPECT_EQ(r.rdata, bytes(std::string("\0\x0a", 2) + wire::toWire("mail.example.com")));

  ASSERT_TRUE(parseRecord("Www", "cname", 60, "web", "example.com", r, &err)) << err;  // relative names
  EXPECT_EQ(r.owner, "www.example.com");
  EXPECT_EQ(r.type, 5);
  EXPECT_EQ(r.rdata, bytes(wire::toWire("web.example.com")));

  ASSERT_TRUE(parseRecord("example.com.", "TXT", 60, "\"v=spf1 -all\" \"two\"", "example.com", r, &err)) << err;
  EXPECT_EQ(r.rdata, bytes("\x0bv=spf1 -all\x03two"));

  ASSERT_TRUE(parseRecord("_sip._tcp", "SRV", 60, "0 5 5060 sip.example.com.", "example.com", r, &err)) << err;
  EXPECT_EQ(r.type, 33);
  EXPECT_EQ(r.rdata.size(), 6 + wire::toWire("sip.example.com").size());

  ASSERT_TRUE(parseRecord("@", "CAA", 60, "0 issue \"letsencrypt.org\"", "example.com", r, &err)) << err;
  EXPECT_EQ(r.type, 257);

  ASSERT_TRUE(parseRecord("ns1", "A", 60, "203.0.113.53", "example.com", r, &err)) << err;
  EXPECT_EQ(r.rdata, (std::vector<std::uint8_t>{203, 0, 113, 53}));
  ASSERT_TRUE(parseRecord("ns1", "AAAA", 60, "2001:db8::53", "example.com", r, &err)) << err;
  EXPECT_EQ(r.rdata.size(), 16u);
  ASSERT_TRUE(parseRecord("x", "TYPE65534", 60, "\\# 2 abcd", "example.com", r, &err)) << err;
  EXPECT_EQ(r.rdata, (std::vector<std::uint8_t>{0xab, 0xcd}));
}

TEST(DnsRecord, RejectsGarbageSayingWhat) {
  StaticRecord r;
  std::string err;
  EXPECT_FALSE(parseRecord("www", "BOGUS", 60, "1.2.3.4", "example.com", r, &err));
  EXPECT_NE(err.find("BOGUS"), std::string::npos) << err;
  EXPECT_FALSE(parseRecord("www", "A", 60, "not-an-address", "example.com", r, &err));
  EXPECT_NE(err.find("not-an-address"), std::string::npos) << err;
  EXPECT_FALSE(parseRecord("www", "MX", 60, "ten mail", "example.com", r, &err));
  EXPECT_NE(err.find("MX"), std::string::npos) << err;
  EXPECT_FALSE(parseRecord("www.example.net.", "A", 60, "203.0.113.1", "example.com", r, &err));
  EXPECT_NE(err.find("outside zone"), std::string::npos) << err;
  EXPECT_FALSE(parseRecord("@", "SOA", 60, "a. b. 1 2 3 4 5", "example.com", r, &err));
  EXPECT_NE(err.find("SOA"), std::string::npos) << err;
  EXPECT_FALSE(parseRecord("www", "A", 60, "203.0.113.1\nevil 60 IN A 1.2.3.4", "example.com", r, &err));
  EXPECT_FALSE(parseRecord("www", "TXT", 60, std::string("\"a\0b\"", 5), "example.com", r, &err));
  EXPECT_NE(err.find("control byte"), std::string::npos) << err;
  // A ';' inside quotes is data (DKIM); outside, ldns would read a comment: refused.
  ASSERT_TRUE(parseRecord("k._domainkey", "TXT", 60, "\"v=DKIM1; k=rsa\"", "example.com", r, &err)) << err;
  EXPECT_EQ(r.rdata, bytes("\x0ev=DKIM1; k=rsa"));
  EXPECT_FALSE(parseRecord("www", "TXT", 60, "\"a\" ; comment", "example.com", r, &err));
  EXPECT_FALSE(parseRecord("www", "MX", 60, "10 ; mail", "example.com", r, &err));
  EXPECT_FALSE(parseRecord("www", "A", 0x80000000U, "203.0.113.1", "example.com", r, &err));
  EXPECT_FALSE(parseRecord("www", "OPT", 60, "", "example.com", r, &err));
  EXPECT_FALSE(parseRecord("www", "A", 60, "", "example.com", r, &err));
  EXPECT_FALSE(parseRecord("www", "MX", 60, "  ", "example.com", r, &err));
  // RFC 3597 type numbers: 1 to 65535 only (found by fuzz_dns_record).
  for (const char* t : {"TYPE-195", "Type4294967101", "TYPE65536", "TYPE0", "TYPE"})
    EXPECT_FALSE(parseRecord("www", t, 60, "\\# 0", "example.com", r, &err)) << t;
  EXPECT_TRUE(parseRecord("www", "type65535", 60, "\\# 0", "example.com", r, &err)) << err;
}

class DnsZoneFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/dns-zone-XXXXXX";
    const int fd = mkstemp(tmpl);
    ASSERT_GE(fd, 0);
    close(fd);
    path_ = tmpl;
  }
  void TearDown() override { unlink(path_.c_str()); }
  void write(const std::string& text) { std::ofstream(path_) << text; }
  std::string path_;
};

TEST_F(DnsZoneFile, ReadsRecordsAndTheApexSoaAndNs) {
  write(
      "$ORIGIN example.com.\n$TTL 300\n"
      "@ 600 IN SOA ns1 admin.example.com. 7 100 200 300 40\n"
      "@ IN NS ns1\n@ IN NS ns2.example.com.\n"
      "ns1 IN A 203.0.113.53\n"
      "www 60 IN CNAME web\n"
      "@ IN MX 10 mail\n");
  std::vector<StaticRecord> recs;
  Zone z;
  std::string err;
  ASSERT_TRUE(readZoneFile(path_, "example.com", recs, &z, &err)) << err;
  EXPECT_EQ(z.mbox, "admin.example.com");
  EXPECT_EQ(z.refresh, 100u);
  EXPECT_EQ(z.retry, 200u);
  EXPECT_EQ(z.expire, 300u);
  EXPECT_EQ(z.minimum, 40u);
  EXPECT_EQ(z.ns, (std::vector<std::string>{"ns1.example.com", "ns2.example.com"}));
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[0].owner, "ns1.example.com");
  EXPECT_EQ(recs[0].ttl, 300u);
  EXPECT_EQ(recs[1].owner, "www.example.com");
  EXPECT_EQ(recs[1].ttl, 60u);
  EXPECT_EQ(recs[2].type, 15);
}

TEST_F(DnsZoneFile, ErrorsNameFileAndLine) {
  write("$ORIGIN example.com.\n$TTL 300\nok IN A 203.0.113.1\nbad IN A 999.1.1.1\n");
  std::vector<StaticRecord> recs;
  std::string err;
  EXPECT_FALSE(readZoneFile(path_, "example.com", recs, nullptr, &err));
  EXPECT_NE(err.find(path_ + ":4"), std::string::npos) << err;
  EXPECT_TRUE(recs.empty());
  write("$ORIGIN example.com.\n$TTL 300\nbad IN MX x\nok IN A 203.0.113.1\n");
  EXPECT_FALSE(readZoneFile(path_, "example.com", recs, nullptr, &err));
  EXPECT_NE(err.find(path_ + ":3:"), std::string::npos) << err;
  write("$ORIGIN example.com.\n$TTL 300\nbad IN A 1");
  EXPECT_FALSE(readZoneFile(path_, "example.com", recs, nullptr, &err));
  EXPECT_NE(err.find(path_ + ":3:"), std::string::npos) << err;

  write("$TTL 300\nwww.example.net. IN A 203.0.113.1\n");
  EXPECT_FALSE(readZoneFile(path_, "example.com", recs, nullptr, &err));
  EXPECT_NE(err.find("outside zone"), std::string::npos) << err;
  EXPECT_NE(err.find(path_), std::string::npos) << err;

  EXPECT_FALSE(readZoneFile("/nonexistent/zone", "example.com", recs, nullptr, &err));
  EXPECT_NE(err.find("/nonexistent/zone"), std::string::npos) << err;
}

TEST(DnsRecord, ParsesAddresses) {
  IpAddress a;
  std::string err;
  ASSERT_TRUE(parseAddress("203.0.113.10", a, &err));
  EXPECT_EQ(a.family, AF_INET);
  EXPECT_EQ(a.bytes[0], 203);
  EXPECT_EQ(a.text, "203.0.113.10");
  ASSERT_TRUE(parseAddress("2001:db8::10", a, &err));
  EXPECT_EQ(a.family, AF_INET6);
  EXPECT_EQ(a.bytes[15], 0x10);
  EXPECT_FALSE(parseAddress("203.0.113", a, &err));
  EXPECT_NE(err.find("203.0.113"), std::string::npos);
  EXPECT_FALSE(parseAddress("", a, &err));
  EXPECT_FALSE(parseAddress("www.example.com", a, &err));
}

}  // namespace
}  // namespace fail::dns
