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
#include <cstring>
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
  std::uint32_t cnameTarget = 0;  // the CNAME's target when it is one of ours: node index + 1
};

struct ZoneData {
  std::uint32_t apexLen = 0;        // of the apex in wire form
  std::vector<std::uint8_t> soa;    // the SOA record, owner C0 0C, TTL the zone's
  std::uint32_t negativeTtl = 0;    // min(SOA TTL, minimum): the TTL in negative answers
  // MNAME and RNAME end in a pointer to a suffix of the apex when they share one (not
  // the root): the pointer at soa[at] is written at answer time as the apex's offset in
  // the question plus `into` (the suffix's offset within the apex's wire form).
  struct ApexPointer {
    std::uint16_t at = 0, into = 0;
  };
  ApexPointer pointers[2];
  std::uint8_t pointerCount = 0;
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
      if (n.hash == hash && n.nameLen == len && sameBytes(name, names.data() + n.nameOff, len)) return &n;
    }
  }

  // a[0, len) == b[0, len), a word at a time (the last word overlapping) without a call.
  static bool sameBytes(const std::uint8_t* a, const std::uint8_t* b, std::size_t len) {
    if (len < 8) return std::memcmp(a, b, len) == 0;
    std::uint64_t x, y;
    for (std::size_t i = 0; i + 8 < len; i += 8) {
      std::memcpy(&x, a + i, 8);
      std::memcpy(&y, b + i, 8);
      if (x != y) return false;
    }
    std::memcpy(&x, a + len - 8, 8);
    std::memcpy(&y, b + len - 8, 8);
    return x == y;
  }
};

// One pool's prebuilt answers, both families, in one block: answering touches the
// object and its block only (few cache lines with 10,000 pools). Replaced whole when the
// pool's answer changes. The block holds, per family, its variants (kVariantSize bytes
// each: offset and length of its records in the block, record count) and its cycle (one
// 16-bit variant index per step), then the records of every variant.
struct PoolAnswer {
  struct Variant {
    std::uint32_t off = 0, len = 0;
    std::uint16_t count = 0;
  };
  struct Family {
    std::uint8_t rcode = 0;  // 0 or 2 (SERVFAIL, -all-down servfail)
    std::uint32_t variants = 0, variantCount = 0;  // variantCount 0: NODATA
    std::uint32_t cycle = 0, cycleLength = 0;
    friend bool operator==(const Family&, const Family&) = default;
  };
  static constexpr std::size_t kVariantSize = 10;
  Family family[2];  // A, AAAA
  std::vector<std::uint8_t> block;

  Variant variant(const Family& f, std::size_t i) const {
    const std::uint8_t* p = block.data() + f.variants + i * kVariantSize;
    Variant v;
    std::memcpy(&v.off, p, 4);
    std::memcpy(&v.len, p + 4, 4);
    std::memcpy(&v.count, p + 8, 2);
    return v;
  }
  std::uint16_t step(const Family& f, std::size_t i) const {
    std::uint16_t k;
    std::memcpy(&k, block.data() + f.cycle + 2 * i, 2);
    return k;
  }
  bool sameAs(const PoolAnswer& o) const {
    return family[0] == o.family[0] && family[1] == o.family[1] && block == o.block;
  }
};

// Builds a PoolAnswer family by family: records appended per variant, then seal().
class PoolAnswerWriter {
 public:
  // Starts the variants of family f (0: A, 1: AAAA), which answers `rcode`.
  void family(int f, std::uint8_t rcode) {
    f_ = f;
    rcodes_[f] = rcode;
  }
  // Appends one variant: `records` (owners C0 0C), `count` of them.
  void variant(const std::vector<std::uint8_t>& records, std::uint16_t count) {
    variants_[f_].push_back(PoolAnswer::Variant{static_cast<std::uint32_t>(bytes_.size()),
                                                static_cast<std::uint32_t>(records.size()), count});
    bytes_.insert(bytes_.end(), records.begin(), records.end());
  }
  void cycle(const std::vector<std::uint16_t>& steps) { cycles_[f_] = steps; }
  void seal(PoolAnswer& out) const;

 private:
  int f_ = 0;
  std::uint8_t rcodes_[2] = {0, 0};
  std::vector<PoolAnswer::Variant> variants_[2];
  std::vector<std::uint16_t> cycles_[2];
  std::vector<std::uint8_t> bytes_;
};

inline void PoolAnswerWriter::seal(PoolAnswer& out) const {
  std::size_t base = 0;
  for (int f = 0; f < 2; ++f) base += variants_[f].size() * PoolAnswer::kVariantSize + cycles_[f].size() * 2;
  out.block.clear();
  out.block.reserve(base + bytes_.size());
  for (int f = 0; f < 2; ++f) {
    PoolAnswer::Family& fam = out.family[f];
    fam.rcode = rcodes_[f];
    fam.variants = static_cast<std::uint32_t>(out.block.size());
    fam.variantCount = static_cast<std::uint32_t>(variants_[f].size());
    for (const PoolAnswer::Variant& v : variants_[f]) {
      std::uint8_t rec[PoolAnswer::kVariantSize];
      const std::uint32_t off = static_cast<std::uint32_t>(v.off + base);
      std::memcpy(rec, &off, 4);
      std::memcpy(rec + 4, &v.len, 4);
      std::memcpy(rec + 8, &v.count, 2);
      out.block.insert(out.block.end(), rec, rec + PoolAnswer::kVariantSize);
    }
    fam.cycle = static_cast<std::uint32_t>(out.block.size());
    fam.cycleLength = static_cast<std::uint32_t>(cycles_[f].size());
    for (std::uint16_t k : cycles_[f]) {
      std::uint8_t b[2];
      std::memcpy(b, &k, 2);
      out.block.insert(out.block.end(), b, b + 2);
    }
  }
  out.block.insert(out.block.end(), bytes_.begin(), bytes_.end());
}

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
