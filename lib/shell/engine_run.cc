// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// One service run: poll, decide, act, record (shell/engine.hh).
#include <algorithm>

#include "base/log.hh"
#include "base/time.hh"
#include "proto/list.hh"
#include "shell/engine.hh"
#include "shell/engine_impl.hh"
#include "shell/takeover.hh"

namespace fail::shell {

bool Engine::mayRun(Service& s) {
  const char* why = s.running ? "the last run is not over"
                    : (!synced_ || !watch_ || !watch_->up()) ? "local faild not reachable"
                                                             : nullptr;
  if (!why) return true;
  if (!s.running) s.status.lastNote = why;
  ++s.status.skipped;
  FAIL_LOG(fac(), Debug) << "run service=" << s.spec.name << " skipped: " << why;
  return false;
}

void Engine::tick(Service& s) {
  schedule(s, std::chrono::duration_cast<ev::Micros>(s.spec.interval));
  if (!mayRun(s)) return;
  s.running = true;
  s.polling = true;
  std::uint64_t gen = ++s.runGen;
  s.tickAt = steadyNow();
  ++s.status.runs;
  s.masters.assign(s.spec.masters.size(), PeerView{});
  s.slaves.assign(s.spec.slaves.size(), PeerView{});
  s.witnessDown.assign(s.spec.witnesses.size(), {});
  s.reach.clear();
  s.outstanding = 1;  // held until every poll is out, so a poll answered at once cannot end the run early
  Service* sp = &s;
  // Every answer checks first that its run was not abandoned (runGen).
  PollDone done = [this, sp] {
    if (--sp->outstanding == 0) polled(*sp);
  };
  pollPeers(s, s.masters, s.spec.masters, gen, done);
  pollPeers(s, s.slaves, s.spec.slaves, gen, done);
  pollWitnesses(s, gen, done);
  done();
}

void Engine::pollPeers(Service& s, std::vector<PeerView>& views, const std::vector<std::string>& hosts,
                       std::uint64_t gen, const PollDone& done) {
  Service* sp = &s;
  for (size_t i = 0; i < hosts.size(); ++i) {
    views[i].host = hosts[i];
    ++s.outstanding;
    std::string line = "GET";
    proto::appendElement(line, s.spec.name);
    request(hosts[i], line,
            [sp, &views, i, done, gen](const client::Reply& r) {
              if (sp->runGen != gen) return;
              PeerView& v = views[i];
              v.reachable = r.ok || r.code != "DOWN";
              v.state = State::Unknown;
              state::Record rec;
              v.holding = false;
              if (r.ok && r.words.size() == 1 && state::decodeRecord(r.words[0], rec)) {
                v.state = rec.state;
                for (const auto& [k, val] : rec.attrs)
                  if (k == "held") v.holding = val == "1";
              }
              sp->reach[v.host] = v.reachable;
              done();
            },
            s.spec.timeout());
  }
}

void Engine::pollWitnesses(Service& s, std::uint64_t gen, const PollDone& done) {
  Service* sp = &s;
  // Each witness: which masters and slaves does its faild hold as host:NAME FAIL?
  for (size_t w = 0; w < s.spec.witnesses.size(); ++w) {
    const std::string& witness = s.spec.witnesses[w];
    if (s.spec.masters.empty() && s.spec.slaves.empty()) {  // nothing to vote on: reachability
      ++s.outstanding;
      request(witness, "PING",
              [sp, witness, done, gen](const client::Reply& r) {
                if (sp->runGen != gen) return;
                sp->reach[witness] = r.ok || r.code != "DOWN";
                done();
              },
              s.spec.timeout());
    }
    for (const auto* list : {&s.spec.masters, &s.spec.slaves})
      for (const std::string& h : *list) {
        ++s.outstanding;
        std::string line = "GET";
        proto::appendElement(line, "host:" + h);
        request(witness, line,
                [sp, w, h, witness, done, gen](const client::Reply& r) {
                  if (sp->runGen != gen) return;
                  sp->reach[witness] = r.ok || r.code != "DOWN";
                  state::Record rec;
                  if (r.ok && r.words.size() == 1 && state::decodeRecord(r.words[0], rec) && rec.state == State::Fail)
                    sp->witnessDown[w].insert(h);
                  done();
                },
                s.spec.timeout());
      }
  }
}

void Engine::recordSeen(Service& s, State local) {
  s.status.local = local;
  s.status.seen.clear();
  for (const PeerView& v : s.masters)
    s.status.seen["master." + v.host] = v.reachable ? state::stateName(v.state) : "unreachable";
  for (const PeerView& v : s.slaves)
    s.status.seen["slave." + v.host] = v.reachable ? state::stateName(v.state) : "unreachable";
  for (size_t w = 0; w < s.spec.witnesses.size(); ++w) {
    const std::string& h = s.spec.witnesses[w];
    std::string down;
    for (const auto& x : s.witnessDown[w]) down += (down.empty() ? "" : ",") + x;
    s.status.seen["witness." + h] = !s.reach[h] ? "unreachable" : down.empty() ? "all-up" : "down:" + down;
  }
  FAIL_LOG(fac(), Debug) << "run service=" << s.spec.name << " polled: local " << state::stateName(local) << [&] {
    std::string seen;
    for (const auto& [k, v] : s.status.seen) seen += " " + k + " " + v;
    return seen;
  }();
}

void Engine::polled(Service& s) {
  s.polling = false;
  if (s.startTimer) s.startTimer->cancel();  // this run decides afresh
  auto it = local_.find(s.spec.name);
  State local = it == local_.end() ? State::Unknown : it->second.state;
  recordSeen(s, local);

  RunInput in;
  in.local = local;
  in.held = s.held;
  in.masters = s.masters;
  in.slaves = s.slaves;
  in.witnessDown = s.witnessDown;
  in.guarded = !s.spec.witnesses.empty();
  in.reach = s.reach;
  in.hasReclaim = !s.spec.reclaim.empty();
  in.hasReassert = !s.spec.reassert.empty();
  in.interval = std::chrono::duration_cast<std::chrono::microseconds>(s.spec.interval).count();
  in.fence = std::chrono::duration_cast<std::chrono::microseconds>(s.spec.fence()).count();
  in.tickAt = s.tickAt;
  in.now = steadyNow();
  RunVerdict v = decideRun(in, s.memory);

  if (v.cancelFence && s.fenceTimer) s.fenceTimer->cancel();
  if (v.note) s.status.lastNote = *v.note;
  switch (v.kind) {
    case RunVerdict::Kind::Act:
      return act(s, v.action);
    case RunVerdict::Kind::Fence:
      return fenceNow(s);
    case RunVerdict::Kind::StartLater:
      startLater(s, v.startAt);
      break;
    case RunVerdict::Kind::Hold:
      if (v.fenceAt) fenceAt(s, v.fenceAt - in.now);
      break;
  }
  finish(s, local, "", Action::None);
}

void Engine::fenceAt(Service& s, Micros delay) {
  if (!s.fenceTimer) {
    Service* sp = &s;
    s.fenceTimer = std::make_unique<ev::Timer>(base_, [this, sp] { fenceDue(*sp); });
  }
  if (!s.fenceTimer->armed()) s.fenceTimer->arm(ev::Micros(delay));
}

void Engine::fenceNow(Service& s) {
  FAIL_LOG(fac(), Warning) << "fence service=" << s.spec.name << ": no majority reachable for "
                           << formatDurationMs(std::chrono::duration_cast<std::chrono::milliseconds>(s.spec.fence()).count());
  if (s.fenceTimer) s.fenceTimer->cancel();
  s.memory.majorityAt = 0;
  act(s, Action::Stop);
}

void Engine::fenceDue(Service& s) {
  auto it = local_.find(s.spec.name);
  if (it == local_.end() || it->second.state != State::Up) return;  // not holding it any more
  if (!takeTurn(s)) {  // a proc is out: fence after it
    s.fenceTimer->arm(ev::Micros(10'000));
    return;
  }
  fenceNow(s);
}

void Engine::startLater(Service& s, Micros at) {
  if (!s.startTimer) {
    Service* sp = &s;
    s.startTimer = std::make_unique<ev::Timer>(base_, [this, sp] { startDue(*sp); });
  }
  s.startFrom = s.status.local;
  s.startTimer->arm(ev::Micros(std::max<Micros>(at - steadyNow(), 0)));
}

void Engine::startDue(Service& s) {
  auto it = local_.find(s.spec.name);
  State local = it == local_.end() ? State::Unknown : it->second.state;
  if (local != s.startFrom) return;  // someone changed it since that run: the next run decides
  if (!takeTurn(s)) {  // a proc is out: try again after it
    s.startTimer->arm(ev::Micros(10'000));
    return;
  }
  FAIL_LOG(fac(), Info) << "run service=" << s.spec.name << ": the fencing wait is over";
  act(s, Action::Start);
}

bool Engine::takeTurn(Service& s) {
  if (s.running && !s.polling) return false;
  if (s.polling) {  // acting on time beats waiting up to a poll timeout for this run
    FAIL_LOG(fac(), Debug) << "run service=" << s.spec.name << " abandoned for a timer";
    ++s.runGen;
    s.polling = false;
  }
  s.running = true;
  return true;
}

void Engine::act(Service& s, Action a) {
  s.status.lastAction = actionName(a);
  switch (a) {
    case Action::None:
      return finish(s, s.status.local, "", a);
    case Action::Announce: {
      bool slaveUp = std::any_of(s.slaves.begin(), s.slaves.end(), [](const PeerView& v) { return v.effective() == State::Up; });
      return finish(s, State::Recover, slaveUp ? "taking the service back from a slave" : "a master holds the service", a);
    }
    case Action::Start:
    case Action::Stop:
    case Action::Reclaim:
    case Action::Reassert: {
      const std::string& script = s.spec.script(a);
      if (a == Action::Start) s.held = true;
      if (a == Action::Reclaim) s.memory.reclaimed = true;
      FAIL_LOG(fac(), Notice) << actionName(a) << " service=" << s.spec.name;
      if (script.empty()) {  // no proc: the state the action stands for
        State st = a == Action::Start ? State::Up : State::Recover;
        return finish(s, st, std::string(actionName(a)) + " (no proc)", a);
      }
      Service* sp = &s;
      runner_->run(s.spec.name, a, script, [this, sp, a](State st, const std::string& note) { finish(*sp, st, note, a); });
      return;
    }
  }
}

void Engine::finish(Service& s, State next, const std::string& note, Action a) {
  if (s.stopper) {  // removed by a reload while its proc was out
    if (a == Action::Stop) s.held = false;
    s.running = false;
    return release(s);
  }
  FAIL_LOG(fac(), Debug) << "run service=" << s.spec.name << " done: " << actionName(a) << " -> "
                         << state::stateName(next) << " (" << (a == Action::None ? s.status.lastNote : note) << ")";
  if (a == Action::Stop) s.held = false;
  auto it = local_.find(s.spec.name);
  State local = it == local_.end() ? State::Unknown : it->second.state;
  bool fromFailStop = a == Action::Stop && local == State::Fail;
  // held=1 from a start until the stop proc has run: peers polling this record do not
  // take over a service that was set FAIL here before it has been released.
  state::Attrs held;
  if (a == Action::Start) held = {{"held", "1"}};
  if (a == Action::Stop) held = {{"held", "0"}};
  if (fromFailStop) {
    setLocal(s.spec.name, State::Fail, it->second.note, held);  // same state and note: a refresh
  } else if (a != Action::None && (next != local || (it != local_.end() && it->second.note != note) || !held.empty())) {
    s.status.lastNote = note;
    setLocal(s.spec.name, next, note, held);
  } else if (a == Action::None && local == State::Unknown) {
    setLocal(s.spec.name, State::Recover, "ready");
  }
  s.running = false;
  publishService(s);
  if (s.stopOnFail) {
    s.stopOnFail = false;
    if (s.held && local == State::Fail) {
      s.running = true;
      act(s, Action::Stop);
    }
  }
}

void Engine::publishService(const Service& s) {
  state::SetInput in;
  in.name = "service:" + s.spec.name;
  in.state = s.status.local;
  in.note = s.status.lastNote;
  in.origin = "failsh";
  auto words = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& w : v) proto::appendElement(out, w);
    return out;
  };
  in.attrs = {{"interval", formatDurationMs(s.spec.interval.count())},
              {"masters", words(s.spec.masters)},
              {"slaves", words(s.spec.slaves)},
              {"witnesses", words(s.spec.witnesses)},
              {"last_action", s.status.lastAction},
              {"runs", std::to_string(s.status.runs)},
              {"next_run", std::to_string(s.status.nextRun)}};
  for (const auto& [k, v] : s.status.seen) in.attrs.emplace_back(k, v);
  std::sort(in.attrs.begin(), in.attrs.end());
  showMonitor(std::move(in));
}

}  // namespace fail::shell
