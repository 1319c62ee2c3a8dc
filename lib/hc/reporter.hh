// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// One faild that hc reports to (`report HOST:PORT ...` in the Hcfile): an asynchronous
// client on the loop speaking doc/protocol.md.
//
// A result becomes a pipelined `SET NAME STATE ttl=D note=TEXT KEY=VALUE ...` (faild
// decides whether it is a change or a refresh); replies are counted, never waited for.
// Refreshes are paced: a result whose state, note, ttl and attributes (but the paced ones:
// latency, ok_streak, fail_streak) equal the last SET sent for the check is left unsent
// while that SET is at most Update::paceMs old; anything else goes out at once.
// Refreshes are batched: they wait up to batchDelay to share one write.
// While faild cannot be reached (not connected, or more than maxOutput bytes queued for
// it), the reporter remembers each check's current state and the changes it saw (at
// most maxMissed per check); once it is back, it sends those changes with `at=TIME` (the
// time they happened) followed by the current state, so no transition is lost. A change
// whose OK had not arrived when the connection broke is uncertain: the reporter asks
// faild (GET) and sends it again only if faild does not hold it. Reconnects back off
// from minBackoff, doubling to maxBackoff (the connection, HELLO, AUTH and reconnecting
// are client::Transport's, shared with client::Link). Runs on the loop thread only.
#pragma once

#include <event2/event.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/time.hh"
#include "client/transport.hh"
#include "ev/ev.hh"
#include "hc/config.hh"
#include "state/record.hh"

namespace fail::hc {

// A check's result as the reporter sends it.
struct Update {
  std::string name;  // as reported ("web1", "web1@fra")
  state::State state = state::State::Unknown;
  std::string note;
  std::int64_t ttlMs = 0;  // 0: never expires
  state::Attrs attrs;      // the current attributes; a key sent before and absent now is removed
  Micros when = 0;         // wall clock of the result
  bool changed = false;    // the state or note differ from the check's previous result
  // An unchanged result may be left unsent while the last SET sent for the check is at
  // most this old (by the results' wall clock; a clock that went back sends at once): the
  // caller makes sure that the next result still refreshes the record before its ttl
  // runs out. 0: always sent.
  std::int64_t paceMs = 0;
};

struct ReporterOptions {
  std::string client = "hc";  // the name hc gives itself in HELLO: its records' origin
  std::chrono::milliseconds minBackoff{100}, maxBackoff{5000};
  std::chrono::milliseconds connectTimeout{5000};  // connect, TLS handshake, HELLO and AUTH
  std::chrono::milliseconds replyTimeout{10000};   // requests unanswered this long: reconnect
  size_t maxOutput = 1u << 20;  // bytes queued for faild before the reporter holds back
  size_t maxMissed = 64;        // changes remembered per check while faild is away
  // A refresh waits at most this long for others to share its write (one write and one
  // read of replies for many SETs, instead of each); a change, a replay, HELLO, AUTH and
  // GET go out at once, with whatever waits before them. 0: every line at once.
  std::chrono::milliseconds batchDelay{10};
};

struct ReporterCounters {
  std::uint64_t connects = 0, disconnects = 0, sets = 0, replayed = 0, acked = 0, errors = 0;
  std::uint64_t dropped = 0;     // remembered changes given up because there were too many
  std::uint64_t duplicates = 0;  // uncertain changes faild turned out to hold already
  std::uint64_t paced = 0;       // unchanged results not sent (Update::paceMs)
};

class Reporter {
 public:
  // Throws std::runtime_error when the TLS files cannot be loaded.
  Reporter(event_base* base, ReportSpec spec, ReporterOptions opts = {});
  ~Reporter();
  Reporter(const Reporter&) = delete;
  Reporter& operator=(const Reporter&) = delete;

  void start();  // starts connecting; reconnects by itself from then on
  // A new result for a check. Never blocks; sends now or remembers.
  void update(const Update& u);
  // The check is gone (reload): nothing more is sent for it; its record expires in faild.
  void forget(const std::string& name);

  bool ready() const { return transport_.ready(); }
  const ReportSpec& spec() const { return spec_; }
  const ReporterCounters& counters() const { return counters_; }
  size_t inFlight() const { return inflight_.size(); }
  // Changes remembered but not yet sent, over all checks.
  size_t missed() const;
  std::string describe() const;  // one line for SIGUSR1

 private:
  // Per check, so kept small: vectors (an empty one allocates nothing, unlike a deque)
  // and attribute keys as indexes into keyNames_.
  struct Check {
    std::optional<Update> current;  // the newest result; when currentSent, the last one sent
    bool currentSent = false;
    bool dirty = false;      // queued in dirty_
    bool resolving = false;  // a GET is out to settle `uncertain`
    std::vector<Update> missed;     // changes not yet sent, oldest first (at most maxMissed)
    std::vector<Update> uncertain;  // changes sent whose OK never came
    std::vector<std::uint32_t> keys;  // attribute keys sent so far (keyNames_ indexes)
    std::string lastError;            // the last ERR logged for it (each logged once)
  };
  struct Pending {
    enum class Kind { Get, Set } kind;
    std::string name;
    std::optional<Update> change;  // a SET that carried a change
  };
  void onLine(const std::string& line);
  void onReady();
  void onBroken(const client::Transport::Break& b);
  bool canSend(const Check& c) const;
  bool outputFull() const;
  void markDirty(const std::string& name, Check& c);
  void flush();
  void sendSet(const std::string& name, Check& c, const Update& u, bool withAt, bool isChange);
  // Queues `line` (without its newline) and what answers it; `now`: written at once with
  // whatever is staged, else staged for at most batchDelay.
  void send(const std::string& line, Pending p, bool now = true);
  void flushStaged();
  void remember(Check& c, const Update& u);
  bool refreshDue(const Update& sent, const Update& u) const;
  std::uint32_t keyId(const std::string& key);
  void resolve(const std::string& name, const std::string& reply);

  ReportSpec spec_;
  ReporterOptions opts_;
  ev::Timer watchdog_, batch_;  // replies overdue; staged refreshes due
  bool everReady_ = false, downLogged_ = false;
  std::string lastFailure_;
  std::unordered_map<std::string, Check> checks_;
  std::vector<std::string> keyNames_;  // every attribute key seen, interned
  std::unordered_map<std::string, std::uint32_t> keyIds_;
  std::deque<std::string> dirty_;
  std::deque<Pending> inflight_;
  std::string staged_;  // lines (with newlines) waiting for batch_, before the output
  std::string line_;    // the SET being built (its capacity kept)
  size_t erroredChecks_ = 0;  // checks whose lastError is set
  ReporterCounters counters_;
  client::Transport transport_;  // last: destroyed first, so no event reaches a member already gone
};

}  // namespace fail::hc
