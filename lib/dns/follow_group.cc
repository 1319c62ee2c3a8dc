// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/follow_group.hh"

#include <algorithm>

namespace fail::dns {

namespace {

constexpr int kMaxRaces = 5;  // lost compare-and-swaps in a row before a name is reported failed

std::uint16_t typeOf(const FollowSpec& s) {
  return !s.members.empty() && s.members[0].address.find(':') != std::string::npos ? kTypeAaaa : kTypeA;
}

}  // namespace

Followers::Group::Group(Followers& owner, const FollowSpec& first)
    : owner_(owner), zone_(first.zone), server_(first.server), key_(first.key),
      batch_(owner.loop_.base(), [this] { round(); }),
      retry_(owner.loop_.base(), [this] { retryDelay_ = std::min(retryDelay_ * 2, owner_.timing_.retryMax); round(); }),
      reconcile_(owner.loop_.base(), [this] { reconcileAll(); }),
      retryDelay_(owner.timing_.retryFirst) {}

Followers::Group::~Group() {
  for (auto id : inflight_) owner_.client_.cancel(id);
}

void Followers::Group::add(FollowSpec spec) {
  Name& n = names_[spec.name];
  n.type = typeOf(spec);
  n.spec = std::move(spec);
  n.known.reset();
  n.lastWanted.reset();
  armReconcile();
  if (owner_.started_) touch(n, true);
}

void Followers::Group::health(const std::string& record) {
  for (auto& [name, n] : names_)
    for (const auto& m : n.spec.members)
      if (m.check == record) {
        touch(n, false);
        break;
      }
}

void Followers::Group::reconcileAll() {
  if (nsWaiters_.empty()) nsServers_.reset();  // read the NS set again at the next verification
  for (auto& [name, n] : names_) {
    n.known.reset();
    touch(n, true);
  }
  armReconcile();
}

std::optional<std::vector<std::string>> Followers::Group::wanted(const Name& n) const {
  return wantedRecords(n.spec, [this](const std::string& r) { return owner_.stateOf(r); });
}

void Followers::Group::touch(Name& n, bool force) {
  if (!owner_.started_) return;
  auto w = wanted(n);
  if (!force && w == n.lastWanted) return;
  n.lastWanted = w;
  n.dirty = true;
  if (!busy_ && !retry_.armed() && !batch_.armed()) batch_.arm(owner_.timing_.batchWindow);
}

void Followers::Group::armReconcile() {
  std::chrono::milliseconds every{0};
  for (const auto& [name, n] : names_)
    if (n.spec.reconcile.count() > 0 && (every.count() == 0 || n.spec.reconcile < every)) every = n.spec.reconcile;
  if (every.count() > 0) reconcile_.arm(every);
}

void Followers::Group::send(const net::Address& to, Request req, std::function<void(const Result&)> done) {
  auto holder = std::make_shared<UpdateClient::Id>(0);
  *holder = owner_.client_.send(to, std::move(req), owner_.timing_.exchange,
                                [this, holder, done = std::move(done)](const Result& r) {
                                  inflight_.erase(*holder);
                                  done(r);
                                });
  inflight_.insert(*holder);
}

void Followers::Group::round() {
  if (busy_) return;
  Batch batch;
  for (auto& [name, n] : names_)
    if (n.dirty && batch.size() < owner_.timing_.maxBatch) {
      n.dirty = false;
      batch.push_back(name);
    }
  if (batch.empty()) return;
  busy_ = true;
  auto pending = std::make_shared<std::size_t>(0);
  auto failed = std::make_shared<std::vector<FollowOutcome>>();
  auto shared = std::make_shared<Batch>(batch);
  for (const auto& name : batch) {
    Name& n = names_.at(name);
    if (n.known) continue;
    std::string err;
    auto q = Request::query(name, n.type, nullptr, &err);
    if (!q) continue;
    ++*pending;
    ++owner_.reads_;
    send(server_, std::move(*q), [this, name, pending, failed, shared](const Result& r) {
      auto it = names_.find(name);
      if (it != names_.end() && r.answered && (r.rcode == kNoError || r.rcode == kNxDomain)) {
        it->second.known = r.records;
      } else if (it != names_.end()) {
        failed->push_back(failure(it->second, r, "cannot read " + name + ": " + r.error));
      }
      if (--*pending == 0) update(*shared, *failed);
    });
  }
  if (*pending == 0) update(batch, {});
}

FollowOutcome Followers::Group::failure(Name& n, const Result& r, const std::string& error) {
  n.dirty = true;
  n.known.reset();
  FollowOutcome o;
  o.kind = FollowOutcome::Kind::Failed;
  o.name = n.spec.name;
  o.records = n.lastWanted.value_or(std::vector<std::string>{});
  o.result = r;
  o.races = n.races;
  o.error = error;
  return o;
}

std::vector<RrsetChange> Followers::Group::changesOf(const Batch& batch, std::vector<FollowOutcome>& outcomes) {
  std::vector<RrsetChange> changes;
  for (const auto& name : batch) {
    auto it = names_.find(name);
    if (it == names_.end() || !it->second.known) continue;
    Name& n = it->second;
    auto w = wanted(n);
    n.lastWanted = w;
    if (!w) continue;  // -all-down keep
    if (sameRecords(n.type, *w, *n.known)) {
      n.races = 0;
      FollowOutcome o;
      o.kind = FollowOutcome::Kind::InSync;
      o.name = name;
      o.records = *w;
      outcomes.push_back(std::move(o));
      continue;
    }
    changes.push_back(RrsetChange{name, n.type, n.spec.ttl, *w, n.known});
  }
  return changes;
}

std::vector<std::vector<RrsetChange>> Followers::Group::chunked(std::vector<RrsetChange> changes) {
  constexpr std::size_t kLimit = 60000;  // of 65535, with room for the header, zone and TSIG
  std::vector<std::vector<RrsetChange>> out(1);
  std::size_t size = 0;
  for (auto& c : changes) {
    std::size_t rrs = 1 + c.records.size() + (c.expect ? std::max<std::size_t>(1, c.expect->size()) : 0);
    std::size_t bytes = rrs * (c.name.size() + 2 + 10 + (c.type == kTypeAaaa ? 16 : 4));
    if (size + bytes > kLimit && !out.back().empty()) {
      out.emplace_back();
      size = 0;
    }
    size += bytes;
    out.back().push_back(std::move(c));
  }
  return out;
}

void Followers::Group::update(const Batch& batch, std::vector<FollowOutcome> outcomes) {
  auto changes = changesOf(batch, outcomes);
  if (changes.empty()) return endRound(std::move(outcomes));
  struct Pending {
    std::vector<FollowOutcome> outcomes;
    std::size_t left = 0;
  };
  auto p = std::make_shared<Pending>();
  p->outcomes = std::move(outcomes);
  auto chunks = chunked(std::move(changes));
  p->left = chunks.size();
  for (auto& chunk : chunks) {
    std::string err;
    auto req = Request::update(zone_, chunk, key_ ? &*key_ : nullptr, &err);
    if (!req) {
      Result r;
      r.error = err;
      for (const auto& c : chunk) p->outcomes.push_back(failure(names_.at(c.name), r, err));
      --p->left;
      continue;
    }
    send(server_, std::move(*req), [this, chunk, p](const Result& r) {
      updated(chunk, r, p->outcomes);
      if (--p->left == 0) endRound(std::move(p->outcomes));
    });
  }
  if (p->left == 0) endRound(std::move(p->outcomes));
}

void Followers::Group::updated(const std::vector<RrsetChange>& changes, const Result& r, std::vector<FollowOutcome>& outcomes) {
  bool race = r.answered && (r.rcode == kYxRrset || r.rcode == kNxRrset) && r.tsigError == 0;
  Batch done;
  for (const auto& c : changes) {
    auto it = names_.find(c.name);
    if (it == names_.end()) continue;
    Name& n = it->second;
    if (r.ok()) {
      n.known = c.records;
      FollowOutcome o;
      o.kind = FollowOutcome::Kind::Updated;
      o.name = c.name;
      o.records = c.records;
      o.result = r;
      o.races = n.races;
      n.races = 0;
      outcomes.push_back(std::move(o));
      done.push_back(c.name);
    } else if (race && ++n.races <= kMaxRaces) {
      ++owner_.races_;
      n.known.reset();  // somebody else changed it: read it again and retry
      n.dirty = true;
    } else {
      outcomes.push_back(failure(n, r, r.error));
    }
  }
  logUpdate(changes, r, race);
  if (r.ok()) retryDelay_ = owner_.timing_.retryFirst;
  if (!done.empty() && owner_.timing_.verifyDeadline.count() > 0) verify(done);
}

void Followers::Group::logUpdate(const std::vector<RrsetChange>& changes, const Result& r, bool race) const {
  if (race) {
    FAIL_LOG(followLog(), Info) << "dns-update-race zone=" << zone_ << " names=" << changes.size() << " rcode=" << r.status();
    return;
  }
  bool many = changes.size() > 10;
  log::Level level = r.ok() ? log::Level::Notice : log::Level::Warning;
  log::Level each = many ? log::Level::Info : level;
  if (log::enabled(followLog(), each))
    for (const auto& c : changes) {
      if (r.ok())
        log::Line(followLog(), each) << "+dns-update name=" << c.name << " records=\"" << joinedRecords(c.records)
                                  << "\" server=" << r.server << " ms=" << r.elapsed.count();
      else
        log::Line(followLog(), each) << "-dns-update name=" << c.name << " error=\"" << r.error << "\"";
    }
  if (many && log::enabled(followLog(), level))
    log::Line(followLog(), level) << (r.ok() ? "+" : "-") << "dns-update zone=" << zone_ << " names=" << changes.size()
                               << " server=" << r.server << " ms=" << r.elapsed.count()
                               << (r.ok() ? "" : " error=\"" + r.error + "\"");
}

void Followers::Group::endRound(std::vector<FollowOutcome> outcomes) {
  busy_ = false;
  bool failedAny = false, dirtyAny = false;
  for (const auto& o : outcomes) failedAny |= o.kind == FollowOutcome::Kind::Failed;
  for (const auto& [name, n] : names_) dirtyAny |= n.dirty;
  if (failedAny) {
    ++owner_.failures_;
    retry_.arm(retryDelay_);
  } else if (dirtyAny && !retry_.armed()) {
    batch_.arm(ev::Micros(0));
  }
  for (const auto& o : outcomes) owner_.report(o);
}

}  // namespace fail::dns
