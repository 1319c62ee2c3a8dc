// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "hc/checker.hh"

#include <algorithm>
#include <cstdio>
#include <ostream>
#include <set>

#include "base/log.hh"
#include "base/text.hh"
#include "base/version.hh"
#include "check/registry.hh"
#include "ev/loop.hh"
#include "proto/request.hh"

namespace fail::hc {
namespace {

log::Facility& fac() {
  static log::Facility& f = log::facility("check");
  return f;
}

constexpr size_t kMaxAttrs = proto::kMaxAttrs;

// "0.41ms", "1.25ms", "12ms": for people and attributes. In integers (one result per
// probe: no floating-point printf).
std::string formatLatency(std::chrono::microseconds us) {
  long long n = std::max<long long>(us.count(), 0);
  std::string out;
  if (n >= 10000) {
    out = std::to_string((n + 500) / 1000);
  } else {
    long long h = (n + 5) / 10;  // hundredths of a millisecond
    out = std::to_string(h / 100);
    out += '.';
    out += static_cast<char>('0' + h / 10 % 10);
    out += static_cast<char>('0' + h % 10);
  }
  out += "ms";
  return out;
}

std::string quoted(const std::string& s) { return "\"" + printable(s, 200) + "\""; }

void noop(bool, std::uint64_t, const std::string&) {}

// The monitor port's store: in memory, with a shorter history than faild's (WATCH since=).
state::Store::Options storeOptions() {
  state::Store::Options o;
  o.historyMax = 10000;
  return o;
}

// Sorts by key; of equal keys the one added last stays (what a map assigned in that order
// would hold). No allocation at all: an insertion sort (stable), for the handful of
// attributes a result has.
void sortAttrs(state::Attrs& attrs) {
  for (size_t i = 1; i < attrs.size(); ++i)
    for (size_t j = i; j > 0 && attrs[j].first < attrs[j - 1].first; --j) std::swap(attrs[j], attrs[j - 1]);
  size_t out = 0;
  for (size_t i = 0; i < attrs.size(); ++i) {
    if (i + 1 < attrs.size() && attrs[i + 1].first == attrs[i].first) continue;
    if (out != i) attrs[out] = std::move(attrs[i]);
    ++out;
  }
  attrs.resize(out);
}

// The sessions hold the checks' specs; the configuration keeps no second copy.
void dropChecks(Config& cfg) {
  cfg.checks.clear();
  cfg.checks.shrink_to_fit();
}

}  // namespace

std::string cleanText(std::string_view text, size_t max) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len && i + len <= text.size() && validUtf8(text.substr(i, len))) {
      if (out.size() + len > max) break;
      out.append(text.substr(i, len));
      i += len;
    } else {
      if (out.size() + 1 > max) break;
      out += '?';
      ++i;
    }
  }
  return out;
}

Checker::Checker(ev::Loop& loop, Config cfg, CheckerOptions opts)
    : loop_(loop),
      cfg_(std::move(cfg)),
      opts_(std::move(opts)),
      probeMetrics_(metrics_),
      store_(nullptr, state::Recovery{}, storeOptions(), steadyNow()) {
  opts_.monitor.program = "hc";
  auto& checks = metrics_.gauge("hc_checks", "Checks configured, by judged state.", {"state"});
  metrics_.onCollect([this, &checks] {
    std::map<state::State, double> n{
        {state::State::Up, 0}, {state::State::Recover, 0}, {state::State::Fail, 0}, {state::State::Unknown, 0}};
    for (const Entry* e : order_) ++n[e->session->verdict().state()];
    for (auto [st, count] : n) checks.with({state::stateName(st)}).set(count);
  });
  if (!opts_.monitor.listens.empty())
    server_ = std::make_unique<server::Server>(loop_, opts_.monitor, store_);
  for (check::CheckSpec& spec : cfg_.checks) {
    std::string name = spec.name;
    auto e = makeEntry(std::move(spec));
    e->reportName = cfg_.reportName(name);
    order_.push_back(e.get());
    entries_[name] = std::move(e);
  }
  dropChecks(cfg_);
  for (const ReportSpec& rs : cfg_.reports)
    reporters_.push_back(std::make_unique<Reporter>(loop_.base(), rs, opts_.reporter));
}

