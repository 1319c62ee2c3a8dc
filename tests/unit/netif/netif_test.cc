// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// lib/netif: the CIDR parser, the failures that need no namespace, and adding, finding,
// listing and removing addresses on a veth end inside a network namespace, checked
// against `ip -o addr show` (see netns_util.hh). Announcements: announce_test.cc.
#include <gtest/gtest.h>
#include <linux/capability.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "netif/netif.hh"
#include "netns_util.hh"

namespace fail::netif {
namespace {

using test::NetnsPair;
using namespace std::chrono_literals;

Cidr parsed(const std::string& text) {
  Cidr c;
  std::string err;
  EXPECT_TRUE(parseCidr(text, &c, &err)) << text << ": " << err;
  return c;
}

std::string refused(std::string_view text) {
  Cidr c;
  std::string err;
  EXPECT_FALSE(parseCidr(text, &c, &err)) << text;
  return err;
}

TEST(NetifCidr, ParsesBothFamilies) {
  Cidr c = parsed("203.0.113.7/24");
  EXPECT_EQ(c.family, AF_INET);
  EXPECT_EQ(c.prefix, 24u);
  EXPECT_EQ(c.bytes[0], 203);
  EXPECT_EQ(c.bytes[3], 7);
  EXPECT_EQ(c.bytes[4], 0);
  EXPECT_EQ(c.str(), "203.0.113.7/24");
  EXPECT_EQ(c.address(), "203.0.113.7");

  c = parsed("2001:DB8:0::7/64");
  EXPECT_EQ(c.family, AF_INET6);
  EXPECT_EQ(c.prefix, 64u);
  EXPECT_EQ(c.str(), "2001:db8::7/64");  // canonical text
  EXPECT_EQ(parsed("fe80::1/0").prefix, 0u);
  EXPECT_EQ(parsed("::ffff:203.0.113.7/128").family, AF_INET6);
}

TEST(NetifCidr, PrefixDefaultsToHost) {
  EXPECT_EQ(parsed("203.0.113.7").prefix, 32u);
  EXPECT_EQ(parsed("2001:db8::7").prefix, 128u);
  EXPECT_EQ(parsed("203.0.113.7"), parsed("203.0.113.7/32"));
  EXPECT_NE(parsed("203.0.113.7/24"), parsed("203.0.113.7/25"));
  EXPECT_TRUE(parsed("203.0.113.7/24").sameAddress(parsed("203.0.113.7/25")));
}

TEST(NetifCidr, RejectsGarbage) {
  struct Case {
    std::string text, message;
  } cases[] = {
      {"", "empty address: \"\""},
      {"foo", "not an IPv4 or IPv6 address: \"foo\""},
      {"/24", "not an IPv4 or IPv6 address: \"/24\""},
      {"203.0.113", "not an IPv4 or IPv6 address: \"203.0.113\""},
      {"203.0.113.256", "not an IPv4 or IPv6 address: \"203.0.113.256\""},
      {"203.0.113.07", "not an IPv4 or IPv6 address: \"203.0.113.07\""},
      {" 203.0.113.7", "not an IPv4 or IPv6 address: \" 203.0.113.7\""},
      {"203.0.113.7:80", "not an IPv4 or IPv6 address: \"203.0.113.7:80\""},
      {"fe80::1%eth0/64", "not an IPv4 or IPv6 address: \"fe80::1%eth0/64\""},
      {"2001:db8:::1", "not an IPv4 or IPv6 address: \"2001:db8:::1\""},
      {"203.0.113.7/", "bad prefix length: \"203.0.113.7/\""},
      {"203.0.113.7/2a", "bad prefix length: \"203.0.113.7/2a\""},
      {"203.0.113.7/+24", "bad prefix length: \"203.0.113.7/+24\""},
      {"203.0.113.7/-1", "bad prefix length: \"203.0.113.7/-1\""},
      {"203.0.113.7/0024", "bad prefix length: \"203.0.113.7/0024\""},
      {"203.0.113.7/24/1", "bad prefix length: \"203.0.113.7/24/1\""},
      {"203.0.113.7/24 ", "bad prefix length: \"203.0.113.7/24 \""},
      {"203.0.113.7/33", "prefix length above 32: \"203.0.113.7/33\""},
      {"2001:db8::7/129", "prefix length above 128: \"2001:db8::7/129\""},
      {"0.0.0.0/0", "not a host address (unspecified): \"0.0.0.0/0\""},
      {"::", "not a host address (unspecified): \"::\""},
      {"224.0.0.1", "not a host address (multicast): \"224.0.0.1\""},
      {"ff02::1", "not a host address (multicast): \"ff02::1\""},
      {"255.255.255.255/32", "not a host address (broadcast): \"255.255.255.255/32\""},
      {std::string("203.0.113.7\0/24", 15), "not an IPv4 or IPv6 address: \"203.0.113.7\\x00/24\""},
      {"203.0.113.7\n", "not an IPv4 or IPv6 address: \"203.0.113.7\\x0a\""},
  };
  for (const Case& c : cases) EXPECT_EQ(refused(c.text), c.message) << c.text;
  // Long input is cut short in the message, and leaves *out alone.
  Cidr keep = parsed("203.0.113.9/30"), out = keep;
  std::string err;
  EXPECT_FALSE(parseCidr(std::string(5000, '1'), &out, &err));
  EXPECT_EQ(out, keep);
  EXPECT_EQ(err, "not an IPv4 or IPv6 address: \"" + std::string(64, '1') + "...\"");
  EXPECT_FALSE(parseCidr("x", &out));  // no error string wanted
}

TEST(NetifErrors, UnknownOrBadInterface) {
  // No namespace needed: the name is looked up before anything is asked of the kernel.
  Cidr c = parsed("203.0.113.7/24");
  std::string err;
  bool flag = true;
  EXPECT_FALSE(addAddress("nif-nosuch0", c, &err, &flag));
  EXPECT_EQ(err, "nif-nosuch0: no such interface");
  EXPECT_FALSE(flag);
  EXPECT_FALSE(delAddress("nif-nosuch0", c, &err, &flag));
  EXPECT_EQ(err, "nif-nosuch0: no such interface");
  EXPECT_FALSE(hasAddress("nif-nosuch0", c, &err));
  EXPECT_EQ(err, "nif-nosuch0: no such interface");
  EXPECT_TRUE(listAddresses("nif-nosuch0", &err).empty());
  EXPECT_EQ(err, "nif-nosuch0: no such interface");
  EXPECT_FALSE(announce("nif-nosuch0", c, 1, &err));
  EXPECT_EQ(err, "nif-nosuch0: no such interface");

  EXPECT_FALSE(addAddress("", c, &err));
  EXPECT_EQ(err, "bad interface name: \"\"");
  EXPECT_FALSE(addAddress("a-name-longer-than-15", c, &err));
  EXPECT_EQ(err, "bad interface name: \"a-name-longer-than-15\"");
  EXPECT_FALSE(addAddress(std::string("lo\0x", 4), c, &err));
  EXPECT_EQ(err, "bad interface name: \"lo?x\"");
  EXPECT_FALSE(addAddress("lo", Cidr{}, &err));
  EXPECT_EQ(err, "invalid address for lo");
  EXPECT_FALSE(announce("lo", c, 0, &err));
  EXPECT_EQ(err, "203.0.113.7 on lo: count 0 out of range (1-100)");
}

TEST(NetifErrors, ListingLoopbackNeedsNoPrivilege) {
  // Whatever lo holds here (nothing, if it is down in a fresh namespace), the list and
  // hasAddress agree, without any capability.
  std::string err;
  std::vector<Cidr> all;
  test::inNamespace("", [&] { all = listAddresses("lo", &err); }, CAP_NET_ADMIN);
  EXPECT_TRUE(err.empty()) << err;
  for (const Cidr& c : all) EXPECT_TRUE(hasAddress("lo", c, &err)) << c.str() << err;
  EXPECT_FALSE(hasAddress("lo", parsed("127.0.0.1/9"), &err));
  EXPECT_TRUE(err.empty()) << err;
}

using NetifNetns = NetnsPair;

// The `inet`/`inet6` words of `ip -o addr show`: "198.18.7.1/24" and the like.
std::set<std::string> ipListed(const std::string& ipOutput) {
  std::set<std::string> out;
  std::istringstream in(ipOutput);
  std::string word, prev;
  while (in >> word) {
    if (prev == "inet" || prev == "inet6") out.insert(word);
    prev = word;
  }
  return out;
}

std::set<std::string> asText(const std::vector<Cidr>& list) {
  std::set<std::string> out;
  for (const Cidr& c : list) out.insert(c.str());
  return out;
}

TEST_F(NetifNetns, AddHasListDelIpv4) {
  Cidr c = parsed("198.18.7.1/24");
  inA([&] {
    std::string err;
    EXPECT_FALSE(hasAddress("p-a", c, &err));
    EXPECT_TRUE(err.empty()) << err;
    bool already = true;
    ASSERT_TRUE(addAddress("p-a", c, &err, &already)) << err;
    EXPECT_FALSE(already);
    EXPECT_TRUE(err.empty());
    EXPECT_TRUE(hasAddress("p-a", c, &err)) << err;
    EXPECT_FALSE(hasAddress("p-a", parsed("198.18.7.1/25")));
    EXPECT_FALSE(hasAddress("lo", c));
  });
  std::string shown = ipAddrA();
  EXPECT_NE(shown.find("inet 198.18.7.1/24 brd 198.18.7.255 scope global p-a"), std::string::npos) << shown;
  inA([&] {
    std::string err;
    std::vector<Cidr> all = listAddresses("p-a", &err);
    EXPECT_TRUE(err.empty()) << err;
    EXPECT_EQ(asText(all), ipListed(ipAddrA()));
    EXPECT_EQ(std::count(all.begin(), all.end(), c), 1);
    bool absent = true;
    ASSERT_TRUE(delAddress("p-a", c, &err, &absent)) << err;
    EXPECT_FALSE(absent);
    EXPECT_FALSE(hasAddress("p-a", c));
  });
  EXPECT_EQ(ipAddrA().find("198.18.7.1"), std::string::npos);
}

TEST_F(NetifNetns, BroadcastOnlyBelowSlash31) {
  inA([&] {
    std::string err;
    for (const char* text : {"198.18.7.9/30", "198.18.7.20/31", "198.18.7.30/32", "198.18.8.1/12"})
      ASSERT_TRUE(addAddress("p-a", parsed(text), &err)) << err;
  });
  std::string shown = ipAddrA();
  EXPECT_NE(shown.find("inet 198.18.7.9/30 brd 198.18.7.11 scope global p-a"), std::string::npos) << shown;
  EXPECT_NE(shown.find("inet 198.18.7.20/31 scope global p-a"), std::string::npos) << shown;
  EXPECT_NE(shown.find("inet 198.18.7.30/32 scope global p-a"), std::string::npos) << shown;
  EXPECT_NE(shown.find("inet 198.18.8.1/12 brd 198.31.255.255 scope global p-a"), std::string::npos) << shown;
}

TEST_F(NetifNetns, AddHasListDelIpv6) {
  Cidr c = parsed("2001:db8:7::1/64");
  inA([&] {
    std::string err;
    bool already = true;
    ASSERT_TRUE(addAddress("p-a", c, &err, &already)) << err;
    EXPECT_FALSE(already);
    EXPECT_TRUE(hasAddress("p-a", c, &err)) << err;
  });
  std::string shown = ipAddrA();
  // Usable at once: no DAD, so never "tentative".
  EXPECT_NE(shown.find("inet6 2001:db8:7::1/64 scope global nodad"), std::string::npos) << shown;
  std::size_t line = shown.find("2001:db8:7::1/64");
  ASSERT_NE(line, std::string::npos) << shown;
  std::string ours = shown.substr(line, shown.find('\n', line) - line);
  EXPECT_EQ(ours.find("tentative"), std::string::npos) << ours;
  inA([&] {
    std::string err;
    std::vector<Cidr> all = listAddresses("p-a", &err);
    EXPECT_EQ(asText(all), ipListed(ipAddrA()));
    EXPECT_TRUE(std::any_of(all.begin(), all.end(), [](const Cidr& x) { return x.address().rfind("fe80::", 0) == 0; }));
    ASSERT_TRUE(delAddress("p-a", c, &err)) << err;
    EXPECT_FALSE(hasAddress("p-a", c));
  });
  EXPECT_EQ(ipAddrA().find("2001:db8:7::1"), std::string::npos);
}

TEST_F(NetifNetns, AddAndDelAreIdempotent) {
  inA([&] {
    for (const char* text : {"198.18.7.1/24", "2001:db8:7::1/64"}) {
      Cidr c = parsed(text);
      std::string err;
      bool flag = false;
      ASSERT_TRUE(addAddress("p-a", c, &err));
      ASSERT_TRUE(addAddress("p-a", c, &err, &flag)) << err;
      EXPECT_TRUE(flag) << text;
      EXPECT_TRUE(err.empty()) << err;
      EXPECT_TRUE(delAddress("p-a", c, &err, &flag)) << err;
      EXPECT_FALSE(flag) << text;
      EXPECT_TRUE(delAddress("p-a", c, &err, &flag)) << err;
      EXPECT_TRUE(flag) << text;
      EXPECT_TRUE(err.empty()) << err;
    }
  });
  EXPECT_EQ(ipListed(ipAddrA()).size(), 1u) << ipAddrA();  // the link-local only
}

TEST_F(NetifNetns, OtherPrefixOfAnAddress) {
  inA([&] {
    std::string err;
    bool flag = true;
    // IPv6 has one prefix per address: the kernel's "exists" is no success here.
    ASSERT_TRUE(addAddress("p-a", parsed("2001:db8:7::1/64"), &err)) << err;
    EXPECT_FALSE(addAddress("p-a", parsed("2001:db8:7::1/80"), &err, &flag));
    EXPECT_EQ(err, "2001:db8:7::1/80 on p-a: already present as 2001:db8:7::1/64");
    EXPECT_FALSE(flag);
    // Removing with a prefix that is not there removes nothing.
    EXPECT_TRUE(delAddress("p-a", parsed("2001:db8:7::1/80"), &err, &flag)) << err;
    EXPECT_TRUE(flag);
    EXPECT_TRUE(hasAddress("p-a", parsed("2001:db8:7::1/64")));
  });
}

TEST_F(NetifNetns, UnknownInterfaceInNamespace) {
  inA([&] {
    std::string err;
    EXPECT_FALSE(addAddress("eth9", parsed("198.18.7.1/24"), &err));
    EXPECT_EQ(err, "eth9: no such interface");
    EXPECT_FALSE(hasAddress("p-b", parsed("198.18.7.2/24"), &err));  // b's, not a's
    EXPECT_EQ(err, "p-b: no such interface");
  });
}

TEST_F(NetifNetns, ChangesNeedCapNetAdmin) {
  inA(
      [&] {
        std::string err;
        EXPECT_FALSE(addAddress("p-a", parsed("198.18.7.1/24"), &err));
        EXPECT_EQ(err, "198.18.7.1/24 on p-a: Operation not permitted (needs CAP_NET_ADMIN)");
        EXPECT_FALSE(delAddress("p-a", parsed("198.18.7.1/24"), &err));
        EXPECT_EQ(err, "198.18.7.1/24 on p-a: Operation not permitted (needs CAP_NET_ADMIN)");
        EXPECT_FALSE(hasAddress("p-a", parsed("198.18.7.1/24"), &err));  // reading is allowed
        EXPECT_TRUE(err.empty()) << err;
      },
      CAP_NET_ADMIN);
}

TEST_F(NetifNetns, KernelRefusalsAreReported) {
  // IPv6 turned off on the interface: the kernel refuses the address (EACCES), which is
  // no missing capability and must not be worded as one.
  std::string out;
  ASSERT_TRUE(test::sh("ip netns exec " + a_ + " sysctl -q -w net.ipv6.conf.p-a.disable_ipv6=1", &out)) << out;
  inA([&] {
    std::string err;
    EXPECT_FALSE(addAddress("p-a", parsed("2001:db8:7::1/64"), &err));
    EXPECT_EQ(err.rfind("2001:db8:7::1/64 on p-a: Permission denied", 0), 0u) << err;
    EXPECT_EQ(err.find("CAP_"), std::string::npos) << err;
  });
}

}  // namespace
}  // namespace fail::netif
