// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The inside of a Snapshot (dns/snapshot.hh), for the builder (snapshot.cc) and the
// answerer (answer.cc) only. Everything is flat: names and response bodies in byte
// blobs, nodes in an open-addressing table keyed by the lowercase wire name.
//
// A body is the answer section of a response, ready to copy: its records' owners are
// the pointer C0 0C (the question's name, at offset 12), so the client's letter case is
// what the answer shows. The SOA is written from its zone's template at answer time
// (owner pointer, TTL and serial patched), since NXDOMAIN answers point into the
// question at a place only the query tells.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dns/snapshot.hh"

namespace fail::dns::detail {

// One RRset of a node.
struct RRset {
  enum Kind : std::uint8_t { Static, Pool, Soa };
  std::uint16_t type = 0;
  Kind kind = Static;
  std::uint16_t count = 0;  // Static: records in the body
  std::uint32_t off = 0;    // Static: into StaticPart::bodies; Pool: pool index; Soa: zone index
  std::uint32_t len = 0;    // Static: body bytes
};

struct Node {
  std::uint64_t hash = 0;
  std::uint32_t nameOff = 0;  // into StaticPart::names (lowercase wire form)
  std::uint16_t nameLen = 0;
  std::uint16_t zone = 0;     // the deepest zone holding the name
  std::uint32_t firstSet = 0; // into StaticPart::sets
  std::uint16_t setCount = 0; // 0: an empty non-terminal
  std::uint16_t cname = 0xffff;  // index (from firstSet) of its CNAME set, 0xffff: none
};

struct ZoneData {
  std::uint32_t apexLen = 0;        // of the apex in wire form
  std::vector<std::uint8_t> soa;    // the SOA record, owner C0 0C, TTL the zone's
  std::uint32_t negativeTtl = 0;    // min(SOA TTL, minimum): the TTL in negative answers
  static constexpr std::size_t kTtlAt = 6;         // in `soa`
  static constexpr std::size_t kSerialFromEnd = 20;  // the serial is at soa.size() - 20
};

// Built once per Config, shared by every snapshot made from it.
struct StaticPart {
  std::vector<std::uint8_t> names;
  std::vector<std::uint8_t> bodies;
  std::vector<Node> nodes;
  std::vector<RRset> sets;
  std::vector<std::uint32_t> slots;  // node index + 1; 0: empty. Size: a power of two
  std::vector<ZoneData> zones;
  std::vector<std::string> poolNames;  // by pool index

  const Node* find(const std::uint8_t* name, std::size_t len, std::uint64_t hash) const {
    if (slots.empty()) return nullptr;
    const std::size_t mask = slots.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      const std::uint32_t s = slots[i];
      if (s == 0) return nullptr;
      const Node& n = nodes[s - 1];
      if (n.hash == hash && n.nameLen == len && std::equal(name, name + len, names.begin() + n.nameOff)) return &n;
    }
  }
};

// One pool's prebuilt answers, both families; replaced whole when its health changes.
struct PoolAnswer {
  struct Variant {
    std::uint32_t off = 0, len = 0;
    std::uint16_t count = 0;
  };
  struct Family {
    std::uint8_t rcode = 0;  // 0 or 2 (SERVFAIL, -all-down servfail)
    std::vector<Variant> variants;  // empty: NODATA
    std::vector<std::uint16_t> cycle;
  };
  std::vector<std::uint8_t> bytes;
  Family family[2];  // A, AAAA
  friend bool operator==(const Variant& a, const Variant& b) {
    return a.off == b.off && a.len == b.len && a.count == b.count;
  }
  bool sameAs(const PoolAnswer& o) const {
    for (int f = 0; f < 2; ++f)
      if (family[f].rcode != o.family[f].rcode || family[f].variants != o.family[f].variants ||
          family[f].cycle != o.family[f].cycle)
        return false;
    return bytes == o.bytes;
  }
};

// The static part of `config`: zones, SOA templates, NS, static records, empty
// non-terminals, and a node with A and AAAA pool sets for each pool inside a zone (pool
// index = position in config.pools). Records at a pool's name of type A or AAAA are
// shadowed by the pool.
std::shared_ptr<const StaticPart> buildStatic(const Config& config);

}  // namespace fail::dns::detail

namespace fail::dns {

class Snapshot {
 public:
  std::shared_ptr<const detail::StaticPart> statics;
  std::vector<std::shared_ptr<const detail::PoolAnswer>> pools;  // by pool index
  std::vector<std::uint32_t> serials;                            // by zone index
};

}  // namespace fail::dns
