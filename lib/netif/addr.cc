// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Interface addresses through rtnetlink: RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR dumps.
// Adding and removing are idempotent: the kernel's "exists" (EEXIST) and "not there"
// (EADDRNOTAVAIL) answers become successes with a flag, so a policy can repeat a
// takeover or a release without first asking what state the interface is in.
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include <algorithm>
#include <cstring>

#include "netif/iface.hh"
#include "netif/netif.hh"
#include "netif/netlink.hh"

namespace fail::netif {
namespace {

using detail::errnoText;
using detail::fail;
using detail::Netlink;
using detail::NlRequest;

bool validCidr(const Cidr& c) {
  return (c.family == AF_INET && c.prefix <= 32) || (c.family == AF_INET6 && c.prefix <= 128);
}

std::string where(const Cidr& c, std::string_view iface) { return c.str() + " on " + std::string(iface); }

// "...: File exists (kernel: the kernel's own words)", when it said more than errno.
std::string kernelSaid(int e, const std::string& detail) {
  return errnoText(e, "CAP_NET_ADMIN") + (detail.empty() ? "" : " (kernel: " + detail + ")");
}

// A RTM_NEWADDR or RTM_DELADDR request for `c` on interface `index`.
NlRequest addrRequest(std::uint16_t type, std::uint16_t flags, const Cidr& c, unsigned index) {
  NlRequest req(type, flags);
  ifaddrmsg ifa{};
  ifa.ifa_family = static_cast<std::uint8_t>(c.family);
  ifa.ifa_prefixlen = static_cast<std::uint8_t>(c.prefix);
  ifa.ifa_index = index;
  // What `ip addr add` would choose: host scope for 127/8, global otherwise (IPv6 scope
  // is derived by the kernel from the address itself).
  ifa.ifa_scope = c.family == AF_INET && c.bytes[0] == 127 ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
  if (type == RTM_NEWADDR && c.family == AF_INET6) ifa.ifa_flags = IFA_F_NODAD;
  req.header(&ifa, sizeof ifa);
  // IPv4: IFA_LOCAL is the interface's address, IFA_ADDRESS the peer's on point-to-point
  // links and the same address otherwise. IPv6 needs only IFA_ADDRESS.
  if (c.family == AF_INET) req.attr(IFA_LOCAL, c.bytes.data(), 4);
  req.attr(IFA_ADDRESS, c.bytes.data(), c.size());
  if (type == RTM_NEWADDR && c.family == AF_INET && c.prefix < 31) {
    // Host bits all ones; /31 (RFC 3021) and /32 have no broadcast address.
    std::uint8_t brd[4];
    for (unsigned i = 0; i < 4; ++i) {
      unsigned netBits = c.prefix > i * 8 ? std::min(8u, c.prefix - i * 8) : 0;
      auto hostMask = static_cast<std::uint8_t>(0xffu >> netBits);
      brd[i] = static_cast<std::uint8_t>(c.bytes[i] | hostMask);
    }
    req.attr(IFA_BROADCAST, brd, sizeof brd);
  }
  return req;
}

}  // namespace

namespace detail {

int dumpAddresses(unsigned index, std::vector<Cidr>* out) {
  for (int attempt = 0;; ++attempt) {  // a dump interrupted by a change is asked again
    Netlink nl;
    if (int e = nl.open()) return e;
    NlRequest req(RTM_GETADDR, 0);
    ifaddrmsg ifa{};
    ifa.ifa_family = AF_UNSPEC;
    ifa.ifa_index = index;  // filtered by strict-checking kernels; by us below in any case
    req.header(&ifa, sizeof ifa);
    out->clear();
    int e = nl.dump(req, [&](const nlmsghdr& m) {
      ifaddrmsg a;
      if (m.nlmsg_type != RTM_NEWADDR || m.nlmsg_len < NLMSG_LENGTH(sizeof a)) return;
      std::memcpy(&a, NLMSG_DATA(&m), sizeof a);
      if (a.ifa_index != index || (a.ifa_family != AF_INET && a.ifa_family != AF_INET6)) return;
      Cidr c;
      c.family = a.ifa_family;
      c.prefix = a.ifa_prefixlen;
      bool local = false, any = false;  // IFA_LOCAL, when present, is our end
      forEachAttr(m, sizeof a, [&](std::uint16_t type, const void* data, std::size_t len) {
        if (len != c.size() || (type != IFA_LOCAL && type != IFA_ADDRESS) || (type == IFA_ADDRESS && local))
          return;
        std::memcpy(c.bytes.data(), data, len);
        local = local || type == IFA_LOCAL;
        any = true;
      });
      if (any) out->push_back(c);
    });
    if (e != EAGAIN || attempt == 2) return e;
  }
}

}  // namespace detail

bool addAddress(std::string_view iface, const Cidr& cidr, std::string* err, bool* alreadyPresent) {
  if (alreadyPresent) *alreadyPresent = false;
  if (!validCidr(cidr)) return fail(err, "invalid address for " + std::string(iface));
  unsigned index = detail::ifaceIndex(iface, err);
  if (index == 0) return false;
  Netlink nl;
  if (int e = nl.open()) return fail(err, where(cidr, iface) + ": netlink socket: " + std::strerror(e));
  NlRequest req = addrRequest(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, cidr, index);
  std::string said;
  int e = nl.transact(req, &said);
  if (e == EEXIST) {  // there already: with this prefix (fine) or another (IPv6 only)?
    std::vector<Cidr> have;
    if (detail::dumpAddresses(index, &have) == 0) {
      for (const Cidr& c : have)
        if (c == cidr) {
          if (alreadyPresent) *alreadyPresent = true;
          if (err) err->clear();
          return true;
        }
      for (const Cidr& c : have)
        if (c.sameAddress(cidr)) return fail(err, where(cidr, iface) + ": already present as " + c.str());
    }
  }
  if (e != 0) return fail(err, where(cidr, iface) + ": " + kernelSaid(e, said));
  if (err) err->clear();
  return true;
}

bool delAddress(std::string_view iface, const Cidr& cidr, std::string* err, bool* wasAbsent) {
  if (wasAbsent) *wasAbsent = false;
  if (!validCidr(cidr)) return fail(err, "invalid address for " + std::string(iface));
  unsigned index = detail::ifaceIndex(iface, err);
  if (index == 0) return false;
  Netlink nl;
  if (int e = nl.open()) return fail(err, where(cidr, iface) + ": netlink socket: " + std::strerror(e));
  NlRequest req = addrRequest(RTM_DELADDR, 0, cidr, index);
  std::string said;
  int e = nl.transact(req, &said);
  if (e == EADDRNOTAVAIL) {  // no address with this prefix on the interface
    if (wasAbsent) *wasAbsent = true;
    e = 0;
  }
  if (e != 0) return fail(err, where(cidr, iface) + ": " + kernelSaid(e, said));
  if (err) err->clear();
  return true;
}

std::vector<Cidr> listAddresses(std::string_view iface, std::string* err) {
  std::vector<Cidr> out;
  unsigned index = detail::ifaceIndex(iface, err);
  if (index == 0) return out;
  if (int e = detail::dumpAddresses(index, &out)) {
    fail(err, std::string(iface) + ": listing addresses: " + std::strerror(e));
    out.clear();
  } else if (err) {
    err->clear();
  }
  return out;
}

bool hasAddress(std::string_view iface, const Cidr& cidr, std::string* err) {
  std::string e;
  std::vector<Cidr> all = listAddresses(iface, &e);
  if (err) *err = e;
  if (!e.empty()) return false;
  for (const Cidr& c : all)
    if (c == cidr) return true;
  return false;
}

}  // namespace fail::netif
