// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: parseDnsSocket, the reader of `fail::dns serve -listen/-forward`
// addresses (shell/dns_socket.hh), on arbitrary bytes. Whatever it accepts is canonical
// after one round: its output parses again to itself, with a port in range.
#include <cstdint>
#include <string>
#include <string_view>

#include "check.hh"
#include "shell/dns_socket.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (bool zeroOk : {false, true})
    for (std::uint16_t def : {std::uint16_t{0}, std::uint16_t{53}}) {
      std::string out;
      if (!fail::shell::parseDnsSocket(in, def, zeroOk, out)) continue;
      std::string again;
      FUZZ_CHECK(fail::shell::parseDnsSocket(out, 0, zeroOk, again));
      FUZZ_CHECK(again == out);
      unsigned long port = std::stoul(out.substr(out.rfind(':') + 1));
      FUZZ_CHECK(port <= 65535 && (zeroOk || port != 0));
    }
  return 0;
}
