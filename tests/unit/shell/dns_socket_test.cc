// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// parseDnsSocket: the -listen and -forward addresses of fail::dns serve.
#include <gtest/gtest.h>

#include "shell/dns_socket.hh"

namespace fail::shell {
namespace {

std::string parsed(std::string_view text, std::uint16_t def = 0, bool zeroOk = false) {
  std::string out;
  return parseDnsSocket(text, def, zeroOk, out) ? out : "(refused)";
}

TEST(DnsSocket, NumericAddressesWithAPortInOneCanonicalForm) {
  EXPECT_EQ(parsed("127.0.0.1:53"), "127.0.0.1:53");
  EXPECT_EQ(parsed("[::1]:5353"), "[::1]:5353");
  EXPECT_EQ(parsed("[2001:DB8:0::53]:53"), "[2001:db8::53]:53");
  EXPECT_EQ(parsed("127.0.0.1:0", 0, true), "127.0.0.1:0");
  EXPECT_EQ(parsed("127.0.0.1:00053"), "127.0.0.1:53");
  EXPECT_EQ(parsed("203.0.113.53", 53), "203.0.113.53:53");
  EXPECT_EQ(parsed("2001:db8::53", 53), "[2001:db8::53]:53");
  EXPECT_EQ(parsed("[2001:db8::53]", 53), "[2001:db8::53]:53");
}

TEST(DnsSocket, RefusesNamesMissingPortsAndGarbage) {
  for (const char* bad : {"", ":", "127.0.0.1", "127.0.0.1:", "localhost:53", "127.0.0.1:65536", "127.0.0.1:0",
                          "127.0.0.1:5a", "127.0.0.1:-1", "[::1", "[::1]53", "[::1]:", "[127.0.0.1]:53", "::1:53x",
                          "1.2.3:53", "127.0.0.1:123456", "[]:53"})
    EXPECT_EQ(parsed(bad), "(refused)") << bad;
  EXPECT_EQ(parsed("127.0.0.1:0", 53, false), "(refused)");
}

}  // namespace
}  // namespace fail::shell
