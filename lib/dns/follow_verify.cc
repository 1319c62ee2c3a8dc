// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Verification after an UPDATE: read back from the primary, then from each secondary.
#include <algorithm>

#include "dns/follow_group.hh"
#include "dns/name.hh"

namespace fail::dns {

namespace {

// RFC 1982: a is at or after b.
bool serialAtLeast(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) >= 0; }

}  // namespace

struct Followers::Group::Verify {
  Batch names;
  std::map<std::string, std::vector<std::string>> want;
  std::map<std::string, std::uint16_t> type;
  std::vector<net::Address> servers;  // the primary first
  std::vector<bool> matched;
  std::optional<std::uint32_t> serial;  // the primary's, after the update
  std::chrono::steady_clock::time_point acked;
  std::chrono::milliseconds lag{0};

  std::vector<std::unique_ptr<ev::Timer>> polls;
  std::unique_ptr<ev::Timer> deadline;
  std::size_t open = 0;
  bool finished = false;
};

// Reads the zone's NS set and the servers' addresses from the primary into nsServers_,
// then runs `then`. Waiters queue while a read is under way.
void Followers::Group::resolveNs(std::uint16_t port, std::function<void()> then) {
  nsWaiters_.push_back(std::move(then));
  if (nsWaiters_.size() > 1) return;
  auto finish = [this](std::vector<net::Address> found) {
    nsServers_ = std::move(found);
    auto waiters = std::move(nsWaiters_);
    nsWaiters_.clear();
    for (auto& w : waiters) w();
  };
  ++owner_.reads_;
  send(server_, std::move(*Request::query(zone_, kTypeNs, nullptr, nullptr)), [this, port, finish](const Result& r) {
    if (!r.ok() || r.records.empty()) {
      FAIL_LOG(followLog(), Warning) << "dns-ns zone=" << zone_ << " error=\"cannot read the NS set: "
                                  << (r.error.empty() ? "empty" : r.error) << "\"";
      return finish({});
    }
    auto found = std::make_shared<std::vector<net::Address>>();
    auto left = std::make_shared<std::size_t>(r.records.size() * 2);
    for (const auto& target : r.records) {
      std::string host;
      if (!parseName(target, host)) host = target;
      for (std::uint16_t type : {kTypeA, kTypeAaaa}) {
        ++owner_.reads_;
        send(server_, std::move(*Request::query(host, type, nullptr, nullptr)),
             [this, port, found, left, finish](const Result& a) {
               for (const auto& text : a.records)
                 if (auto addr = net::resolve(text, port); addr && addr->text() != server_.text())
                   found->push_back(*addr);
               if (--*left == 0) finish(*found);
             });
      }
    }
  });
}

void Followers::Group::verify(const Batch& names) {
  for (const auto& name : names) {
    const FollowSpec& s = names_.at(name).spec;
    if (s.secondariesFromNs && !nsServers_) return resolveNs(s.nsPort, [this, names] {
      Batch still;
      for (const auto& n : names)
        if (names_.count(n)) still.push_back(n);
      if (!still.empty()) verify(still);
    });
  }
  auto v = std::make_shared<Verify>();
  v->names = names;
  for (const auto& name : names) {
    v->want[name] = *names_.at(name).known;
    v->type[name] = names_.at(name).type;
  }
  v->servers.push_back(server_);
  for (const auto& name : names)
    for (const auto& s : names_.at(name).spec.secondaries)
      if (std::none_of(v->servers.begin(), v->servers.end(), [&](const net::Address& a) { return a.text() == s.text(); }))
        v->servers.push_back(s);
  for (const auto& name : names)
    if (names_.at(name).spec.secondariesFromNs && nsServers_)
      for (const auto& s : *nsServers_)
        if (std::none_of(v->servers.begin(), v->servers.end(), [&](const net::Address& a) { return a.text() == s.text(); }))
          v->servers.push_back(s);
  v->matched.assign(v->servers.size(), false);
  v->acked = std::chrono::steady_clock::now();
  v->open = v->servers.size();
  Verify* raw = v.get();
  v->deadline = std::make_unique<ev::Timer>(owner_.loop_.base(), [this, raw] { verifyDone(*raw); });
  v->deadline->arm(owner_.timing_.verifyDeadline);
  for (std::size_t i = 0; i < v->servers.size(); ++i)
    v->polls.push_back(std::make_unique<ev::Timer>(owner_.loop_.base(), [this, w = std::weak_ptr<Verify>(v), i] {
      if (auto s = w.lock()) verifyServer(s, i);
    }));
  verifies_.push_back(v);
  verifyServer(v, 0);  // the primary first: its serial is what the secondaries must reach
}

