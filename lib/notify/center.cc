// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "notify/center.hh"

#include <openssl/rand.h>

#include <set>
#include <sstream>
#include <variant>

#include "base/daemon.hh"
#include "base/log.hh"
#include "base/text.hh"
#include "base/time.hh"
#include "notify/curl.hh"

namespace fail::notify {
namespace {

log::Facility& fac() {
  static log::Facility& f = log::facility("notify");
  return f;
}

constexpr const char* kOwnPrefix = "notify:";

bool isOwn(const std::string& name) { return name.compare(0, 7, kOwnPrefix) == 0; }

// 32 random hex digits: a message's key, made before rendering so ${key} can show it.
std::string newKey() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) {  // never seen; a key from the clock beats none
    std::uint64_t t = static_cast<std::uint64_t>(steadyNow()) ^ static_cast<std::uint64_t>(wallNow());
    for (size_t i = 0; i < sizeof b; ++i) b[i] = static_cast<unsigned char>(t >> (8 * (i % 8))) ^ static_cast<unsigned char>(i * 37);
  }
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : b) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

const char* howName(const ChannelSpec& s) {
  switch (s.how.index()) {
    case 0: return "mail";
    case 1: return "webhook";
    case 2: return "exec";
    default: return "syslog";
  }
}

bool isWebhook(const ChannelSpec& s) { return std::holds_alternative<WebhookSpec>(s.how); }

}  // namespace

bool ChannelConfig::sameSender(const ChannelConfig& o) const {
  return spec == o.spec && dispatch.giveUpAfter == o.dispatch.giveUpAfter && dispatch.maxBackoff == o.dispatch.maxBackoff;
}

// A channel: its configuration while declared, its counts for ever (the limiter's are
// added to `counts` when it forgets the channel).
struct Center::Channel {
  std::string name;
  ChannelConfig cfg;
  bool declared = false;
  ChannelCounts counts;
};

Center::Center(ev::Loop& loop, Queue& queue, MakeSender make)
    : loop_(loop),
      queue_(queue),
      make_(std::move(make)),
      dispatcher_(loop, queue),
      limiter_(loop, [this](const Limiter::Digest& d) { digest(d); }),
      wall_(wallNow) {
  if (!make_) {
    make_ = [this](const ChannelSpec& spec) {
      if (!transfers_) transfers_ = std::make_unique<Transfers>(loop_);
      return makeSender(spec, *transfers_, loop_);
    };
  }
  auto emit = [this](const Event& e) { this->emit(e); };
  auto wall = [this] { return wall_(); };
  rules_ = std::make_unique<Rules>(loop, queue, emit, wall);
  ownRules_ = std::make_unique<Rules>(loop, queue, emit, wall);
  dispatcher_.onStatus([this](const std::string& channel, const ChannelStatus&) { publish(channel); });
}

Center::~Center() {
  *alive_ = false;
  // What the rules decided this turn is stored before the center goes: nothing is lost.
  flush(nullptr);
  rules_.reset();
  ownRules_.reset();
}

Center::Channel* Center::find(const std::string& name) const {
  auto it = channels_.find(name);
  return it == channels_.end() ? nullptr : it->second.get();
}

void Center::apply(NotifyConfig config) {
  config_ = std::move(config);
  std::set<std::string> named;
  for (const ChannelConfig& cc : config_.channels) {
    const std::string& name = cc.spec.name;
    named.insert(name);
    auto& slot = channels_[name];
    if (!slot) {
      slot = std::make_unique<Channel>();
      slot->name = name;
    }
    Channel& c = *slot;
    bool fresh = !c.declared || !c.cfg.sameSender(cc);
    c.cfg = cc;
    c.declared = true;
    limiter_.configure(name, cc.rate);  // a window already open keeps its end and counts
    if (fresh) {
      // A new sender (its waiting messages, left by a previous run or kept while it was
      // gone, go out with it); an unchanged channel keeps its sender and what is out.
      dispatcher_.channel(name, make_(cc.spec), cc.dispatch);
      dispatcher_.wake(name);
    }
    publish(name);
  }
  for (auto& [name, c] : channels_) {
    if (!c->declared || named.count(name)) continue;
    FAIL_LOG(fac(), Notice) << "-channel " << name << ": removed from the policy (its waiting messages stay queued)";
    dispatcher_.remove(name);
    c->declared = false;
    // The limiter forgets it (and the digest it owed): its counts stay with the channel.
    Limiter::Counts l = limiter_.counts(name);
    c->counts.suppressed += l.duplicates;
    c->counts.digests += l.digests;
    c->counts.limited += l.held;
    limiter_.remove(name);
    publish(name);
  }
  for (const RuleSpec& r : config_.rules)
    for (const std::string& to : r.to)
      if (!named.count(to))
        FAIL_LOG(fac(), Warning) << "rule " << r.name << ": -to names no channel \"" << to << "\"";
  // Rules about notify:CHANNEL records hear only those records, the others only the rest.
  std::vector<RuleSpec> own, others;
  for (const RuleSpec& r : config_.rules) (isOwn(r.pattern) ? own : others).push_back(r);
  rules_->set(std::move(others), config_.quiet);
  ownRules_->set(std::move(own), config_.quiet);
}

