// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: dns::parseTsigKeyText (tsig-keygen's BIND format, Knot's key section,
// ALGORITHM:NAME:SECRET). A failure names the file; a key accepted has a canonical name,
// one of the six algorithms and a secret that decodes.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "check.hh"
#include "dns/tsig_key.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fail::dns;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  TsigKey k;
  std::string err;
  if (!parseTsigKeyText(in, "f", k, &err)) {
    FUZZ_CHECK(err.rfind("f", 0) == 0);
    return 0;
  }
  FUZZ_CHECK(!k.name.empty() && k.name.back() != '.');
  FUZZ_CHECK(tsigAlgorithm(k.algorithm) == k.algorithm);
  std::vector<uint8_t> secret;
  FUZZ_CHECK(decodeTsigSecret(k.secret, secret));
  FUZZ_CHECK(k.origin.rfind("f:", 0) == 0);
  return 0;
}
