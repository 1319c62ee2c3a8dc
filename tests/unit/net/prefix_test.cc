// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "net/prefix.hh"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <cstring>

namespace fail::net {
namespace {

sockaddr_storage v4(const char* text) {
  sockaddr_storage ss{};
  auto* in = reinterpret_cast<sockaddr_in*>(&ss);
  in->sin_family = AF_INET;
  in->sin_port = htons(53);
  EXPECT_EQ(inet_pton(AF_INET, text, &in->sin_addr), 1);
  return ss;
}

sockaddr_storage v6(const char* text) {
  sockaddr_storage ss{};
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
  in6->sin6_family = AF_INET6;
  EXPECT_EQ(inet_pton(AF_INET6, text, &in6->sin6_addr), 1);
  return ss;
}

const sockaddr* sa(const sockaddr_storage& ss) { return reinterpret_cast<const sockaddr*>(&ss); }

Prefix parse(const char* text) {
  Prefix p;
  std::string err;
  EXPECT_TRUE(parsePrefix(text, &p, &err)) << err;
  return p;
}

TEST(Prefix, ParsesIpv4WithLength) {
  Prefix p = parse("203.0.113.0/24");
  EXPECT_EQ(p.family, AF_INET);
  EXPECT_EQ(p.length, 24u);
  EXPECT_EQ(p.str(), "203.0.113.0/24");
}

TEST(Prefix, BareAddressIsTheHostAlone) {
  EXPECT_EQ(parse("127.0.0.1").str(), "127.0.0.1/32");
  EXPECT_EQ(parse("::1").str(), "::1/128");
  EXPECT_EQ(parse("::1/128").str(), "::1/128");
}

TEST(Prefix, ZeroLengthMatchesTheWholeFamily) {
  Prefix p = parse("0.0.0.0/0");
  EXPECT_TRUE(p.contains(sa(v4("203.0.113.9"))));
  EXPECT_TRUE(p.contains(sa(v4("127.0.0.1"))));
  EXPECT_FALSE(p.contains(sa(v6("::1"))));
  EXPECT_TRUE(parse("::/0").contains(sa(v6("2001:db8::1"))));
}

TEST(Prefix, ContainsIpv4) {
  Prefix p = parse("127.0.0.0/8");
  EXPECT_TRUE(p.contains(sa(v4("127.0.0.1"))));
  EXPECT_TRUE(p.contains(sa(v4("127.255.1.2"))));
  EXPECT_FALSE(p.contains(sa(v4("128.0.0.1"))));
  EXPECT_FALSE(p.contains(sa(v6("::1"))));
  EXPECT_FALSE(p.contains(nullptr));
}

TEST(Prefix, ContainsWithLengthNotOnAByte) {
  Prefix p = parse("203.0.113.64/26");
  EXPECT_TRUE(p.contains(sa(v4("203.0.113.64"))));
  EXPECT_TRUE(p.contains(sa(v4("203.0.113.127"))));
  EXPECT_FALSE(p.contains(sa(v4("203.0.113.128"))));
  EXPECT_FALSE(p.contains(sa(v4("203.0.113.63"))));
}

TEST(Prefix, ContainsIpv6) {
  Prefix p = parse("2001:db8::/32");
  EXPECT_TRUE(p.contains(sa(v6("2001:db8:1::5"))));
  EXPECT_FALSE(p.contains(sa(v6("2001:db9::5"))));
  EXPECT_FALSE(p.contains(sa(v4("203.0.113.1"))));
  EXPECT_TRUE(parse("::1").contains(sa(v6("::1"))));
  EXPECT_FALSE(parse("::1").contains(sa(v6("::2"))));
}

TEST(Prefix, MappedIpv6PeerMatchesIpv4Prefix) {
  EXPECT_TRUE(parse("127.0.0.0/8").contains(sa(v6("::ffff:127.0.0.1"))));
  EXPECT_FALSE(parse("127.0.0.0/8").contains(sa(v6("::ffff:10.0.0.1"))));
}

TEST(Prefix, AnyContains) {
  std::vector<Prefix> list{parse("10.0.0.0/8"), parse("::1")};
  EXPECT_TRUE(anyContains(list, sa(v6("::1"))));
  EXPECT_TRUE(anyContains(list, sa(v4("10.1.2.3"))));
  EXPECT_FALSE(anyContains(list, sa(v4("127.0.0.1"))));
  EXPECT_FALSE(anyContains({}, sa(v4("127.0.0.1"))));
}

void expectError(const char* text, const char* what) {
  Prefix p;
  std::string err;
  EXPECT_FALSE(parsePrefix(text, &p, &err)) << text;
  EXPECT_NE(err.find(what), std::string::npos) << err;
}

TEST(Prefix, RejectsGarbageQuotingIt) {
  expectError("", "empty address prefix");
  expectError("foo", "not an IPv4 or IPv6 address: \"foo\"");
  expectError("127.0.0.1/", "bad prefix length: \"127.0.0.1/\"");
  expectError("127.0.0.1/x", "bad prefix length");
  expectError("127.0.0.1/33", "prefix length above 32");
  expectError("::1/129", "prefix length above 128");
  expectError("::1/0128", "bad prefix length");
  expectError("/8", "not an IPv4 or IPv6 address");
  expectError("127.0.0.01/8", "not an IPv4 or IPv6 address");
  expectError("fe80::1%eth0/64", "not an IPv4 or IPv6 address");
  expectError("127.0.0.1/8 ", "bad prefix length");
  expectError("1.2.3.4\x01", "\\x01");
}

TEST(Prefix, RejectsHostBitsNamingTheNetwork) {
  expectError("203.0.113.7/24", "host bits set after the prefix length (the network is 203.0.113.0/24)");
  expectError("2001:db8::1/32", "2001:db8::/32");
}

}  // namespace
}  // namespace fail::net
