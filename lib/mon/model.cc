// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "mon/model.hh"

#include <algorithm>
#include <utility>

namespace fail::mon {

const char* kindName(Kind k) {
  switch (k) {
    case Kind::Faild: return "faild";
    case Kind::Failsh: return "failsh";
    case Kind::Hc: return "hc";
    case Kind::Unknown: break;
  }
  return "unknown";
}

Kind kindFromProgram(std::string_view program) {
  if (program == "faild") return Kind::Faild;
  if (program == "failsh") return Kind::Failsh;
  if (program == "hc") return Kind::Hc;
  return Kind::Unknown;
}

const char* reachName(Reach r) {
  switch (r) {
    case Reach::Up: return "up";
    case Reach::Down: return "down";
    case Reach::Connecting: break;
  }
  return "connecting";
}

std::size_t Model::add(std::string name) {
  Target t;
  t.name = std::move(name);
  targets_.push_back(std::move(t));
  unlisted_.emplace_back();
  counts_.emplace_back();
  ++generation_;
  return targets_.size() - 1;
}

Target& Model::touch(std::size_t i) {
  ++generation_;
  return targets_.at(i);
}

void Model::connected(std::size_t i, std::string_view program, std::string_view version, Micros now) {
  Target& t = touch(i);
  t.kind = kindFromProgram(program);
  t.version = std::string(version);
  if (t.reach != Reach::Up) t.reachSince = now;
  t.reach = Reach::Up;
  t.why.clear();
  t.synced = false;
}

void Model::down(std::size_t i, std::string why, Micros now) {
  Target& t = touch(i);
  if (t.reach != Reach::Down) t.reachSince = now;
  t.reach = Reach::Down;
  t.why = std::move(why);
  t.synced = false;
  unlisted_[i].clear();
}

void Model::listing(std::size_t i) {
  Target& t = touch(i);
  t.synced = false;
  auto& names = unlisted_[i];
  names.clear();
  for (const auto& [name, e] : t.records) names.insert(names.end(), name);
}

void Model::resuming(std::size_t i) {
  touch(i).synced = false;
  unlisted_[i].clear();
}

namespace {
void remember(Entry& e, Change c) {
  if (!e.recent.empty() && e.recent.back().serial == c.serial && c.serial != 0) return;
  e.recent.push_back(c);
  while (e.recent.size() > Model::kRecent) e.recent.pop_front();
}
}  // namespace

void Model::count(std::size_t i, const Entry* before, const Entry* after) {
  auto tally = [](Counts& c, state::State st, std::size_t n, bool add) {
    std::size_t& slot = st == state::State::Up        ? c.up
                        : st == state::State::Recover ? c.recover
                        : st == state::State::Fail    ? c.fail
                                                      : c.unknown;
    slot = add ? slot + n : slot - n;
  };
  if (before) tally(counts_[i], before->record.state, 1, false);
  if (after) tally(counts_[i], after->record.state, 1, true);
}

Entry& Model::enter(std::size_t i, const std::string& name) {
  Target& t = targets_[i];
  auto it = t.records.find(name);
  if (it == t.records.end()) {
    it = t.records.emplace(name, Entry{}).first;
    ++t.membership;
  } else {
    count(i, &it->second, nullptr);
  }
  if (auto u = unlisted_[i].find(name); u != unlisted_[i].end()) unlisted_[i].erase(u);
  return it->second;
}

void Model::record(std::size_t i, const state::Record& r) {
  Target& t = touch(i);
  Entry& e = enter(i, r.name);
  bool moved = e.recent.empty() || e.record.state != r.state || e.record.since != r.since;
  e.record = r;
  if (moved) remember(e, Change{r.serial, r.since, r.state, false});
  count(i, nullptr, &e);
  if (r.serial > t.serial) t.serial = r.serial;
}

void Model::change(std::size_t i, std::uint64_t serial, const state::Record& r) {
  Target& t = touch(i);
  Entry& e = enter(i, r.name);
  e.record = r;
  count(i, nullptr, &e);
  remember(e, Change{serial, r.since, r.state, false});
  if (serial > t.serial) t.serial = serial;
  ++t.changes;
}

void Model::erase(std::size_t i, std::uint64_t serial, std::string_view name, Micros) {
  Target& t = touch(i);
  auto it = t.records.find(name);
  if (it != t.records.end()) {
    count(i, &it->second, nullptr);
    t.records.erase(it);
    ++t.membership;
  }
  if (serial > t.serial) t.serial = serial;
  ++t.changes;
}

void Model::synced(std::size_t i, std::uint64_t serial, Micros) {
  Target& t = touch(i);
  // Records of the old listing that the new one did not list again are gone.
  for (const auto& name : unlisted_[i]) {
    auto it = t.records.find(name);
    if (it != t.records.end()) {
      count(i, &it->second, nullptr);
      t.records.erase(it);
      ++t.membership;
    }
  }
  unlisted_[i].clear();
  t.synced = true;
  if (serial > t.serial) t.serial = serial;
}

void Model::restarted(std::size_t i, Micros now) {
  Target& t = touch(i);
  t.restartedAt = now;
  t.serial = 0;
}

void Model::backfilled(std::size_t i, std::string_view name, std::vector<Change> older) {
  Target& t = targets_.at(i);
  auto it = t.records.find(name);
  if (it == t.records.end() || older.empty()) return;
  ++generation_;
  std::deque<Change>& recent = it->second.recent;
  std::set<std::uint64_t> known;
  for (const Change& c : recent) known.insert(c.serial);
  for (Change& c : older)
    if (c.serial != 0 && known.insert(c.serial).second) recent.push_back(c);
  std::stable_sort(recent.begin(), recent.end(),
                   [](const Change& a, const Change& b) { return a.serial < b.serial; });
  while (recent.size() > kRecent) recent.pop_front();
}

Counts Model::counts(const Target& t) {
  Counts c;
  for (const auto& [name, e] : t.records) {
    switch (e.record.state) {
      case state::State::Up: ++c.up; break;
      case state::State::Recover: ++c.recover; break;
      case state::State::Fail: ++c.fail; break;
      case state::State::Unknown: ++c.unknown; break;
    }
  }
  return c;
}

Counts Model::counts(std::size_t i) const { return counts_.at(i); }

Counts Model::counts() const {
  Counts all;
  for (const Counts& c : counts_) {
    all.up += c.up;
    all.recover += c.recover;
    all.fail += c.fail;
    all.unknown += c.unknown;
  }
  return all;
}

}  // namespace fail::mon
