// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// SnapshotBuilder: the pools' health, their prebuilt answers, and publishing.
#include <sys/socket.h>

#include <algorithm>
#include <map>
#include <set>

#include "dns/name.hh"
#include "dns/pool_select.hh"
#include "dns/record.hh"
#include "dns/snapshot_data.hh"
#include "dns/wire.hh"

namespace fail::dns {

using detail::PoolAnswer;
using TimePoint = std::chrono::steady_clock::time_point;

namespace {

struct MemberState {
  State state = State::Unknown;
  Force force = Force::Auto;
  unsigned weight = 1;
  bool in = false;
};

struct PoolState {
  std::string name;  // its key in config.pools
  const Pool* cfg = nullptr;
  int zone = -1;  // -1: outside every zone (never answered)
  std::vector<MemberState> members;
  std::shared_ptr<const PoolAnswer> answer;
  std::vector<std::string> answered;  // addresses, for PoolView
  bool allDown = false;
  std::uint32_t ttl = 0;
  std::uint64_t changes = 0;
  TimePoint settleUntil{};  // a member changed: ttlOut until then
};

bool memberIn(const Member& m, const MemberState& s) {
  if (s.force == Force::Up) return true;
  if (s.force == Force::Down) return false;
  return m.check.empty() || s.state == State::Up;
}

std::string why(const Member& m, const MemberState& s) {
  if (s.force == Force::Up) return "forced up";
  if (s.force == Force::Down) return "forced down";
  if (m.check.empty()) return "no check";
  if (s.state == State::Unknown) return "no record";
  return proto::stateName(s.state);
}

void appendAddress(std::vector<std::uint8_t>& out, const IpAddress& a, std::uint32_t ttl) {
  const bool v4 = a.family == AF_INET;
  std::uint8_t head[12] = {0xc0, 0x0c};
  wire::put16(head + 2, v4 ? wire::kTypeA : wire::kTypeAaaa);
  wire::put16(head + 4, wire::kClassIn);
  wire::put32(head + 6, ttl);
  wire::put16(head + 10, v4 ? 4 : 16);
  out.insert(out.end(), head, head + 12);
  out.insert(out.end(), a.bytes.begin(), a.bytes.begin() + (v4 ? 4 : 16));
}

}  // namespace

struct SnapshotBuilder::Impl {
  std::shared_ptr<const Config> config;  // PoolState::cfg points into it
  std::shared_ptr<const detail::StaticPart> statics;
  std::vector<PoolState> pools;
  std::map<std::string, std::size_t> poolIndex;
  std::map<std::string, std::vector<std::pair<std::size_t, std::size_t>>> byCheck;
  std::vector<std::uint32_t> serials;
  std::vector<bool> zoneChanged;
  std::set<std::size_t> settling;  // pools answering ttlOut until their settleUntil
  bool changed = true;
  std::shared_ptr<const Snapshot> current;
  std::function<TimePoint()> clock = [] { return std::chrono::steady_clock::now(); };

