// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "hc/reporter.hh"

#include <strings.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/log.hh"
#include "base/text.hh"
#include "proto/list.hh"

namespace fail::hc {
namespace {

log::Facility& fac() {
  static log::Facility& f = log::facility("report");
  return f;
}

// A line sent to faild as the log may show it: no secret in any log, at any level, so
// AUTH's argument is never written.
std::string loggable(const std::string& line) {
  if (line.size() >= 4 && strncasecmp(line.c_str(), "AUTH", 4) == 0 && (line.size() == 4 || line[4] == ' '))
    return "AUTH ***";
  return line;
}

constexpr size_t kMaxReplyLine = 1u << 20;

client::LinkSpec linkSpec(const ReportSpec& r) { return {"report faild=" + r.address, r.target, r.secret, r.tls}; }

client::LinkOptions linkOptions(const ReporterOptions& o) {
  client::LinkOptions l;
  l.client = o.client;
  l.connectTimeout = o.connectTimeout;
  l.minBackoff = o.minBackoff;
  l.maxBackoff = o.maxBackoff;
  l.maxLine = kMaxReplyLine;
  l.lowWatermark = o.maxOutput / 2;  // drained: flush() sends what waited for room
  l.logFacility = "report";
  return l;
}
constexpr size_t kMaxKeys = 32;  // attributes per record (doc/protocol.md)

bool isOk(const std::string& line) { return line == "OK" || line.rfind("OK ", 0) == 0; }

// " KEY=VALUE" as appendElement(out, KEY + "=" + VALUE) writes it, without the temporary
// (`key` is never empty, so the word is not either).
void appendPair(std::string& out, std::string_view key, std::string_view value) {
  out += ' ';
  proto::appendWord(out, key);
  out += '=';
  if (!value.empty()) proto::appendWord(out, value);
}

}  // namespace

Reporter::Reporter(event_base* base, ReportSpec spec, ReporterOptions opts)
    : spec_(std::move(spec)),
      opts_(std::move(opts)),
      watchdog_(base, [this] { transport_.fail("faild did not answer for " + formatDurationMs(opts_.replyTimeout.count())); }),
      batch_(base, [this] { flushStaged(); }),
      transport_(base, linkSpec(spec_), linkOptions(opts_),
                 {[this] { onReady(); }, [this](const std::string& line) { onLine(line); },
                  [this](const client::Transport::Break& b) { onBroken(b); }, [this] { flush(); }}) {}

Reporter::~Reporter() = default;

void Reporter::start() { transport_.start(); }

void Reporter::onLine(const std::string& line) {
  if (inflight_.empty()) return transport_.fail("unexpected line from faild: " + printable(line));
  Pending p = std::move(inflight_.front());
  inflight_.pop_front();
  if (inflight_.empty())
    watchdog_.cancel();
  else
    watchdog_.arm(opts_.replyTimeout);
  bool ok = isOk(line);
  switch (p.kind) {
    case Pending::Kind::Get:
      return resolve(p.name, line);
    case Pending::Kind::Set: {
      if (ok) {
        ++counters_.acked;
        if (erroredChecks_ == 0) return;  // the usual case: nothing to clear, no lookup
      }
      auto it = checks_.find(p.name);
      if (ok) {
        if (it != checks_.end() && !it->second.lastError.empty()) {
          it->second.lastError.clear();
          --erroredChecks_;
        }
        return;
      }
      ++counters_.errors;
      if (it != checks_.end() && it->second.lastError == line) return;
      if (it != checks_.end()) {
        if (it->second.lastError.empty()) ++erroredChecks_;
        it->second.lastError = line;
      }
      FAIL_LOG(fac(), Warning) << "report faild=" << spec_.address << " check=" << p.name << ": "
                               << printable(line, 300);
      return;
    }
  }
}

void Reporter::onReady() {
  ++counters_.connects;
  if (!everReady_ || downLogged_ || !lastFailure_.empty())
    FAIL_LOG(fac(), Notice) << "+report faild=" << spec_.address << " checks=" << checks_.size();
  everReady_ = true;
  downLogged_ = false;
  lastFailure_.clear();
  for (auto& [name, c] : checks_) {
    if (!c.uncertain.empty()) {
      c.resolving = true;
      std::string get = "GET";
      proto::appendElement(get, name);
      send(get, {Pending::Kind::Get, name, {}});
    } else {
      markDirty(name, c);
    }
  }
  flush();
}

void Reporter::resolve(const std::string& name, const std::string& reply) {
  auto it = checks_.find(name);
  if (it == checks_.end()) return;
  Check& c = it->second;
  c.resolving = false;
  std::vector<std::string> w;
  state::Record rec;
  if (isOk(reply) && proto::splitList(reply, w) && w.size() == 2 && state::decodeRecord(w[1], rec)) {
    // faild holds the newest of these it received: drop that one and all before it.
    for (size_t i = c.uncertain.size(); i-- > 0;)
      if (c.uncertain[i].state == rec.state && c.uncertain[i].note == rec.note) {
        counters_.duplicates += i + 1;
        c.uncertain.erase(c.uncertain.begin(), c.uncertain.begin() + static_cast<long>(i) + 1);
        break;
      }
  }
  // The rest never arrived: they go out first, being older than anything remembered since.
  c.missed.insert(c.missed.begin(), std::make_move_iterator(c.uncertain.begin()),
                  std::make_move_iterator(c.uncertain.end()));
  c.uncertain.clear();
  c.uncertain.shrink_to_fit();
  if (c.missed.size() > opts_.maxMissed) {
    auto extra = c.missed.size() - opts_.maxMissed;
    c.missed.erase(c.missed.begin(), c.missed.begin() + static_cast<long>(extra));
    counters_.dropped += extra;
  }
  markDirty(name, c);
  flush();
}

void Reporter::onBroken(const client::Transport::Break& b) {
  using End = client::Transport::End;
  if (b.wasReady) ++counters_.disconnects;
  // A change sent without its OK may or may not have reached faild: settle it later.
  for (Pending& p : inflight_) {
    if (p.kind != Pending::Kind::Set || !p.change) continue;
    if (auto it = checks_.find(p.name); it != checks_.end()) it->second.uncertain.push_back(std::move(*p.change));
  }
  inflight_.clear();
  for (auto& [name, c] : checks_) {
    c.currentSent = false;
    c.dirty = false;
    c.resolving = false;
  }
  dirty_.clear();
  staged_.clear();
  batch_.cancel();
  watchdog_.cancel();
  if (b.end == End::NeedSecret || b.end == End::AuthRefused) {
    // Retrying sooner would not help: logged once, retried at the longest backoff.
    if (lastFailure_ != b.why)
      FAIL_LOG(fac(), Err) << "report faild=" << spec_.address << ": "
                           << (b.end == End::NeedSecret
                                   ? std::string("faild requires AUTH: give this report line -secret or -secret-file")
                                   : b.why);
    lastFailure_ = b.why;
    transport_.backOffFully();
    return;
  }
  if (b.wasReady) {
    FAIL_LOG(fac(), Warning) << "-report faild=" << spec_.address << " reason=\"" << b.why << "\"";
    downLogged_ = true;
  } else if (b.why != lastFailure_) {
    FAIL_LOG(fac(), Warning) << "report faild=" << spec_.address << ": " << b.why << " (retrying, at most every "
                             << formatDurationMs(opts_.maxBackoff.count()) << ")";
  }
  lastFailure_ = b.why;
}

bool Reporter::outputFull() const {
  return transport_.outputLength() + staged_.size() >= opts_.maxOutput;
}

bool Reporter::canSend(const Check& c) const {
  return transport_.ready() && !c.resolving && c.missed.empty() && !outputFull();
}

void Reporter::markDirty(const std::string& name, Check& c) {
  if (c.dirty) return;
  c.dirty = true;
  dirty_.push_back(name);
}

void Reporter::remember(Check& c, const Update& u) {
  if (c.missed.size() >= opts_.maxMissed) {
    c.missed.erase(c.missed.begin());
    if (counters_.dropped++ == 0)
      FAIL_LOG(fac(), Warning) << "report faild=" << spec_.address << " check=" << u.name << ": more than "
                               << opts_.maxMissed << " changes while faild was away; the oldest are dropped";
  }
  c.missed.push_back(u);
}

bool Reporter::refreshDue(const Update& sent, const Update& u) const {
  if (u.paceMs <= 0 || sent.state != u.state || sent.note != u.note || sent.ttlMs != u.ttlMs) return true;
  // The attributes, sorted by key, but for the paced ones.
  auto paced = [](const std::string& k) { return k == "latency" || k == "ok_streak" || k == "fail_streak"; };
  auto a = sent.attrs.begin(), b = u.attrs.begin();
  for (;;) {
    while (a != sent.attrs.end() && paced(a->first)) ++a;
    while (b != u.attrs.end() && paced(b->first)) ++b;
    if (a == sent.attrs.end() || b == u.attrs.end()) {
      if (a != sent.attrs.end() || b != u.attrs.end()) return true;
      break;
    }
    if (*a != *b) return true;
    ++a, ++b;
  }
  Micros age = u.when - sent.when;
  return age < 0 || age > u.paceMs * 1000;
}

void Reporter::update(const Update& u) {
  Check& c = checks_[u.name];
  bool isChange = u.changed || !c.current;
  if (canSend(c)) {
    if (!isChange && c.currentSent && !refreshDue(*c.current, u)) {
      ++counters_.paced;  // faild holds this already, and its ttl has time left
      return;
    }
    sendSet(u.name, c, u, false, isChange);
    c.current = u;
    c.currentSent = true;
    return;
  }
  if (isChange) remember(c, u);
  c.current = u;
  c.currentSent = false;
  markDirty(u.name, c);
  flush();
}

void Reporter::forget(const std::string& name) {
  auto it = checks_.find(name);
  if (it == checks_.end()) return;
  if (!it->second.lastError.empty()) --erroredChecks_;
  checks_.erase(it);
}

void Reporter::flush() {
  while (transport_.ready() && !dirty_.empty() && !outputFull()) {
    std::string name = std::move(dirty_.front());
    dirty_.pop_front();
    auto it = checks_.find(name);
    if (it == checks_.end()) continue;
    Check& c = it->second;
    c.dirty = false;
    if (c.resolving) continue;  // resolve() queues it again
    for (const Update& u : c.missed) {
      ++counters_.replayed;
      sendSet(name, c, u, true, true);
    }
    c.missed.clear();
    c.missed.shrink_to_fit();  // memory for missed changes only while there are some
    if (c.current && !c.currentSent) {
      sendSet(name, c, *c.current, false, false);
      c.currentSent = true;
    }
  }
}

void Reporter::sendSet(const std::string& name, Check& c, const Update& u, bool withAt, bool isChange) {
  std::string& line = line_;  // built in place: no temporaries, the capacity kept
  line.assign("SET");
  proto::appendElement(line, name);
  proto::appendElement(line, state::stateName(u.state));
  if (u.ttlMs > 0) appendPair(line, "ttl", formatDurationMs(u.ttlMs));
  appendPair(line, "note", u.note);
  if (withAt) appendPair(line, "at", std::to_string(u.when));
  for (const auto& [k, v] : u.attrs) {
    // Keys already sent for this check are compared as strings: no interning lookup.
    bool known = std::any_of(c.keys.begin(), c.keys.end(), [&](std::uint32_t id) { return keyNames_[id] == k; });
    if (!known) {
      if (c.keys.size() >= kMaxKeys) continue;
      c.keys.push_back(keyId(k));
    }
    appendPair(line, k, v);
  }
  for (std::uint32_t id : c.keys) {
    const std::string& k = keyNames_[id];
    bool present = false;
    for (const auto& a : u.attrs) present |= a.first == k;
    if (!present) appendPair(line, k, {});
  }
  ++counters_.sets;
  send(line, {Pending::Kind::Set, name, isChange ? std::optional<Update>(u) : std::nullopt}, isChange);
}

std::uint32_t Reporter::keyId(const std::string& key) {
  auto [it, added] = keyIds_.try_emplace(key, static_cast<std::uint32_t>(keyNames_.size()));
  if (added) keyNames_.push_back(key);
  return it->second;
}

void Reporter::send(const std::string& line, Pending p, bool now) {
  staged_.append(line).append(1, '\n');
  FAIL_LOG(fac(), Debug) << "report faild=" << spec_.address << " > " << loggable(line);
  if (inflight_.empty()) watchdog_.arm(opts_.replyTimeout);
  inflight_.push_back(std::move(p));
  if (now || opts_.batchDelay.count() <= 0)
    flushStaged();
  else if (!batch_.armed())
    batch_.arm(opts_.batchDelay);
}

void Reporter::flushStaged() {
  batch_.cancel();
  if (staged_.empty()) return;
  transport_.write(staged_);
  if (staged_.capacity() > (64u << 10))
    std::string().swap(staged_);  // after a burst (a replay): not kept
  else
    staged_.clear();
}

size_t Reporter::missed() const {
  size_t n = 0;
  for (const auto& [name, c] : checks_) n += c.missed.size() + c.uncertain.size();
  return n;
}

std::string Reporter::describe() const {
  using Phase = client::Transport::Phase;
  Phase phase = transport_.phase();
  const char* ph = phase == Phase::Ready        ? "ready"
                   : phase == Phase::Greeting   ? "greeting"
                   : phase == Phase::Connecting ? "connecting"
                                                : "down";
  std::string out = "report faild=" + spec_.address + " state=" + ph;
  out += " checks=" + std::to_string(checks_.size()) + " inflight=" + std::to_string(inflight_.size());
  out += " missed=" + std::to_string(missed()) + " sets=" + std::to_string(counters_.sets);
  out += " acked=" + std::to_string(counters_.acked) + " errors=" + std::to_string(counters_.errors);
  out += " replayed=" + std::to_string(counters_.replayed) + " connects=" + std::to_string(counters_.connects);
  out += " disconnects=" + std::to_string(counters_.disconnects) + " paced=" + std::to_string(counters_.paced);
  if (phase != Phase::Ready && !lastFailure_.empty()) out += " last_error=\"" + lastFailure_ + "\"";
  return out;
}

}  // namespace fail::hc
