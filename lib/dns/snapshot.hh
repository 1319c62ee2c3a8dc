// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// What the front-end answers from: an immutable Snapshot of prebuilt answers, keyed by
// lowercase name and type, made by a SnapshotBuilder on the control thread (the only
// writer) from a Config and the health of the local faild's records. A health change
// rebuilds only the pools that follow that record (and the SOA of their zones, whose
// serial rises with every published change, RFC 1982), not the static names: the static
// part is shared between snapshots.
//
// Readers (UDP threads, the TCP side) hold a std::shared_ptr<const Snapshot> and answer
// from it with dns/answer.hh; they never lock. Rotation (all) and smooth weighted round
// robin (wrr) are prebuilt as a cycle of answer variants per pool; each reader keeps its
// own position per pool in a Cursor, so answering allocates nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dns/config.hh"
#include "proto/values.hh"

namespace fail::dns {

using proto::State;  // a followed record's state (proto/values.hh)

class Snapshot;

// A reader's own positions in the pools' answer cycles (one per thread; not shared).
struct Cursor {
  std::vector<std::uint32_t> next;  // by pool index; resized by the answerer as needed
  std::vector<std::uint64_t> queries;  // by pool index: queries answered from the pool (resized likewise)
};

// The pools of a snapshot by index (the Cursor's), for per-pool counters: indices are
// the pools' order by name in the Config the snapshot was built from.
std::size_t poolCount(const Snapshot& snap);
const std::string& poolName(const Snapshot& snap, std::size_t index);

// One member of a pool as `fail::dns explain` and the dns:NAME record show it.
struct MemberView {
  std::string address;
  std::string check;         // "" : none
  State state = State::Unknown;  // the check record's state (Up when there is no check)
  Force force = Force::Auto;
  unsigned weight = 1;
  bool in = false;
  std::string why;           // "UP", "FAIL", "forced down", "no record"...
};

struct PoolView {
  std::string name;
  std::vector<MemberView> members;
  std::vector<std::string> answer;  // the addresses answered now (all families)
  bool allDown = false;             // no member in: the -all-down rule answers
  std::uint32_t ttl = 0;            // the TTL answered now
  std::uint64_t changes = 0;        // how often the answer changed
};

class SnapshotBuilder {
 public:
  // Builds the static part (zones, SOA, NS, static records, empty non-terminals) and
  // every pool with all health Unknown. `serial` starts each zone's SOA serial (e.g. the
  // time in seconds, so that a restart does not go backwards).
  // `config` is shared and never changed: the builder keeps pointers into it.
  SnapshotBuilder(std::shared_ptr<const Config> config, std::uint32_t serial);
  // The same with a Config of its own (tests, tools).
  SnapshotBuilder(Config config, std::uint32_t serial);
  ~SnapshotBuilder();
  SnapshotBuilder(const SnapshotBuilder&) = delete;
  SnapshotBuilder& operator=(const SnapshotBuilder&) = delete;

  // The records of the local faild that pools follow (-check names, possibly patterns
  // never: plain names), for the control thread's WATCH.
  std::vector<std::string> checks() const;
  // A followed record's state changed (or its record was deleted: Unknown). Returns the
  // names of the pools whose answer changes (empty: nothing to publish).
  std::vector<std::string> setHealth(const std::string& record, State state);
  // `fail::dns member POOL ADDRESS -force up|down|auto -weight N` (weight 0: unchanged).
  // False with *err when the pool or the member does not exist.
  bool setMember(const std::string& pool, const std::string& address, Force force, unsigned weight, std::string* err);
  // The current snapshot with every change since the last publish() applied; raises the
  // SOA serial of each zone that holds a changed pool. Cheap when nothing changed.
  std::shared_ptr<const Snapshot> publish();
  // When the earliest health-aware TTL window (-settle) still open ends: call publish()
  // then, so that the pool answers its -ttl again. Empty: none open.
  std::optional<std::chrono::steady_clock::time_point> settleDeadline() const;
  // The clock settle windows are measured with (tests; default steady_clock::now).
  void setClock(std::function<std::chrono::steady_clock::time_point()> now);

  std::vector<PoolView> pools() const;
  // `fail::dns explain NAME`: false when NAME is no pool.
  bool explain(const std::string& name, PoolView& out) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fail::dns
