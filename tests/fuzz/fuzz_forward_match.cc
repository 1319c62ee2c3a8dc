// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: dns::questionEnd and sameQuestion (the forwarder's reading of an
// upstream's reply). Never reads outside the input; a message with a question matches
// itself and its copy with the case of the name changed.
#include <cstdint>
#include <vector>

#include "check.hh"
#include "dns/forward_match.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fail::dns;
  std::vector<uint8_t> m(data, data + size);  // exactly sized: ASan sees any overread
  std::size_t end = questionEnd(m.data(), m.size());
  FUZZ_CHECK(end == 0 || (end >= 17 && end <= m.size()));
  if (end == 0) {
    FUZZ_CHECK(!sameQuestion(m.data(), m.size(), m.data(), m.size()));
    return 0;
  }
  FUZZ_CHECK(sameQuestion(m.data(), m.size(), m.data(), m.size()));
  std::vector<uint8_t> upper(m);
  for (std::size_t i = 12; i < end - 4; ++i)
    if (upper[i] >= 'a' && upper[i] <= 'z') upper[i] = static_cast<uint8_t>(upper[i] - 32);
  FUZZ_CHECK(sameQuestion(m.data(), m.size(), upper.data(), upper.size()));
  return 0;
}
