// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The records of one faild, in memory, backed by a Journal (or by nothing: --memory).
//
// Changes get a serial at once and are applied in memory at once (so the next request
// sees them), but they are *published* (the requester's Done runs, watchers hear of
// them, they enter the history) only once durable, in serial order. A change that
// cannot be made durable is never published: its Done gets ok=false and memory goes
// back to the record's last durable version (its serial stays used: serials may skip).
// While a change to a record is in flight, a SET of that record is a change too, so
// that no OK REFRESH acknowledges a state that is not yet on disk. Refreshes are
// applied in memory and written lazily. Everything here runs on the loop thread.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "state/journal.hh"
#include "state/record.hh"
#include "state/slots.hh"
#include "state/version.hh"

namespace fail::state {

// A published change: the version it made (a tombstone for a deletion). The history
// keeps only this: one shared pointer, no copied line.
struct Published {
  VersionRef version;
  std::uint64_t serial() const { return version->serial(); }
  std::string_view name() const { return version->name(); }
  // Appends its wire line, "CHANGE SERIAL WORD" or "DELETE SERIAL NAME TIME" (no newline).
  void appendLine(std::string& out) const;
};

class ChangeListener {
 public:
  virtual ~ChangeListener() = default;
  // A change was published. Called in serial order, on the loop thread.
  virtual void onPublished(const Published& p) = 0;
  // Before a compaction of the journal (loop thread): appends to `out` the published
  // changes this listener was given but has not yet kept on its own, if any (faild's
  // history: not yet in its database), in serial order and with none left out between
  // them and the newest published. The compacted file then still holds them, for the
  // listener to have again after a crash.
  virtual void unsaved(std::vector<VersionRef>& out) const {}
};

struct SetInput {
  std::string name;
  State state = State::Unknown;
  std::int64_t ttlMs = 0;
  std::string note;
  std::optional<Micros> at;
  Attrs attrs;  // merged; an empty value removes the key
  std::string origin;
  // The record's attributes that `attrs` does not name are removed too (the caller
  // gives every current attribute: one lookup, no GET first).
  bool replaceAttrs = false;
};

struct StoreCounters {
  std::uint64_t changes = 0, refreshes = 0, deletes = 0, expiries = 0, compactions = 0;
  std::uint64_t storageErrors = 0;
};

class Store {
 public:
  struct Options {
    size_t historyMax = 20000;          // published changes kept for WATCH since=
    std::uint64_t serialBlock = 65536;  // serials reserved per high-water-mark write
    std::uint64_t compactMinBytes = 8u << 20;
  };
  // ok=false: the change could not be made durable; it was undone in memory (unless a
  // later change to the same record is still in flight: that one decides) and was not
  // published.
  using Done = std::function<void(bool ok, std::uint64_t serial, const std::string& error)>;

  // `journal` may be null (--memory). `rec` is what the journal recovered.
  Store(std::unique_ptr<Journal> journal, Recovery rec, Options opts, Micros steadyNow);
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Every listener hears of every published change, in the order they were added (the
  // server's fan-out to watchers, faild's history).
  void addListener(ChangeListener* l) { listeners_.push_back(l); }
  void removeListener(ChangeListener* l) {
    listeners_.erase(std::remove(listeners_.begin(), listeners_.end(), l), listeners_.end());
  }

  // A record's place in memory: its current version and its ttl deadline.
  using Slot = state::Slot;

  enum class SetKind { Change, Refresh };
  // Where a record lives, remembered by a caller that sets the same name again and again
  // (hc's checker: no lookup by name per result). Valid while deletions() is unchanged
  // (it changes with every deletion, and whenever records may have moved in memory).
  using Place = const Slot*;
  std::uint32_t deletions() const { return slots_.moves(); }
  // A change calls `done` once published, or once it failed and was undone
  // (synchronously with no journal); a refresh returns at once and never calls it. `serial` is the change's serial, or the record's
  // current serial for a refresh. `place`, when given, is used if set (it must be the
  // record of in.name) and set to the record otherwise.
  SetKind set(SetInput in, Micros wallNow, Micros steadyNow, Done done, std::uint64_t& serial,
              Place* place = nullptr);
  // False when there is no such record. Otherwise a change, like set.
  bool del(const std::string& name, Micros wallNow, Done done);

  // The record's current version in memory (changes in flight included), null if none.
  const Version* get(std::string_view name) const;
  // Calls f for every record as published (publishedSerial()), in name order: a record
  // with a change in flight as it was before it (absent if the change creates it,
  // present if the change deletes it). What LIST and a WATCH dump show, so that no
  // client sees a change before it is durable, or one that fails and is undone.
  void forEachPublished(const std::function<void(const Version&)>& f) const;
  // The same from the first name after `after` (from the start when null), until f
  // returns false: for a listing sent in slices.
  void forEachPublishedAfter(const std::string* after,
                             const std::function<bool(const Version&)>& f) const;
  // Every record in memory (changes in flight included), in name order.
  void forEachRecord(const std::function<void(const Version&)>& f) const;
  size_t size() const { return slots_.size(); }

  // The last published serial (what LIST and WATCH report).
  std::uint64_t publishedSerial() const { return published_; }
  // Calls f(Published) for every held change after `since`, in order. False (and no
  // calls) when they are not all held: `since` is older than the history or newer than
  // anything published.
  bool changesSince(std::uint64_t since, const std::function<void(const Published&)>& f) const;

  // Turns every record whose ttl ran out by `steadyNow` UNKNOWN, in the order of their
  // deadlines. Returns how many. Goes over every record, but only once the earliest
  // deadline known (nextDeadline) has come.
  size_t expire(Micros wallNow, Micros steadyNow);
  // Steady-clock time of the next possible expiry, 0 if none: no deadline lies before it
  // (a refresh since may have moved the one that was there).
  Micros nextDeadline() const { return nextDeadline_; }

  // Writes lazily refreshed attributes; compacts the journal when it has grown.
  void housekeeping();
  // Waits until everything queued is durable (shutdown).
  void flush();

  Journal* journal() const { return journal_.get(); }
  const StoreCounters& counters() const { return counters_; }
  size_t pending() const { return pending_.size(); }
  std::uint64_t historyBase() const { return base_; }

 private:
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view n) const { return std::hash<std::string_view>{}(n); }
  };
  // What a record goes back to when the changes in flight to it fail.
  struct Durable {
    VersionRef version;  // null: no record
    Micros deadline = 0;
  };

