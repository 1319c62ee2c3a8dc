// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "shell/guard.hh"


#include "base/log.hh"
#include "base/time.hh"

namespace fail::shell {
namespace {

log::Facility& fac() {
  static log::Facility& f = log::facility("policy");
  return f;
}

}  // namespace

std::string Guard::current() {
  std::lock_guard<std::mutex> lock(mu_);
  if (current_.empty()) return "";
  auto held = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - startedAt_);
  return current_ + " (running for " + formatDurationMs(held.count()) + ", limit " +
         formatDurationMs(currentLimit_.count()) + ")";
}

Guard::Guard(Tcl_Interp* interp, std::chrono::milliseconds limit) : interp_(interp), limit_(limit) {
  Tcl_Preserve(interp_);
  thread_ = std::thread([this] { watchdog(); });
}

Guard::~Guard() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    quit_ = true;
  }
  cv_.notify_all();
  thread_.join();
  for (Item& i : queue_) Tcl_DecrRefCount(i.script);
  Tcl_Release(interp_);
}

void Guard::call(Tcl_Obj* script, std::string what, Done done, std::chrono::milliseconds limit, bool quiet) {
  Tcl_IncrRefCount(script);
  queue_.push_back({script, std::move(what), std::move(done), limit.count() ? limit : limit_, quiet});
  pump();
}

void Guard::source(const std::string& path, std::string what, Done done, std::chrono::milliseconds limit,
                   bool quiet) {
  Tcl_Obj* p = Tcl_NewStringObj(path.c_str(), -1);
  Tcl_IncrRefCount(p);
  queue_.push_back({p, std::move(what), std::move(done), limit.count() ? limit : limit_, quiet, true});
  pump();
}

void Guard::count(std::uint64_t GuardCounters::*which, metrics::Counter* GuardMetrics::*also) {
  ++(counters_.*which);
  if (metrics_) (metrics_->*also)->inc();
}

int Guard::callNow(Tcl_Obj* script, std::string what) {
  if (!busy_) {
    int code = TCL_OK;
    call(script, std::move(what), [&code](int c, const std::string&) { code = c; });
    return code;
  }
  count(&GuardCounters::calls, &GuardMetrics::calls);
  Tcl_IncrRefCount(script);
  Tcl_InterpState saved = Tcl_SaveInterpState(interp_, TCL_OK);
  auto began = std::chrono::steady_clock::now();
  int code = Tcl_EvalObjEx(interp_, script, TCL_EVAL_GLOBAL);
  if (metrics_)
    metrics_->seconds->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count());
  if (code == TCL_ERROR) {
    count(&GuardCounters::errors, &GuardMetrics::errors);
    const char* info = Tcl_GetVar2(interp_, "errorInfo", nullptr, TCL_GLOBAL_ONLY);
    FAIL_LOG(fac(), Err) << what << " failed: " << Tcl_GetStringResult(interp_) << "\n" << (info ? info : "");
  }
  Tcl_RestoreInterpState(interp_, saved);
  Tcl_DecrRefCount(script);
  return code;
}

void Guard::pump() {
  if (busy_) return;
  busy_ = true;
  while (!queue_.empty()) {
    Item item = std::move(queue_.front());
    queue_.pop_front();
    runOne(item);
  }
  busy_ = false;
}

void Guard::runOne(Item& item) {
  count(&GuardCounters::calls, &GuardMetrics::calls);
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++seq_;
    startedAt_ = std::chrono::steady_clock::now();
    currentLimit_ = item.limit;
    current_ = item.what;
  }
  cv_.notify_all();
  Tcl_Time deadline;
  Tcl_GetTime(&deadline);
  auto ms = item.limit.count();
  deadline.sec += static_cast<long>(ms / 1000);
  deadline.usec += static_cast<long>((ms % 1000) * 1000);
  if (deadline.usec >= 1000000) {
    deadline.sec += 1;
    deadline.usec -= 1000000;
  }
  Tcl_LimitSetTime(interp_, &deadline);
  Tcl_LimitTypeSet(interp_, TCL_LIMIT_TIME);
  auto began = std::chrono::steady_clock::now();
  int code = TCL_OK;
  if (item.file) {
    code = Tcl_FSEvalFileEx(interp_, item.script, nullptr);
  } else {
    code = Tcl_EvalObjEx(interp_, item.script, TCL_EVAL_GLOBAL);
  }
  // Tcl checks its time limit only now and then between commands: a callback that
  // blocked (exec) past the limit and then returned at once is an overrun all the same.
  auto took = std::chrono::steady_clock::now() - began;
  if (metrics_) metrics_->seconds->observe(std::chrono::duration<double>(took).count());
  bool overrun = Tcl_LimitExceeded(interp_) || took > item.limit;
  Tcl_LimitTypeReset(interp_, TCL_LIMIT_TIME);
  std::string result = Tcl_GetStringResult(interp_);
  if (code == TCL_RETURN) code = TCL_OK;
  if (overrun) {
    count(&GuardCounters::overruns, &GuardMetrics::overruns);
    code = TCL_ERROR;
    result = "overran its time limit of " + formatDurationMs(item.limit.count());
    if (!item.quiet) FAIL_LOG(fac(), Err) << item.what << ": " << result;
  } else if (code != TCL_OK) {
    count(&GuardCounters::errors, &GuardMetrics::errors);
    const char* info = Tcl_GetVar2(interp_, "errorInfo", nullptr, TCL_GLOBAL_ONLY);
    if (item.quiet)
      result += std::string("\n") + (info ? info : "");
    else
      FAIL_LOG(fac(), Err) << item.what << " failed: " << result << "\n" << (info ? info : "");
  }
  Tcl_ResetResult(interp_);
  Tcl_DecrRefCount(item.script);
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++seq_;
    current_.clear();
  }
  if (item.done) item.done(code, result);
}

void Guard::watchdog() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!quit_) {
    if (current_.empty()) {
      cv_.wait(lock);
      continue;
    }
    std::uint64_t seq = seq_;
    auto due = startedAt_ + currentLimit_;
    if (cv_.wait_until(lock, due, [&] { return quit_ || seq_ != seq; })) continue;
    log::write(fac(), log::Level::Warning,
               current_ + " has held the shell for more than " + formatDurationMs(currentLimit_.count()) +
                   " (one long command, or a blocking one: use fail::exec for programs)");
    cv_.wait(lock, [&] { return quit_ || seq_ != seq; });
  }
}

}  // namespace fail::shell
