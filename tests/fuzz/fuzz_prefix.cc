// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: net::parsePrefix (the DNS front-end's -allow). What it accepts prints
// back to a form it parses to the same value, and contains its own network address.
#include <netinet/in.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "check.hh"
#include "net/prefix.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fail::net;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  Prefix p;
  std::string err;
  if (!parsePrefix(in, &p, &err)) {
    FUZZ_CHECK(!err.empty());
    return 0;
  }
  FUZZ_CHECK(p.family == AF_INET || p.family == AF_INET6);
  FUZZ_CHECK(p.length <= (p.family == AF_INET ? 32u : 128u));
  Prefix back;
  FUZZ_CHECK(parsePrefix(p.str(), &back, &err));
  FUZZ_CHECK(back == p);
  sockaddr_storage ss{};
  if (p.family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    std::memcpy(&a->sin_addr, p.bytes.data(), 4);
  } else {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    std::memcpy(&a->sin6_addr, p.bytes.data(), 16);
  }
  FUZZ_CHECK(p.contains(reinterpret_cast<const sockaddr*>(&ss)));
  return 0;
}
