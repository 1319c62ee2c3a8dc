// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The hot path: one query in, one response out, from a Snapshot. Parses the header, the
// one question and an OPT record (bounds-checked, no allocation), looks the name up,
// and writes the response in place into `out`. Hand-written for speed; fuzzed
// (tests/fuzz) and checked against ldns in the tests.
//
// What it answers (failover(n), "DNS front-end"): AA for names in a zone; NXDOMAIN or
// NODATA with the zone's SOA in the authority section; empty non-terminals are NODATA;
// EDNS0 with our OPT (payload 1232) only when the query had one, BADVERS above version 0,
// FORMERR for a second OPT or garbage; TC when the answer does not fit (512 without EDNS,
// the client's payload capped at 1232 with it, 65535 on TCP); the question's letter case
// kept; ANY answered minimally (RFC 8482); CHAOS and other classes REFUSED, opcodes other
// than QUERY NOTIMP; a name outside every zone is Forward (the caller decides: forward
// for allowed clients, REFUSED for the others with refuse()).
#pragma once

#include <cstddef>
#include <cstdint>

#include "dns/snapshot.hh"

namespace fail::dns {

enum class Outcome : std::uint8_t {
  Answered,  // `out` holds the response (any rcode)
  Forward,   // a name outside our zones: forward it, or refuse()
  Drop,      // not worth an answer (a response, shorter than a header): send nothing
};

enum class Rcode : std::uint8_t { NoError = 0, FormErr = 1, ServFail = 2, NxDomain = 3, NotImp = 4, Refused = 5 };

// Counters a reader keeps for itself (one per thread, summed by the control thread).
// respond() counts queries, tcp, truncated, dropped, edns, badvers and the rcode of what
// it answered; the caller counts forwarded and refused for the Forward outcome.
struct Counters {
  std::uint64_t queries = 0, tcp = 0, truncated = 0, forwarded = 0, refused = 0, dropped = 0;
  std::uint64_t rcode[16] = {};
  std::uint64_t edns = 0, badvers = 0;
};

struct Request {
  const std::uint8_t* data;
  std::size_t size;
  bool tcp = false;
};

// Writes the response to `req` into out[0, cap) and returns its size in *outSize. `cap`
// must be at least 512 (UDP) or 65535 (TCP); a UDP response is never longer than cap, so
// give 1232 for EDNS clients to get their full payload. Never reads outside
// req.data[0, size). The cursor grows (allocates) only when `snap` has more pools than
// it has seen; nothing else allocates.
Outcome respond(const Snapshot& snap, Cursor& cursor, const Request& req, std::uint8_t* out, std::size_t cap,
                std::size_t* outSize, Counters& counters);

// A response with only the header and the question of `req` and the given rcode
// (REFUSED for a client not allowed to forward, SERVFAIL when forwarding failed).
// Returns 0 when the query cannot be parsed enough to echo its question.
std::size_t refuse(const Request& req, Rcode rcode, std::uint8_t* out, std::size_t cap);

}  // namespace fail::dns
