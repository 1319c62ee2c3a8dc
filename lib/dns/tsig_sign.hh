// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// TSIG signing and verification of whole DNS messages (RFC 8945 §4.3, §5.3), on wire
// bytes, with OpenSSL's HMAC. Why not ldns_pkt_tsig_sign/verify: ldns 1.8.3 knows
// hmac-sha384 only under a misspelt name ("hmac-shac384.") and has no hmac-sha224, while
// all six algorithms of tsig_key.hh must work. ldns remains the oracle: the unit tests
// check that ldns verifies what this signs and the other way round (sha256, sha512, sha1,
// md5).
//
// Names in the TSIG RR are written uncompressed in canonical (lowercase) form; only full
// length MACs are accepted (RFC 8945 §5.2.2.1 allows truncation; BIND and Knot do not
// truncate unless configured to).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dns/tsig_key.hh"

namespace fail::dns {

inline constexpr std::uint16_t kTsigFudge = 300;  // seconds, as BIND and ldns use

// TSIG RR error field values (RFC 8945 §3).
inline constexpr std::uint16_t kTsigBadSig = 16, kTsigBadKey = 17, kTsigBadTime = 18, kTsigBadTrunc = 22;
// "BADSIG", "BADKEY", "BADTIME", "BADTRUNC", "" for 0, "TSIGERROR<n>" otherwise.
std::string tsigErrorName(std::uint16_t error);

// Appends a TSIG RR signed with `key` to `wire`, a complete message without one, and
// counts it in ARCOUNT. `timeSigned` in seconds since the epoch. `requestMac` is empty
// for a request (what this suite signs). Returns the MAC (kept to verify the reply), or
// an empty vector when the algorithm is unknown or OpenSSL fails (*err says which).
std::vector<std::uint8_t> tsigSign(std::vector<std::uint8_t>& wire, const TsigKey& key,
                                   std::uint64_t timeSigned, const std::vector<std::uint8_t>& requestMac,
                                   std::string* err);

// What the TSIG RR of a reply says, whether or not it verified.
struct TsigSeen {
  bool present = false;     // the last additional RR is a TSIG RR
  std::string keyName;      // canonical
  std::string algorithm;    // canonical, with the trailing dot ("hmac-sha256.")
  std::uint64_t timeSigned = 0;
  std::uint16_t fudge = 0;
  std::uint16_t error = 0;  // BADSIG, BADKEY, BADTIME...
  std::size_t macLength = 0;
};

enum class TsigVerdict {
  Unsigned,   // no TSIG RR
  Verified,   // the MAC is right, for this key, over this reply and the request's MAC
  ErrorSet,   // signed with an error (BADSIG, BADKEY: MAC empty by the RFC; BADTIME: MAC
              // checked, as the RFC says the server signs it)
  Forged,     // a TSIG RR whose MAC, key or algorithm is wrong
  BadTime,    // the MAC is right but the time signed is outside the fudge of `now`
  Malformed,  // the message cannot be walked, or the TSIG RR is not well formed
};

// Verifies the TSIG RR of `wire` (a reply) against `key` and the request's MAC, with
// `now` in seconds since the epoch. Fills *seen with what the RR says.
TsigVerdict tsigVerify(const std::uint8_t* wire, std::size_t length, const TsigKey& key,
                       const std::vector<std::uint8_t>& requestMac, std::uint64_t now, TsigSeen* seen);

}  // namespace fail::dns
