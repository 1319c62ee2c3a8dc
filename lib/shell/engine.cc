// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "shell/engine.hh"
#include "shell/engine_impl.hh"
#include "shell/dns_follow.hh"
#include "shell/notify.hh"

#include <algorithm>
#include <set>
#include <sstream>

#include "base/log.hh"
#include "base/text.hh"
#include "base/time.hh"
#include "proto/list.hh"

namespace fail::shell {
namespace {

state::Store::Options monitorOptions() {
  state::Store::Options o;
  o.historyMax = 2000;
  return o;
}

std::string joinWords(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& w : v) proto::appendElement(out, w);
  return out;
}

}  // namespace

Engine::Engine(event_base* base, EngineOptions opts, ProcRunner& runner)
    : base_(base),
      opts_(std::move(opts)),
      runner_(&runner),
      monitor_(nullptr, state::Recovery{}, monitorOptions(), steadyNow()),
      pinger_(base, [this] { pingHosts(); }) {
  host(opts_.localName);
}

Engine::~Engine() {
  notifications_.reset();  // it unsubscribes, and stores what it decided
  dnsFollows_.reset();  // it unsubscribes
  stop();
}

DnsFollows& Engine::dnsFollows() {
  if (!dnsFollows_) dnsFollows_ = std::make_unique<DnsFollows>(*this, base_);
  return *dnsFollows_;
}

Notifications& Engine::notifications() {
  if (!notifications_)
    notifications_ = std::make_unique<Notifications>(*this, base_, opts_.notifyDb.empty() ? defaultNotifyDb() : opts_.notifyDb);
  return *notifications_;
}

const char* changeKindName(ChangeKind k) {
  return k == ChangeKind::Sync ? "sync" : k == ChangeKind::Change ? "change" : "delete";
}

int Engine::subscribe(ChangeFn fn) {
  subscribers_[++nextId_] = std::move(fn);
  return nextId_;
}

int Engine::onTrap(TrapFn fn) {
  traps_[++nextId_] = std::move(fn);
  return nextId_;
}

int Engine::onSynced(std::function<void()> fn) {
  syncedFns_[++nextId_] = std::move(fn);
  return nextId_;
}

void Engine::unsubscribe(int id) {
  subscribers_.erase(id);
  traps_.erase(id);
  syncedFns_.erase(id);
}

void Engine::notify(const state::Record& rec, ChangeKind kind) {
  // A subscriber may unsubscribe (a retiring policy): walk by id.
  for (auto it = subscribers_.begin(); it != subscribers_.end();) {
    int id = it->first;
    ChangeFn fn = it->second;
    fn(rec, kind);
    it = subscribers_.upper_bound(id);
  }
}

Engine::Host& Engine::host(const std::string& name) {
  auto& slot = hosts_[name];
  if (!slot) {
    slot = std::make_unique<Host>();
    slot->spec.name = name;
  }
  return *slot;
}

HostSpec& Engine::hostSpec(const std::string& name) { return host(name).spec; }

void Engine::hostChanged(const std::string& name) {
  Host& h = host(name);
  h.link.reset();
  if (!started_) return;
  client::LinkSpec ls;
  ls.name = name;
  std::string where = h.spec.address.empty() ? (name == opts_.localName ? "127.0.0.1" : name) : h.spec.address;
  std::string err;
  if (!client::parseTarget(where, h.spec.port, ls.target, err)) {
    FAIL_LOG(fac(), Err) << "host " << name << ": " << err;
    return;
  }
  ls.secret = h.spec.secret;
  ls.tls = h.spec.tls;
  try {
    h.link = std::make_unique<client::Link>(base_, std::move(ls));
  } catch (const std::exception& e) {
    FAIL_LOG(fac(), Err) << "host " << name << ": " << e.what();
    return;
  }
  Host* hp = &h;
  h.link->onState([this, hp](bool up, const std::string& why) {
    if (up) hp->lastConnect = wallNow();
    reachability(*hp, up, why);
  });
  h.link->start();
  if (name == opts_.localName) {
    client::LinkSpec ws = h.link->spec();
    ws.name = name + " (watch)";
    watch_ = std::make_unique<client::Link>(base_, std::move(ws));
    watch_->watch("*", [this](const client::WatchEvent& e) { onWatch(e); },
                  [this] {  // the changes since our serial are gone: listed afresh
                    local_.clear();
                    synced_ = false;
                  });
    watch_->start();
  }
}

ServiceSpec& Engine::serviceSpec(const std::string& name) {
  auto& slot = services_[name];
  if (!slot) {
    slot = std::make_unique<Service>();
    slot->spec.name = name;
    Service* sp = slot.get();
    slot->timer = std::make_unique<ev::Timer>(base_, [this, sp] { tick(*sp); });
  }
  return slot->spec;
}