Checker::~Checker() {
  for (Entry* e : order_) e->session->stop();
  if (server_ && started_) server_->stop();
}

// Three intervals, at least minTtlMs, at most the longest ttl faild accepts.
std::int64_t Checker::ttlFor(const check::CheckSpec& spec) const {
  std::int64_t i = spec.interval.count();
  std::int64_t ttl = i > state::kMaxTtlMs / 3 ? state::kMaxTtlMs : 3 * i;
  return std::min(std::max<std::int64_t>(ttl, opts_.minTtlMs), state::kMaxTtlMs);
}

// How long an unchanged result may go unsent (Update::paceMs): the result after a held
// one comes at most an interval plus a timeout later, and must still refresh the record
// a quarter interval before its ttl runs out. With the defaults (ttl three intervals,
// timeout half of one) that is every other result.
std::int64_t Checker::paceFor(const check::CheckSpec& spec, std::int64_t ttlMs) const {
  if (!opts_.paceRefreshes) return 0;
  std::int64_t i = spec.interval.count();
  return std::max<std::int64_t>(ttlMs - i - spec.timeout.count() - i / 4, 0);
}

state::State Checker::stateOf(const std::string& check) const {
  auto it = entries_.find(check);
  return it == entries_.end() ? state::State::Unknown : it->second->session->verdict().state();
}

std::unique_ptr<Checker::Entry> Checker::makeEntry(check::CheckSpec spec) {
  const check::KindDesc* kind = check::findKind(spec.kind);
  if (!kind || !kind->make) throw ConfigError(spec.where() + "unknown kind \"" + spec.kind + "\"");
  auto probe = kind->make(check::ProbeContext{&loop_}, spec);
  auto e = std::make_unique<Entry>();
  Entry* raw = e.get();
  e->ttlMs = ttlFor(spec);
  e->paceMs = paceFor(spec, e->ttlMs);
  const check::KindMetrics* counted = probeMetrics_.forKind(spec.kind);
  e->session = std::make_unique<check::Session>(
      loop_, std::move(spec), std::move(probe),
      [this, raw](const check::Report& r) {
        try {
          onReport(*raw, r);
        } catch (const std::exception& ex) {
          FAIL_LOG(fac(), Err) << "check=" << r.name << ": " << ex.what();
        }
      },
      [this](const std::string& name) { return stateOf(name); });
  e->session->setMetrics(counted);
  return e;
}

void Checker::start() {
  if (server_) server_->start();
  for (Entry* e : order_) publishLocal({e->reportName, state::State::Unknown, "not checked yet", 0, {}, wallNow(), true});
  for (auto& r : reporters_) r->start();
  size_t n = order_.size();
  for (size_t i = 0; i < n; ++i) {
    auto interval = std::chrono::duration_cast<std::chrono::microseconds>(order_[i]->session->spec().interval);
    order_[i]->session->start(interval * static_cast<std::int64_t>(i) / static_cast<std::int64_t>(n));
  }
  started_ = true;
}

void Checker::stop() {
  for (Entry* e : order_) e->session->stop();
  if (server_ && started_) server_->stop();
  started_ = false;
}

