// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The socket addresses of `fail::dns serve` (-listen, -forward; failover(n)): a numeric
// address and a port, "203.0.113.53:53" or "[2001:db8::53]:53", read without any name
// lookup and written back in one canonical form, so that a reload can compare them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fail::shell {

// Parses "ADDRESS:PORT", "[V6]:PORT", or (when defaultPort is not 0) a bare "ADDRESS",
// "[V6]" or "V6". PORT is decimal, 1-65535, or 0 when `zeroOk` (-listen: any free port).
// `out` is "A.B.C.D:P" or "[V6]:P" with the address as inet_ntop writes it; parsing `out`
// again gives `out`. False for anything else (a name, a missing port, garbage).
bool parseDnsSocket(std::string_view text, std::uint16_t defaultPort, bool zeroOk, std::string& out);

}  // namespace fail::shell
