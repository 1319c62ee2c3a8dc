// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Telling the link that an address moved to us.
//
// IPv4: a gratuitous ARP *request* (RFC 5227 §3 "ARP Announcement", as `arping -U`
// sends): opcode 1, sender and target protocol address both the address, sender hardware
// address our MAC, target hardware address zero, to ff:ff:ff:ff:ff:ff. We send only the
// request form, not also the reply form (`arping -A`): a request is broadcast by nature,
// so every ARP implementation reads it and, by RFC 826's merge step, refreshes an entry
// it already holds for the sender (Linux treats sender IP == target IP as a gratuitous
// ARP and overrides its entry at once); a broadcast reply is the unusual form that some
// stacks ignore. A caller that wants more than one packet asks for a count or repeats.
//
// IPv6: an unsolicited neighbour advertisement (RFC 4861 §4.4, §7.2.6): ICMPv6 type 136
// from the address to ff02::1 with hop limit 255, Override set and Solicited clear
// (Router clear: a takeover address says nothing about routing), target the address,
// and the target link-layer address option carrying our MAC. The kernel fills in the
// ICMPv6 checksum of a raw IPPROTO_ICMPV6 socket.
#include <arpa/inet.h>
#include <errno.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "base/unique_fd.hh"
#include "netif/iface.hh"
#include "netif/netif.hh"

namespace fail::netif {
namespace {

using detail::errnoText;
using detail::fail;
using Mac = std::array<std::uint8_t, ETH_ALEN>;

constexpr int kMaxCount = 100;

// The interface's Ethernet address (SIOCGIFHWADDR on `fd`). Returns 0 or an errno;
// ENOTSUP when it has no Ethernet-like address (loopback, tunnels).
int hardwareAddress(int fd, std::string_view iface, Mac* mac) {
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, iface.data(), std::min(iface.size(), sizeof ifr.ifr_name - 1));
  if (::ioctl(fd, SIOCGIFHWADDR, &ifr) != 0) return errno;
  if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) return ENOTSUP;
  std::memcpy(mac->data(), ifr.ifr_hwaddr.sa_data, ETH_ALEN);
  return 0;
}

// The 28-byte ARP body for Ethernet and IPv4 (RFC 826), request form (see above).
std::array<std::uint8_t, 28> garpBody(const Mac& mac, const std::uint8_t* ip) {
  std::array<std::uint8_t, 28> p{};
  arphdr h{};
  h.ar_hrd = htons(ARPHRD_ETHER);
  h.ar_pro = htons(ETH_P_IP);
  h.ar_hln = ETH_ALEN;
  h.ar_pln = 4;
  h.ar_op = htons(ARPOP_REQUEST);
  std::memcpy(p.data(), &h, sizeof h);  // 8 bytes
  std::memcpy(p.data() + 8, mac.data(), ETH_ALEN);  // sender hardware address
  std::memcpy(p.data() + 14, ip, 4);                // sender protocol address
  /* p[18..23]: target hardware address, zero (RFC 5227 §2.1.1) */
  std::memcpy(p.data() + 24, ip, 4);  // target protocol address = sender's
  return p;
}

// The 32-byte neighbour advertisement: 24-byte header, 8-byte TLLA option.
std::array<std::uint8_t, 32> naBody(const Mac& mac, const std::uint8_t* ip) {
  std::array<std::uint8_t, 32> p{};
  nd_neighbor_advert na{};
  na.nd_na_type = ND_NEIGHBOR_ADVERT;
  na.nd_na_code = 0;
  na.nd_na_cksum = 0;  // filled in by the kernel
  na.nd_na_flags_reserved = ND_NA_FLAG_OVERRIDE;  // already in network byte order
  std::memcpy(&na.nd_na_target, ip, 16);
  std::memcpy(p.data(), &na, sizeof na);
  p[24] = ND_OPT_TARGET_LINKADDR;
  p[25] = 1;  // option length in units of 8 bytes
  std::memcpy(p.data() + 26, mac.data(), ETH_ALEN);
  return p;
}

