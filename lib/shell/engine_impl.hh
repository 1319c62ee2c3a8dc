// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The engine's per-host and per-service records, shared by engine.cc and engine_run.cc.
#pragma once

#include <map>
#include <set>
#include <memory>
#include <string>
#include <vector>

#include "base/log.hh"
#include "shell/engine.hh"
#include "shell/takeover.hh"

namespace fail::shell {

// The engine's log facility ("service"), for engine.cc, engine_run.cc and engine_adopt.cc.
inline log::Facility& fac() {
  static log::Facility& f = log::facility("service");
  return f;
}

// The reply callback of a state change nobody waits for.
inline void noop(bool, std::uint64_t, const std::string&) {}

struct Engine::Host {
  HostSpec spec;
  std::unique_ptr<client::Link> link;
  bool known = false, reachable = false;
  std::string why;
  Micros lastConnect = 0, lastCall = 0;
};

struct Engine::Service {
  ServiceSpec spec;
  std::unique_ptr<ev::Timer> timer;
  ServiceStatus status;
  // running: a run or a proc is out (one at a time); polling: a run waits for its polls.
  // A timer that must act on time abandons a polling run: runGen moves on, and the
  // run's late answers (which check it) are dropped.
  bool running = false, polling = false, held = false, stopOnFail = false;
  std::uint64_t runGen = 0;
  int outstanding = 0;
  std::vector<PeerView> masters, slaves;
  // Per witness: the hosts (masters and slaves) its faild holds as host:NAME FAIL.
  std::vector<std::set<std::string>> witnessDown;
  std::map<std::string, bool> reach;  // every distinct peer of this run
  Micros tickAt = 0;   // steady clock: when this run started
  RunMemory memory;    // what decideRun carries from run to run (shell/takeover.hh)
  std::unique_ptr<ev::Timer> fenceTimer;  // fences at memory.majorityAt + fence-after, on time
  // A start that only waits for an unreachable peer to have fenced itself runs on a timer
  // at the end of that wait (not at a later run, whose phase could make it an interval
  // late), on the verdict of the last run; every run cancels it and decides afresh.
  std::unique_ptr<ev::Timer> startTimer;
  State startFrom = State::Unknown;  // the local state that verdict saw
  // Removed by a reload: the runner that stops it (the retiring policy) and what to
  // call once it is released.
  ProcRunner* stopper = nullptr;
  std::function<void()> released;
};

}  // namespace fail::shell
