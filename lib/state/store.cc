// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "state/store.hh"

#include <malloc.h>

#include <algorithm>
#include <string_view>

#include "base/log.hh"
#include "proto/list.hh"

namespace fail::state {
namespace {

log::Facility& fac() {
  static log::Facility& f = log::facility("store");
  return f;
}

// Removes from `attrs` every key that `keep` does not name; true when one was.
bool dropOthers(Attrs& attrs, const Attrs& keep) {
  auto named = [&](const auto& kv) {
    for (const auto& k : keep)
      if (k.first == kv.first) return true;
    return false;
  };
  auto end = std::remove_if(attrs.begin(), attrs.end(), [&](const auto& kv) { return !named(kv); });
  bool dropped = end != attrs.end();
  attrs.erase(end, attrs.end());
  return dropped;
}

// Steady-clock deadline of a ttl started at `now`; the ttl is clamped to kMaxTtlMs so
// that a record read from an older file cannot overflow it.
Micros deadlineAfter(Micros now, std::int64_t ttlMs) {
  return now + std::min(ttlMs, kMaxTtlMs) * 1000;
}

// Changes after which housekeeping gives free memory back to the system.
constexpr std::uint64_t kTrimAfter = 10000;

// How long after a failed ttl expiry it is tried again.
constexpr Micros kExpiryRetry = 1'000'000;

}  // namespace

Store::Store(std::unique_ptr<Journal> journal, Recovery rec, Options opts, Micros steadyNow)
    : journal_(std::move(journal)), opts_(opts) {
  slots_.reserve(rec.records.size());
  for (auto& v : rec.records) {
    lastSerial_ = std::max(lastSerial_, v->serial());
    const Slot* s = put(std::move(v));
    // After a restart every ttl starts afresh (doc/design.md), so a restart causes no wave
    // of expiries.
    const Version& r = *s->version;
    if (r.ttlMs() > 0 && r.state() != State::Unknown)
      schedule(*s, deadlineAfter(steadyNow, r.ttlMs()));
  }
  rec.records = {};
  base_ = rec.base;
  for (auto& c : rec.changes) {
    if (c->serial() <= base_) continue;
    remember(Published{std::move(c)});
  }
  lastSerial_ = std::max({lastSerial_, rec.ceiling, rec.base});
  if (!history_.empty()) lastSerial_ = std::max(lastSerial_, history_.back().serial());
  published_ = lastSerial_;
  ceiling_ = rec.ceiling;
  // Serials handed out before a crash may not have reached the journal; the ceiling
  // covers them, so start above it.
  if (journal_) lastSerial_ = std::max(lastSerial_, ceiling_);
}

void Published::appendLine(std::string& out) const {
  const Version& v = *version;
  out += v.deleted() ? "DELETE " : "CHANGE ";
  out += std::to_string(v.serial());
  out += ' ';
  if (!v.deleted()) {
    out += v.word();
    return;
  }
  proto::appendWord(out, v.name());
  out += ' ';
  out += std::to_string(v.since());
}

std::uint64_t Store::nextSerial() {
  ++lastSerial_;
  return lastSerial_;
}

const Store::Slot* Store::find(std::string_view name) const { return slots_.find(name); }

const Store::Slot* Store::put(VersionRef v) {
  if (Slot* s = slots_.find(v->name())) {
    s->version = std::move(v);  // the same name: the slot stays where it is
    return s;
  }
  orderStale_ = true;
  return slots_.insert(std::move(v));
}

void Store::erase(std::string_view name) {
  if (Slot* s = slots_.find(name)) slots_.erase(s);
}

void Store::startTtl(const Slot& slot, Micros steadyNow) {
  std::int64_t ttl = slot.version->ttlMs();
  if (ttl > 0) {
    schedule(slot, deadlineAfter(steadyNow, ttl));
  } else {
    slot.deadline = 0;
  }
}

Store::SetKind Store::set(SetInput in, Micros wallNow, Micros steadyNow, Done done,
                          std::uint64_t& serial, Place* place) {
  const Slot* node = place ? *place : nullptr;
  if (!node) {
    node = find(in.name);
    if (place) *place = node;
  }
  steadySeen_ = std::max(steadySeen_, steadyNow);
  bool same = node && node->version->state() == in.state && node->version->noteIs(in.note);
  if (same && inFlight_.find(in.name) == inFlight_.end()) {
    const Version& cur = *node->version;
    ++counters_.refreshes;
    bool changed = false;
    Attrs attrs;
    if (!in.attrs.empty() || in.replaceAttrs) {
      attrs = cur.attrs();
      for (const auto& [k, v] : in.attrs) changed |= mergeAttr(attrs, k, v);
      if (in.replaceAttrs) changed |= dropOthers(attrs, in.attrs);
    }
    serial = cur.serial();
    if (changed || cur.ttlMs() != in.ttlMs) {  // a new version: the old one may be shared
      Record r = cur.record();
      if (changed) r.attrs = std::move(attrs);
      r.ttlMs = in.ttlMs;
      node->version = Version::make(r);
    }
    startTtl(*node, steadyNow);
    if (changed && journal_) dirtyAttrs_.insert(in.name);
    return SetKind::Refresh;
  }
  // The old attributes are kept as encoded when the change names none: nothing of the
  // old version is decoded.
  const Version* old = node ? node->version.get() : nullptr;
  std::string_view keep = old && in.attrs.empty() && !in.replaceAttrs ? old->attrsTail() : "";
  Record r;
  if (old && keep.empty()) r.attrs = old->attrs();
  r.name = std::move(in.name);
  r.state = in.state;
  r.note = std::move(in.note);
  r.ttlMs = in.ttlMs;
  r.origin = std::move(in.origin);
  r.attrs.reserve(r.attrs.size() + in.attrs.size());  // one allocation, not one per doubling
  for (const auto& [k, v] : in.attrs) mergeAttr(r.attrs, k, v);
  if (in.replaceAttrs) dropOthers(r.attrs, in.attrs);
  // Same state and note (a change only because another is in flight): still since then.
  r.since = same ? old->since() : in.at ? *in.at : wallNow;
  r.serial = serial = nextSerial();
  InFlight* flight = beginChange(r.name, node);
  VersionRef v = Version::make(r, keep);
  const Slot* slot = node ? node : put(v);  // the record's slot stays where it is
  if (node) node->version = v;
  if (place) *place = slot;
  dirtyAttrs_.erase(r.name);
  startTtl(*slot, steadyNow);
  ++counters_.changes;
  FAIL_LOG(fac(), Info) << "change " << r.name << " " << stateName(r.state) << " serial "
                        << r.serial << " origin " << r.origin;
  submit(std::move(v), std::move(done), Durable{slot->version, slot->deadline}, flight);
  return SetKind::Change;
}

bool Store::del(const std::string& name, Micros wallNow, Done done) {
  const Slot* node = find(name);
  if (!node) return false;
  InFlight* flight = beginChange(name, node);
  erase(name);
  dirtyAttrs_.erase(name);
  VersionRef t = Version::tombstone(name, nextSerial(), wallNow);
  ++counters_.deletes;
  FAIL_LOG(fac(), Info) << "delete " << name << " serial " << t->serial();
  submit(std::move(t), std::move(done), Durable{}, flight);
  return true;
}

Store::InFlight* Store::beginChange(std::string_view name, const Slot* current) {
  if (!journal_) return nullptr;
  auto [it, fresh] = inFlight_.try_emplace(std::string(name));
  if (fresh && current) it->second.durable = Durable{current->version, current->deadline};
  return &it->second;
}

void Store::submit(VersionRef v, Done done, Durable after, InFlight* flight) {
  Pending p{Published{v}, std::move(done), {}};
  if (!journal_) {
    pending_.push_back(std::move(p));
    publish(true, {});
    return;
  }
  std::uint64_t serial = v->serial();
  flight->last = serial;  // beginChange made it
  p.after = std::move(after);
  std::uint64_t want = 0;
  if (serial > ceiling_) {
    ceiling_ = serial + opts_.serialBlock;
    want = ceiling_;
  }
  journal_->appendChange(std::move(v), want,
                         [this](bool ok, const std::string& err) { publish(ok, err); });
  pending_.push_back(std::move(p));
}

void Store::remember(Published p) {
  history_.push_back(std::move(p));
  while (history_.size() > opts_.historyMax) {
    base_ = history_.front().serial();
    history_.pop_front();
  }
}

// Journal callbacks arrive in the order of the appends, so the front is the one done.
// A failed change is not published: its serial is skipped (published_ passes it, so
// that WATCH since= it is still answered) and memory goes back to the durable version.
void Store::publish(bool ok, const std::string& error) {
  if (pending_.empty()) return;
  Pending p = std::move(pending_.front());
  pending_.pop_front();
  std::uint64_t serial = p.pub.serial();
  std::string_view name = p.pub.name();  // p holds the version
  auto flight = inFlight_.find(name);
  bool last = flight != inFlight_.end() && flight->second.last == serial;
  if (ok) {
    if (last) {
      inFlight_.erase(flight);
    } else if (flight != inFlight_.end()) {
      flight->second.durable = std::move(p.after);
    }
    published_ = serial;
    remember(p.pub);
    for (ChangeListener* l : listeners_) l->onPublished(history_.back());
  } else {
    ++counters_.storageErrors;
    FAIL_LOG(fac(), Err) << "change serial " << serial << " to " << name
                         << " is not durable and was undone: " << error;
    if (last) {
      Durable durable = std::move(flight->second.durable);
      inFlight_.erase(flight);
      rollback(name, std::move(durable));
    }
    published_ = serial;
  }
  if (p.done) p.done(ok, serial, error);
}

void Store::rollback(std::string_view name, Durable durable) {
  if (!durable.version) {
    erase(name);
    if (auto it = dirtyAttrs_.find(name); it != dirtyAttrs_.end()) dirtyAttrs_.erase(it);
    return;
  }
  const Slot* s = put(durable.version);
  const Version& r = *s->version;
  s->deadline = 0;
  if (r.ttlMs() > 0 && r.state() != State::Unknown) {
    // A deadline already past (the failed change may have been its expiry) is tried
    // again a little later, not at every tick.
    Micros d = durable.deadline > 0 ? durable.deadline : deadlineAfter(steadySeen_, r.ttlMs());
    schedule(*s, std::max(d, steadySeen_ + kExpiryRetry));
  }
  // Its attributes may hold refreshes written only as part of the failed change.
  dirtyAttrs_.emplace(name);
}

const std::vector<const Store::Slot*>& Store::ordered() const {
  if (orderStale_ || orderMoves_ != slots_.moves()) {
    order_.clear();
    order_.reserve(slots_.size());
    slots_.forEach([&](const Slot& s) { order_.push_back(&s); });
    orderMoves_ = slots_.moves();
    std::sort(order_.begin(), order_.end(),
              [](const Slot* a, const Slot* b) { return a->name() < b->name(); });
    orderStale_ = false;
  }
  return order_;
}

void Store::forEachPublished(const std::function<void(const Version&)>& f) const {
  forEachPublishedAfter(nullptr, [&](const Version& v) {
    f(v);
    return true;
  });
}

void Store::forEachPublishedAfter(const std::string* after,
                                  const std::function<bool(const Version&)>& f) const {
  // The in-flight names after `after`, in order, with their durable versions (null: none).
  std::vector<std::pair<std::string_view, const Version*>> flying;
  for (const auto& [name, fl] : inFlight_)
    if (!after || name > *after) flying.emplace_back(name, fl.durable.version.get());
  std::sort(flying.begin(), flying.end());
  auto x = flying.begin();
  const auto& order = ordered();
  auto it = order.begin();
  if (after)
    it = std::upper_bound(order.begin(), order.end(), std::string_view(*after),
                          [](std::string_view a, const Slot* s) { return a < s->name(); });
  for (; it != order.end(); ++it) {
    std::string_view name = (*it)->name();
    for (; x != flying.end() && x->first < name; ++x)  // in-flight names ordered before it
      if (x->second && !f(*x->second)) return;
    if (x != flying.end() && x->first == name) {
      const Version* r = x->second;
      ++x;
      if (r && !f(*r)) return;
    } else if (!f(*(*it)->version)) {
      return;
    }
  }
  for (; x != flying.end(); ++x)
    if (x->second && !f(*x->second)) return;
}

void Store::forEachRecord(const std::function<void(const Version&)>& f) const {
  for (const Slot* s : ordered()) f(*s->version);
}

const Version* Store::get(std::string_view name) const {
  const Slot* s = find(name);
  return s ? s->version.get() : nullptr;
}

bool Store::changesSince(std::uint64_t since,
                         const std::function<void(const Published&)>& f) const {
  if (since < base_ || since > published_) return false;
  auto it = std::upper_bound(history_.begin(), history_.end(), since,
                             [](std::uint64_t s, const Published& p) {
                               return s < p.serial();
                             });
  for (; it != history_.end(); ++it) f(*it);
  return true;
}

void Store::schedule(const Slot& slot, Micros deadline) {
  slot.deadline = deadline;
  if (nextDeadline_ == 0 || deadline < nextDeadline_) nextDeadline_ = deadline;
}

size_t Store::expire(Micros wallNow, Micros steadyNow) {
  steadySeen_ = std::max(steadySeen_, steadyNow);
  if (nextDeadline_ == 0 || nextDeadline_ > steadyNow) return 0;
  // The records whose deadline came (each version holds its name), and the earliest
  // deadline still to come.
  std::vector<std::pair<Micros, VersionRef>> due;
  Micros next = 0;
  slots_.forEach([&](const Slot& s) {
    if (s.deadline == 0) return;
    if (s.deadline > steadyNow) {
      if (next == 0 || s.deadline < next) next = s.deadline;
    } else if (s.version->state() == State::Unknown) {
      s.deadline = 0;
    } else {
      due.emplace_back(s.deadline, s.version);
    }
  });
  nextDeadline_ = next;  // before the changes below, which may schedule again
  std::sort(due.begin(), due.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second->name() < b.second->name();
  });
  size_t n = 0;
  for (const auto& [deadline, was] : due) {
    const Slot* s = find(was->name());
    if (!s || s->deadline == 0 || s->deadline > steadyNow) continue;
    // Remembers the deadline too, for a retry if this fails.
    InFlight* flight = beginChange(was->name(), s);
    s->deadline = 0;
    Record r = s->version->record();
    r.state = State::Unknown;
    r.note = "ttl expired";
    r.origin = "faild";
    r.since = wallNow;
    r.serial = nextSerial();
    s->version = Version::make(r);
    ++counters_.expiries;
    ++counters_.changes;
    FAIL_LOG(fac(), Notice) << "+expired name=" << r.name << " ttl="
                            << formatDurationMs(r.ttlMs) << " serial=" << r.serial;
    submit(s->version, nullptr, Durable{s->version, 0}, flight);
    ++n;
  }
  return n;
}