bool announce4(std::string_view iface, unsigned index, const Cidr& a, int count, std::string* err) {
  const std::string at = a.address() + " on " + std::string(iface);
  // Protocol 0: this socket only sends, it never queues the link's ARP traffic.
  UniqueFd fd(::socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) return fail(err, at + ": packet socket: " + errnoText(errno, "CAP_NET_RAW"));
  Mac mac;
  if (int e = hardwareAddress(fd.get(), iface, &mac))
    return fail(err, std::string(iface) + ": " + (e == ENOTSUP ? "no Ethernet address to announce" : std::strerror(e)));
  auto body = garpBody(mac, a.bytes.data());
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_protocol = htons(ETH_P_ARP);
  to.sll_ifindex = static_cast<int>(index);
  to.sll_halen = ETH_ALEN;
  std::memset(to.sll_addr, 0xff, ETH_ALEN);
  for (int i = 0; i < count; ++i)
    if (::sendto(fd.get(), body.data(), body.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0)
      return fail(err, at + ": gratuitous ARP: " + errnoText(errno, "CAP_NET_RAW"));
  return true;
}

bool announce6(std::string_view iface, unsigned index, const Cidr& a, int count, std::string* err) {
  const std::string at = a.address() + " on " + std::string(iface);
  UniqueFd fd(::socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6));
  if (!fd) return fail(err, at + ": ICMPv6 socket: " + errnoText(errno, "CAP_NET_RAW"));
  Mac mac;
  if (int e = hardwareAddress(fd.get(), iface, &mac))
    return fail(err, std::string(iface) + ": " + (e == ENOTSUP ? "no Ethernet address to announce" : std::strerror(e)));
  int hops = 255;  // RFC 4861 §7.1.2: receivers drop NAs with any other hop limit
  int ifindex = static_cast<int>(index);
  if (::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) != 0 ||
      ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof ifindex) != 0)
    return fail(err, at + ": ICMPv6 socket options: " + std::strerror(errno));

  auto body = naBody(mac, a.bytes.data());
  sockaddr_in6 to{};
  to.sin6_family = AF_INET6;
  to.sin6_scope_id = index;
  ::inet_pton(AF_INET6, "ff02::1", &to.sin6_addr);
  // The source address and interface go with each packet (IPV6_PKTINFO): the kernel
  // refuses a source that is not ours or is still tentative.
  alignas(cmsghdr) std::uint8_t control[CMSG_SPACE(sizeof(in6_pktinfo))] = {};
  iovec iov{body.data(), body.size()};
  msghdr mh{};
  mh.msg_name = &to;
  mh.msg_namelen = sizeof to;
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = control;
  mh.msg_controllen = sizeof control;
  cmsghdr* cm = CMSG_FIRSTHDR(&mh);
  cm->cmsg_level = IPPROTO_IPV6;
  cm->cmsg_type = IPV6_PKTINFO;
  cm->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
  in6_pktinfo info{};
  std::memcpy(&info.ipi6_addr, a.bytes.data(), 16);
  info.ipi6_ifindex = index;
  std::memcpy(CMSG_DATA(cm), &info, sizeof info);
  for (int i = 0; i < count; ++i)
    if (::sendmsg(fd.get(), &mh, 0) < 0) {
      int e = errno;
      return fail(err, at + ": neighbour advertisement: " +
                           (e == EINVAL ? std::string("address not usable as a source (tentative?)")
                                        : errnoText(e, "CAP_NET_RAW")));
    }
  return true;
}

}  // namespace

bool announce(std::string_view iface, const Cidr& address, int count, std::string* err) {
  if (address.family != AF_INET && address.family != AF_INET6)
    return fail(err, "invalid address to announce on " + std::string(iface));
  if (count < 1 || count > kMaxCount)
    return fail(err, address.address() + " on " + std::string(iface) + ": count " + std::to_string(count) +
                         " out of range (1-" + std::to_string(kMaxCount) + ")");
  unsigned index = detail::ifaceIndex(iface, err);
  if (index == 0) return false;
  // Announcing an address we do not hold would pull its traffic into a black hole.
  std::vector<Cidr> have;
  if (int e = detail::dumpAddresses(index, &have))
    return fail(err, std::string(iface) + ": listing addresses: " + std::strerror(e));
  bool held = false;
  for (const Cidr& c : have) held = held || c.sameAddress(address);
  if (!held) return fail(err, address.address() + " on " + std::string(iface) + ": address not on the interface");
  bool ok = address.family == AF_INET ? announce4(iface, index, address, count, err)
                                      : announce6(iface, index, address, count, err);
  if (ok && err) err->clear();
  return ok;
}

}  // namespace fail::netif
