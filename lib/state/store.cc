// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "state/store.hh"

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

std::string lineFor(const Change& c) {
  std::string line;
  if (c.kind == Change::Kind::Set) {
    line = "CHANGE " + std::to_string(c.record.serial) + " ";
    proto::appendWord(line, encodeRecord(c.record));
  } else {
    line = "DELETE " + std::to_string(c.record.serial) + " ";
    proto::appendWord(line, c.record.name);
    line += " " + std::to_string(c.record.since);
  }
  return line;
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

// How long after a failed ttl expiry it is tried again.
constexpr Micros kExpiryRetry = 1'000'000;

}  // namespace

Store::Store(std::unique_ptr<Journal> journal, Recovery rec, Options opts, Micros steadyNow)
    : journal_(std::move(journal)), opts_(opts) {
  for (auto& r : rec.records) {
    lastSerial_ = std::max(lastSerial_, r.serial);
    Entry e;
    e.record = std::move(r);
    std::string name = e.record.name;
    auto [it, _] = records_.insert_or_assign(name, std::move(e));
    // After a restart every ttl starts afresh (doc/design.md), so a restart causes no wave
    // of expiries.
    if (it->second.record.ttlMs > 0 && it->second.record.state != State::Unknown)
      schedule(name, deadlineAfter(steadyNow, it->second.record.ttlMs));
  }
  base_ = rec.base;
  for (auto& c : rec.changes) {
    if (c.record.serial <= base_) continue;
    remember(Published{c.record.serial, c.record.name, lineFor(c)});
  }
  lastSerial_ = std::max({lastSerial_, rec.ceiling, rec.base});
  if (!history_.empty()) lastSerial_ = std::max(lastSerial_, history_.back().serial);
  published_ = lastSerial_;
  ceiling_ = rec.ceiling;
  // Serials handed out before a crash may not have reached the journal; the ceiling
  // covers them, so start above it.
  if (journal_) lastSerial_ = std::max(lastSerial_, ceiling_);
}

std::uint64_t Store::nextSerial() {
  ++lastSerial_;
  return lastSerial_;
}

Store::SetKind Store::set(SetInput in, Micros wallNow, Micros steadyNow, Done done,
                          std::uint64_t& serial, Place* place) {
  Place node = place ? *place : nullptr;
  if (!node) {
    auto it = records_.find(in.name);
    if (it != records_.end()) node = &*it;
    if (place) *place = node;
  }
  steadySeen_ = std::max(steadySeen_, steadyNow);
  bool same = node && node->second.record.state == in.state && node->second.record.note == in.note;
  if (same && !inFlight_.count(in.name)) {
    Entry& e = node->second;
    Record& r = e.record;
    ++counters_.refreshes;
    bool changed = false;
    for (const auto& [k, v] : in.attrs) changed |= mergeAttr(r.attrs, k, v);
    if (in.replaceAttrs) changed |= dropOthers(r.attrs, in.attrs);
    r.ttlMs = in.ttlMs;
    if (r.ttlMs > 0) {
      e.deadline = deadlineAfter(steadyNow, r.ttlMs);
      if (!e.scheduled) schedule(r.name, e.deadline);
    } else {
      e.deadline = 0;
    }
    if (changed && journal_) dirtyAttrs_.insert(r.name);
    serial = r.serial;
    return SetKind::Refresh;
  }
  Change c;
  c.kind = Change::Kind::Set;
  Record& r = c.record;
  if (node) r = node->second.record;
  r.name = in.name;
  r.state = in.state;
  r.note = std::move(in.note);
  r.ttlMs = in.ttlMs;
  r.origin = std::move(in.origin);
  for (const auto& [k, v] : in.attrs) mergeAttr(r.attrs, k, v);
  if (in.replaceAttrs) dropOthers(r.attrs, in.attrs);
  // Same state and note (a change only because another is in flight): still since then.
  if (!same) r.since = in.at ? *in.at : wallNow;
  r.serial = serial = nextSerial();
  beginChange(r.name);
  auto slot = records_.try_emplace(r.name).first;
  if (place) *place = &*slot;
  Entry& e = slot->second;
  e.record = r;
  dirtyAttrs_.erase(r.name);
  if (r.ttlMs > 0) {
    e.deadline = deadlineAfter(steadyNow, r.ttlMs);
    if (!e.scheduled) schedule(r.name, e.deadline);
  } else {
    e.deadline = 0;
  }
  ++counters_.changes;
  FAIL_LOG(fac(), Info) << "change " << r.name << " " << stateName(r.state) << " serial "
                        << r.serial << " origin " << r.origin;
  submit(std::move(c), std::move(done), e);
  return SetKind::Change;
}