void Engine::serviceChanged(const std::string& name) {
  Service& s = *services_.at(name);
  if (s.polling) {  // a run polling by the old settings (its peers, its witnesses) is abandoned
    ++s.runGen;
    s.polling = s.running = false;
  }
  for (const auto& list : {s.spec.masters, s.spec.slaves, s.spec.witnesses})
    for (const auto& h : list)
      if (!hosts_.count(h)) {
        host(h);
        hostChanged(h);
      }
  if (started_ && synced_) schedule(s, std::chrono::duration_cast<ev::Micros>(s.spec.interval) / 4);
  publishService(s);
}

std::vector<std::string> Engine::services() const {
  std::vector<std::string> out;
  for (const auto& [n, s] : services_) out.push_back(n);
  return out;
}

std::vector<ServiceSpec> Engine::serviceSpecs() const {
  std::vector<ServiceSpec> out;
  for (const auto& [n, s] : services_) out.push_back(s->spec);
  return out;
}

std::vector<std::string> Engine::hosts() const {
  std::vector<std::string> out;
  for (const auto& [n, h] : hosts_) out.push_back(n);
  return out;
}

void Engine::start() {
  if (started_) return;
  started_ = true;
  for (auto& [name, h] : hosts_) hostChanged(name);
  pingHosts();
}

void Engine::stop() {
  if (!started_) return;
  started_ = false;
  pinger_.cancel();
  for (auto& [n, s] : services_) s->timer->cancel();
  watch_.reset();
  for (auto& [n, h] : hosts_) h->link.reset();
}

void Engine::request(const std::string& hostName, const std::string& line, client::Link::ReplyFn fn, Millis timeout) {
  Host& h = host(hostName);
  if (!h.link && started_) hostChanged(hostName);
  if (!h.link) {
    client::Reply r;
    r.code = "DOWN";
    r.message = "no connection to " + hostName;
    if (fn) fn(r);
    return;
  }
  Host* hp = &h;
  h.link->request(
      line,
      [this, hp, fn = std::move(fn)](const client::Reply& r) {
        bool reached = r.ok || r.code != "DOWN";
        if (reached) hp->lastCall = wallNow();
        reachability(*hp, reached, reached ? "" : r.message);
        if (fn) fn(r);
      },
      timeout);
}

void Engine::setLocal(const std::string& name, State s, const std::string& note, const state::Attrs& attrs,
                      std::int64_t ttlMs, client::Link::ReplyFn fn) {
  std::string line = "SET";
  proto::appendElement(line, name);
  line += ' ';
  line += state::stateName(s);
  if (ttlMs) line += " ttl=" + formatDurationMs(ttlMs);
  proto::appendElement(line, "note=" + note);
  for (const auto& [k, v] : attrs) proto::appendElement(line, k + "=" + v);
  request(opts_.localName, line,
          [name, fn = std::move(fn)](const client::Reply& r) {
            if (!r.ok)
              FAIL_LOG(fac(), Err) << "cannot set " << name << " in the local faild: " << r.code << " " << r.message;
            if (fn) fn(r);
          },
          Millis{5000});
}

void Engine::deleteLocal(const std::string& name) {
  std::string line = "DEL";
  proto::appendElement(line, name);
  request(opts_.localName, line,
          [name](const client::Reply& r) {
            if (!r.ok && r.code != "NOTFOUND")
              FAIL_LOG(fac(), Err) << "cannot delete " << name << " in the local faild: " << r.code << " " << r.message;
          },
          Millis{5000});
}

void Engine::reachability(Host& h, bool ok, const std::string& why) {
  if (h.spec.name == opts_.localName) return;
  if (h.known && h.reachable == ok) return;
  bool first = !h.known;
  h.known = true;
  h.reachable = ok;
  h.why = ok ? "" : why;
  if (ok && !first)
    FAIL_LOG(fac(), Notice) << "+host " << h.spec.name;
  else if (!ok)
    FAIL_LOG(fac(), Warning) << "-host " << h.spec.name << ": " << why;
  publishHost(h);
}

bool Engine::hostReachable(const std::string& name) const {
  auto it = hosts_.find(name);
  return it != hosts_.end() && it->second->reachable;
}

void Engine::pingHosts() {
  if (!started_) return;
  Millis every = opts_.hostInterval;
  for (const auto& [n, s] : services_) every = std::min(every, s->spec.interval);
  Millis timeout = std::min(every / 2, Millis{2000});
  for (auto& [name, h] : hosts_) {
    if (name == opts_.localName) continue;
    Host* hp = h.get();
    request(name, "PING", [this, hp](const client::Reply&) { publishHost(*hp); }, timeout);
  }
  pinger_.arm(std::chrono::duration_cast<ev::Micros>(every));
}

void Engine::showMonitor(state::SetInput in) {
  std::uint64_t serial = 0;
  monitor_.set(std::move(in), wallNow(), steadyNow(), noop, serial);
}

void Engine::hideMonitor(const std::string& name) { monitor_.del(name, wallNow(), noop); }

