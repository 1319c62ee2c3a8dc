// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/follow.hh"

#include <arpa/inet.h>

#include <algorithm>
#include <set>

#include "dns/follow_group.hh"
#include "dns/name.hh"

namespace fail::dns {

namespace {

bool isV6(const std::string& a) { return a.find(':') != std::string::npos; }

}  // namespace

log::Facility& followLog() {
  static log::Facility& f = log::facility("dns");
  return f;
}

std::string joinedRecords(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
  return out.empty() ? "{}" : out;
}

const char* outcomeName(FollowOutcome::Kind k) {
  switch (k) {
    case FollowOutcome::Kind::Updated: return "updated";
    case FollowOutcome::Kind::InSync: return "in-sync";
    case FollowOutcome::Kind::Failed: return "failed";
    case FollowOutcome::Kind::Verified: return "verified";
    case FollowOutcome::Kind::Lagging: return "lagging";
  }
  return "?";
}

std::optional<std::vector<std::string>> wantedRecords(
    const FollowSpec& spec, const std::function<proto::State(const std::string&)>& stateOf) {
  std::vector<std::string> in;
  for (const auto& m : spec.members)
    if (m.check.empty() || stateOf(m.check) == proto::State::Up) {
      in.push_back(m.address);
      if (spec.select == FollowSelect::Priority) break;
    }
  if (!in.empty()) return in;
  switch (spec.allDown) {
    case FollowAllDown::All: {
      std::vector<std::string> all;
      for (const auto& m : spec.members) all.push_back(m.address);
      return all;
    }
    case FollowAllDown::None: return std::vector<std::string>{};
    case FollowAllDown::Keep: return std::nullopt;
  }
  return std::nullopt;
}

bool validFollowSpec(const FollowSpec& spec, std::string* err) {
  auto bad = [&](const std::string& e) {
    if (err) *err = e;
    return false;
  };
  if (spec.name.empty() || spec.zone.empty()) return bad("follow: a name and a zone are needed");
  if (!inZone(spec.name, spec.zone)) return bad(spec.name + " is not in zone " + spec.zone);
  if (spec.members.empty()) return bad(spec.name + ": -members is empty");
  if (spec.server.length == 0) return bad(spec.name + ": no -server");
  bool v6 = isV6(spec.members[0].address);
  std::set<std::string> seen;
  for (const auto& m : spec.members) {
    unsigned char buf[16];
    if (inet_pton(v6 ? AF_INET6 : AF_INET, m.address.c_str(), buf) != 1)
      return bad(spec.name + ": member \"" + m.address + "\" is not an " + (v6 ? "IPv6" : "IPv4") +
                 " address (the members of one name are of one family)");
    if (!seen.insert(m.address).second) return bad(spec.name + ": member " + m.address + " is listed twice");
  }
  if (spec.ttl > 0x7fffffff) return bad(spec.name + ": -ttl too large");
  return true;
}

Followers::Followers(ev::Loop& loop, FollowCallback callback, FollowTiming timing)
    : loop_(loop), callback_(std::move(callback)), timing_(timing), client_(loop) {}

Followers::~Followers() { groups_.clear(); }

proto::State Followers::stateOf(const std::string& record) const {
  auto it = health_.find(record);
  return it == health_.end() ? proto::State::Unknown : it->second;
}

void Followers::report(const FollowOutcome& o) {
  last_[o.name] = o;
  if (callback_) callback_(o);
}

bool Followers::follow(FollowSpec spec, std::string* err) {
  if (!validFollowSpec(spec, err)) return false;
  std::string key = spec.zone + "@" + spec.server.text() + (spec.key ? "/" + spec.key->name : "");
  auto prev = groupOf_.find(spec.name);
  if (prev != groupOf_.end() && prev->second != key) unfollow(spec.name);
  auto& g = groups_[key];
  if (!g) g = std::make_unique<Group>(*this, spec);
  groupOf_[spec.name] = key;
  g->add(std::move(spec));
  return true;
}

bool Followers::unfollow(const std::string& name) {
  auto it = groupOf_.find(name);
  if (it == groupOf_.end()) return false;
  auto g = groups_.find(it->second);
  groupOf_.erase(it);
  last_.erase(name);
  if (g == groups_.end()) return true;
  g->second->remove(name);
  if (g->second->empty()) {
    loop_.deleteLater(std::move(g->second));  // one of its callbacks may be running
    groups_.erase(g);
  }
  return true;
}

void Followers::setHealth(const std::string& record, proto::State state) {
  health_[record] = state;
  for (auto& [key, g] : groups_) g->health(record);
}

void Followers::start() {
  if (started_) return;
  started_ = true;
  reconcileNow();
}

void Followers::reconcileNow() {
  if (!started_) return;
  for (auto& [key, g] : groups_) g->reconcileAll();
}

const FollowOutcome* Followers::last(const std::string& name) const {
  auto it = last_.find(name);
  return it == last_.end() ? nullptr : &it->second;
}

Followers::Stats Followers::stats() const {
  Stats s;
  s.updates = client_.counters().updates;
  s.reads = reads_;
  s.races = races_;
  s.failures = failures_;
  return s;
}

}  // namespace fail::dns