void Store::housekeeping() {
  // After a burst of changes, once none is in flight: the free memory its passing
  // allocations left between the records goes back to the system.
  if (counters_.changes - trimmedAt_ >= kTrimAfter && pending_.empty()) {
    ::malloc_trim(0);
    trimmedAt_ = counters_.changes;
  }
  if (!journal_) return;
  for (const auto& name : dirtyAttrs_)
    if (const Slot* s = find(name)) journal_->appendAttrs(name, s->version->attrs());
  dirtyAttrs_.clear();
  // What a compaction writes is the records and the changes it keeps for listeners: the
  // file is compacted again once it has doubled from that (or from compactMinBytes).
  std::uint64_t estimate = (slots_.size() + keptAtCompaction_) * 160;
  if (journal_->size() <= std::max<std::uint64_t>(opts_.compactMinBytes, 2 * estimate)) return;
  std::vector<VersionRef> snapshot;
  snapshot.reserve(slots_.size());
  slots_.forEach([&](const Slot& s) { snapshot.push_back(s.version); });
  // The changes a listener has not kept yet stay in the file (with the ones in flight
  // after them): a crash before faild's history wrote them would otherwise lose them
  // from it. The longest such run covers every listener's.
  std::vector<VersionRef> keep;
  for (const ChangeListener* l : listeners_) {
    std::vector<VersionRef> k;
    l->unsaved(k);
    if (!k.empty() && (keep.empty() || k.front()->serial() < keep.front()->serial())) keep = std::move(k);
  }
  keptAtCompaction_ = keep.size();
  for (const Pending& p : pending_) keep.push_back(p.pub.version);
  std::uint64_t base = keep.empty() ? lastSerial_ : keep.front()->serial() - 1;
  ++counters_.compactions;
  FAIL_LOG(fac(), Info) << "compacting " << journal_->path() << " (" << journal_->size() << " bytes, "
                        << snapshot.size() << " records, " << keep.size() << " changes kept)";
  journal_->compact(
      std::move(snapshot), base,
      [](bool ok, const std::string& err) {
        if (!ok) FAIL_LOG(fac(), Err) << "compaction failed: " << err;
      },
      std::move(keep));
}

void Store::flush() {
  if (!journal_) return;
  housekeeping();
  journal_->drain();
}

}  // namespace fail::state
