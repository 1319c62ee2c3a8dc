// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The hot path (dns/answer.hh): no allocation (but the Cursor's one-time growth when a
// snapshot has more pools than it knew), no exception, every read bounds-checked.
#include "dns/answer.hh"

#include <algorithm>
#include <cstring>

#include "dns/snapshot_data.hh"
#include "dns/wire.hh"

namespace fail::dns {

namespace {

using detail::Node;
using detail::RRset;

constexpr std::uint16_t kPayload = 1232;  // our EDNS payload, and the cap of the client's
constexpr std::size_t kOptSize = 11;

// What was parsed of a query.
struct Query {
  wire::Header h;
  std::size_t qnameEnd = 0, qend = 0;  // the question: [12, qend)
  std::uint8_t lower[wire::kQnameBuffer];  // the question's name, lowercase
  std::size_t lowerLen = 0;
  std::uint64_t hash = 0;  // of `lower`
  std::uint16_t qtype = 0, qclass = 0;
  bool edns = false, dnssecOk = false;
  std::uint8_t ednsVersion = 0;
  std::uint16_t payload = 0;
};

// Skips one resource record at *pos; with OPT, notes it in q. False: malformed.
enum class RrParse { Ok, Bad, SecondOpt };
RrParse skipRecord(const std::uint8_t* msg, std::size_t size, std::size_t* pos, Query& q, bool additional) {
  std::size_t end = 0, nameLen = 0;
  if (*pos < size && msg[*pos] == 0) {  // the root (OPT's owner): no need to read it
    end = *pos + 1;
    nameLen = 1;
  } else if (wire::readName(msg, size, *pos, &end, nullptr, &nameLen) != wire::NameError::None) {
    return RrParse::Bad;
  }
  if (end + 10 > size) return RrParse::Bad;
  const std::uint16_t type = wire::get16(msg + end);
  const std::size_t rdlen = wire::get16(msg + end + 8);
  if (end + 10 + rdlen > size) return RrParse::Bad;
  if (type == wire::kTypeOpt) {
    if (!additional || nameLen != 1) return RrParse::Bad;  // OPT: owner the root, additional only
    if (q.edns) return RrParse::SecondOpt;
    q.edns = true;
    q.payload = wire::get16(msg + end + 2);
    q.ednsVersion = msg[end + 5];
    q.dnssecOk = (msg[end + 6] & 0x80) != 0;
  }
  *pos = end + 10 + rdlen;
  return RrParse::Ok;
}

// A response's fixed part: header (counts zero), and the question when `withQuestion`.
std::size_t begin(const Query& q, const std::uint8_t* data, std::uint8_t* out, Rcode rcode, bool withQuestion,
                  bool aa) {
  const std::uint16_t flags = static_cast<std::uint16_t>(
      wire::kQr | (q.h.flags & (0x7800 | wire::kRd | wire::kCd)) | (aa ? wire::kAa : 0) | static_cast<unsigned>(rcode));
  wire::Header h{q.h.id, flags, static_cast<std::uint16_t>(withQuestion ? 1 : 0), 0, 0, 0};
  wire::writeHeader(out, h);
  if (!withQuestion) return wire::kHeaderSize;
  std::memcpy(out + wire::kHeaderSize, data + wire::kHeaderSize, q.qend - wire::kHeaderSize);
  return q.qend;
}

std::size_t putOpt(const Query& q, std::uint8_t* p, std::uint8_t extRcode) {
  p[0] = 0;
  wire::put16(p + 1, wire::kTypeOpt);
  wire::put16(p + 3, kPayload);
  p[5] = extRcode;
  p[6] = 0;  // version 0
  p[7] = q.dnssecOk ? 0x80 : 0;  // DO copied (RFC 3225)
  p[8] = 0;
  wire::put16(p + 9, 0);
  return kOptSize;
}

// Finishes a response of `size` bytes with `an`/`ns` records: the OPT when the query had
// one, the counts, TC (and only the question) when it exceeds `limit`.
std::size_t finish(const Query& q, std::uint8_t* out, std::size_t size, std::size_t limit, std::uint16_t an,
                   std::uint16_t ns, Counters& c) {
  const std::size_t opt = q.edns ? kOptSize : 0;
  if (size + opt > limit) {
    ++c.truncated;
    size = q.qend;
    an = ns = 0;
    wire::put16(out + 2, wire::get16(out + 2) | wire::kTc);
  }
  wire::put16(out + 6, an);
  wire::put16(out + 8, ns);
  if (q.edns) {
    size += putOpt(q, out + size, 0);
    wire::put16(out + 10, 1);
  }
  return size;
}

// Appends the zone's SOA at out[*size] (when it fits below `limit`), owner a pointer to
// `owner` (the apex, in the question), with `ttl`; MNAME and RNAME point into the apex
// where they end in one of its suffixes. False when it does not fit.
bool putSoa(const Snapshot& snap, std::size_t zone, std::uint16_t owner, std::uint32_t ttl, std::uint8_t* out,
            std::size_t* size, std::size_t limit) {
  const detail::ZoneData& z = snap.statics->zones[zone];
  if (*size + z.soa.size() > limit) return false;
  std::uint8_t* p = out + *size;
  std::memcpy(p, z.soa.data(), z.soa.size());
  wire::put16(p, static_cast<std::uint16_t>(0xc000 | owner));
  for (std::uint8_t i = 0; i < z.pointerCount; ++i)
    wire::put16(p + z.pointers[i].at, static_cast<std::uint16_t>(0xc000 | (owner + z.pointers[i].into)));
  wire::put32(p + detail::ZoneData::kTtlAt, ttl);
  wire::put32(p + z.soa.size() - detail::ZoneData::kSerialFromEnd, snap.serials[zone]);
  *size += z.soa.size();
  return true;
}

// Parses header, question and the other sections. Returns the rcode to answer with
// when the query is malformed (FORMERR) or NoError; *withQuestion tells whether the
// question could be read.
Rcode parse(const Request& req, Query& q, bool* withQuestion) {
  *withQuestion = false;
  if (q.h.qdcount != 1) return Rcode::FormErr;
  if (wire::readQname(req.data, req.size, &q.qnameEnd, q.lower, &q.lowerLen, &q.hash) != wire::NameError::None)
    return Rcode::FormErr;
  if (q.qnameEnd + 4 > req.size) return Rcode::FormErr;
  q.qtype = wire::get16(req.data + q.qnameEnd);
  q.qclass = wire::get16(req.data + q.qnameEnd + 2);
  q.qend = q.qnameEnd + 4;
  *withQuestion = true;  // the question is whole: echoed, also in a FORMERR for what follows
  std::size_t pos = q.qend;
  const unsigned records = unsigned{q.h.ancount} + q.h.nscount + q.h.arcount;
  for (unsigned i = 0; i < records; ++i) {
    const bool additional = i >= unsigned{q.h.ancount} + q.h.nscount;
    switch (skipRecord(req.data, req.size, &pos, q, additional)) {
      case RrParse::Ok: break;
      case RrParse::Bad: return Rcode::FormErr;
      case RrParse::SecondOpt: return Rcode::FormErr;
    }
  }
  if (pos != req.size) return Rcode::FormErr;  // garbage after the last record
  return Rcode::NoError;
}

// The RRset of `node` that answers `qtype`, or null (NODATA); a CNAME answers any type.
const RRset* pick(const detail::StaticPart& s, const Node& node, std::uint16_t qtype) {
  const RRset* sets = s.sets.data() + node.firstSet;
  if (node.setCount == 0) return nullptr;
  if (qtype == wire::kTypeAny) {  // RFC 8482: one RRset, the A set when there is one
    for (std::uint16_t i = 0; i < node.setCount; ++i)
      if (sets[i].type == wire::kTypeA) return &sets[i];
    return &sets[0];
  }
  for (std::uint16_t i = 0; i < node.setCount; ++i)
    if (sets[i].type == qtype) return &sets[i];
  if (node.cname != 0xffff) return &sets[node.cname];
  return nullptr;
}

}  // namespace

namespace {

// A body to copy: records whose owners are pointers (C0 0C in the snapshot).
struct Body {
  const std::uint8_t* data = nullptr;
  std::size_t len = 0;
  std::uint16_t count = 0;
};

// The records a pool answers for `set` (A or AAAA) now, moving the reader's cursor.
// Returns false for SERVFAIL (-all-down servfail); an empty body is NODATA.
bool poolBody(const Snapshot& snap, Cursor& cursor, const RRset& set, Body& body) {
  const std::size_t p = set.off;
  const detail::PoolAnswer& pa = *snap.pools[p];
  const int f = set.type == wire::kTypeA ? 0 : 1;
  const auto& fam = pa.family[f];
  if (cursor.next.size() < 2 * snap.pools.size()) cursor.next.resize(2 * snap.pools.size(), 0);
  if (cursor.queries.size() < snap.pools.size()) cursor.queries.resize(snap.pools.size(), 0);
  ++cursor.queries[p];
  if (fam.rcode == 2) return false;
  if (fam.variantCount == 0 || fam.cycleLength == 0) return true;
  std::uint32_t& at = cursor.next[2 * p + static_cast<std::size_t>(f)];
  if (at >= fam.cycleLength) at = 0;
  const detail::PoolAnswer::Variant v = pa.variant(fam, pa.step(fam, at++));
  body = Body{pa.block.data() + v.off, v.len, v.count};
  return true;
}

// Copies `body` to out[*size] when it fits below `room`, its owners pointing at `owner`.
bool putBody(const Body& body, std::uint16_t owner, std::uint8_t* out, std::size_t* size, std::size_t room) {
  if (*size + body.len > room) return false;
  std::uint8_t* p = out + *size;
  std::memcpy(p, body.data, body.len);
  if (owner != wire::kHeaderSize) {
    for (std::size_t i = 0; i + 12 <= body.len; i += 12 + wire::get16(p + i + 10))
      wire::put16(p + i, static_cast<std::uint16_t>(0xc000 | owner));
  }
  *size += body.len;
  return true;
}

// RFC 1034 §4.3.2: after a CNAME, the target's RRset of the type asked, when the target
// is ours and the RRset holds no names compressed against its own owner (A, AAAA, TXT...;
// pools). One step; it is left out when it does not fit.
std::uint16_t chase(const Snapshot& snap, Cursor& cursor, const Query& q, const Node& alias, std::uint8_t* out,
                    std::size_t* size, std::size_t room) {
  const detail::StaticPart& s = *snap.statics;
  if (alias.cnameTarget == 0 || q.qtype == wire::kTypeCname || q.qtype == wire::kTypeAny) return 0;
  const Node& target = s.nodes[alias.cnameTarget - 1];
  const RRset* sets = s.sets.data() + target.firstSet;
  for (std::uint16_t i = 0; i < target.setCount; ++i) {
    const RRset& set = sets[i];
    if (set.type != q.qtype) continue;
    Body body;
    if (set.kind == RRset::Pool) {
      if (!poolBody(snap, cursor, set, body)) return 0;
    } else if (set.kind == RRset::Static && q.qtype != wire::kTypeNs && q.qtype != wire::kTypePtr &&
               q.qtype != wire::kTypeMx && q.qtype != wire::kTypeCname) {
      body = Body{s.bodies.data() + set.off, set.len, set.count};
    }
    // The CNAME's target is its RDATA, 12 bytes into the one record after the question.
    if (body.count && putBody(body, static_cast<std::uint16_t>(q.qend + 12), out, size, room)) return body.count;
    return 0;
  }
  return 0;
}

// The answer to a well-formed IN query for a name in our zones (node: the name's, or
// null for NXDOMAIN in `zone`). Returns the response's size.
std::size_t answerName(const Snapshot& snap, Cursor& cursor, const Query& q, const Request& req, const Node* node,
                       std::size_t zone, std::uint8_t* out, std::size_t limit, Counters& c) {
  const detail::StaticPart& s = *snap.statics;
  const std::size_t room = limit - (q.edns ? kOptSize : 0);  // what the records may fill
  const RRset* set = node ? pick(s, *node, q.qtype) : nullptr;
  Rcode rcode = node ? Rcode::NoError : Rcode::NxDomain;
  Body body;
  if (set && set->kind == RRset::Static) {
    body = Body{s.bodies.data() + set->off, set->len, set->count};
  } else if (set && set->kind == RRset::Pool && !poolBody(snap, cursor, *set, body)) {
    rcode = Rcode::ServFail;
  }
  std::size_t size = begin(q, req.data, out, rcode, true, rcode != Rcode::ServFail);
  std::uint16_t an = 0, ns = 0;
  bool fits = true;
  if (set && set->kind == RRset::Soa) {
    const auto& soa = s.zones[zone].soa;
    fits = putSoa(snap, zone, wire::kHeaderSize, wire::get32(soa.data() + detail::ZoneData::kTtlAt), out, &size, room);
    an = 1;
  } else if (body.count) {
    fits = putBody(body, wire::kHeaderSize, out, &size, room);
    an = body.count;
    if (fits && set->type == wire::kTypeCname) an += chase(snap, cursor, q, *node, out, &size, room);
  } else if (rcode != Rcode::ServFail) {  // NXDOMAIN or NODATA: the SOA in authority
    const std::size_t owner = wire::kHeaderSize + q.lowerLen - s.zones[zone].apexLen;  // the apex, in the question
    fits = putSoa(snap, zone, static_cast<std::uint16_t>(owner), s.zones[zone].negativeTtl, out, &size, room);
    ns = 1;
  }
  ++c.rcode[static_cast<unsigned>(rcode)];
  if (!fits) return finish(q, out, limit + 1, limit, 0, 0, c);  // TC
  return finish(q, out, size, limit, an, ns, c);
}

}  // namespace

Outcome respond(const Snapshot& snap, Cursor& cursor, const Request& req, std::uint8_t* out, std::size_t cap,
                std::size_t* outSize, Counters& c) {
  ++c.queries;
  if (req.tcp) ++c.tcp;
  Query q;
  if (!wire::readHeader(req.data, req.size, q.h) || (q.h.flags & wire::kQr)) {
    ++c.dropped;
    return Outcome::Drop;
  }
  bool withQuestion = false;
  Rcode bad = parse(req, q, &withQuestion);
  if (wire::opcodeOf(q.h.flags) != 0) {  // NOTIMP, echoing the question when it was whole
    *outSize = begin(q, req.data, out, Rcode::NotImp, withQuestion && q.qend <= cap, false);
    ++c.rcode[4];
    return Outcome::Answered;
  }
  if (bad != Rcode::NoError) {
    q.edns = false;
    *outSize = begin(q, req.data, out, bad, withQuestion && q.qend <= cap, false);
    ++c.rcode[static_cast<unsigned>(bad)];
    return Outcome::Answered;
  }
  std::size_t limit = req.tcp ? 65535 : 512;
  if (q.edns) {
    ++c.edns;
    if (q.ednsVersion > 0) {  // BADVERS (RFC 6891 §6.1.3): extended rcode 16, upper bits 1
      ++c.badvers;
      std::size_t size = begin(q, req.data, out, Rcode::NoError, true, false);
      size += putOpt(q, out + size, 1);
      wire::put16(out + 10, 1);
      *outSize = size;
      return Outcome::Answered;
    }
    if (!req.tcp) limit = std::clamp<std::size_t>(q.payload, 512, kPayload);
  }
  limit = std::min(limit, cap);
  if (q.qclass != wire::kClassIn || q.qtype == wire::kTypeAxfr || q.qtype == wire::kTypeIxfr ||
      q.qtype == wire::kTypeOpt) {
    const Rcode rc = q.qtype == wire::kTypeOpt && q.qclass == wire::kClassIn ? Rcode::FormErr : Rcode::Refused;
    const std::size_t size = begin(q, req.data, out, rc, true, false);
    *outSize = finish(q, out, size, limit, 0, 0, c);
    ++c.rcode[static_cast<unsigned>(rc)];
    return Outcome::Answered;
  }
  const detail::StaticPart& s = *snap.statics;
  const Node* node = s.find(q.lower, q.lowerLen, q.hash);
  std::size_t zone = 0;
  if (node) {
    zone = node->zone;
  } else {  // the closest existing ancestor tells the zone; none: not ours
    std::size_t at = 0;
    for (;;) {
      if (q.lower[at] == 0) return Outcome::Forward;
      at += 1 + q.lower[at];
      const std::size_t len = q.lowerLen - at;
      if (const Node* up = s.find(q.lower + at, len, wire::hashName(q.lower + at, len))) {
        zone = up->zone;
        break;
      }
    }
  }
  *outSize = answerName(snap, cursor, q, req, node, zone, out, limit, c);
  return Outcome::Answered;
}

std::size_t refuse(const Request& req, Rcode rcode, std::uint8_t* out, std::size_t cap) {
  Query q;
  if (!wire::readHeader(req.data, req.size, q.h)) return 0;
  bool withQuestion = false;
  parse(req, q, &withQuestion);
  if (!withQuestion || q.qend > cap) return 0;
  return begin(q, req.data, out, rcode, true, false);
}

}  // namespace fail::dns
