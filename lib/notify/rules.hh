// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The notification rules (`fail::notify on`, failover(n) "NOTIFICATIONS") and quiet
// windows (`fail::notify quiet`): what a change of the local faild's records is worth
// telling, and when. Pure logic on the loop (timers on its wheel), no I/O: what a rule
// decides goes to the `emit` callback as an Event, which the center renders per channel.
//
// A record matching a rule's pattern that enters one of its states is tracked: if it is
// still in that state -after later, an Alert (remembered in the AlertMemory); while it
// stays, a Repeat every -repeat; when it leaves, a Resolved (when -resolved) and the
// memory forgotten. Leaving before -after: nothing (counted as damped); -after 0 sends the
// Alert at once, from record(). Only tracked records (in a watched state) cost a timer:
// one ev::WheelTimer per (rule, record), so a pattern matching 100,000 records is fine.
//
// Restart (Seen::Sync, the listing of the local faild's records): a record the memory
// says was alerted in the state it is still in sends nothing (the -repeat clock goes on
// from lastSent); alerted but now in another state: Resolved (when -resolved); not
// alerted and in a watched state: as if it entered it at record.since (the -after counted
// from then, on the wall clock). A Sync for a record a rule already tracks is a Change.
//
// Quiet windows: while a record matches a window (wall clock before `until`), its Alerts,
// Repeats and Resolveds are dropped, counted (quieted) and logged once per window and
// record at notice ("quiet: www FAIL not notified (maintenance until ...)"). An Alert
// dropped so is tried again when the window ends: a record still failing after the
// maintenance is told then. A Resolved dropped so forgets the memory (no message later).
//
// Deletion: a deleted record's timers are cancelled and its memory forgotten, without a
// message (the record is gone, not recovered; failmon shows the deletion).
//
// Reload (set): by name. An unchanged rule keeps its tracks and timers; a new or changed
// rule starts empty (a changed one's tracks are dropped, the memory kept), and a removed
// one's tracks are dropped and their memory forgotten. After set() the caller feeds every
// current record with Seen::Sync (Engine::local()): a new or changed rule then picks up
// the records already in its states, and the others see nothing new.
//
// Loop thread only. `emit` must not call set() or record() (it runs from inside them and
// from timers): the center queues what it is given.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/time.hh"
#include "ev/loop.hh"
#include "notify/alert_memory.hh"
#include "notify/message.hh"
#include "proto/values.hh"
#include "state/record.hh"

namespace fail::notify {

struct RuleSpec {  // fail::notify on PATTERN ...; keyed by `name` (= PATTERN unless -name)
  std::string name, pattern;            // glob (fnmatch) over record names
  std::vector<std::string> to;          // channel names
  std::vector<proto::State> states{proto::State::Fail};
  std::chrono::milliseconds after{0}, repeat{0};  // repeat 0: never
  bool resolved = true;
  bool operator==(const RuleSpec&) const = default;
};

struct QuietSpec {  // fail::notify quiet PATTERN -for 2h | -until TIME [-reason TEXT]
  std::string pattern;
  Micros until = 0;  // wall clock
  std::string reason;
  bool operator==(const QuietSpec&) const = default;
};

struct Event {  // what a rule decided to tell
  Kind kind;    // Alert, Repeat or Resolved
  std::string rule;
  std::vector<std::string> to;
  state::Record record;    // as it is now
  proto::State previous;   // Alert, Repeat: the state before it entered record.state
                           // (Unknown when failsh did not see it); Resolved: the state it left
  Micros previousFor = 0;  // how long it was in `previous` (0 when not known)
};

// The fields an Event gives a template (template.hh): kind, record, state, previous,
// since, duration, note, origin, location, attributes. The center adds channel, key,
// time, host and link.
Fields eventFields(const Event& e);

enum class Seen { Sync, Change, Delete };  // as failsh's engine reports records

class Rules {
 public:
  // `wall` is the wall clock (quiet windows, the memory's times, Sync's -after); tests
  // give one that follows their ManualClock.
  Rules(ev::Loop& loop, AlertMemory& memory, std::function<void(const Event&)> emit,
        std::function<Micros()> wall = wallNow);
  ~Rules();
  Rules(const Rules&) = delete;
  Rules& operator=(const Rules&) = delete;

  // A reload: by name; an unchanged rule keeps its pending -after and -repeat timers.
  // Then feed the current records with Seen::Sync (see above).
  void set(std::vector<RuleSpec> rules, std::vector<QuietSpec> quiet);
  void record(const state::Record& rec, Seen how);
  // Treats every record for which `exists` is false as deleted (Seen::Delete: timers
  // cancelled, alerts forgotten, no message). For the end of a listing of the local
  // faild (Engine::onSynced with Engine::local()): when failsh's watch is listed afresh,
  // the records deleted meanwhile are never reported deleted, and their tracks would
  // otherwise repeat about records that are gone.
  void dropMissing(const std::function<bool(const std::string& record)>& exists);
  // The window a record is under now, or nullptr.
  const QuietSpec* quietFor(const std::string& record) const;

  struct Counts {
    std::uint64_t emitted = 0, damped = 0, quieted = 0;
  };
  const Counts& counts() const { return counts_; }
  size_t tracked() const;  // (rule, record) pairs followed now: at most one timer each

 private:
  struct Rule;
  struct Track;
  struct Quiet {
    QuietSpec spec;
    // The records already named in the log (a note of what was said, not the window's
    // state: quietFor() is const).
    mutable std::unordered_set<std::string> logged;
  };
  struct Last {  // what failsh last saw of a record a rule's pattern matches
    proto::State state = proto::State::Unknown;
    Micros since = 0;
    std::uint64_t seq = 0;  // the record() call that saw it
  };

  void apply(Rule& rule, const state::Record& rec, Seen how, const Last* last);
  void startTrack(Rule& rule, const state::Record& rec, proto::State previous, Micros previousFor,
                  Micros enteredAt, Micros delay);
  void leave(Rule& rule, Track& t, const state::Record& rec);
  static void onTimer(void* arg);
  void fire(Track& t);
  // Emits `e` unless a quiet window holds the record: then false (counted, logged).
  bool tell(const Event& e, const Quiet** under = nullptr);
  const Quiet* quietNow(const std::string& record) const;
  void armQuiet(Track& t, const Quiet& q);

  ev::Loop& loop_;
  AlertMemory& memory_;
  std::function<void(const Event&)> emit_;
  std::function<Micros()> wall_;
  std::map<std::string, std::unique_ptr<Rule>> rules_;
  std::vector<Quiet> quiet_;
  std::unordered_map<std::string, Last> last_;
  std::uint64_t seq_ = 0;
  Counts counts_;
};

}  // namespace fail::notify
