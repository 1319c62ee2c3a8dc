// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The static part of a snapshot (dns/snapshot_data.hh): built once per Config.
#include <algorithm>
#include <map>
#include <string_view>

#include "dns/snapshot_data.hh"
#include "dns/wire.hh"

namespace fail::dns::detail {

namespace {

struct Pending {
  int zone = -1;
  bool apex = false;
  int pool = -1;
  std::map<std::uint16_t, std::vector<const StaticRecord*>> sets;
};

// The index of the deepest declared zone holding `name`, or -1.
int zoneOf(const std::map<std::string, int>& zones, std::string_view name) {
  for (std::string_view n = name;;) {
    if (auto it = zones.find(std::string(n)); it != zones.end()) return it->second;
    if (n.empty()) return -1;
    const std::size_t dot = n.find('.');
    n = dot == std::string_view::npos ? std::string_view{} : n.substr(dot + 1);
  }
}

// Whether a type's RDATA is one domain name, or a 16-bit preference and one (RFC 1035
// compressible types only: SRV and the rest are never compressed, RFC 3597 §4).
int nameAt(std::uint16_t type) {
  switch (type) {
    case wire::kTypeNs: case wire::kTypeCname: case wire::kTypePtr: return 0;
    case wire::kTypeMx: return 2;
    default: return -1;
  }
}

// Appends one record, owner C0 0C, to `out`; names in its RDATA compressed against the
// question `qname` where RFC 1035 allows.
void appendRecord(std::vector<std::uint8_t>& out, std::uint16_t type, std::uint32_t ttl,
                  const std::vector<std::uint8_t>& rdata, std::string_view qname) {
  std::string rd;
  const int at = nameAt(type);
  std::size_t end = 0;
  if (at >= 0 && rdata.size() > static_cast<std::size_t>(at) &&
      wire::readName(rdata.data(), rdata.size(), at, &end) == wire::NameError::None && end == rdata.size()) {
    rd.assign(rdata.begin(), rdata.begin() + at);
    wire::appendName(rd, std::string_view(reinterpret_cast<const char*>(rdata.data()) + at, rdata.size() - at), qname);
  } else {
    rd.assign(rdata.begin(), rdata.end());
  }
  std::uint8_t head[12];
  head[0] = 0xc0;
  head[1] = 0x0c;
  wire::put16(head + 2, type);
  wire::put16(head + 4, wire::kClassIn);
  wire::put32(head + 6, ttl);
  wire::put16(head + 10, static_cast<std::uint16_t>(rd.size()));
  out.insert(out.end(), head, head + 12);
  out.insert(out.end(), rd.begin(), rd.end());
}

// Appends `name` (canonical) to the SOA's RDATA `rd`, compressed against the apex; notes
// the pointer in `zd` (its place counted from the record's start, 12 bytes before rd).
void appendSoaName(std::string& rd, const std::string& name, const std::string& apexWire, ZoneData& zd) {
  const std::string wireName = wire::toWire(name);
  const std::size_t start = rd.size();
  wire::appendName(rd, wireName, apexWire);
  if (rd.size() - start == wireName.size()) return;  // written whole
  const std::size_t ptrAt = rd.size() - 2;
  const std::size_t ptr = (std::size_t{static_cast<std::uint8_t>(rd[ptrAt]) & 0x3fu} << 8) |
                          static_cast<std::uint8_t>(rd[ptrAt + 1]);
  zd.pointers[zd.pointerCount++] = ZoneData::ApexPointer{static_cast<std::uint16_t>(12 + ptrAt),
                                                         static_cast<std::uint16_t>(ptr - wire::kHeaderSize)};
}

// The zone's SOA record (owner C0 0C, serial 0) into zd.soa, MNAME and RNAME compressed
// against the apex (which every question in the zone ends with).
void soaTemplate(const std::string& apex, const Zone& z, ZoneData& zd) {
  const std::string apexWire = wire::toWire(apex);
  std::string rd;
  zd.pointerCount = 0;
  appendSoaName(rd, z.ns.empty() ? apex : z.ns.front(), apexWire, zd);
  appendSoaName(rd, !z.mbox.empty() ? z.mbox : apex.empty() ? "hostmaster" : "hostmaster." + apex, apexWire, zd);
  std::uint8_t timers[20];
  wire::put32(timers, 0);  // the serial, patched at answer time
  wire::put32(timers + 4, z.refresh);
  wire::put32(timers + 8, z.retry);
  wire::put32(timers + 12, z.expire);
  wire::put32(timers + 16, z.minimum);
  rd.append(reinterpret_cast<const char*>(timers), 20);
  zd.soa.clear();
  appendRecord(zd.soa, wire::kTypeSoa, z.ttl, std::vector<std::uint8_t>(rd.begin(), rd.end()), {});
}

// Every name the answers know, with what it holds. The names are views into `config`'s
// strings (owners, zone and pool names, and their parents: their tails).
std::map<std::string_view, Pending> collect(const Config& config, std::map<std::string, int>& zoneIndex) {
  std::map<std::string_view, Pending> names;
  int zi = 0;
  for (const auto& [apex, z] : config.zones) zoneIndex[apex] = zi++;
  for (const auto& [apex, z] : config.zones) {
    Pending& p = names[apex];
    p.apex = true;
    for (const StaticRecord& r : z.records) {
      if (zoneOf(zoneIndex, r.owner) < 0) continue;
      names[r.owner].sets[r.type].push_back(&r);
    }
  }
  int pi = 0;
  for (const auto& [name, pool] : config.pools) {
    if (zoneOf(zoneIndex, name) >= 0) names[name].pool = pi;
    ++pi;
  }
  // Empty non-terminals: every name between a name and its zone's apex exists.
  std::vector<std::string_view> all;
  for (auto& [name, p] : names) {
    p.zone = zoneOf(zoneIndex, name);
    all.push_back(name);
  }
  for (const std::string_view name : all) {
    const int zone = names[name].zone;
    std::string_view n = name;
    while (!n.empty() && zoneIndex.find(std::string(n)) == zoneIndex.end()) {
      const std::size_t dot = n.find('.');
      n = dot == std::string_view::npos ? std::string_view{} : n.substr(dot + 1);
      Pending& parent = names[n];
      if (parent.zone < 0) parent.zone = zone;
    }
  }
  return names;
}

void addStaticSet(StaticPart& s, Node& node, std::uint16_t type, const std::vector<const StaticRecord*>& recs,
                  std::string_view qname) {
  RRset set;
  set.type = type;
  set.kind = RRset::Static;
  set.off = static_cast<std::uint32_t>(s.bodies.size());
  std::uint32_t ttl = recs.front()->ttl;
  for (const StaticRecord* r : recs) ttl = std::min(ttl, r->ttl);  // one TTL per RRset (RFC 2181 §5.2)
  std::vector<const std::vector<std::uint8_t>*> seen;
  for (const StaticRecord* r : recs) {
    if (std::any_of(seen.begin(), seen.end(), [&](auto* d) { return *d == r->rdata; })) continue;
    seen.push_back(&r->rdata);
    appendRecord(s.bodies, type, ttl, r->rdata, qname);
    ++set.count;
  }
  set.len = static_cast<std::uint32_t>(s.bodies.size() - set.off);
  if (type == wire::kTypeCname) node.cname = node.setCount;
  s.sets.push_back(set);
  ++node.setCount;
}

void addNode(StaticPart& s, const Config& config, std::string_view name, const Pending& p,
             std::vector<StaticRecord>& nsRecords) {
  const std::string qname = wire::toWire(name);
  Node node;
  node.nameOff = static_cast<std::uint32_t>(s.names.size());
  node.nameLen = static_cast<std::uint16_t>(qname.size());
  node.hash = wire::hashName(reinterpret_cast<const std::uint8_t*>(qname.data()), qname.size());
  node.zone = static_cast<std::uint16_t>(p.zone);
  node.firstSet = static_cast<std::uint32_t>(s.sets.size());
  s.names.insert(s.names.end(), qname.begin(), qname.end());
  auto sets = p.sets;
  if (p.apex) {
    s.sets.push_back(RRset{wire::kTypeSoa, RRset::Soa, 1, static_cast<std::uint32_t>(p.zone), 0});
    ++node.setCount;
    nsRecords.clear();
    const Zone& zone = config.zones.at(std::string(name));
    for (const std::string& ns : zone.ns) {
      const std::string w = wire::toWire(ns);
      nsRecords.push_back(StaticRecord{std::string(name), wire::kTypeNs, zone.ttl, {w.begin(), w.end()}});
    }
    auto& nsSet = sets[wire::kTypeNs];
    std::vector<const StaticRecord*> declared;
    for (const StaticRecord& r : nsRecords) declared.push_back(&r);
    nsSet.insert(nsSet.begin(), declared.begin(), declared.end());
    if (nsSet.empty()) sets.erase(wire::kTypeNs);
    sets.erase(wire::kTypeSoa);
  }
  if (p.pool >= 0) {
    for (std::uint16_t t : {wire::kTypeA, wire::kTypeAaaa}) {
      s.sets.push_back(RRset{t, RRset::Pool, 0, static_cast<std::uint32_t>(p.pool), 0});
      ++node.setCount;
      sets.erase(t);
    }
  }
  for (const auto& [type, recs] : sets) addStaticSet(s, node, type, recs, qname);
  s.nodes.push_back(node);
}

// Points each CNAME at its target's node, when the target is ours (a lookup by name at
// build time, so that answering can chase one step without hashing). The slots are
// filled already.
void linkCnames(StaticPart& s) {
  for (Node& n : s.nodes) {
    if (n.cname == 0xffff) continue;
    const RRset& set = s.sets[n.firstSet + n.cname];
    if (set.count != 1) continue;
    // The body's one record: 12 bytes of owner pointer and fields, then the target,
    // possibly compressed against the node's own name: read it with that name in front.
    std::vector<std::uint8_t> msg(wire::kHeaderSize, 0);
    msg.insert(msg.end(), s.names.begin() + n.nameOff, s.names.begin() + n.nameOff + n.nameLen);
    msg.insert(msg.end(), s.bodies.begin() + set.off + 12, s.bodies.begin() + set.off + set.len);
    std::uint8_t target[wire::kMaxName];
    std::size_t end = 0, len = 0;
    if (wire::readName(msg.data(), msg.size(), wire::kHeaderSize + n.nameLen, &end, target, &len) !=
        wire::NameError::None)
      continue;
    if (const Node* t = s.find(target, len, wire::hashName(target, len)))
      n.cnameTarget = static_cast<std::uint32_t>(t - s.nodes.data()) + 1;
  }
}

}  // namespace

std::shared_ptr<const StaticPart> buildStatic(const Config& config) {
  auto s = std::make_shared<StaticPart>();
  std::map<std::string, int> zoneIndex;
  const std::map<std::string_view, Pending> names = collect(config, zoneIndex);
  for (const auto& [apex, z] : config.zones) {
    ZoneData zd;
    zd.apexLen = static_cast<std::uint32_t>(wire::toWire(apex).size());
    soaTemplate(apex, z, zd);
    zd.negativeTtl = std::min(z.ttl, z.minimum);
    s->zones.push_back(std::move(zd));
  }
  for (const auto& [name, pool] : config.pools) s->poolNames.push_back(name);
  std::vector<StaticRecord> nsRecords;
  s->nodes.reserve(names.size());
  for (const auto& [name, p] : names) {
    if (p.zone < 0) continue;
    addNode(*s, config, name, p, nsRecords);
  }
  std::size_t size = 16;
  while (size < 2 * s->nodes.size()) size *= 2;
  s->slots.assign(size, 0);
  for (std::size_t i = 0; i < s->nodes.size(); ++i) {
    std::size_t at = s->nodes[i].hash & (size - 1);
    while (s->slots[at] != 0) at = (at + 1) & (size - 1);
    s->slots[at] = static_cast<std::uint32_t>(i + 1);
  }
  linkCnames(*s);
  s->names.shrink_to_fit();
  s->bodies.shrink_to_fit();
  s->sets.shrink_to_fit();
  return s;
}

}  // namespace fail::dns::detail