Rules& Center::rulesFor(const std::string& record) { return isOwn(record) ? *ownRules_ : *rules_; }

void Center::record(const state::Record& rec, Seen how) {
  Rules& r = rulesFor(rec.name);
  Rules::Counts before = r.counts();
  r.record(rec, how);
  const Rules::Counts& after = r.counts();
  std::uint64_t damped = after.damped - before.damped, quieted = after.quieted - before.quieted;
  totals_.damped += damped;
  totals_.quieted += quieted;
  if (damped + quieted) attribute(rec.name, damped + quieted);
}

void Center::listed(const std::function<bool(const std::string& record)>& exists) {
  rules_->dropMissing(exists);
  ownRules_->dropMissing(exists);
}

// Damping and quiet windows are counted by the rules as a whole; the channels of the
// rules that match the record are told (what fired from a timer is in the totals only).
void Center::attribute(const std::string& record, std::uint64_t suppressed) {
  std::set<std::string> to;
  for (const RuleSpec& r : config_.rules)
    if (isOwn(r.pattern) == isOwn(record) && globMatch(r.pattern, record)) to.insert(r.to.begin(), r.to.end());
  for (const std::string& ch : to)
    if (Channel* c = find(ch)) {
      c->counts.suppressed += suppressed;
      dirty(ch);
    }
}

Message Center::render(Channel& c, Kind kind, std::string record, Fields f,
                       const std::pair<std::string, std::string>* given) {
  Message m;
  m.key = newKey();  // made here, not by the queue, so that ${key} can show it
  m.channel = c.name;
  m.kind = kind;
  m.created = wall_();
  f["key"] = m.key;
  f["kind"] = kindName(kind);
  f["time"] = isoTime(m.created);
  f["host"] = config_.host;
  f["channel"] = c.name;
  f["link"] = config_.link.empty() ? "" : record.empty() ? config_.link : config_.link + "#" + record;
  bool hook = isWebhook(c.cfg.spec);
  if (given) {
    f["subject"] = given->first;
    f["body"] = given->second;
  } else {
    f["subject"] = (c.cfg.subject ? *c.cfg.subject : defaultSubject(kind)).render(f);
    // A webhook's -body is its JSON; the plain text body is then the default one.
    f["body"] = (c.cfg.body && !hook ? *c.cfg.body : defaultBody(kind)).render(f);
  }
  m.subject = f["subject"];
  m.body = hook ? (c.cfg.body ? *c.cfg.body : defaultJson()).render(f, Template::Escape::Json) : f["body"];
  m.record = std::move(record);
  m.fields = std::move(f);
  return m;
}

void Center::emit(const Event& e) {
  ++totals_.events;
  for (const std::string& ch : e.to) {
    Channel* c = find(ch);
    if (!c || !c->declared) {
      if (totals_.unknownChannel++ == 0)
        FAIL_LOG(fac(), Warning) << "rule " << e.rule << ": no channel \"" << ch << "\" for " << e.record.name;
      continue;
    }
    if (e.record.name == kOwnPrefix + ch) continue;  // a channel never tells about itself
    switch (limiter_.admit(ch, e.record.name, e.kind, e.record.state)) {
      case Admit::Send:
        enqueue(render(*c, e.kind, e.record.name, eventFields(e)));
        break;
      case Admit::Held:
      case Admit::Duplicate:
        dirty(ch);  // counted by the limiter
        break;
    }
  }
}

void Center::digest(const Limiter::Digest& d) {
  Channel* c = find(d.channel);
  if (!c || !c->declared || !d.count) return;
  Fields f;
  f["count"] = std::to_string(d.count);
  f["records"] = digestRecords(d);
  FAIL_LOG(fac(), Notice) << "channel " << c->name << ": the rate limit (" << formatRate(c->cfg.rate)
                          << ") held back " << d.count << " messages: one digest";
  enqueue(render(*c, Kind::Digest, "", std::move(f)));
}

void Center::enqueue(Message m) {
  dirty(m.channel);
  batch_.push_back(std::move(m));
}