void Checker::onReport(Entry& e, const check::Report& r) {
  const check::ProbeResult& res = r.result;
  Update u;
  u.name = e.reportName;
  u.state = r.state;
  u.note = cleanText(r.note, proto::kMaxNote);
  u.ttlMs = e.ttlMs;
  u.paceMs = e.paceMs;
  u.when = r.whenUs ? r.whenUs : wallNow();
  u.changed = r.changed || !e.seen;
  state::Attrs& attrs = u.attrs;  // the probe's first: a key set again below wins
  attrs.reserve(res.attrs.size() + 6);
  for (const auto& [k, v] : res.attrs)
    if (state::validAttrKey(k)) attrs.emplace_back(k, cleanText(v, proto::kMaxAttrValue));
  bool local = res.outcome == check::Outcome::LocalError;
  if (!local) attrs.emplace_back("latency", formatLatency(res.latency));
  attrs.emplace_back("outcome", check::outcomeName(res.outcome));
  if (!res.warning.empty()) attrs.emplace_back("warning", cleanText(res.warning, proto::kMaxAttrValue));
  if (local)
    attrs.emplace_back("local_error", cleanText(res.note.empty() ? "local error" : res.note, proto::kMaxAttrValue));
  attrs.emplace_back("ok_streak", std::to_string(e.session->verdict().okStreak()));
  attrs.emplace_back("fail_streak", std::to_string(e.session->verdict().failStreak()));
  if (!cfg_.location.empty()) attrs.emplace_back("location", cfg_.location);
  sortAttrs(attrs);
  if (attrs.size() > kMaxAttrs) attrs.resize(kMaxAttrs);

  if (u.changed) {
    const state::Version* prev = e.seen ? store_.get(e.reportName) : nullptr;
    logChange(e, r, prev ? prev->state() : state::State::Unknown, prev ? prev->note() : std::string());
  }
  if (local != e.localError) {
    if (local)
      FAIL_LOG(fac(), Warning) << "+local-error check=" << r.name << " error=" << quoted(res.note);
    else
      FAIL_LOG(fac(), Notice) << "-local-error check=" << r.name;
    e.localError = local;
  }
  e.seen = true;
  for (auto& rep : reporters_) rep->update(u);
  publishLocal(std::move(u), &e);  // last: takes the update's strings
}

void Checker::logChange(const Entry& e, const check::Report& r, state::State before, const std::string& noteBefore) {
  using state::State;
  const check::Verdict& v = e.session->verdict();
  if (r.state == before) {
    if (r.note != noteBefore)
      FAIL_LOG(fac(), Info) << "~note check=" << r.name << " state=" << state::stateName(r.state)
                            << " note=" << quoted(r.note);
    return;
  }
  if (r.state == State::Fail) {
    FAIL_LOG(fac(), Warning) << "+fail check=" << r.name << " note=" << quoted(r.note)
                             << (v.failStreak() ? " fails=" + std::to_string(v.failStreak()) : "");
  } else if (before == State::Fail) {
    FAIL_LOG(fac(), Notice) << "-fail check=" << r.name << " state=" << state::stateName(r.state)
                            << " note=" << quoted(r.note) << " oks=" << v.okStreak();
  } else {
    FAIL_LOG(fac(), Info) << "+" << state::stateName(r.state) << " check=" << r.name << " note=" << quoted(r.note);
  }
}

std::optional<Update> Checker::lastReported(const Entry& e) const {
  const state::Version* rec = e.seen ? store_.get(e.reportName) : nullptr;
  if (!rec) return std::nullopt;
  return Update{e.reportName, rec->state(), rec->note(), e.ttlMs, rec->attrs(), wallNow(), false, e.paceMs};
}

void Checker::publishLocal(Update u, Entry* e) {
  state::SetInput in;
  in.name = std::move(u.name);
  in.state = u.state;
  in.note = std::move(u.note);
  in.origin = "hc";
  in.attrs = std::move(u.attrs);
  in.replaceAttrs = true;  // an attribute that went away goes (one lookup in the store)
  std::uint64_t serial = 0;
  state::Store::Place* place = nullptr;
  if (e) {
    // A record deleted since (a reload, a DEL on the monitor port) may have been this one.
    if (e->placeAt != store_.deletions() || (e->place && e->place->name() != in.name)) {
      e->place = nullptr;
      e->placeAt = store_.deletions();
    }
    place = &e->place;
  }
  store_.set(std::move(in), wallNow(), steadyNow(), noop, serial, place);
}

