// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// "ADDRESS[/PREFIX]" in and out. Input comes from a policy script, so anything that is
// not exactly an address and a decimal prefix is refused with the text quoted back.
#include <arpa/inet.h>

#include <cstdio>

#include "netif/netif.hh"

namespace fail::netif {
namespace {

// The input as it goes into a message: quoted, at most 64 bytes, odd bytes as \xNN.
std::string quote(std::string_view text) {
  constexpr std::size_t kMax = 64;
  std::string q = "\"";
  for (std::size_t i = 0; i < text.size() && i < kMax; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      q += hex;
    } else {
      q += static_cast<char>(c);
    }
  }
  if (text.size() > kMax) q += "...";
  return q + "\"";
}

bool fail(std::string* err, std::string what, std::string_view text) {
  if (err) *err = std::move(what) + ": " + quote(text);
  return false;
}

}  // namespace

std::string Cidr::address() const {
  char buf[INET6_ADDRSTRLEN] = "";
  if (family != AF_INET && family != AF_INET6) return "?";
  ::inet_ntop(family, bytes.data(), buf, sizeof buf);
  return buf;
}

std::string Cidr::str() const { return address() + "/" + std::to_string(prefix); }

bool parseCidr(std::string_view text, Cidr* out, std::string* err) {
  // Longest IPv6 text (45) plus "/128"; anything longer is garbage, and so is a NUL.
  if (text.empty()) return fail(err, "empty address", text);
  if (text.size() > INET6_ADDRSTRLEN + 4 || text.find('\0') != std::string_view::npos)
    return fail(err, "not an IPv4 or IPv6 address", text);

  std::size_t slash = text.find('/');
  std::string addr(text.substr(0, slash));
  Cidr c;
  c.family = addr.find(':') != std::string::npos ? AF_INET6 : AF_INET;
  // inet_pton takes only the strict forms: four decimal parts without leading zeros for
  // IPv4, RFC 4291 text without a zone ("%eth0") for IPv6.
  if (addr.empty() || ::inet_pton(c.family, addr.c_str(), c.bytes.data()) != 1)
    return fail(err, "not an IPv4 or IPv6 address", text);
  const unsigned max = c.family == AF_INET ? 32 : 128;

  c.prefix = max;
  if (slash != std::string_view::npos) {
    std::string_view p = text.substr(slash + 1);
    if (p.empty() || p.size() > 3) return fail(err, "bad prefix length", text);
    unsigned v = 0;
    for (char ch : p) {
      if (ch < '0' || ch > '9') return fail(err, "bad prefix length", text);
      v = v * 10 + static_cast<unsigned>(ch - '0');
    }
    if (v > max)
      return fail(err, "prefix length above " + std::to_string(max), text);
    c.prefix = v;
  }

  const auto& b = c.bytes;
  bool unspecified = true;
  for (std::size_t i = 0; i < c.size(); ++i) unspecified = unspecified && b[i] == 0;
  bool multicast = c.family == AF_INET ? (b[0] & 0xf0) == 0xe0 : b[0] == 0xff;
  bool broadcast = c.family == AF_INET && b[0] == 0xff && b[1] == 0xff && b[2] == 0xff && b[3] == 0xff;
  if (unspecified || multicast || broadcast)
    return fail(err, std::string("not a host address (") +
                         (unspecified ? "unspecified" : multicast ? "multicast" : "broadcast") + ")",
                text);
  *out = c;
  if (err) err->clear();
  return true;
}

}  // namespace fail::netif
