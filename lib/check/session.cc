// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Scheduling of one check. One timer serves both the grid (the next due slot, or a quick
// retry) and, for a probe that does not end by its own deadline, the deadline of the
// probe in flight; arm() points it at the earlier of the two. Everything runs on the
// loop's thread; the listener is called last, after the session is consistent again,
// and may call stop() or runOnce() but must not destroy the session.
#include "check/session.hh"

#include <algorithm>
#include <exception>
#include <map>

#include "base/log.hh"
#include "base/time.hh"

namespace fail::check {
namespace {

using namespace std::chrono_literals;
using std::chrono::duration_cast;
using std::chrono::microseconds;

constexpr auto kLate = 100ms;   // a probe started later than this after its slot is late
constexpr auto kGrace = 10ms;   // the probe's own deadline goes first, by at most this

log::Facility& fac() {
  static log::Facility& f = log::facility("check");
  return f;
}

// The listener is the outside world: its exceptions stop here.
void emit(const Session::Listener& listener, const Report& rep) {
  if (!listener) return;
  try {
    listener(rep);
  } catch (const std::exception& e) {
    FAIL_LOG(fac(), Err) << "check " << rep.name << ": listener failed: " << e.what();
  } catch (...) {
    FAIL_LOG(fac(), Err) << "check " << rep.name << ": listener failed";
  }
}

std::string flatten(const std::map<std::string, std::string>& options) {
  std::string out;
  for (const auto& [k, v] : options) {
    out += k;
    out += '\0';
    out += v;
    out += '\0';
  }
  return out;
}

bool isFailure(Outcome o) {
  return o == Outcome::Fail || o == Outcome::Unreachable || o == Outcome::Timeout;
}

}  // namespace

Session::Session(ev::Loop& loop, CheckSpec spec, std::unique_ptr<Probe> probe, Listener listener,
                 DependencyLookup deps)
    : loop_(loop),
      spec_(std::move(spec)),
      probe_(std::move(probe)),
      listener_(std::move(listener)),
      deps_(std::move(deps)),
      verdict_(spec_.rise, spec_.fall),
      timer_(loop.wheel(), [](void* self) { static_cast<Session*>(self)->tick(); }, this) {
  options_ = flatten(spec_.options);
  options_.shrink_to_fit();
  spec_.options.clear();
}

bool Session::sameOptions(const CheckSpec& other) const {
  return spec_.kind == other.kind && options_ == flatten(other.options);
}

Session::~Session() {
  if (inFlight_) probe_->cancel();
}

void Session::start(std::chrono::microseconds firstDelay) {
  auto now = loop_.now();
  running_ = true;
  retrying_ = false;
  due_ = now + std::max(firstDelay, microseconds(0));
  arm(now);
}

void Session::stop() {
  running_ = false;
  retrying_ = false;
  if (inFlight_) {
    inFlight_ = false;
    probe_->cancel();
  }
  timer_.cancel();
}

void Session::runOnce() {
  auto now = loop_.now();
  if (inFlight_) {
    ++counters_.skipped;
    return;
  }
  launch(now, now);
  arm(loop_.now());
}

void Session::tick() {
  auto now = loop_.now();
  if (inFlight_ && now >= deadline_) {
    // The probe overran its timeout (its own deadline should have fired first).
    inFlight_ = false;
    probe_->cancel();
    ProbeResult r;
    r.outcome = Outcome::Timeout;
    r.note = "timeout";
    r.latency = duration_cast<microseconds>(now - started_);
    finish(std::move(r), now);  // re-arms; a slot due now fires on the next iteration
    return;
  }
  if (running_) {
    if (retrying_ && now >= retryDue_) {
      launch(now, retryDue_);
    } else if (now >= due_) {
      auto due = due_;
      due_ += spec_.interval;  // the grid: no drift
      if (due_ <= now) {       // the loop stalled for whole intervals: skip to the next slot
        auto missed = (now - due_) / spec_.interval + 1;
        due_ += missed * spec_.interval;
      }
      if (inFlight_)
        ++counters_.skipped;  // at most one in flight: a slow target causes no pile-up
      else
        launch(now, due);
    }
  }
  arm(loop_.now());
}

void Session::launch(Clock::time_point now, Clock::time_point due) {
  if (now - due > kLate) {
    ++counters_.late;
    if (metrics_) metrics_->late->inc();
  }
  retrying_ = false;
  for (const std::string& dep : spec_.depends) {
    if (!deps_ || deps_(dep) != state::State::Fail) continue;
    // A dependency is down: FAIL without probing, and say why.
    ProbeResult r;
    r.outcome = Outcome::Fail;
    r.note = "dependency " + dep + " failed";
    state::State before = verdict_.state();
    verdict_.force(state::State::Fail);
    bool changed = verdict_.state() != before || note_ != r.note;
    note_ = r.note;
    emit(listener_, Report{spec_.name, verdict_.state(), changed, note_, std::move(r), wallNow()});
    return;
  }
  auto timeout = duration_cast<microseconds>(spec_.timeout);
  auto grace = std::min<Clock::duration>(kGrace, (spec_.interval - spec_.timeout) / 2);
  inFlight_ = true;
  started_ = now;
  deadline_ = now + timeout + std::max<Clock::duration>(grace, 0ms);
  try {
    probe_->start(timeout, [this](ProbeResult r) { onResult(std::move(r)); });
  } catch (const std::exception& e) {
    if (!inFlight_) return;
    inFlight_ = false;
    probe_->cancel();
    ProbeResult r;
    r.outcome = Outcome::LocalError;
    r.note = std::string("probe: ") + e.what();
    finish(std::move(r), loop_.now());
  } catch (...) {
    if (!inFlight_) return;
    inFlight_ = false;
    probe_->cancel();
    ProbeResult r;
    r.outcome = Outcome::LocalError;
    r.note = "probe: unknown error";
    finish(std::move(r), loop_.now());
  }
}

void Session::onResult(ProbeResult r) {
  if (!inFlight_) return;  // cancelled: a well-behaved probe does not get here
  inFlight_ = false;
  auto now = loop_.now();
  if (r.latency.count() == 0) r.latency = duration_cast<microseconds>(now - started_);
  finish(std::move(r), now);
}

void Session::finish(ProbeResult r, Clock::time_point now) {
  ++counters_.probes;
  switch (r.outcome) {
    case Outcome::Ok: ++counters_.ok; break;
    case Outcome::Fail: ++counters_.fail; break;
    case Outcome::Unreachable: ++counters_.unreachable; break;
    case Outcome::Timeout: ++counters_.timeout; break;
    case Outcome::LocalError: ++counters_.localError; break;
  }
  if (metrics_) {
    metrics_->count(r.outcome);
    if (r.outcome != Outcome::LocalError) metrics_->latency->observe(static_cast<double>(r.latency.count()) / 1e6);
  }
  state::State before = verdict_.state();
  bool changed = false;
  if (r.outcome == Outcome::LocalError) {
    // Our own trouble: the state and note stay; the attribute says what happened.
    r.attrs.emplace_back("local_error", r.note);
  } else {
    if (r.outcome == Outcome::Ok && spec_.warnLatency.count() > 0 && r.warning.empty() &&
        r.latency > spec_.warnLatency)
      r.warning = "slow answer (over " + formatDurationMs(spec_.warnLatency.count()) + ")";
    verdict_.feed(r.outcome);
    // The note explains the judged state: only a result that agrees with it replaces it,
    // so a single failure of an UP check (or success of a FAIL one) changes nothing.
    bool agrees = (r.outcome == Outcome::Ok) == (verdict_.state() == state::State::Up);
    if (agrees && note_ != r.note) {
      note_ = r.note;
      changed = true;
    }
    if (isFailure(r.outcome) && verdict_.state() == state::State::Up && spec_.retry.count() > 0 &&
        running_) {
      retryDue_ = now + spec_.retry;
      retrying_ = retryDue_ < due_;
    }
  }
  changed = changed || verdict_.state() != before;
  // Usually the timer already points at the next slot (arm() after launch): left alone
  // then, so a probe costs one timer operation, not two.
  if (retrying_ || !probe_->endsByDeadline() || !timer_.armed()) arm(now);
  emit(listener_, Report{spec_.name, verdict_.state(), changed, note_, std::move(r), wallNow()});
}

void Session::arm(Clock::time_point now) {
  bool any = false;
  Clock::time_point next{};
  // A probe that ends by its own deadline needs no timer here: the next slot looks for an
  // overrun (one timer operation per probe instead of two).
  if (inFlight_ && !probe_->endsByDeadline()) {
    next = deadline_;
    any = true;
  }
  if (running_) {
    Clock::time_point slot = (retrying_ && retryDue_ < due_) ? retryDue_ : due_;
    next = any ? std::min(next, slot) : slot;
    any = true;
  }
  if (!any) {
    timer_.cancel();
    return;
  }
  timer_.armAt(std::max(next, now));
}

}  // namespace fail::check
