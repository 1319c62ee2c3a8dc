// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Internal to lib/netif: interface lookup, the addresses an interface has, and the
// wording of failures.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "netif/netif.hh"

namespace fail::netif::detail {

// The index of `iface` in the calling thread's network namespace, or 0 with *err set
// ("eth9: no such interface", "bad interface name: ..."). Needs no privilege.
unsigned ifaceIndex(std::string_view iface, std::string* err);

// Every IPv4 and IPv6 address on interface `index` (an RTM_GETADDR dump, asked again up
// to twice when a concurrent change interrupted it). Returns 0 or an errno. In addr.cc.
int dumpAddresses(unsigned index, std::vector<Cidr>* out);

// strerror(e), plus the capability EPERM points to, e.g. "Operation not permitted (needs
// CAP_NET_ADMIN)". EACCES is left alone: the kernel uses it for refusals that no
// capability lifts (IPv6 disabled on the interface).
std::string errnoText(int e, const char* capability);

// Sets *err (when given) to `text` and returns false: the tail of every failure path.
inline bool fail(std::string* err, std::string text) {
  if (err) *err = std::move(text);
  return false;
}

}  // namespace fail::netif::detail