// Once per loop turn: the batch into the queue, then the statuses out.
void Center::dirty(const std::string& channel) {
  dirty_.insert(channel);
  if (turnPending_) return;
  turnPending_ = true;
  std::weak_ptr<bool> alive = alive_;
  loop_.defer([this, alive] {
    auto a = alive.lock();
    if (!a || !*a) return;
    turnPending_ = false;
    flush(nullptr);
    std::set<std::string> touched = std::move(dirty_);
    dirty_.clear();
    for (const std::string& ch : touched) publish(ch);
  });
}

bool Center::flush(std::string* err) {
  if (batch_.empty()) return true;
  std::vector<Message> msgs;
  msgs.swap(batch_);
  std::string e;
  bool ok = queue_.add(msgs, &e);
  std::set<std::string> touched;
  for (const Message& m : msgs) {
    touched.insert(m.channel);
    if (Channel* c = find(m.channel)) ++(ok ? c->counts.queued : c->counts.dropped);
  }
  if (!ok) {
    ++totals_.queueErrors;
    FAIL_LOG(fac(), Err) << "the queue refused " << msgs.size() << " messages (they are lost): " << e;
    if (err) *err = e;
    return false;
  }
  for (const std::string& ch : touched)
    if (Channel* c = find(ch); c && c->declared) dispatcher_.wake(ch);
  return true;
}

bool Center::send(const std::string& channel, const std::string& subject, const std::string& body, std::string* err) {
  Channel* c = find(channel);
  if (!c || !c->declared) {
    std::string known;
    for (const auto& [n, ch] : channels_)
      if (ch->declared) known += (known.empty() ? "" : " ") + n;
    *err = "no channel \"" + channel + "\" (declared: " + (known.empty() ? "none" : known) + ")";
    return false;
  }
  std::pair<std::string, std::string> given{subject, body};
  // Stored before the command returns, with whatever else this turn made.
  enqueue(render(*c, Kind::Send, "", Fields{}, &given));
  return flush(err);
}

std::vector<std::string> Center::channels() const {
  std::vector<std::string> out;
  for (const auto& [n, c] : channels_)
    if (c->declared) out.push_back(n);
  return out;
}

std::optional<ChannelView> Center::view(const std::string& channel) const {
  const Channel* c = find(channel);
  if (!c) return std::nullopt;
  ChannelView v;
  v.name = channel;
  v.declared = c->declared;
  if (const ChannelStatus* s = dispatcher_.status(channel)) v.status = *s;
  v.counts = c->counts;
  if (c->declared) {
    Limiter::Counts l = limiter_.counts(channel);
    v.counts.suppressed += l.duplicates;
    v.counts.digests += l.digests;
    v.counts.limited += l.held;
  }
  return v;
}

void Center::publish(const std::string& channel) {
  if (!onStatus_) return;
  if (auto v = view(channel)) onStatus_(*v);
}

Center::Totals Center::totals() const {
  Totals t = totals_;
  return t;
}

std::string Center::dump() const {
  std::ostringstream out;
  for (const auto& [name, c] : channels_) {
    auto v = view(name);
    if (!c->declared && !v->status.waiting) continue;  // removed, nothing of it left to send
    out << "notify channel " << name << " " << howName(c->cfg.spec) << (c->declared ? "" : " (removed)")
        << " rate=" << formatRate(c->cfg.rate)
        << " waiting=" << v->status.waiting << " sent=" << v->status.sent << " failed=" << v->status.failed
        << " retries=" << v->status.retries << " queued=" << c->counts.queued
        << " suppressed=" << v->counts.suppressed << " limited=" << v->counts.limited
        << " digests=" << v->counts.digests << " dropped=" << v->counts.dropped
        << (v->status.failing ? " failing" : "")
        << (v->status.lastError.empty() ? "" : " last_error=" + printable(v->status.lastError, 200)) << "\n";
  }
  for (const RuleSpec& r : config_.rules) {
    out << "notify rule " << r.name << " pattern=" << r.pattern << " to=" << daemon::joinSpaced(r.to) << " states=";
    for (size_t i = 0; i < r.states.size(); ++i) out << (i ? "," : "") << stateName(r.states[i]);
    out << " after=" << formatDurationMs(r.after.count()) << " repeat=" << formatDurationMs(r.repeat.count())
        << " resolved=" << (r.resolved ? "yes" : "no") << "\n";
  }
  for (const QuietSpec& q : config_.quiet)
    out << "notify quiet " << q.pattern << " until=" << isoTime(q.until)
        << (q.reason.empty() ? "" : " reason=" + printable(q.reason, 200)) << "\n";
  out << "notify events=" << totals_.events << " damped=" << totals_.damped << " quieted=" << totals_.quieted
      << " unknown_channel=" << totals_.unknownChannel
      << " queue_errors=" << totals_.queueErrors << "\n";
  return out.str();
}

}  // namespace fail::notify