std::string Checker::stage(const Config& next, Staged& st) {
  std::vector<bool> reused(reporters_.size(), false);
  try {
    for (const check::CheckSpec& spec : next.checks) {
      auto it = entries_.find(spec.name);
      if (it != entries_.end() && it->second->session->sameOptions(spec)) {
        st.keep.insert(spec.name);
        continue;
      }
      auto e = makeEntry(spec);
      e->reportName = next.reportName(spec.name);
      st.added.push_back(e.get());
      st.fresh[spec.name] = std::move(e);
    }
    for (const ReportSpec& rs : next.reports) {
      size_t i = 0;
      while (i < reporters_.size() && (reused[i] || !reporters_[i]->spec().sameAs(rs))) ++i;
      if (i < reporters_.size()) {
        reused[i] = true;
        st.reporters.push_back(nullptr);  // filled in by swapReporters
        continue;
      }
      st.reporters.push_back(std::make_unique<Reporter>(loop_.base(), rs, opts_.reporter));
    }
  } catch (const std::exception& ex) {
    return ex.what();
  }
  return {};
}

void Checker::carryOver(const Config& next, Staged& st) {
  for (auto& [name, e] : entries_) {
    if (st.keep.count(name)) {
      std::string newName = next.reportName(name);
      if (newName != e->reportName) {
        st.gone.push_back(e->reportName);
        e->reportName = newName;
        e->seen = false;
        st.added.push_back(e.get());  // announced under its new name (not restarted)
      }
      st.fresh[name] = std::move(e);
    } else {
      e->session->stop();
      if (!st.fresh.count(name) || st.fresh[name]->reportName != e->reportName) st.gone.push_back(e->reportName);
    }
  }
}

void Checker::swapReporters(const Config& next, Staged& st) {
  std::vector<std::unique_ptr<Reporter>> old = std::move(reporters_);
  reporters_.clear();
  size_t r = 0;
  for (const ReportSpec& rs : next.reports) {
    if (st.reporters[r]) {
      reporters_.push_back(std::move(st.reporters[r]));
      if (started_) reporters_.back()->start();
      for (Entry* e : order_)
        if (auto u = lastReported(*e)) reporters_.back()->update(*u);
    } else {
      for (auto& o : old)
        if (o && o->spec().sameAs(rs)) {
          reporters_.push_back(std::move(o));
          break;
        }
    }
    ++r;
  }
}

void Checker::announce(const std::vector<Entry*>& added) {
  size_t n = added.size(), i = 0;
  for (Entry* e : added) {
    if (!store_.get(e->reportName))
      publishLocal({e->reportName, state::State::Unknown, "not checked yet", 0, {}, wallNow(), true});
    bool isNew = !e->seen && e->session->counters().probes == 0;
    if (started_ && isNew) {
      auto interval = std::chrono::duration_cast<std::chrono::microseconds>(e->session->spec().interval);
      e->session->start(interval * static_cast<std::int64_t>(i) / static_cast<std::int64_t>(n));
    }
    ++i;
  }
}

std::string Checker::reload(Config next) {
  Staged st;
  if (std::string why = stage(next, st); !why.empty()) return why;
  // Nothing can fail from here on.
  carryOver(next, st);
  std::vector<Entry*> order;
  for (const check::CheckSpec& spec : next.checks) order.push_back(st.fresh[spec.name].get());
  dropChecks(next);
  order_ = std::move(order);  // the new reporters learn the new checks' last reports
  swapReporters(next, st);
  for (const std::string& name : st.gone) {
    store_.del(name, wallNow(), noop);
    for (auto& rep : reporters_) rep->forget(name);
  }
  // The old sessions go now: this runs from a signal callback, never from theirs.
  entries_ = std::move(st.fresh);
  cfg_ = std::move(next);
  announce(st.added);
  FAIL_LOG(fac(), Notice) << "reloaded " << cfg_.file << ": " << order_.size() << " checks (" << st.keep.size()
                          << " unchanged), " << reporters_.size() << " reports";
  return {};
}

