// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: netif::parseCidr (fail::ip's ADDRESS/PREFIX). What it accepts prints
// back to a form it parses to the same value.
#include <cstdint>
#include <string>
#include <string_view>

#include "check.hh"
#include "netif/netif.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fail::netif;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  Cidr c;
  std::string err;
  if (!parseCidr(in, &c, &err)) {
    FUZZ_CHECK(!err.empty());
    return 0;
  }
  FUZZ_CHECK(c.family == AF_INET || c.family == AF_INET6);
  FUZZ_CHECK(c.prefix <= (c.family == AF_INET ? 32u : 128u));
  Cidr back;
  FUZZ_CHECK(parseCidr(c.str(), &back, &err));
  FUZZ_CHECK(back == c);
  return 0;
}
