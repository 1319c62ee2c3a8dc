// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/follow.hh"

#include <arpa/inet.h>

#include <algorithm>
#include <set>

#include "base/log.hh"
#include "dns/name.hh"
#include "ev/ev.hh"

namespace fail::dns {

namespace {

constexpr int kMaxRaces = 5;  // lost compare-and-swaps in a row before a name is reported failed

log::Facility& logFac() {
  static log::Facility& f = log::facility("dns");
  return f;
}

bool isV6(const std::string& a) { return a.find(':') != std::string::npos; }

std::uint16_t typeOf(const FollowSpec& s) { return !s.members.empty() && isV6(s.members[0].address) ? kTypeAaaa : kTypeA; }

// RFC 1982: a is at or after b.
bool serialAtLeast(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) >= 0; }

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
  return out.empty() ? "{}" : out;
}

}  // namespace

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

// The names of one zone on one primary: their rounds of reads and UPDATEs, retries,
// reconciles and verifications.
class Followers::Group {
 public:
  Group(Followers& owner, const FollowSpec& first)
      : owner_(owner), zone_(first.zone), server_(first.server), key_(first.key),
        batch_(owner.loop_.base(), [this] { round(); }),
        retry_(owner.loop_.base(), [this] { retryDelay_ = std::min(retryDelay_ * 2, owner_.timing_.retryMax); round(); }),
        reconcile_(owner.loop_.base(), [this] { reconcileAll(); }),
        retryDelay_(owner.timing_.retryFirst) {}

  ~Group() {
    for (auto id : inflight_) owner_.client_.cancel(id);
  }

  bool empty() const { return names_.empty(); }

  void add(FollowSpec spec) {
    Name& n = names_[spec.name];
    n.type = typeOf(spec);
    n.spec = std::move(spec);
    n.known.reset();
    n.lastWanted.reset();
    armReconcile();
    if (owner_.started_) touch(n, true);
  }
  void remove(const std::string& name) { names_.erase(name); }

  // A record's state changed: names whose wanted RRset moved become dirty.
  void health(const std::string& record) {
    for (auto& [name, n] : names_)
      for (const auto& m : n.spec.members)
        if (m.check == record) {
          touch(n, false);
          break;
        }
  }

  void reconcileAll() {
    if (nsWaiters_.empty()) nsServers_.reset();  // read the NS set again at the next verification
    for (auto& [name, n] : names_) {
      n.known.reset();
      touch(n, true);
    }
    armReconcile();
  }

 private:
  struct Name {
    FollowSpec spec;
    std::uint16_t type = kTypeA;
    std::optional<std::vector<std::string>> known;       // in the primary, as last read or written
    std::optional<std::vector<std::string>> lastWanted;  // as last computed
    bool dirty = false;
    int races = 0;
  };
  using Batch = std::vector<std::string>;

  std::optional<std::vector<std::string>> wanted(const Name& n) const {
    return wantedRecords(n.spec, [this](const std::string& r) { return owner_.stateOf(r); });
  }

  // Marks `n` dirty when forced or when its wanted RRset changed; starts a round soon.
  void touch(Name& n, bool force) {
    if (!owner_.started_) return;
    auto w = wanted(n);
    if (!force && w == n.lastWanted) return;
    n.lastWanted = w;
    n.dirty = true;
    if (!busy_ && !retry_.armed() && !batch_.armed()) batch_.arm(owner_.timing_.batchWindow);
  }

  void armReconcile() {
    std::chrono::milliseconds every{0};
    for (const auto& [name, n] : names_)
      if (n.spec.reconcile.count() > 0 && (every.count() == 0 || n.spec.reconcile < every)) every = n.spec.reconcile;
    if (every.count() > 0) reconcile_.arm(every);
  }

  // Sends through the client, remembering the exchange so that the group's end cancels it.
  void send(const net::Address& to, Request req, std::function<void(const Result&)> done) {
    auto holder = std::make_shared<UpdateClient::Id>(0);
    *holder = owner_.client_.send(to, std::move(req), owner_.timing_.exchange,
                                  [this, holder, done = std::move(done)](const Result& r) {
                                    inflight_.erase(*holder);
                                    done(r);
                                  });
    inflight_.insert(*holder);
  }

