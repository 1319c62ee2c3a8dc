// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "netif/iface.hh"

#include <errno.h>
#include <net/if.h>

#include <cstring>

namespace fail::netif::detail {

unsigned ifaceIndex(std::string_view iface, std::string* err) {
  std::string name(iface);
  bool ok = !name.empty() && name.size() < IFNAMSIZ;
  for (char c : name) ok = ok && c != '\0' && c != '/' && c > ' ' && c < 0x7f;
  if (!ok) {
    std::string shown = name.substr(0, 32);
    for (char& c : shown) c = c > ' ' && c < 0x7f ? c : '?';
    fail(err, "bad interface name: \"" + shown + (name.size() > 32 ? "...\"" : "\""));
    return 0;
  }
  unsigned index = ::if_nametoindex(name.c_str());
  if (index == 0) {
    int e = errno;
    fail(err, name + ": " + (e == ENODEV || e == ENXIO ? "no such interface" : std::strerror(e)));
  }
  return index;
}

std::string errnoText(int e, const char* capability) {
  std::string t = std::strerror(e);
  if (e == EPERM) t += std::string(" (needs ") + capability + ")";
  return t;
}

}  // namespace fail::netif::detail
