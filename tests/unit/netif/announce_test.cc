// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// lib/netif announce(): what goes on the wire, captured on the peer end of the veth pair
// in the other namespace with a packet socket, and what the peer's neighbour table makes
// of it (an entry with a stale MAC must take the announced one).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <poll.h>

#include <array>
#include <vector>

#include "netif/netif.hh"
#include "netns_util.hh"

namespace fail::netif {
namespace {

using test::NetnsPair;
using namespace std::chrono_literals;
using Frame = std::vector<std::uint8_t>;

Cidr parsed(const std::string& text) {
  Cidr c;
  EXPECT_TRUE(parseCidr(text, &c)) << text;
  return c;
}

std::array<std::uint8_t, 6> macBytes(const std::string& text) {
  std::array<std::uint8_t, 6> m{};
  unsigned v[6] = {};
  EXPECT_EQ(std::sscanf(text.c_str(), "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]), 6) << text;
  for (int i = 0; i < 6; ++i) m[i] = static_cast<std::uint8_t>(v[i]);
  return m;
}

bool sameBytes(const Frame& f, std::size_t at, const std::uint8_t* want, std::size_t n) {
  return f.size() >= at + n && std::equal(want, want + n, f.begin() + static_cast<std::ptrdiff_t>(at));
}

// Every frame that arrives on `dev` in namespace `ns` (not the ones it sends), from the
// moment of construction.
class Capture {
 public:
  Capture(const std::string& ns, const std::string& dev) {
    test::inNamespace(ns, [&] {
      fd_.reset(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL)));
      sockaddr_ll at{};
      at.sll_family = AF_PACKET;
      at.sll_protocol = htons(ETH_P_ALL);
      at.sll_ifindex = static_cast<int>(::if_nametoindex(dev.c_str()));
      if (fd_ && ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&at), sizeof at) != 0) fd_.reset();
    });
  }
  bool ok() const { return static_cast<bool>(fd_); }

  // The first frame `match` accepts, within `limit`; empty if none came.
  Frame next(const std::function<bool(const Frame&)>& match, std::chrono::milliseconds limit = 3s) {
    auto end = std::chrono::steady_clock::now() + limit;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
      pollfd p{fd_.get(), POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return {};
      Frame f(2048);
      sockaddr_ll from{};
      socklen_t len = sizeof from;
      ssize_t n = ::recvfrom(fd_.get(), f.data(), f.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n <= 0 || from.sll_pkttype == PACKET_OUTGOING) continue;
      f.resize(static_cast<std::size_t>(n));
      if (match(f)) return f;
    }
  }

 private:
  UniqueFd fd_;
};

constexpr std::size_t kEth = 14;  // Ethernet header: destination, source, type

bool isArp(const Frame& f) { return f.size() >= kEth + 28 && f[12] == 0x08 && f[13] == 0x06; }

// IPv6, ICMPv6 straight after the fixed header (no extension headers), type 136.
bool isNa(const Frame& f) { return f.size() >= kEth + 40 + 32 && f[12] == 0x86 && f[13] == 0xdd && f[kEth + 6] == 58 && f[kEth + 40] == 136; }

