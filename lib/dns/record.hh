// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Static records and zone files, parsed by ldns at configuration time (the Tcl thread:
// `fail::dns record`, `fail::dns zone -file`), and the addresses of pool members. Every
// failure fills *err with a sentence naming what was wrong and where (FILE:LINE for zone
// files); nothing here is called on the answering path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dns/config.hh"

namespace fail::dns {

// One record, `OWNER TTL IN TYPE RDATA` in presentation form: any type ldns knows (A,
// AAAA, MX, TXT, CAA, SRV, CNAME, NS, PTR, ...; also the generic `TYPE65534 \# 2 abcd`).
// `owner` is relative to `origin` unless it ends with a dot ("@" is the origin); origin
// is canonical. SOA is refused (the zone declares its own). The RDATA lands in `out` in
// uncompressed wire form and the owner in canonical form; an owner outside `origin` is
// refused. ttl must be at most 2^31-1 (RFC 2181 §8).
bool parseRecord(std::string_view owner, std::string_view typeText, std::uint32_t ttl, std::string_view rdataText,
                 std::string_view origin, StaticRecord& out, std::string* err);

// Reads a master file (RFC 1035 §5, with $ORIGIN, $TTL, $INCLUDE as ldns reads them) for
// the zone `origin` (canonical). Every record goes to `records` except the apex SOA and
// the apex NS set: with `soaInto`, those fill its mbox, refresh, retry, expire, minimum,
// ttl and ns (its name and serial are left: the serial is the front-end's own); without
// it they are skipped. Errors read "FILE:LINE: what" (or "FILE: what" for a record
// outside the zone or a second SOA).
bool readZoneFile(const std::string& path, std::string_view origin, std::vector<StaticRecord>& records,
                  Zone* soaInto, std::string* err);

// "203.0.113.10" or "2001:db8::10" (inet_pton) into an IpAddress with `text` as written.
bool parseAddress(std::string_view text, IpAddress& out, std::string* err);

// The type's mnemonic ("A", "MX", "TYPE65534") and back (false for an unknown word).
std::string typeName(std::uint16_t type);
bool parseType(std::string_view text, std::uint16_t& type);

}  // namespace fail::dns
