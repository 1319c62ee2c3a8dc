// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Prefixes in and out, and the contains test.
#include "net/prefix.hh"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "base/text.hh"

namespace fail::net {
namespace {

bool fail(std::string* err, const std::string& what, std::string_view text) {
  if (err) *err = what + ": \"" + printable(text) + "\"";
  return false;
}

// Whether the first `length` bits of a and b agree.
bool samePrefix(const std::uint8_t* a, const std::uint8_t* b, unsigned length) {
  unsigned whole = length / 8;
  if (std::memcmp(a, b, whole) != 0) return false;
  unsigned rest = length % 8;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

}  // namespace

bool Prefix::contains(const sockaddr* sa) const {
  if (!sa) return false;
  if (sa->sa_family == AF_INET) {
    if (family != AF_INET) return false;
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    return samePrefix(reinterpret_cast<const std::uint8_t*>(&in->sin_addr), bytes.data(), length);
  }
  if (sa->sa_family != AF_INET6) return false;
  const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
  const auto* a = reinterpret_cast<const std::uint8_t*>(&in6->sin6_addr);
  if (family == AF_INET6) return samePrefix(a, bytes.data(), length);
  // ::ffff:a.b.c.d, as a dual-stack socket reports an IPv4 peer
  if (family == AF_INET && IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) return samePrefix(a + 12, bytes.data(), length);
  return false;
}

std::string Prefix::str() const {
  char buf[INET6_ADDRSTRLEN] = "";
  if (family != AF_INET && family != AF_INET6) return "?";
  ::inet_ntop(family, bytes.data(), buf, sizeof buf);
  return std::string(buf) + "/" + std::to_string(length);
}

bool parsePrefix(std::string_view text, Prefix* out, std::string* err) {
  if (text.empty()) return fail(err, "empty address prefix", text);
  // The longest IPv6 text (45) plus "/128"; a NUL would end inet_pton's input early.
  if (text.size() > INET6_ADDRSTRLEN + 4 || text.find('\0') != std::string_view::npos)
    return fail(err, "not an address prefix", text);
  std::size_t slash = text.find('/');
  std::string addr(text.substr(0, slash));
  Prefix p;
  p.family = addr.find(':') != std::string::npos ? AF_INET6 : AF_INET;
  if (addr.empty() || ::inet_pton(p.family, addr.c_str(), p.bytes.data()) != 1)
    return fail(err, "not an IPv4 or IPv6 address", text);
  const unsigned max = p.family == AF_INET ? 32 : 128;
  p.length = max;
  if (slash != std::string_view::npos) {
    std::string_view len = text.substr(slash + 1);
    if (len.empty() || len.size() > 3) return fail(err, "bad prefix length", text);
    unsigned v = 0;
    for (char ch : len) {
      if (ch < '0' || ch > '9') return fail(err, "bad prefix length", text);
      v = v * 10 + static_cast<unsigned>(ch - '0');
    }
    if (v > max) return fail(err, "prefix length above " + std::to_string(max), text);
    p.length = v;
  }
  Prefix masked = p;
  for (unsigned bit = p.length; bit < max; ++bit)
    masked.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80 >> (bit % 8)));
  if (masked != p) return fail(err, "host bits set after the prefix length (the network is " + masked.str() + ")", text);
  *out = p;
  if (err) err->clear();
  return true;
}

bool anyContains(const std::vector<Prefix>& prefixes, const sockaddr* sa) {
  for (const auto& p : prefixes)
    if (p.contains(sa)) return true;
  return false;
}

}  // namespace fail::net
