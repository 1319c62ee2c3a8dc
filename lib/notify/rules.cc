// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "notify/rules.hh"

#include <algorithm>
#include <iterator>
#include <utility>

#include "base/log.hh"
#include "base/text.hh"

namespace fail::notify {

namespace {

log::Facility& logFac() {
  static log::Facility& f = log::facility("notify");
  return f;
}

Micros toMicros(std::chrono::milliseconds d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

}  // namespace

Fields eventFields(const Event& e) {
  const state::Record& r = e.record;
  Fields f;
  f["kind"] = kindName(e.kind);
  f["record"] = r.name;
  f["state"] = state::stateName(r.state);
  f["previous"] = state::stateName(e.previous);
  f["since"] = r.since ? isoTime(r.since) : "";
  f["duration"] = e.previousFor > 0 ? formatAge(e.previousFor) : "";
  f["note"] = r.note;
  f["origin"] = r.origin;
  size_t at = r.name.rfind('@');
  f["location"] = at == std::string::npos ? "" : r.name.substr(at + 1);
  std::string attrs;
  for (const auto& [k, v] : r.attrs) {
    if (!attrs.empty()) attrs += ' ';
    attrs += k + "=" + v;
  }
  f["attributes"] = attrs;
  return f;
}

struct Rules::Rule {
  RuleSpec spec;
  // seq_ when it was made: a record whose Last::seq is later went through it since.
  std::uint64_t born = 0;
  std::unordered_map<std::string, std::unique_ptr<Track>> tracks;