// One poll of server `index`: its SOA serial, then (once it reached the primary's) the names.
void Followers::Group::verifyServer(std::shared_ptr<Verify> v, std::size_t index) {
  if (v->finished) return;
  auto q = Request::query(zone_, kTypeSoa, nullptr, nullptr);
  ++owner_.reads_;
  send(v->servers[index], std::move(*q), [this, v, index](const Result& soa) {
    if (v->finished) return;
    bool primary = index == 0;
    bool reached = soa.ok() && soa.soaSerial && (primary || (v->serial && serialAtLeast(*soa.soaSerial, *v->serial)));
    if (!reached) return v->polls[index]->arm(owner_.timing_.verifyPoll);
    if (primary) v->serial = soa.soaSerial;
    auto left = std::make_shared<std::size_t>(v->names.size());
    auto same = std::make_shared<bool>(true);
    for (const auto& name : v->names) {
      ++owner_.reads_;
      send(v->servers[index], std::move(*Request::query(name, v->type[name], nullptr, nullptr)),
           [this, v, index, name, left, same](const Result& r) {
             if (v->finished) return;
             *same = *same && r.answered && sameRecords(v->type[name], r.records, v->want[name]);
             if (--*left > 0) return;
             if (!*same) return v->polls[index]->arm(owner_.timing_.verifyPoll);
             v->matched[index] = true;
             v->lag = std::max(v->lag, std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::steady_clock::now() - v->acked));
             if (index == 0)
               for (std::size_t i = 1; i < v->servers.size(); ++i) verifyServer(v, i);
             if (--v->open == 0) verifyDone(*v);
           });
    }
  });
}

void Followers::Group::verifyDone(Verify& v) {
  if (v.finished) return;
  v.finished = true;
  v.deadline->cancel();
  for (auto& p : v.polls) p->cancel();
  std::vector<std::string> lagging;
  for (std::size_t i = 0; i < v.servers.size(); ++i)
    if (!v.matched[i]) lagging.push_back(v.servers[i].text());
  std::vector<FollowOutcome> outcomes;
  for (const auto& name : v.names) {
    FollowOutcome o;
    o.kind = lagging.empty() ? FollowOutcome::Kind::Verified : FollowOutcome::Kind::Lagging;
    o.name = name;
    o.records = v.want[name];
    o.serial = v.serial;
    o.lag = v.lag;
    o.lagging = lagging;
    for (const auto& a : v.servers) o.servers.push_back(a.text());
    if (!lagging.empty()) o.error = "not matching after " + std::to_string(owner_.timing_.verifyDeadline.count()) + " ms: " + joinedRecords(lagging);
    outcomes.push_back(std::move(o));
  }
  if (lagging.empty())
    FAIL_LOG(followLog(), Info) << "dns-verified zone=" << zone_ << " names=" << v.names.size() << " lag_ms=" << v.lag.count();
  else
    FAIL_LOG(followLog(), Warning) << "dns-lagging zone=" << zone_ << " servers=\"" << joinedRecords(lagging) << "\"";
  // Drop it from the loop (a callback of its own may be running).
  for (auto it = verifies_.begin(); it != verifies_.end(); ++it)
    if (it->get() == &v) {
      auto keep = std::make_unique<std::shared_ptr<Verify>>(std::move(*it));
      verifies_.erase(it);
      owner_.loop_.deleteLater(std::move(keep));
      break;
    }
  for (const auto& o : outcomes) owner_.report(o);
}

}  // namespace fail::dns
