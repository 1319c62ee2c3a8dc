// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Service addresses on local interfaces, for failsh's `fail::ip add|del ADDRESS/PREFIX
// -dev IFACE`: add, remove, query and list addresses through rtnetlink, and announce a
// taken-over address to the link (a gratuitous ARP for IPv4, an unsolicited neighbour
// advertisement for IPv6) so that neighbours stop sending to the failed peer's MAC.
//
// Contracts shared by every function here:
// - Nothing throws (std::bad_alloc aside). A failure returns false (or an empty result)
//   and, when `err` is given, a sentence naming the interface and address, e.g.
//   "eth9: no such interface", "203.0.113.7/24 on p-a: Operation not permitted (needs
//   CAP_NET_ADMIN)". `err` is cleared on success.
// - Each call opens and closes its own sockets in the calling thread's network namespace
//   (a thread that setns()ed works on its namespace); calls are thread-safe and
//   blocking, bounded by a few seconds' timeout on the kernel's answer.
// - Changing addresses needs CAP_NET_ADMIN, announcing needs CAP_NET_RAW; querying and
//   listing need no privilege.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fail::netif {

// An address with its prefix length.
struct Cidr {
  int family = AF_UNSPEC;                // AF_INET or AF_INET6
  std::array<std::uint8_t, 16> bytes{};  // network order; IPv4 in the first 4, rest zero
  unsigned prefix = 0;                   // 0-32 or 0-128

  std::size_t size() const { return family == AF_INET ? 4 : 16; }
  std::string address() const;  // "203.0.113.7", "2001:db8::7"
  std::string str() const;      // "203.0.113.7/24", "2001:db8::7/64"
  bool sameAddress(const Cidr& o) const { return family == o.family && bytes == o.bytes; }
  friend bool operator==(const Cidr&, const Cidr&) = default;
};

// Parses "ADDRESS[/PREFIX]" (IPv4 dotted quad or IPv6 text, prefix in decimal; without one
// /32 or /128). Rejects anything else, and addresses that cannot be a host's own
// (unspecified, multicast, 255.255.255.255), with a sentence quoting the input
// (shortened, non-printable bytes escaped): `not an IPv4 or IPv6 address: "foo"`.
bool parseCidr(std::string_view text, Cidr* out, std::string* err = nullptr);

// Adds `cidr` to `iface` (RTM_NEWADDR, create-exclusive, acknowledged). IPv4 gets the
// local address and, for prefixes below /31, the broadcast address; IPv6 is added with
// IFA_F_NODAD, usable at once (a takeover address must not wait for DAD; the peer that
// held it is presumed dead). An address already there with the same prefix is success,
// with *alreadyPresent set; an IPv6 address there with another prefix is an error.
bool addAddress(std::string_view iface, const Cidr& cidr, std::string* err,
                bool* alreadyPresent = nullptr);

// Removes `cidr` (address and prefix must match) from `iface` (RTM_DELADDR). An address
// that is not there is success, with *wasAbsent set. Removing an IPv4 primary address
// also removes its secondaries unless net.ipv4.conf.IFACE.promote_secondaries is set.
bool delAddress(std::string_view iface, const Cidr& cidr, std::string* err,
                bool* wasAbsent = nullptr);

// Whether `iface` has `cidr` (address and prefix). False, with `err` set, on failure.
bool hasAddress(std::string_view iface, const Cidr& cidr, std::string* err = nullptr);

// Every IPv4 and IPv6 address on `iface` (link-local ones included), in the kernel's
// order. Empty, with `err` set, on failure.
std::vector<Cidr> listAddresses(std::string_view iface, std::string* err = nullptr);

// Announces `address` (its prefix is ignored), which must already be on `iface`, by
// sending `count` packets back to back (the caller repeats later if it wants spacing):
// - IPv4: a gratuitous ARP request (RFC 5227 "ARP Announcement": sender and target
//   protocol address both `address`, sender hardware address the interface's MAC, to the
//   Ethernet broadcast); see announce.cc for why the request form and not the reply form.
// - IPv6: an unsolicited neighbour advertisement (RFC 4861 §7.2.6: ICMPv6 136 from
//   `address` to ff02::1, hop limit 255, Override set, Solicited clear, target link-layer
//   address option with the MAC).
// The interface must be up and have an Ethernet-like hardware address.
bool announce(std::string_view iface, const Cidr& address, int count, std::string* err);
inline bool announce(std::string_view iface, const Cidr& address, std::string* err) {
  return announce(iface, address, 1, err);
}

}  // namespace fail::netif
