// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The core of hc: one check::Session per configured check on one loop, their results
// judged (rise/fall, in the Session) and handed to three places: the local record store
// that hc's monitor port serves (LIST, WATCH, GET, DEBUG: the faild protocol, with
// program "hc"), every Reporter (one per `report` line), and the log (events
// `+fail`/`-fail`, once per change). SIGHUP swaps in a new, already validated
// configuration, keeping the sessions (counters, verdict, schedule) of checks whose kind
// and options are unchanged. Runs on the loop thread only.
#pragma once

#include <event2/event.h>

#include <iosfwd>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <vector>

#include "check/probe_metrics.hh"
#include "check/session.hh"
#include "hc/config.hh"
#include "hc/reporter.hh"
#include "metrics/registry.hh"
#include "server/server.hh"
#include "state/store.hh"

namespace fail::hc {

struct CheckerOptions {
  server::ServerConfig monitor;  // program "hc"; no listens: no monitor port
  ReporterOptions reporter;
  std::int64_t minTtlMs = 2000;  // a record's ttl: three intervals, at least this
  // Unchanged results are sent to faild only as often as the ttl needs (Update::paceMs);
  // false: every result is sent.
  bool paceRefreshes = true;
};

class Checker {
 public:
  // Builds every session and reporter and the monitor server (not yet bound). Throws
  // ConfigError or std::runtime_error (access file, TLS files).
  Checker(ev::Loop& loop, Config cfg, CheckerOptions opts);
  ~Checker();
  Checker(const Checker&) = delete;
  Checker& operator=(const Checker&) = delete;

  // Binds the monitor port (throws std::runtime_error), connects the reporters and
  // starts the sessions, the first probe of check i of N after i/N of its interval.
  void start();
  void stop();

  // Swaps in `next` (validated by loadConfig). Returns "" when done, or why nothing was
  // changed (a probe or reporter that cannot be built).
  std::string reload(Config next);
  // SIGHUP also rereads the monitor's access file.
  std::string reloadAccess() { return server_ ? server_->reloadAccess() : std::string(); }

  std::string dump() const;  // for SIGUSR1: every check, every reporter, the monitor
  std::vector<std::string> monitorAddresses() const;
  // The configuration in use, without its checks (each session holds its own spec).
  const Config& config() const { return cfg_; }
  state::Store& store() { return store_; }
  const std::vector<std::unique_ptr<Reporter>>& reporters() const { return reporters_; }
  size_t size() const { return entries_.size(); }
  // hc's metrics (doc/metrics.md): the probes counted by their sessions, the checks by
  // state; the caller may add its own (the process's) and serves render() on /metrics.
  metrics::Registry& metrics() { return metrics_; }

 private:
  struct Entry {
    std::unique_ptr<check::Session> session;
    std::string reportName;
    std::int64_t ttlMs = 0, paceMs = 0;
    bool seen = false, localError = false;  // seen: reported at least once
    std::uint32_t placeAt = 0;            // store_.deletions() when `place` was taken
    state::Store::Place place = nullptr;  // its record in store_ (no lookup per result)
  };
  // A reload in the making (reload): what `stage` built, which cannot fail afterwards.
  struct Staged {
    std::map<std::string, std::unique_ptr<Entry>> fresh;  // new or changed checks, then every check
    std::vector<Entry*> added;                            // to announce (and start, if new)
    std::vector<std::unique_ptr<Reporter>> reporters;     // per report of `next`; nullptr: an old one is reused
    std::set<std::string> keep;                           // old checks carried over unchanged
    std::vector<std::string> gone;                        // record names no longer reported
  };
  // Builds the probes and reporters `next` needs that the running ones cannot serve.
  // Returns why not ("" when done); then nothing has changed.
  std::string stage(const Config& next, Staged& st);
  void carryOver(const Config& next, Staged& st);     // moves the kept checks into st.fresh
  void swapReporters(const Config& next, Staged& st);  // reporters_ in next's order
  void announce(const std::vector<Entry*>& added);    // records and first probes of the added checks
  // What was last reported for `e`, as the local store holds it (no copy per check).
  std::optional<Update> lastReported(const Entry& e) const;
  std::unique_ptr<Entry> makeEntry(check::CheckSpec spec);
  void onReport(Entry& e, const check::Report& r);
  void publishLocal(Update u, Entry* e = nullptr);
  void logChange(const Entry& e, const check::Report& r, state::State before, const std::string& noteBefore);
  state::State stateOf(const std::string& check) const;
  std::int64_t ttlFor(const check::CheckSpec& spec) const;
  std::int64_t paceFor(const check::CheckSpec& spec, std::int64_t ttlMs) const;

  ev::Loop& loop_;
  Config cfg_;
  CheckerOptions opts_;
  metrics::Registry metrics_;        // before the sessions, which count into it
  check::ProbeMetrics probeMetrics_;
  state::Store store_;
  std::unique_ptr<server::Server> server_;
  std::map<std::string, std::unique_ptr<Entry>> entries_;  // by check name
  std::vector<Entry*> order_;                               // declaration order
  std::vector<std::unique_ptr<Reporter>> reporters_;
  bool started_ = false;
};

// hc --once: runs each named check (every check when `names` is empty) once, on its own
// loop, and writes one line per result to `out`, in configuration order. Returns 0 when
// every outcome was ok, 1 otherwise. Throws ConfigError for a name not in `cfg`.
int runOnce(const Config& cfg, const std::vector<std::string>& names, std::ostream& out);

// Text made safe for a record: valid UTF-8 (other bytes become '?'), at most `max` bytes.
std::string cleanText(std::string_view text, size_t max);

}  // namespace fail::hc