  bool watches(proto::State s) const {
    return std::find(spec.states.begin(), spec.states.end(), s) != spec.states.end();
  }
};

// A record in one of a rule's states: its -after, then its -repeat timer.
struct Rules::Track {
  Track(Rules& o, Rule& r) : owner(o), rule(r), timer(o.loop_.wheel(), &Rules::onTimer, this) {}
  Rules& owner;
  Rule& rule;
  state::Record rec;                          // as it is now
  proto::State previous = proto::State::Unknown;  // before it entered rec.state
  Micros previousFor = 0;
  Micros enteredAt = 0;                       // wall clock
  Micros lastSent = 0;                        // wall clock, once alerted
  bool alerted = false;                       // the Alert went out (or did before a restart)
  bool heldByQuiet = false;                   // its Alert waits for a quiet window's end
  ev::WheelTimer timer;
};

Rules::Rules(ev::Loop& loop, AlertMemory& memory, std::function<void(const Event&)> emit,
             std::function<Micros()> wall)
    : loop_(loop), memory_(memory), emit_(std::move(emit)), wall_(std::move(wall)) {}

Rules::~Rules() = default;

size_t Rules::tracked() const {
  size_t n = 0;
  for (const auto& [name, r] : rules_) n += r->tracks.size();
  return n;
}

void Rules::set(std::vector<RuleSpec> rules, std::vector<QuietSpec> quiet) {
  const std::uint64_t born = ++seq_;
  std::map<std::string, std::unique_ptr<Rule>> next;
  for (auto& spec : rules) {
    auto it = rules_.find(spec.name);
    if (it != rules_.end() && it->second && it->second->spec == spec) {
      next[spec.name] = std::move(it->second);
      continue;
    }
    // New or changed: starts empty. A changed rule's memory stays: the Sync that
    // follows finds its alerts and neither repeats nor forgets them.
    if (it != rules_.end()) it->second.reset();
    auto r = std::make_unique<Rule>();
    r->spec = std::move(spec);
    r->born = born;
    next[r->spec.name] = std::move(r);
  }
  // A rule the policy no longer has: what it alerted is forgotten, without a message.
  for (auto& [name, r] : rules_) {
    if (!r) continue;
    for (auto& [rec, t] : r->tracks)
      if (t->alerted) memory_.forget(name, rec);
  }
  rules_ = std::move(next);

  bool same = quiet.size() == quiet_.size();
  for (size_t i = 0; same && i < quiet.size(); ++i) same = quiet[i] == quiet_[i].spec;
  if (same) return;
  std::vector<Quiet> windows;
  for (auto& q : quiet) {
    Quiet w;
    auto old =
        std::find_if(quiet_.begin(), quiet_.end(), [&](const Quiet& o) { return o.spec == q; });
    if (old != quiet_.end()) w.logged = std::move(old->logged);
    w.spec = std::move(q);
    windows.push_back(std::move(w));
  }
  quiet_ = std::move(windows);
  // The windows changed: an Alert held for one's end looks again now (held again, and
  // counted again, if a window still covers the record).
  for (auto& [name, r] : rules_)
    for (auto& [rec, t] : r->tracks)
      if (t->heldByQuiet) t->timer.arm(ev::Micros(0));
}

void Rules::record(const state::Record& rec, Seen how) {
  const std::uint64_t seq = ++seq_;
  auto lit = last_.find(rec.name);
  std::optional<Last> before;
  if (lit != last_.end()) before = lit->second;
  bool matched = false;
  for (auto& [name, r] : rules_) {
    if (!globMatchStrings(r->spec.pattern, rec.name)) continue;
    matched = true;
    apply(*r, rec, how, before ? &*before : nullptr);
  }
  if (how == Seen::Delete) {
    if (lit != last_.end()) last_.erase(lit);
  } else if (matched) {
    last_[rec.name] = Last{rec.state, rec.since, seq};
  }
}

void Rules::dropMissing(const std::function<bool(const std::string& record)>& exists) {
  for (auto& [name, r] : rules_) {
    for (auto it = r->tracks.begin(); it != r->tracks.end();) {
      if (exists(it->first)) {
        ++it;
        continue;
      }
      if (it->second->alerted) memory_.forget(name, it->first);
      it = r->tracks.erase(it);
    }
  }
  for (auto it = last_.begin(); it != last_.end();)
    it = exists(it->first) ? std::next(it) : last_.erase(it);
}

void Rules::apply(Rule& rule, const state::Record& rec, Seen how, const Last* last) {
  const std::string& ruleName = rule.spec.name;
  const bool seen = last && last->seq > rule.born;
  auto it = rule.tracks.find(rec.name);
  if (how == Seen::Delete) {
    if (it == rule.tracks.end()) return;
    if (it->second->alerted) memory_.forget(ruleName, rec.name);
    rule.tracks.erase(it);
    return;
  }
  if (it != rule.tracks.end()) {
    Track& t = *it->second;
    if (t.rec.state == rec.state) {
      t.rec = rec;  // a new note or attributes: the next message shows them
      return;
    }
    leave(rule, t, rec);
    rule.tracks.erase(it);
  } else if (how == Seen::Sync && !seen) {
    // The first sight of this record by this rule: what did it alert before (a restart
    // of failsh, or a changed rule)?
    if (auto a = memory_.recall(ruleName, rec.name)) {
      if (a->state == rec.state && rule.watches(rec.state)) {
        auto t = std::make_unique<Track>(*this, rule);
        t->rec = rec;
        t->enteredAt = a->at;
        t->alerted = true;
        t->lastSent = a->lastSent;
        if (rule.spec.repeat.count() > 0) {
          Micros next = a->lastSent + toMicros(rule.spec.repeat) - wall_();
          t->timer.arm(ev::Micros(std::max<Micros>(0, next)));
        }
        rule.tracks[rec.name] = std::move(t);
        return;
      }
      // It left the alerted state while failsh was away.
      if (rule.spec.resolved && rule.watches(a->state)) {
        tell(Event{Kind::Resolved, ruleName, rule.spec.to, rec, a->state,
                   std::max<Micros>(0, rec.since - a->at)});
      }
      memory_.forget(ruleName, rec.name);
    }
  }
  if (!rule.watches(rec.state)) return;
  proto::State previous = proto::State::Unknown;
  Micros previousFor = 0;
  if (last && last->state != rec.state) {
    previous = last->state;
    if (last->since && rec.since > last->since) previousFor = rec.since - last->since;
  }
  Micros delay = toMicros(rule.spec.after);
  Micros enteredAt = rec.since ? rec.since : wall_();
  // A record found in the state at a (re)start entered it at rec.since: -after counts
  // from then.
  if (how == Seen::Sync && !seen) delay -= std::max<Micros>(0, wall_() - enteredAt);
  startTrack(rule, rec, previous, previousFor, enteredAt, delay);
}

void Rules::startTrack(Rule& rule, const state::Record& rec, proto::State previous,
                       Micros previousFor, Micros enteredAt, Micros delay) {
  auto owned = std::make_unique<Track>(*this, rule);
  Track& t = *owned;
  t.rec = rec;
  t.previous = previous;
  t.previousFor = previousFor;
  t.enteredAt = enteredAt;
  rule.tracks[rec.name] = std::move(owned);
  if (delay <= 0)
    fire(t);  // -after 0: the Alert goes out now, not a tick later
  else
    t.timer.arm(ev::Micros(delay));
}

void Rules::leave(Rule& rule, Track& t, const state::Record& rec) {
  if (t.alerted) {
    if (rule.spec.resolved) {
      Micros was = rec.since > t.enteredAt ? rec.since - t.enteredAt : 0;
      tell(Event{Kind::Resolved, rule.spec.name, rule.spec.to, rec, t.rec.state, was});
    }
    memory_.forget(rule.spec.name, rec.name);
  } else if (!t.heldByQuiet) {
    ++counts_.damped;  // a flap shorter than -after
  }
}

void Rules::onTimer(void* arg) {
  auto* t = static_cast<Track*>(arg);
  t->owner.fire(*t);
}

void Rules::fire(Track& t) {
  const RuleSpec& spec = t.rule.spec;
  Event e{t.alerted ? Kind::Repeat : Kind::Alert, spec.name, spec.to, t.rec, t.previous,
          t.previousFor};
  const Quiet* q = nullptr;
  if (tell(e, &q)) {
    t.alerted = true;
    t.heldByQuiet = false;
    t.lastSent = wall_();
    memory_.remember(spec.name, t.rec.name, Alerted{t.rec.state, t.enteredAt, t.lastSent});
  } else if (!t.alerted) {
    // Told when the window ends, if the record is still in the state.
    t.heldByQuiet = true;
    armQuiet(t, *q);
    return;
  }
  if (spec.repeat.count() > 0) t.timer.arm(spec.repeat);
}

void Rules::armQuiet(Track& t, const Quiet& q) {
  // A moment after `until`: quietNow() holds the record while until > now.
  t.timer.arm(ev::Micros(std::max<Micros>(0, q.spec.until - wall_()) + 1));
}

const Rules::Quiet* Rules::quietNow(const std::string& record) const {
  Micros now = wall_();
  for (auto& q : quiet_)
    if (q.spec.until > now && globMatchStrings(q.spec.pattern, record)) return &q;
  return nullptr;
}

const QuietSpec* Rules::quietFor(const std::string& record) const {
  const Quiet* q = quietNow(record);
  return q ? &q->spec : nullptr;
}

bool Rules::tell(const Event& e, const Quiet** under) {
  if (const Quiet* q = quietNow(e.record.name)) {
    ++counts_.quieted;
    if (q->logged.insert(e.record.name).second) {
      FAIL_LOG(logFac(), Notice) << "quiet: " << e.record.name << ' '
                                 << state::stateName(e.record.state) << " not notified ("
                                 << (q->spec.reason.empty() ? "quiet" : q->spec.reason)
                                 << " until " << formatLocalTime(q->spec.until) << ")";
    }
    if (under) *under = q;
    return false;
  }
  ++counts_.emitted;
  emit_(e);
  return true;
}

}  // namespace fail::notify