  // Recomputes pool `i`'s answer; true (and counted) when it differs from the last.
  bool rebuild(std::size_t i, TimePoint now);
  void fill(PoolState& ps, TimePoint now, PoolAnswer& pa);
};

void SnapshotBuilder::Impl::fill(PoolState& ps, TimePoint now, PoolAnswer& pa) {
  const Pool& pool = *ps.cfg;
  bool anyOut = false, anyIn = false;
  for (std::size_t m = 0; m < pool.members.size(); ++m) (ps.members[m].in ? anyIn : anyOut) = true;
  const bool settlingNow = now < ps.settleUntil;
  ps.ttl = pool.ttlOut != 0 && (anyOut || settlingNow) ? pool.ttlOut : pool.ttl;
  ps.allDown = !anyIn;
  ps.answered.clear();
  detail::PoolAnswerWriter w;
  std::vector<std::uint8_t> records;
  for (int f = 0; f < 2; ++f) {
    const int family = f == 0 ? AF_INET : AF_INET6;
    std::vector<const IpAddress*> addrs, fallback;
    std::vector<Candidate> cands;
    for (std::size_t m = 0; m < pool.members.size(); ++m) {
      if (pool.members[m].address.family != family) continue;
      addrs.push_back(&pool.members[m].address);
      cands.push_back(Candidate{ps.members[m].weight, ps.members[m].in});
    }
    for (const IpAddress& a : pool.allDown.addresses)
      if (a.family == family) fallback.push_back(&a);
    const Selection sel = selectPool(pool.select, pool.max, cands, pool.allDown.kind, fallback.size());
    w.family(f, sel.kind == Selection::Kind::ServFail ? 2 : 0);
    if (sel.kind != Selection::Kind::Answer) continue;
    const auto& from = sel.fallback ? fallback : addrs;
    for (const auto& v : sel.variants) {
      records.clear();
      for (std::uint16_t k : v) {
        appendAddress(records, *from[k], ps.ttl);
        if (std::find(ps.answered.begin(), ps.answered.end(), from[k]->text) == ps.answered.end())
          ps.answered.push_back(from[k]->text);
      }
      w.variant(records, static_cast<std::uint16_t>(v.size()));
    }
    w.cycle(sel.cycle);
  }
  w.seal(pa);
}

bool SnapshotBuilder::Impl::rebuild(std::size_t i, TimePoint now) {
  PoolState& ps = pools[i];
  auto pa = std::make_shared<PoolAnswer>();
  fill(ps, now, *pa);
  if (now < ps.settleUntil) settling.insert(i);
  if (ps.answer && ps.answer->sameAs(*pa)) return false;
  ps.answer = std::move(pa);
  ++ps.changes;
  changed = true;
  if (ps.zone >= 0) zoneChanged[static_cast<std::size_t>(ps.zone)] = true;
  return true;
}

SnapshotBuilder::SnapshotBuilder(Config config, std::uint32_t serial)
    : SnapshotBuilder(std::make_shared<const Config>(std::move(config)), serial) {}

SnapshotBuilder::SnapshotBuilder(std::shared_ptr<const Config> config, std::uint32_t serial)
    : impl_(std::make_unique<Impl>()) {
  Impl& d = *impl_;
  d.config = std::move(config);
  const Config& c = *d.config;
  d.statics = detail::buildStatic(c);
  d.serials.assign(c.zones.size(), serial);
  d.zoneChanged.assign(c.zones.size(), false);
  std::map<std::string, int> zoneIndex;
  for (const auto& [apex, z] : c.zones) zoneIndex.emplace(apex, static_cast<int>(zoneIndex.size()));
  const TimePoint now = d.clock();
  for (const auto& [name, pool] : c.pools) {
    const std::size_t i = d.pools.size();
    PoolState ps;
    ps.name = name;
    ps.cfg = &pool;
    for (std::string_view n = name; ps.zone < 0;) {  // the deepest zone holding it
      if (auto it = zoneIndex.find(std::string(n)); it != zoneIndex.end()) ps.zone = it->second;
      if (n.empty()) break;
      const std::size_t dot = n.find('.');
      n = dot == std::string_view::npos ? std::string_view{} : n.substr(dot + 1);
    }
    for (std::size_t m = 0; m < pool.members.size(); ++m) {
      const Member& mem = pool.members[m];
      MemberState s{State::Unknown, mem.force, std::max(1u, mem.weight), false};
      s.in = memberIn(mem, s);
      ps.members.push_back(s);
      if (!mem.check.empty()) d.byCheck[mem.check].emplace_back(i, m);
    }
    d.pools.push_back(std::move(ps));
    d.poolIndex.emplace(name, i);
    d.rebuild(i, now);
    d.pools[i].changes = 0;
  }
  d.zoneChanged.assign(d.zoneChanged.size(), false);
}

SnapshotBuilder::~SnapshotBuilder() = default;

std::vector<std::string> SnapshotBuilder::checks() const {
  std::vector<std::string> out;
  for (const auto& [name, uses] : impl_->byCheck) out.push_back(name);
  return out;
}

std::vector<std::string> SnapshotBuilder::setHealth(const std::string& record, State state) {
  Impl& d = *impl_;
  std::vector<std::string> out;
  auto it = d.byCheck.find(record);
  if (it == d.byCheck.end()) return out;
  const TimePoint now = d.clock();
  std::set<std::size_t> touched;
  for (auto [p, m] : it->second) {
    PoolState& ps = d.pools[p];
    MemberState& ms = ps.members[m];
    ms.state = state;
    const bool in = memberIn(ps.cfg->members[m], ms);
    if (in == ms.in) continue;
    ms.in = in;
    if (ps.cfg->ttlOut != 0) ps.settleUntil = now + ps.cfg->settle;
    touched.insert(p);
  }
  for (std::size_t p : touched)
    if (d.rebuild(p, now)) out.push_back(d.pools[p].name);
  return out;
}

bool SnapshotBuilder::setMember(const std::string& pool, const std::string& address, Force force, unsigned weight,
                                std::string* err) {
  Impl& d = *impl_;
  std::string name;
  auto it = parseName(pool, name) ? d.poolIndex.find(name) : d.poolIndex.end();
  if (it == d.poolIndex.end()) {
    if (err) *err = "no pool \"" + pool + "\"";
    return false;
  }
  PoolState& ps = d.pools[it->second];
  IpAddress want;
  if (!parseAddress(address, want, err)) return false;
  for (std::size_t m = 0; m < ps.cfg->members.size(); ++m) {
    const IpAddress& a = ps.cfg->members[m].address;
    if (a.family != want.family || a.bytes != want.bytes) continue;
    MemberState& ms = ps.members[m];
    const TimePoint now = d.clock();
    ms.force = force;
    if (weight != 0) ms.weight = weight;
    const bool in = memberIn(ps.cfg->members[m], ms);
    if (in != ms.in && ps.cfg->ttlOut != 0) ps.settleUntil = now + ps.cfg->settle;
    ms.in = in;
    d.rebuild(it->second, now);
    return true;
  }
  if (err) *err = "pool \"" + name + "\" has no member " + address;
  return false;
}

std::shared_ptr<const Snapshot> SnapshotBuilder::publish() {
  Impl& d = *impl_;
  const TimePoint now = d.clock();
  for (auto it = d.settling.begin(); it != d.settling.end();) {
    if (now < d.pools[*it].settleUntil) {
      ++it;
      continue;
    }
    const std::size_t p = *it;
    it = d.settling.erase(it);
    d.rebuild(p, now);
  }
  if (!d.changed && d.current) return d.current;
  auto snap = std::make_shared<Snapshot>();
  snap->statics = d.statics;
  snap->pools.reserve(d.pools.size());
  for (const PoolState& ps : d.pools) snap->pools.push_back(ps.answer);
  if (d.current) {  // the first snapshot keeps the starting serial
    for (std::size_t z = 0; z < d.serials.size(); ++z)
      if (d.zoneChanged[z]) d.serials[z] += 1;  // RFC 1982: wraps modulo 2^32
  }
  d.zoneChanged.assign(d.zoneChanged.size(), false);
  snap->serials = d.serials;
  d.changed = false;
  d.current = std::move(snap);
  return d.current;
}

std::optional<std::chrono::steady_clock::time_point> SnapshotBuilder::settleDeadline() const {
  std::optional<TimePoint> out;
  for (std::size_t p : impl_->settling)
    if (!out || impl_->pools[p].settleUntil < *out) out = impl_->pools[p].settleUntil;
  return out;
}

void SnapshotBuilder::setClock(std::function<std::chrono::steady_clock::time_point()> now) {
  impl_->clock = std::move(now);
}

namespace {

PoolView viewOf(const PoolState& ps) {
  PoolView v;
  v.name = ps.name;
  for (std::size_t m = 0; m < ps.cfg->members.size(); ++m) {
    const Member& mem = ps.cfg->members[m];
    const MemberState& s = ps.members[m];
    v.members.push_back(MemberView{mem.address.text, mem.check, mem.check.empty() ? State::Up : s.state, s.force,
                                   s.weight, s.in, why(mem, s)});
  }
  v.answer = ps.answered;
  v.allDown = ps.allDown;
  v.ttl = ps.ttl;
  v.changes = ps.changes;
  return v;
}

}  // namespace

std::vector<PoolView> SnapshotBuilder::pools() const {
  std::vector<PoolView> out;
  for (const PoolState& ps : impl_->pools) out.push_back(viewOf(ps));
  return out;
}

bool SnapshotBuilder::explain(const std::string& name, PoolView& out) const {
  std::string canonical;
  if (!parseName(name, canonical)) return false;
  auto it = impl_->poolIndex.find(canonical);
  if (it == impl_->poolIndex.end()) return false;
  out = viewOf(impl_->pools[it->second]);
  return true;
}

std::size_t poolCount(const Snapshot& snap) { return snap.pools.size(); }

const std::string& poolName(const Snapshot& snap, std::size_t index) { return snap.statics->poolNames.at(index); }

}  // namespace fail::dns