  // One round: read what is unknown, then one UPDATE for the dirty names that differ.
  void round() {
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

  FollowOutcome failure(Name& n, const Result& r, const std::string& error) {
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

  // The changes of `batch` (InSync names go to `outcomes`).
  std::vector<RrsetChange> changesOf(const Batch& batch, std::vector<FollowOutcome>& outcomes) {
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

  // Splits changes into UPDATEs that fit a TCP message, by an upper bound of their size
  // (every name written in full, as if ldns did not compress).
  static std::vector<std::vector<RrsetChange>> chunked(std::vector<RrsetChange> changes) {
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

  // Sends the UPDATEs of a round (one unless too large for one message); ends the round
  // when every one has its reply.
  void update(const Batch& batch, std::vector<FollowOutcome> outcomes) {
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

  // One UPDATE's reply: names updated, lost races marked for a re-read, failures.
  void updated(const std::vector<RrsetChange>& changes, const Result& r, std::vector<FollowOutcome>& outcomes) {
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

  // One line per name changed or failed (Info when the UPDATE held over ten names, with
  // one line for the whole UPDATE at the event's level).
  void logUpdate(const std::vector<RrsetChange>& changes, const Result& r, bool race) const {
    if (race) {
      FAIL_LOG(logFac(), Info) << "dns-update-race zone=" << zone_ << " names=" << changes.size() << " rcode=" << r.status();
      return;
    }
    bool many = changes.size() > 10;
    log::Level level = r.ok() ? log::Level::Notice : log::Level::Warning;
    log::Level each = many ? log::Level::Info : level;
    if (log::enabled(logFac(), each))
      for (const auto& c : changes) {
        if (r.ok())
          log::Line(logFac(), each) << "+dns-update name=" << c.name << " records=\"" << joined(c.records)
                                    << "\" server=" << r.server << " ms=" << r.elapsed.count();
        else
          log::Line(logFac(), each) << "-dns-update name=" << c.name << " error=\"" << r.error << "\"";
      }
    if (many && log::enabled(logFac(), level))
      log::Line(logFac(), level) << (r.ok() ? "+" : "-") << "dns-update zone=" << zone_ << " names=" << changes.size()
                                 << " server=" << r.server << " ms=" << r.elapsed.count()
                                 << (r.ok() ? "" : " error=\"" + r.error + "\"");
  }

  void endRound(std::vector<FollowOutcome> outcomes) {
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

  // Reads back the names and the SOA serial from the primary, then from each secondary
  // until they match or the deadline passes.
  struct Verify;
  void verify(const Batch& names);
  void resolveNs(std::uint16_t port, std::function<void()> then);
  void verifyServer(std::shared_ptr<Verify> v, std::size_t index);
  void verifyDone(Verify& v);

  Followers& owner_;
  std::string zone_;
  net::Address server_;
  std::optional<TsigKey> key_;
  std::map<std::string, Name> names_;
  std::set<UpdateClient::Id> inflight_;
  bool busy_ = false;
  ev::Timer batch_, retry_, reconcile_;
  std::chrono::milliseconds retryDelay_;
  std::vector<std::shared_ptr<Verify>> verifies_;
  std::optional<std::vector<net::Address>> nsServers_;  // secondariesFromNs, once read
  std::vector<std::function<void()>> nsWaiters_;
};

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
      FAIL_LOG(logFac(), Warning) << "dns-ns zone=" << zone_ << " error=\"cannot read the NS set: "
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
    if (!lagging.empty()) o.error = "not matching after " + std::to_string(owner_.timing_.verifyDeadline.count()) + " ms: " + joined(lagging);
    outcomes.push_back(std::move(o));
  }
  if (lagging.empty())
    FAIL_LOG(logFac(), Info) << "dns-verified zone=" << zone_ << " names=" << v.names.size() << " lag_ms=" << v.lag.count();
  else
    FAIL_LOG(logFac(), Warning) << "dns-lagging zone=" << zone_ << " servers=\"" << joined(lagging) << "\"";
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
