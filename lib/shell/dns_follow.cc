// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "shell/dns_follow.hh"

#include <algorithm>

#include "base/daemon.hh"
#include "base/log.hh"
#include "shell/engine.hh"

namespace fail::shell {
namespace {

log::Facility& fac() {
  static log::Facility& f = log::facility("dns");
  return f;
}

}  // namespace

// What dns:NAME shows, built up from the outcomes of one name.
struct DnsFollows::Status {
  State state = State::Unknown;
  std::string note;
  state::Attrs attrs;
  void set(const char* key, const std::string& value) { proto::mergeAttr(attrs, key, value); }
};

bool DnsFollowDecl::sameAs(const DnsFollowDecl& o) const {
  return args == o.args && key.name == o.key.name && key.algorithm == o.key.algorithm && key.secret == o.key.secret;
}

DnsFollows::DnsFollows(Engine& engine, event_base* base) : engine_(engine), base_(base) {}

DnsFollows::~DnsFollows() {
  if (subId_ >= 0) engine_.unsubscribe(subId_);
  if (syncId_ >= 0) engine_.unsubscribe(syncId_);
  followers_.reset();  // before the loop it runs on
}

std::vector<std::string> DnsFollows::names() const {
  std::vector<std::string> out;
  for (const auto& [n, d] : decls_) out.push_back(n);
  return out;
}

bool DnsFollows::declare(DnsFollowDecl decl, std::string* err) {
  if (!dns::validFollowSpec(decl.spec, err)) return false;
  std::string name = decl.args.name;
  if (followers_ && !followers_->follow(decl.spec, err)) return false;
  decls_.insert_or_assign(name, std::move(decl));
  return true;
}

std::vector<std::string> DnsFollows::adopt(const DnsFollows* next) {
  std::vector<std::string> removed;
  for (const auto& [name, d] : decls_)
    if (!next || !next->decls_.count(name)) removed.push_back(name);
  for (const auto& name : removed) {
    FAIL_LOG(fac(), Notice) << "-follow " << name << ": removed from the policy";
    if (followers_) followers_->unfollow(name);
    decls_.erase(name);
    forget(name);
  }
  if (next) {
    for (const auto& [name, d] : next->decls_) {
      auto it = decls_.find(name);
      if (it != decls_.end() && it->second.sameAs(d)) continue;  // keeps running as it is
      std::string err;
      if (!declare(d, &err)) FAIL_LOG(fac(), Err) << "follow " << name << ": " << err;
    }
  }
  activate();
  return removed;
}

void DnsFollows::activate() {
  if (followers_) return;
  loop_ = std::make_unique<ev::Loop>(base_);
  followers_ = std::make_unique<dns::Followers>(*loop_, [this](const dns::FollowOutcome& o) { outcome(o); });
  for (const auto& [name, d] : decls_) {
    std::string err;
    if (!followers_->follow(d.spec, &err)) FAIL_LOG(fac(), Err) << "follow " << name << ": " << err;
  }
  // Member states come straight from the local faild's records, on the loop.
  subId_ = engine_.subscribe([this](const state::Record& rec, ChangeKind kind) {
    onRecord(rec.name, kind == ChangeKind::Delete ? State::Unknown : rec.state);
  });
  auto startOnce = [this] {
    if (started_) return;
    started_ = true;
    followers_->start();
  };
  syncId_ = engine_.onSynced(startOnce);
  if (engine_.localSynced()) {
    for (const auto& [n, rec] : engine_.local()) onRecord(n, rec.state);
    startOnce();
  }
}

void DnsFollows::onRecord(const std::string& name, State state) {
  if (name.compare(0, 4, "dns:") == 0) return;  // our own outcomes
  followers_->setHealth(name, state);
}

void DnsFollows::outcome(const dns::FollowOutcome& o) {
  if (!decls_.count(o.name)) return;
  auto& slot = status_[o.name];
  if (!slot) slot = std::make_unique<Status>();
  Status& s = *slot;
  using K = dns::FollowOutcome::Kind;
  s.set("result", dns::outcomeName(o.kind));  // the library logs each outcome itself
  switch (o.kind) {
    case K::Updated:
    case K::InSync:
      s.state = State::Up;
      s.note = o.records.empty() ? "no records" : daemon::joinSpaced(o.records);
      s.set("rrset", daemon::joinSpaced(o.records));
      if (o.kind == K::Updated) {  // the UPDATE's exchange (an in-sync read sent none)
        s.set("rcode", o.result.status());
        s.set("server", o.result.server);
        s.set("ms", std::to_string(o.result.elapsed.count()));
        s.set("races", std::to_string(o.races));
      }
      s.set("error", "");
      break;
    case K::Failed:
      s.state = State::Fail;
      s.note = o.error;
      s.set("rcode", o.result.status());
      s.set("server", o.result.server);
      s.set("error", o.error);
      break;
    case K::Verified:
      s.set("lag", std::to_string(o.lag.count()) + "ms");
      s.set("verified", daemon::joinSpaced(o.servers));
      if (o.serial) s.set("serial", std::to_string(*o.serial));
      s.set("lagging", "");
      break;
    case K::Lagging:
      s.set("lagging", daemon::joinSpaced(o.lagging));
      s.set("verified", daemon::joinSpaced(o.servers));
      break;
  }
  publish(o.name);
}

void DnsFollows::publish(const std::string& name) {
  const Status& s = *status_[name];
  if (s.state == State::Unknown) return;  // nothing known yet (a verification came first)
  state::SetInput in;
  in.name = "dns:" + name;
  in.state = s.state;
  in.note = s.note;
  in.origin = "failsh";
  in.attrs = s.attrs;
  engine_.showMonitor(std::move(in));
  engine_.setLocal("dns:" + name, s.state, s.note, s.attrs);
}

void DnsFollows::forget(const std::string& name) {
  status_.erase(name);
  engine_.hideMonitor("dns:" + name);
  engine_.deleteLocal("dns:" + name);
}

}  // namespace fail::shell
