// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// What failmon knows: for each target it watches (a faild, a failsh's monitor port or an
// hc's monitor port), whether it is reachable and since when, what kind of program it is
// (from its HELLO reply), and its records with the last few changes of each.
//
// Pure: no I/O and no clock of its own (every time comes in as an argument), so the
// screens, the HTML page, JSON and the tests all read the same thing. Fed by
// mon::Watcher (target.hh) from a WATCH stream, or by a test directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.hh"
#include "state/record.hh"

namespace fail::mon {

// What a target is, from the first word of its HELLO reply.
enum class Kind { Unknown, Faild, Failsh, Hc };
const char* kindName(Kind k);          // "faild", "failsh", "hc", "unknown"
Kind kindFromProgram(std::string_view program);

// The link to a target.
enum class Reach {
  Connecting,  // never connected yet (or connecting again after stop)
  Up,          // watching; the records are live once `synced`
  Down,        // unreachable: `why` says why, `since` since when; failmon retries
};
const char* reachName(Reach r);  // "connecting", "up", "down"

// One change of a record as failmon saw it (for the strip of recent changes).
struct Change {
  std::uint64_t serial = 0;
  Micros at = 0;  // the record's `since` (when the change happened at the server)
  state::State state = state::State::Unknown;
  bool deleted = false;
};

struct Entry {
  state::Record record;
  std::deque<Change> recent;  // oldest first, at most Model::kRecent
};

struct Target {
  std::string name;  // as given on the command line or in the configuration: "beta:1848"
  Kind kind = Kind::Unknown;
  std::string version;  // from HELLO
  Reach reach = Reach::Connecting;
  Micros reachSince = 0;  // when `reach` last changed
  std::string why;        // Down: the reason ("Connection refused", "ERR SLOW …")
  bool synced = false;    // the listing of the current connection is complete
  // The target restarted: it came back with an empty or older state (its serials went
  // back, or WATCH since= was answered ERR GONE): the last time it did. Kept, not
  // cleared by the changes that follow (a busy target would clear it at once).
  Micros restartedAt = 0;
  std::uint64_t serial = 0;   // last serial seen
  std::uint64_t changes = 0;  // changes seen since failmon started
  // Increases whenever a record is added to or removed from `records` (not when one
  // changes): a view may keep pointers to the entries while it stays the same.
  std::uint64_t membership = 0;
  std::map<std::string, Entry, std::less<>> records;
};

// Counts by state, for headers.
struct Counts {
  std::size_t up = 0, recover = 0, fail = 0, unknown = 0;
  std::size_t total() const { return up + recover + fail + unknown; }
};

class Model {
 public:
  static constexpr std::size_t kRecent = 32;

  // Adds a target; returns its index (targets keep their order).
  std::size_t add(std::string name);
  std::size_t size() const { return targets_.size(); }
  const Target& at(std::size_t i) const { return targets_[i]; }
  const std::vector<Target>& targets() const { return targets_; }

  // The link events of target i.
  void connected(std::size_t i, std::string_view program, std::string_view version, Micros now);
  void down(std::size_t i, std::string why, Micros now);
  // The WATCH stream of target i (doc/protocol.md, "WATCH"). `listing` starts a plain
  // WATCH: records not listed again before `synced` are dropped then. `resuming`
  // starts WATCH since=: what is known stays.
  void listing(std::size_t i);
  void resuming(std::size_t i);
  void record(std::size_t i, const state::Record& r);
  void change(std::size_t i, std::uint64_t serial, const state::Record& r);
  void erase(std::size_t i, std::uint64_t serial, std::string_view name, Micros at);
  void synced(std::size_t i, std::uint64_t serial, Micros now);
  // The target came back with an older state (serials went back, ERR GONE).
  void restarted(std::size_t i, Micros now);
  // Earlier changes of record `name` of target i (Watcher::backfill), merged into its
  // Entry::recent by serial (known serials kept once; at most kRecent, the newest).
  // Nothing when the record is not known.
  void backfilled(std::size_t i, std::string_view name, std::vector<Change> older);

  Counts counts() const;                  // every record of every target (kept, O(targets))
  Counts counts(std::size_t i) const;     // target i's (kept as records change, O(1))
  static Counts counts(const Target& t);  // one target's, counted (O(records))
  // Increases with every change to what is shown: a screen redraws when it moved.
  std::uint64_t generation() const { return generation_; }

 private:
  Target& touch(std::size_t i);
  std::vector<Target> targets_;
  // Per target, during a plain WATCH's listing: the names known before it and not yet
  // listed again (dropped at SYNCED).
  std::vector<std::set<std::string, std::less<>>> unlisted_;
  // Per target, its records counted by state, kept as they change (counts(i)).
  std::vector<Counts> counts_;
  void count(std::size_t i, const Entry* before, const Entry* after);
  // Target i's entry for `name`, made when new (membership moves); an existing one is
  // taken out of the counts (the caller counts it again once updated) and out of the
  // names a listing has not listed again.
  Entry& enter(std::size_t i, const std::string& name);
  std::uint64_t generation_ = 0;
};

}  // namespace fail::mon