bool Store::del(const std::string& name, Micros wallNow, Done done) {
  auto it = records_.find(name);
  if (it == records_.end()) return false;
  beginChange(name);
  records_.erase(it);
  ++deletions_;
  dirtyAttrs_.erase(name);
  Change c;
  c.kind = Change::Kind::Delete;
  c.record.name = name;
  c.record.since = wallNow;
  c.record.serial = nextSerial();
  ++counters_.deletes;
  FAIL_LOG(fac(), Info) << "delete " << name << " serial " << c.record.serial;
  submit(std::move(c), std::move(done), std::nullopt);
  return true;
}

void Store::beginChange(const std::string& name) {
  if (!journal_ || inFlight_.count(name)) return;
  auto it = records_.find(name);
  InFlight f;
  if (it != records_.end()) f.durable = it->second;
  inFlight_.emplace(name, std::move(f));
}

void Store::submit(Change change, Done done, std::optional<Entry> after) {
  Pending p{{change.record.serial, change.record.name, lineFor(change)}, std::move(done), {}};
  if (!journal_) {
    pending_.push_back(std::move(p));
    publish(true, {});
    return;
  }
  inFlight_[change.record.name].last = change.record.serial;
  p.after = std::move(after);
  std::uint64_t want = 0;
  if (change.record.serial > ceiling_) {
    ceiling_ = change.record.serial + opts_.serialBlock;
    want = ceiling_;
  }
  journal_->appendChange(change, want, [this](bool ok, const std::string& err) { publish(ok, err); });
  pending_.push_back(std::move(p));
}