void Engine::publishHost(const Host& h) {
  if (h.spec.name == opts_.localName || !h.known) return;
  State s = h.reachable ? State::Up : State::Fail;
  Millis every = opts_.hostInterval;
  for (const auto& [n, sv] : services_) every = std::min(every, sv->spec.interval);
  // A refresh unless reachability changed; the ttl turns the record UNKNOWN when this
  // failsh stops polling (a dead witness must not vote).
  if (synced_ || !watch_) setLocal("host:" + h.spec.name, s, h.why, {}, std::max<std::int64_t>(3 * every.count(), 3000));
  state::SetInput in;
  in.name = "host:" + h.spec.name;
  in.state = s;
  in.note = h.why;
  in.origin = "failsh";
  in.attrs = {{"last_call", h.lastCall ? std::to_string(h.lastCall) : ""},
              {"last_connect", h.lastConnect ? std::to_string(h.lastConnect) : ""}};
  showMonitor(std::move(in));
}

void Engine::schedule(Service& s, ev::Micros delay) {
  s.timer->arm(delay);
  s.status.nextRun = wallNow() + delay.count();
}

void Engine::onWatch(const client::WatchEvent& e) {
  using K = client::WatchEvent::Kind;
  if (e.kind == K::Synced) {
    bool first = !synced_;
    synced_ = true;
    if (first) {
      size_t i = 0, n = services_.size();
      for (auto& [name, s] : services_) {
        auto iv = std::chrono::duration_cast<ev::Micros>(s->spec.interval);
        schedule(*s, iv * static_cast<std::int64_t>(i++) / static_cast<std::int64_t>(std::max<size_t>(n, 1)));
      }
      for (auto& [name, h] : hosts_) publishHost(*h);
      // A fresh service is ready but idle until its first run decides (the original's
      // advice: put a freshly started service into RECOVER).
      for (auto& [name, s] : services_)
        if (!local_.count(name)) setLocal(name, State::Recover, "failsh started");
    }
    for (auto it = syncedFns_.begin(); it != syncedFns_.end();) {  // by id: one may unsubscribe
      int id = it->first;
      std::function<void()> fn = it->second;
      fn();
      it = syncedFns_.upper_bound(id);
    }
    return;
  }
  if (e.kind == K::Delete) {
    auto it = local_.find(e.name);
    if (it == local_.end()) return;
    state::Record gone = std::move(it->second);
    local_.erase(it);
    notify(gone, ChangeKind::Delete);
    return;
  }
  if (e.kind != K::Record && e.kind != K::Change) return;
  const state::Record& rec = e.record;
  auto it = local_.find(rec.name);
  std::optional<state::Record> before;
  if (it != local_.end()) before = it->second;
  local_[rec.name] = rec;
  localChanged(rec, before ? &*before : nullptr);
}

void Engine::localChanged(const state::Record& rec, const state::Record* before) {
  // Records listed before SYNCED are the state as it is (at start, or after the watch
  // was cut off and listed afresh), not changes.
  notify(rec, synced_ ? ChangeKind::Change : ChangeKind::Sync);
  auto it = services_.find(rec.name);
  if (it == services_.end()) return;
  Service& s = *it->second;
  State from = before ? before->state : State::Unknown;
  s.status.local = rec.state;
  publishService(s);
  if (from == rec.state) return;
  for (auto& [id, fn] : traps_) fn(rec.name, from, rec.state, rec.note);
  // Entering FAIL by anyone's hand releases what this host runs (doc/design.md).
  if (rec.state == State::Fail && s.held) {
    if (s.running) {
      s.stopOnFail = true;
    } else {
      s.running = true;
      act(s, Action::Stop);
    }
  }
}

const ServiceStatus* Engine::status(const std::string& name) const {
  auto it = services_.find(name);
  return it == services_.end() ? nullptr : &it->second->status;
}

std::string Engine::dump() const {
  std::ostringstream out;
  out << "local " << (synced_ ? "synced" : "not synced") << " records=" << local_.size() << "\n";
  for (const auto& [n, h] : hosts_)
    out << "host " << n << " " << (h->link ? h->link->spec().target.display() : "-") << " "
        << (h->known ? (h->reachable ? "reachable" : "unreachable: " + h->why) : "unknown") << "\n";
  for (const auto& [n, s] : services_) {
    out << "service " << n << " local=" << state::stateName(s->status.local)
        << " interval=" << formatDurationMs(s->spec.interval.count()) << " masters={" << joinWords(s->spec.masters)
        << "} slaves={" << joinWords(s->spec.slaves) << "} witnesses={" << joinWords(s->spec.witnesses)
        << "} runs=" << s->status.runs << " skipped=" << s->status.skipped << " last=" << s->status.lastAction;
    for (const auto& [k, v] : s->status.seen) out << " " << k << "=" << v;
    out << "\n";
  }
  if (notifications_) out << notifications_->dump();
  return out.str();
}

}  // namespace fail::shell