  std::uint64_t nextSerial();
  const Slot* find(std::string_view name) const;
  // Puts `v` in the slot of its name (made when new). Returns the slot.
  const Slot* put(VersionRef v);
  void erase(std::string_view name);
  struct InFlight;
  // Before a change to `name` is applied in memory: remembers the record's durable
  // version (`current`, its slot or null) if no change to it is in flight yet. Returns
  // its entry in inFlight_ (stable until erased), null without a journal.
  InFlight* beginChange(std::string_view name, const Slot* current);
  // `flight` is what beginChange returned for the change's name.
  void submit(VersionRef v, Done done, Durable after, InFlight* flight);
  // A failed change was the last in flight for `name`: puts `durable` back in memory.
  void rollback(std::string_view name, Durable durable);
  void publish(bool ok, const std::string& error);
  void schedule(const Slot& slot, Micros deadline);
  // Starts, restarts or stops the ttl of `slot` after its version was set.
  void startTtl(const Slot& slot, Micros steadyNow);
  // The names in order, sorted again only when names came or went since last asked.
  const std::vector<const Slot*>& ordered() const;

  std::unique_ptr<Journal> journal_;
  Options opts_;
  SlotTable slots_;
  mutable std::vector<const Slot*> order_;
  mutable bool orderStale_ = true;
  mutable std::uint32_t orderMoves_ = 0;  // slots_.moves() when order_ was made
  std::uint64_t lastSerial_ = 0;   // last serial assigned
  std::uint64_t ceiling_ = 0;      // high-water mark requested from the journal
  std::uint64_t published_ = 0;    // last serial published
  std::uint64_t base_ = 0;         // changes <= base_ are not in history_
  size_t keptAtCompaction_ = 0;    // changes the last compaction kept for listeners
  struct Pending {
    Published pub;
    Done done;
    Durable after;  // the record after the change (null version: deleted)
  };
  // Records with changes in flight (journal only): what to go back to if they fail.
  struct InFlight {
    Durable durable;            // the last durable version
    std::uint64_t last = 0;     // the newest change in flight
  };
  std::unordered_map<std::string, InFlight, NameHash, std::equal_to<>> inFlight_;
  Micros steadySeen_ = 0;  // the latest steadyNow given to set() or expire()
  void remember(Published p);
  std::deque<Pending> pending_;
  std::deque<Published> history_;
  // No slot's deadline lies before this; 0: no deadline. The deadlines themselves are
  // only in the slots: a queue of them cost 16 bytes a record and held on to the
  // version of its time until the deadline came.
  Micros nextDeadline_ = 0;
  std::unordered_set<std::string, NameHash, std::equal_to<>> dirtyAttrs_;
  std::vector<ChangeListener*> listeners_;
  StoreCounters counters_;
  std::uint64_t trimmedAt_ = 0;  // counters_.changes at the last malloc_trim
};

}  // namespace fail::state