// The ICMPv6 checksum over the pseudo-header (RFC 8200 §8.1): 0 when `f` is intact.
std::uint16_t icmp6Residue(const Frame& f) {
  const std::uint8_t* ip = f.data() + kEth;
  std::size_t len = static_cast<std::size_t>(ip[4] << 8 | ip[5]);
  std::uint32_t sum = 0;
  auto add = [&](const std::uint8_t* p, std::size_t n) {
    for (std::size_t i = 0; i < n; i += 2) sum += static_cast<std::uint32_t>(p[i] << 8 | (i + 1 < n ? p[i + 1] : 0));
  };
  add(ip + 8, 32);  // source and destination
  sum += static_cast<std::uint32_t>(len) + 58;
  add(ip + 40, len);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

using NetifAnnounce = NetnsPair;

TEST_F(NetifAnnounce, GratuitousArpFields) {
  Cidr addr = parsed("198.18.7.1/24");
  Capture cap(b_, "p-b");
  ASSERT_TRUE(cap.ok()) << "no packet socket in " << b_;
  inA([&] {
    std::string err;
    ASSERT_TRUE(addAddress("p-a", addr, &err)) << err;
    ASSERT_TRUE(announce("p-a", addr, 2, &err)) << err;
    EXPECT_TRUE(err.empty()) << err;
  });
  const auto mac = macBytes(macA_);
  const std::uint8_t broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, zero[6] = {};
  for (int i = 0; i < 2; ++i) {  // count 2: two identical packets
    Frame f = cap.next([&](const Frame& x) { return isArp(x) && sameBytes(x, kEth + 14, addr.bytes.data(), 4); });
    ASSERT_FALSE(f.empty()) << "gratuitous ARP " << i + 1 << " did not arrive";
    EXPECT_TRUE(sameBytes(f, 0, broadcast, 6)) << "not to the broadcast address";
    EXPECT_TRUE(sameBytes(f, 6, mac.data(), 6)) << "not from p-a's MAC";
    const std::uint8_t* a = f.data() + kEth;
    EXPECT_EQ(a[0] << 8 | a[1], 1);       // hardware: Ethernet
    EXPECT_EQ(a[2] << 8 | a[3], 0x0800);  // protocol: IPv4
    EXPECT_EQ(a[4], 6);
    EXPECT_EQ(a[5], 4);
    EXPECT_EQ(a[6] << 8 | a[7], 1);  // opcode: request
    EXPECT_TRUE(sameBytes(f, kEth + 8, mac.data(), 6)) << "sender MAC";
    EXPECT_TRUE(sameBytes(f, kEth + 14, addr.bytes.data(), 4)) << "sender IP";
    EXPECT_TRUE(sameBytes(f, kEth + 18, zero, 6)) << "target MAC";
    EXPECT_TRUE(sameBytes(f, kEth + 24, addr.bytes.data(), 4)) << "target IP";
  }
}

TEST_F(NetifAnnounce, NeighbourAdvertisementFields) {
  Cidr addr = parsed("2001:db8:7::1/64");
  Capture cap(b_, "p-b");
  ASSERT_TRUE(cap.ok()) << "no packet socket in " << b_;
  inA([&] {
    std::string err;
    ASSERT_TRUE(addAddress("p-a", addr, &err)) << err;
    ASSERT_TRUE(announce("p-a", addr, &err)) << err;
  });
  const auto mac = macBytes(macA_);
  const std::uint8_t allNodesMac[6] = {0x33, 0x33, 0, 0, 0, 1};
  std::uint8_t allNodes[16];
  ASSERT_EQ(::inet_pton(AF_INET6, "ff02::1", allNodes), 1);
  Frame f = cap.next([&](const Frame& x) { return isNa(x) && sameBytes(x, kEth + 48, addr.bytes.data(), 16); });
  ASSERT_FALSE(f.empty()) << "no neighbour advertisement for " << addr.address();
  EXPECT_TRUE(sameBytes(f, 0, allNodesMac, 6));
  EXPECT_TRUE(sameBytes(f, 6, mac.data(), 6));
  const std::uint8_t* ip = f.data() + kEth;
  EXPECT_EQ(ip[0] >> 4, 6);
  EXPECT_EQ(ip[7], 255) << "hop limit";
  EXPECT_TRUE(sameBytes(f, kEth + 8, addr.bytes.data(), 16)) << "source: the address itself";
  EXPECT_TRUE(sameBytes(f, kEth + 24, allNodes, 16)) << "destination: ff02::1";
  const std::uint8_t* na = ip + 40;
  EXPECT_EQ(na[0], 136);
  EXPECT_EQ(na[1], 0);
  EXPECT_EQ(icmp6Residue(f), 0) << "bad ICMPv6 checksum";
  EXPECT_EQ(na[4], 0x20) << "flags: Override only (not Router, not Solicited)";
  EXPECT_EQ(na[24], 2) << "option: target link-layer address";
  EXPECT_EQ(na[25], 1) << "option length: 8 bytes";
  EXPECT_TRUE(sameBytes(f, kEth + 40 + 26, mac.data(), 6)) << "TLLA: p-a's MAC";
}

// The peer holds a stale entry for the address (the failed host's MAC); one announcement
// must replace it with ours. No traffic is sent that could make the peer resolve it anew.
TEST_F(NetifAnnounce, PeerLearnsTheNewMac) {
  for (const char* text : {"198.18.7.1/24", "2001:db8:7::1/64"}) {
    Cidr addr = parsed(text);
    const std::string old = "02:00:5e:00:be:ef";
    std::string out;
    ASSERT_TRUE(test::sh("ip -n " + b_ + " neigh replace " + addr.address() + " lladdr " + old +
                             " nud stale dev p-b", &out)) << out;
    ASSERT_NE(neighB(addr.address()).find(old), std::string::npos) << neighB(addr.address());
    inA([&] {
      std::string err;
      ASSERT_TRUE(addAddress("p-a", addr, &err)) << err;
    });
    // Adding the address alone tells the peer nothing (arp_notify and ndisc_notify off).
    ASSERT_NE(neighB(addr.address()).find(old), std::string::npos) << neighB(addr.address());
    inA([&] {
      std::string err;
      ASSERT_TRUE(announce("p-a", addr, 1, &err)) << err;
    });
    EXPECT_TRUE(test::waitFor([&] { return neighB(addr.address()).find(macA_) != std::string::npos; }, 3s))
        << text << ": the peer still has " << neighB(addr.address());
  }
}

TEST_F(NetifAnnounce, OnlyAnAddressWeHold) {
  inA([&] {
    std::string err;
    EXPECT_FALSE(announce("p-a", parsed("198.18.7.1"), 1, &err));
    EXPECT_EQ(err, "198.18.7.1 on p-a: address not on the interface");
    EXPECT_FALSE(announce("p-a", parsed("2001:db8:7::1"), 1, &err));
    EXPECT_EQ(err, "2001:db8:7::1 on p-a: address not on the interface");
    // The prefix does not matter, the address does.
    ASSERT_TRUE(addAddress("p-a", parsed("198.18.7.1/24"), &err)) << err;
    EXPECT_TRUE(announce("p-a", parsed("198.18.7.1"), 1, &err)) << err;
    EXPECT_FALSE(announce("lo", parsed("127.0.0.1"), 1, &err));
    EXPECT_EQ(err, "lo: no Ethernet address to announce");
  });
}

TEST_F(NetifAnnounce, NeedsCapNetRaw) {
  inA([&] {
    std::string err;
    ASSERT_TRUE(addAddress("p-a", parsed("198.18.7.1/24"), &err)) << err;
    ASSERT_TRUE(addAddress("p-a", parsed("2001:db8:7::1/64"), &err)) << err;
  });
  inA(
      [&] {
        std::string err;
        EXPECT_FALSE(announce("p-a", parsed("198.18.7.1"), 1, &err));
        EXPECT_EQ(err, "198.18.7.1 on p-a: packet socket: Operation not permitted (needs CAP_NET_RAW)");
        EXPECT_FALSE(announce("p-a", parsed("2001:db8:7::1"), 1, &err));
        EXPECT_EQ(err, "2001:db8:7::1 on p-a: ICMPv6 socket: Operation not permitted (needs CAP_NET_RAW)");
      },
      CAP_NET_RAW);
}

TEST_F(NetifAnnounce, InterfaceDown) {
  std::string out;
  inA([&] {
    std::string err;
    ASSERT_TRUE(addAddress("p-a", parsed("198.18.7.1/24"), &err)) << err;
  });
  ASSERT_TRUE(test::sh("ip -n " + a_ + " link set dev p-a down", &out)) << out;
  inA([&] {
    std::string err;
    EXPECT_FALSE(announce("p-a", parsed("198.18.7.1"), 1, &err));
    EXPECT_EQ(err, "198.18.7.1 on p-a: gratuitous ARP: Network is down");
  });
}

}  // namespace
}  // namespace fail::netif
