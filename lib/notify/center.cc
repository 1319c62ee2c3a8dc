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

constexpr size_t kDigestNames = 50;  // a digest names at most this many records
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

std::string attributesText(const state::Attrs& attrs) {
  std::string out;
  for (const auto& [k, v] : attrs) out += (out.empty() ? "" : " ") + k + "=" + v;
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

// A channel: its configuration while declared, its counts for ever, its rate window.
struct Center::Channel {
  Center* center;
  std::string name;
  ChannelConfig cfg;
  bool declared = false;
  ChannelCounts counts;
  // The rate limit's window: opened by the first message, closed by `timer`.
  ev::WheelTimer timer;
  std::uint32_t inWindow = 0;       // let through in this window
  std::uint64_t held = 0;           // held back in this window
  std::vector<std::string> names;   // their records, at most kDigestNames
  Channel(Center* c, std::string n, ev::Wheel& wheel)
      : center(c), name(std::move(n)), timer(wheel, &Channel::fire, this) {}
  static void fire(void* arg) {
    auto* ch = static_cast<Channel*>(arg);
    ch->center->windowEnd(*ch);
  }
};

Center::Center(ev::Loop& loop, Queue& queue, MakeSender make)
    : loop_(loop), queue_(queue), make_(std::move(make)), dispatcher_(loop, queue), wall_(wallNow) {
  if (!make_) {
    make_ = [this](const ChannelSpec& spec) {
      if (!transfers_) transfers_ = std::make_unique<Transfers>(loop_);
      return makeSender(spec, *transfers_, loop_);
    };
  }
  auto emit = [this](const Event& e) { this->emit(e); };
  rules_ = std::make_unique<Rules>(loop, queue, emit);
  ownRules_ = std::make_unique<Rules>(loop, queue, emit);
  dispatcher_.onStatus([this](const std::string& channel, const ChannelStatus&) { publish(channel); });
}

Center::~Center() {
  *alive_ = false;
  // What the rules decided this turn is stored before the center goes: nothing is lost.
  flush(nullptr);
  // The rules go first (their timers), then the channels (their windows), while the
  // dispatcher, declared before them, is still there.
  rules_.reset();
  ownRules_.reset();
  channels_.clear();
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
    if (!slot) slot = std::make_unique<Channel>(this, name, loop_.wheel());
    Channel& c = *slot;
    bool fresh = !c.declared || !c.cfg.sameSender(cc);
    c.cfg = cc;
    c.declared = true;
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
    c->counts.dropped += c->held;  // the digest it owed is not sent
    c->held = c->inWindow = 0;
    c->names.clear();
    c->timer.cancel();
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

Fields Center::fieldsOf(const Event& e, const Channel& c) const {
  const state::Record& r = e.record;
  Fields f;
  f["record"] = r.name;
  f["state"] = stateName(r.state);
  f["previous"] = stateName(e.previous);
  f["since"] = r.since ? isoTime(r.since) : "";
  f["duration"] = e.previousFor > 0 ? formatAge(e.previousFor) : "";
  f["note"] = r.note;
  f["origin"] = r.origin;
  size_t at = r.name.find('@');
  f["location"] = at == std::string::npos ? "" : r.name.substr(at + 1);
  f["attributes"] = attributesText(r.attrs);
  f["link"] = config_.link.empty() ? "" : config_.link + "#" + r.name;
  f["channel"] = c.name;
  return f;
}

Message Center::render(Channel& c, Kind kind, std::string record, Fields f) {
  Message m;
  m.key = newKey();
  m.channel = c.name;
  m.kind = kind;
  m.record = std::move(record);
  m.created = wall_();
  f["key"] = m.key;
  f["kind"] = kindName(kind);
  f["time"] = isoTime(m.created);
  f["host"] = config_.host;
  f["channel"] = c.name;
  if (!f.count("link")) f["link"] = config_.link;
  const Template& subject = c.cfg.subject ? *c.cfg.subject : defaultSubject();
  m.subject = subject.render(f);
  if (isWebhook(c.cfg.spec))
    m.body = (c.cfg.body ? *c.cfg.body : defaultJson()).render(f, Template::Escape::Json);
  else
    m.body = (c.cfg.body ? *c.cfg.body : defaultBody()).render(f);
  m.fields = std::move(f);
  return m;
}

void Center::emit(const Event& e) {
  ++totals_.events;
  for (const std::string& ch : e.to) {
    Channel* c = find(ch);
    if (!c || !c->declared) {
      if (totals_.unknownChannel++ == 0 || !c)
        FAIL_LOG(fac(), Warning) << "rule " << e.rule << ": no channel \"" << ch << "\" for " << e.record.name;
      continue;
    }
    if (e.record.name == kOwnPrefix + ch) continue;  // a channel never tells about itself
    // Two rules telling one channel the same thing in one turn: one message.
    std::string once = ch + '\n' + kindName(e.kind) + '\n' + e.record.name + '\n' + stateName(e.record.state);
    if (!seenThisTurn_.insert(once).second) {
      ++c->counts.suppressed;
      ++totals_.duplicates;
      dirty(ch);
      continue;
    }
    admit(*c, render(*c, e.kind, e.record.name, fieldsOf(e, *c)));
  }
}

void Center::admit(Channel& c, Message m) {
  if (c.cfg.rateMax == 0 || m.kind == Kind::Send || m.kind == Kind::Digest) {
    enqueue(std::move(m));
    return;
  }
  if (!c.timer.armed()) {  // a new window opens with this message
    c.inWindow = 0;
    c.timer.arm(std::chrono::duration_cast<ev::Micros>(c.cfg.ratePer));
  }
  if (c.inWindow < c.cfg.rateMax) {
    ++c.inWindow;
    enqueue(std::move(m));
    return;
  }
  ++c.held;
  ++c.counts.limited;
  if (c.names.size() < kDigestNames) c.names.push_back(m.record);
  dirty(c.name);
}

void Center::windowEnd(Channel& c) {
  std::uint64_t held = c.held;
  std::vector<std::string> names = std::move(c.names);
  c.held = c.inWindow = 0;
  c.names.clear();
  if (!held || !c.declared) return;
  std::string records = daemon::joinSpaced(names);
  if (held > names.size()) records += " and " + std::to_string(held - names.size()) + " more";
  Fields f;
  f["count"] = std::to_string(held);
  f["records"] = records;
  ++c.counts.digests;
  FAIL_LOG(fac(), Notice) << "channel " << c.name << ": the rate limit (" << c.cfg.rateMax << "/"
                          << formatDurationMs(c.cfg.ratePer.count()) << ") held back " << held
                          << " messages: one digest";
  enqueue(render(c, Kind::Digest, "", std::move(f)));
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
  seenThisTurn_.clear();
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
  Fields f;
  f["note"] = body;  // a webhook's JSON body carries the text as its note
  Message m = render(*c, Kind::Send, "", std::move(f));
  m.subject = subject;
  if (!isWebhook(c->cfg.spec)) m.body = body;
  // Stored before the command returns, with whatever else this turn made.
  enqueue(std::move(m));
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
    out << "notify channel " << name << " " << howName(c->cfg.spec) << (c->declared ? "" : " (removed)")
        << " rate=" << c->cfg.rateMax << "/" << formatDurationMs(c->cfg.ratePer.count())
        << " waiting=" << v->status.waiting << " sent=" << v->status.sent << " failed=" << v->status.failed
        << " retries=" << v->status.retries << " queued=" << c->counts.queued
        << " suppressed=" << c->counts.suppressed << " limited=" << c->counts.limited
        << " digests=" << c->counts.digests << " dropped=" << c->counts.dropped
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
      << " duplicates=" << totals_.duplicates << " unknown_channel=" << totals_.unknownChannel
      << " queue_errors=" << totals_.queueErrors << "\n";
  return out.str();
}

}  // namespace fail::notify
