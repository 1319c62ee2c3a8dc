// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Runs policy callbacks (service procs, traps, timers, change subscribers) in the policy
// interpreter, one at a time, each under a time limit (Tcl's interpreter limits; default
// 10 s). An error or an overrun is logged with its errorInfo, counted and contained:
// the shell keeps running. A callback that arrives while another runs (one waiting in
// fail::exec or fail::state, say) waits its turn. A watchdog thread logs a callback that
// holds the shell longer than the limit, which the limit alone cannot stop (a blocking
// exec, one long command such as a huge exponentiation).
#pragma once

#include <tcl.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "metrics/registry.hh"

namespace fail::shell {

struct GuardCounters {
  std::uint64_t calls = 0, errors = 0, overruns = 0;
};

// Where every Guard of the process also counts, for /metrics: the Guard and its own
// counters go with the policy at a reload, these do not (shell/metrics.hh).
struct GuardMetrics {
  metrics::Counter* calls = nullptr;
  metrics::Counter* errors = nullptr;
  metrics::Counter* overruns = nullptr;
  metrics::Histogram* seconds = nullptr;  // how long each callback ran
};

class Guard {
 public:
  using Done = std::function<void(int code, const std::string& result)>;

  Guard(Tcl_Interp* interp, std::chrono::milliseconds limit);
  ~Guard();
  Guard(const Guard&) = delete;
  Guard& operator=(const Guard&) = delete;

  // Queues `script` (takes a reference) to run at global level; `what` names it in the
  // log ("start proc of www"). `done` gets TCL_OK and the result, or TCL_ERROR and the
  // message (which for an overrun says so). Call from the Tcl thread (posted work too).
  // `limit` (0: limit()) is this call's own limit; with `quiet` an error or overrun is
  // left to `done` to report (reading the policy) rather than logged here.
  void call(Tcl_Obj* script, std::string what, Done done = {}, std::chrono::milliseconds limit = {},
            bool quiet = false);
  // Queues reading the file PATH into the interpreter (Tcl_FSEvalFileEx: a safe one has
  // no `source` of its own; the path comes from the administrator), as call() does.
  void source(const std::string& path, std::string what, Done done, std::chrono::milliseconds limit = {},
              bool quiet = false);
  // For event callbacks that Tcl's own notifier dispatches (after): when idle, as call();
  // while another callback runs (it waits in vwait, update or fail::state), nested at
  // once under that callback's running limit, as Tcl's own after would, its error logged.
  // Returns the script's code (TCL_ERROR for an error or an overrun).
  int callNow(Tcl_Obj* script, std::string what);
  // The callback running now, how long it has run and its limit ("" when idle). Any thread.
  std::string current();
  // Runs now when idle, else queues; for callers already on the Tcl thread.
  void pump();

  Tcl_Interp* interp() const { return interp_; }
  std::chrono::milliseconds limit() const { return limit_; }
  void setLimit(std::chrono::milliseconds l) { limit_ = l; }
  const GuardCounters& counters() const { return counters_; }
  void setMetrics(const GuardMetrics* m) { metrics_ = m; }  // null: none; kept by the caller
  bool busy() const { return busy_; }

 private:
  struct Item {
    Tcl_Obj* script;
    std::string what;
    Done done;
    std::chrono::milliseconds limit;
    bool quiet;
    bool file = false;  // script is the path of a file to read
  };
  void runOne(Item& item);
  void watchdog();

  Tcl_Interp* interp_;
  std::chrono::milliseconds limit_;
  std::deque<Item> queue_;
  bool busy_ = false;
  GuardCounters counters_;
  const GuardMetrics* metrics_ = nullptr;
  // The counters' increments go to counters_ and to *metrics_ alike.
  void count(std::uint64_t GuardCounters::*which, metrics::Counter* GuardMetrics::*also);
  // watchdog
  std::mutex mu_;
  std::condition_variable cv_;
  bool quit_ = false;
  std::uint64_t seq_ = 0;  // bumped per callback
  std::chrono::steady_clock::time_point startedAt_{};
  std::chrono::milliseconds currentLimit_{};
  std::string current_;
  std::thread thread_;
};

}  // namespace fail::shell
