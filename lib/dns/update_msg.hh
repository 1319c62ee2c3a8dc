// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// RFC 2136 messages, built with ldns (dns/ldns.hh) and signed with TSIG (dns/tsig_sign.hh):
// an UPDATE replacing the RRsets of one or many names of a zone, each guarded by a
// compare-and-swap prerequisite; the queries that read an RRset or a zone's SOA; and the
// checks a reply must pass before anything believes it.
//
// Each message is built once (Request) and encoded per attempt (Request::encode) with a
// fresh ID and a fresh TSIG time, so that a retry is a new message.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dns/tsig_key.hh"

namespace fail::dns {

inline constexpr std::uint16_t kTypeA = 1, kTypeNs = 2, kTypeSoa = 6, kTypeAaaa = 28;

// Rcodes (RFC 1035, RFC 2136 §2.2).
enum Rcode : std::uint16_t {
  kNoError = 0, kFormErr = 1, kServFail = 2, kNxDomain = 3, kNotImp = 4, kRefused = 5,
  kYxDomain = 6, kYxRrset = 7, kNxRrset = 8, kNotAuth = 9, kNotZone = 10,
};
// "NOERROR", "YXRRSET", "NOTAUTH"... ; "RCODE<n>" for the others.
std::string rcodeName(std::uint16_t rcode);

// The new content of one RRset (RFC 2136 §2.5: delete the RRset, then add `records`).
struct RrsetChange {
  std::string name;                  // canonical, at or below the zone
  std::uint16_t type = kTypeA;       // A or AAAA
  std::uint32_t ttl = 60;            // of the added records
  std::vector<std::string> records;  // RDATA in presentation form ("203.0.113.10"); may be empty
  // The compare-and-swap prerequisite (RFC 2136 §2.4): nullopt, none; an empty list,
  // "RRset does not exist" (§2.4.3, `-expect {}`); otherwise "RRset exists
  // (value dependent)" with these RDATA (§2.4.2), the RRset as it was read.
  std::optional<std::vector<std::string>> expect;
};

// One encoding of a Request: the bytes to send, their ID, and the request MAC that the
// reply's TSIG must be computed over (empty when unsigned).
struct Encoded {
  std::vector<std::uint8_t> wire;
  std::uint16_t id = 0;
  std::vector<std::uint8_t> mac;
};

// A reply that passed checkReply.
struct Reply {
  std::uint16_t rcode = 0;
  bool truncated = false;       // TC: ask again over TCP
  bool verified = false;        // its TSIG verified with the key
  bool unsignedReply = false;   // a key was set and the reply carried no TSIG (an error rcode)
  std::uint16_t tsigError = 0;  // the TSIG RR's error (BADSIG, BADKEY, BADTIME), 0 if none
  // Queries: the RDATA (presentation form) of the answer's RRs of the question's name and
  // type, in the order received; the SOA serial from the answer (an SOA query) or from
  // the authority section (a negative answer carries the zone's SOA).
  std::vector<std::string> records;
  std::optional<std::uint32_t> soaSerial;
};

// What checkReply decided about a datagram or a TCP message.
enum class ReplyCheck {
  Accept,  // a reply to this request: *reply is filled
  Ignore,  // not a reply to this request (wrong ID, question, opcode, not a response),
           // garbage, or forged (a bad MAC, unsigned and claiming success): keep waiting
};

class Request {
 public:
  Request(Request&&) noexcept;
  Request& operator=(Request&&) noexcept;
  ~Request();

  // An UPDATE of `zone` (canonical) with `changes` (at least one; names inside the zone,
  // A records IPv4 and AAAA IPv6, no name and type twice), signed with `key` when given.
  // nullopt with *err naming the name and value at fault.
  static std::optional<Request> update(const std::string& zone, const std::vector<RrsetChange>& changes,
                                       const TsigKey* key, std::string* err);
  // A query (RD clear) for `name` and `type` (kTypeSoa for a zone's serial), signed with
  // `key` when given (secondaries may not know the key: queries are usually unsigned).
  static std::optional<Request> query(const std::string& name, std::uint16_t type, const TsigKey* key,
                                      std::string* err);

  // The message with `id`, TSIG-signed at `timeSigned` (seconds since the epoch) when a
  // key is set. Never fails once built (an OpenSSL failure gives an empty wire).
  Encoded encode(std::uint16_t id, std::uint64_t timeSigned) const;

  // Checks a received message against this request's encoding `sent`: ID, QR, opcode,
  // question; TSIG (with `sent.mac`, at `now` seconds since the epoch) when a key is set.
  // A signed request accepts a reply that verifies, one whose TSIG carries an error
  // (BADSIG/BADKEY/BADTIME, rcode NOTAUTH), and an unsigned one only with a failure rcode
  // (FORMERR, SERVFAIL, NOTIMP, REFUSED, NOTAUTH: marked unsignedReply); anything else
  // is ignored as forged. *why says why a message was ignored.
  ReplyCheck check(const Encoded& sent, const std::uint8_t* data, std::size_t length, std::uint64_t now,
                   Reply* reply, std::string* why) const;

  bool isUpdate() const;
  bool isSigned() const;
  const std::string& qname() const;  // canonical: the zone of an update, the name queried
  std::uint16_t qtype() const;       // SOA for an update

 private:
  struct Impl;
  explicit Request(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// True when two RRsets hold the same records, whatever their order and spelling
// ("2001:db8::1" and "2001:DB8:0::1" are one AAAA record).
bool sameRecords(std::uint16_t type, const std::vector<std::string>& a, const std::vector<std::string>& b);

}  // namespace fail::dns