std::string Checker::dump() const {
  std::string out = "hc " + std::string(kVersion) + ": " + std::to_string(order_.size()) + " checks from " +
                    cfg_.file + (cfg_.location.empty() ? "" : " at location " + cfg_.location) + "\n";
  for (const Entry* e : order_) {
    const check::Session& s = *e->session;
    const auto& c = s.counters();
    const auto& v = s.verdict();
    out += "check " + e->reportName + " kind=" + s.spec().kind + " state=" + state::stateName(v.state());
    const state::Version* rec = e->seen ? store_.get(e->reportName) : nullptr;
    out += " note=" + quoted(rec ? rec->note() : "");
    out += " ok_streak=" + std::to_string(v.okStreak()) + " fail_streak=" + std::to_string(v.failStreak());
    out += " probes=" + std::to_string(c.probes) + " ok=" + std::to_string(c.ok) + " fail=" + std::to_string(c.fail);
    out += " unreachable=" + std::to_string(c.unreachable) + " timeout=" + std::to_string(c.timeout);
    out += " local_error=" + std::to_string(c.localError) + " late=" + std::to_string(c.late);
    out += " skipped=" + std::to_string(c.skipped) + "\n";
  }
  for (const auto& r : reporters_) out += r->describe() + "\n";
  if (server_) out += "monitor: " + server_->stats() + "\n";
  return out;
}

std::vector<std::string> Checker::monitorAddresses() const {
  return server_ ? server_->boundAddresses() : std::vector<std::string>{};
}

int runOnce(const Config& cfg, const std::vector<std::string>& names, std::ostream& out) {
  std::vector<const check::CheckSpec*> chosen;
  if (names.empty()) {
    for (const auto& s : cfg.checks) chosen.push_back(&s);
  } else {
    for (const std::string& n : names) {
      auto it = std::find_if(cfg.checks.begin(), cfg.checks.end(), [&](const auto& s) { return s.name == n; });
      if (it == cfg.checks.end()) throw ConfigError(cfg.file + ": no check named \"" + printable(n) + "\"");
      chosen.push_back(&*it);
    }
  }
  ev::Loop loop;
  struct Result {
    bool done = false;
    check::Report report;
  };
  std::vector<Result> results(chosen.size());
  size_t remaining = chosen.size();
  std::chrono::milliseconds longest{0};
  std::vector<std::unique_ptr<check::Session>> sessions;
  for (size_t i = 0; i < chosen.size(); ++i) {
    const check::CheckSpec& spec = *chosen[i];
    longest = std::max(longest, spec.timeout);
    auto probe = check::findKind(spec.kind)->make(check::ProbeContext{&loop}, spec);
    sessions.push_back(std::make_unique<check::Session>(
        loop, spec, std::move(probe),
        [&, i](const check::Report& r) {
          if (results[i].done) return;
          results[i] = {true, r};
          if (--remaining == 0) loop.stop();
        },
        [](const std::string&) { return state::State::Unknown; }));
  }
  ev::Timer guard(loop.base(), [&] { loop.stop(); });
  guard.arm(std::chrono::duration_cast<std::chrono::microseconds>(longest + std::chrono::seconds(5)));
  for (auto& s : sessions) s->runOnce();
  if (remaining > 0) loop.run();
  int status = 0;
  for (size_t i = 0; i < chosen.size(); ++i) {
    const check::CheckSpec& spec = *chosen[i];
    out << spec.name << " (" << spec.kind << "): ";
    if (!results[i].done) {
      out << "no result\n";
      status = 1;
      continue;
    }
    const check::ProbeResult& res = results[i].report.result;
    if (res.outcome != check::Outcome::Ok) status = 1;
    out << check::outcomeName(res.outcome) << " in " << formatLatency(res.latency);
    const std::string& note = res.note.empty() ? results[i].report.note : res.note;
    if (!note.empty()) out << ": " << quoted(note);
    if (!res.warning.empty()) out << " warning=" << quoted(res.warning);
    for (const auto& [k, v] : res.attrs) out << " " << k << "=" << v;
    out << "\n";
  }
  sessions.clear();
  return status;
}

}  // namespace fail::hc