void Store::remember(Published p) {
  history_.push_back(std::move(p));
  while (history_.size() > opts_.historyMax) {
    base_ = history_.front().serial;
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
  std::uint64_t serial = p.pub.serial;
  auto flight = inFlight_.find(p.pub.name);
  bool last = flight != inFlight_.end() && flight->second.last == serial;
  if (ok) {
    if (last) {
      inFlight_.erase(flight);
    } else if (flight != inFlight_.end()) {
      flight->second.durable = std::move(p.after);
    }
    published_ = serial;
    remember(std::move(p.pub));
    if (listener_) listener_->onPublished(history_.back());
  } else {
    ++counters_.storageErrors;
    FAIL_LOG(fac(), Err) << "change serial " << serial << " to " << p.pub.name
                         << " is not durable and was undone: " << error;
    if (last) {
      std::optional<Entry> durable = std::move(flight->second.durable);
      inFlight_.erase(flight);
      rollback(p.pub.name, std::move(durable));
    }
    published_ = serial;
  }
  if (p.done) p.done(ok, serial, error);
}

void Store::rollback(const std::string& name, std::optional<Entry> durable) {
  if (!durable) {
    if (records_.erase(name)) ++deletions_;
    dirtyAttrs_.erase(name);
    return;
  }
  Entry& e = records_[name];
  e.record = std::move(durable->record);
  e.deadline = 0;
  if (e.record.ttlMs > 0 && e.record.state != State::Unknown) {
    // A deadline already past (the failed change may have been its expiry) is tried
    // again a little later, not at every tick.
    e.deadline = durable->deadline > 0 ? durable->deadline : deadlineAfter(steadySeen_, e.record.ttlMs);
    e.deadline = std::max(e.deadline, steadySeen_ + kExpiryRetry);
    schedule(name, e.deadline);
  }
  // Its attributes may hold refreshes written only as part of the failed change.
  dirtyAttrs_.insert(name);
}

void Store::forEachPublished(const std::function<void(const Record&)>& f) const {
  forEachPublishedAfter(nullptr, [&](const Record& r) {
    f(r);
    return true;
  });
}

void Store::forEachPublishedAfter(const std::string* after,
                                  const std::function<bool(const Record&)>& f) const {
  // The in-flight names after `after`, in order, with their durable versions (null: none).
  std::map<std::string_view, const Record*> flying;
  for (const auto& [name, fl] : inFlight_)
    if (!after || name > *after) flying[name] = fl.durable ? &fl.durable->record : nullptr;
  auto x = flying.begin();
  for (auto it = after ? records_.upper_bound(*after) : records_.begin(); it != records_.end(); ++it) {
    const std::string& name = it->first;
    for (; x != flying.end() && x->first < name; ++x)  // in-flight names ordered before it
      if (x->second && !f(*x->second)) return;
    if (x != flying.end() && x->first == name) {
      const Record* r = x->second;
      ++x;
      if (r && !f(*r)) return;
    } else if (!f(it->second.record)) {
      return;
    }
  }
  for (; x != flying.end(); ++x)
    if (x->second && !f(*x->second)) return;
}

const Record* Store::get(const std::string& name) const {
  auto it = records_.find(name);
  return it == records_.end() ? nullptr : &it->second.record;
}

bool Store::changesSince(std::uint64_t since,
                         const std::function<void(const Published&)>& f) const {
  if (since < base_ || since > published_) return false;
  auto it = std::upper_bound(history_.begin(), history_.end(), since,
                             [](std::uint64_t s, const Published& p) {
                               return s < p.serial;
                             });
  for (; it != history_.end(); ++it) f(*it);
  return true;
}

void Store::schedule(const std::string& name, Micros deadline) {
  auto it = records_.find(name);
  if (it == records_.end()) return;
  it->second.deadline = deadline;
  it->second.scheduled = true;
  deadlines_.emplace(deadline, name);
}

Micros Store::nextDeadline() const { return deadlines_.empty() ? 0 : deadlines_.top().first; }

size_t Store::expire(Micros wallNow, Micros steadyNow) {
  size_t n = 0;
  steadySeen_ = std::max(steadySeen_, steadyNow);
  while (!deadlines_.empty() && deadlines_.top().first <= steadyNow) {
    std::string name = deadlines_.top().second;
    deadlines_.pop();
    auto it = records_.find(name);
    if (it == records_.end()) continue;
    Entry& e = it->second;
    e.scheduled = false;
    if (e.deadline == 0) continue;  // ttl removed meanwhile
    if (e.deadline > steadyNow) {   // refreshed meanwhile: look again then
      schedule(name, e.deadline);
      continue;
    }
    if (e.record.state == State::Unknown) {
      e.deadline = 0;
      continue;
    }
    beginChange(name);  // remembers the deadline too, for a retry if this fails
    e.deadline = 0;
    Change c;
    c.kind = Change::Kind::Set;
    c.record = e.record;
    c.record.state = State::Unknown;
    c.record.note = "ttl expired";
    c.record.origin = "faild";
    c.record.since = wallNow;
    c.record.serial = nextSerial();
    e.record = c.record;
    ++counters_.expiries;
    ++counters_.changes;
    FAIL_LOG(fac(), Notice) << "+expired name=" << name << " ttl="
                            << formatDurationMs(e.record.ttlMs) << " serial=" << c.record.serial;
    submit(std::move(c), nullptr, e);
    ++n;
  }
  return n;
}

void Store::housekeeping() {
  if (!journal_) return;
  for (const auto& name : dirtyAttrs_) {
    auto it = records_.find(name);
    if (it != records_.end()) journal_->appendAttrs(name, it->second.record.attrs);
  }
  dirtyAttrs_.clear();
  std::uint64_t estimate = records_.size() * 160;
  if (journal_->size() > std::max<std::uint64_t>(opts_.compactMinBytes, 2 * estimate)) {
    std::vector<Record> snapshot;
    snapshot.reserve(records_.size());
    for (const auto& [name, e] : records_) snapshot.push_back(e.record);
    ++counters_.compactions;
    FAIL_LOG(fac(), Info) << "compacting " << journal_->path() << " (" << journal_->size()
                          << " bytes, " << snapshot.size() << " records)";
    journal_->compact(std::move(snapshot), lastSerial_, [](bool ok, const std::string& err) {
      if (!ok) FAIL_LOG(fac(), Err) << "compaction failed: " << err;
    });
  }
}

void Store::flush() {
  if (!journal_) return;
  housekeeping();
  journal_->drain();
}

}  // namespace fail::state
