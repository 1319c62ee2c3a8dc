// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Text to the front-end's values for `fail::dns`: addresses, static records of any type
// and zone files, parsed by ldns at configuration time (never while answering).
//
// Until lib/dns/record.hh (the answers' own reader) lands, this file is the one place
// lib/shell parses records; it then forwards to it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dns/config.hh"

namespace fail::shell {

// A numeric IPv4 or IPv6 address ("203.0.113.10", "2001:db8::10"); no name lookup.
bool parseIp(const std::string& text, dns::IpAddress& out);

// One record from the policy: `owner` canonical, `type` a mnemonic (MX, TXT, TYPE65...),
// `rdata` in presentation form. Names inside the RDATA are absolute whether or not they
// end with a dot. False with *err saying what is wrong.
bool parseStaticRecord(const std::string& owner, const std::string& type, std::uint32_t ttl,
                       const std::string& rdata, dns::StaticRecord& out, std::string* err);

// A zone file (RFC 1035 master format, $ORIGIN the zone, $TTL default `defaultTtl`).
// Its SOA is left out (the zone's is built from its options); its apex NS records go
// to `ns`; every other record to `out`. False with *err ("FILE:LINE: why") on a parse
// error, a record outside `zone` or a file that cannot be read.
bool readZoneFile(const std::string& path, const std::string& zone, std::uint32_t defaultTtl,
                  std::vector<dns::StaticRecord>& out, std::vector<std::string>& ns, std::string* err);

}  // namespace fail::shell
