// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "shell/takeover.hh"

#include <algorithm>

namespace fail::shell {
namespace {

bool anyUnreachable(const std::vector<PeerView>& v) {
  return std::any_of(v.begin(), v.end(), [](const PeerView& p) { return !p.reachable; });
}

bool anyUp(const std::vector<PeerView>& v) {
  return std::any_of(v.begin(), v.end(), [](const PeerView& p) { return p.effective() == State::Up; });
}

// A master whose faild is up but holds no state for the service yet (its failsh is
// starting) counts as ready for two intervals, so two hosts starting together do not
// both run the service; after that it counts as down.
void graceUnknownMasters(std::vector<PeerView>& masters, const RunInput& in, RunMemory& m) {
  for (PeerView& v : masters) {
    if (v.reachable && v.state == State::Unknown) {
      Micros& since = m.unknownSince[v.host];
      if (!since) since = in.now;
      if (in.now - since < 2 * in.interval) v.state = State::Recover;
    } else {
      m.unknownSince.erase(v.host);
    }
  }
}

// Two holders (a partition without witnesses, healed): the rule makes the other one let
// go; then this one announces itself again, or clients keep the other's address in their
// neighbour tables until it times out. An unreachable peer may have started it (it counts
// this host as FAIL), so it counts as a holder until it is back.
Action reassertAfterContest(const RunInput& in, const std::vector<PeerView>& masters, Action a, RunMemory& m) {
  auto mayHold = [](const PeerView& v) { return v.effective() == State::Up || !v.reachable; };
  bool otherMayHold = std::any_of(masters.begin(), masters.end(), mayHold) ||
                      std::any_of(in.slaves.begin(), in.slaves.end(), mayHold);
  if (in.local != State::Up || !in.held) {
    m.contested = false;
  } else if (otherMayHold) {
    m.contested = true;
  } else if (m.contested && a == Action::None) {
    m.contested = false;
    if (in.hasReassert) return Action::Reassert;
  }
  return a;
}

// Witness w agrees that every peer of `views` this host cannot reach is down.
std::vector<bool> witnessesAgree(const RunInput& in, const std::vector<PeerView>& views) {
  std::vector<bool> out;
  for (const auto& down : in.witnessDown) {
    bool all = true;
    for (const PeerView& v : views)
      if (!v.reachable && !down.count(v.host)) all = false;
    out.push_back(all);
  }
  return out;
}

RunVerdict holdBack(std::string note) {
  RunVerdict v;
  v.kind = RunVerdict::Kind::Hold;
  v.note = std::move(note);
  return v;
}

std::string votesNote(const Votes& v, const char* what) {
  return "not starting: " + std::to_string(v.yes) + " of " + std::to_string(v.total) + " agree " + what;
}

// A start the rule wants, under the witnesses' guard: the votes about unreachable slaves
// and masters, then the wait for them to have fenced themselves.
RunVerdict guardStart(const RunInput& in, const std::vector<PeerView>& masters, RunMemory& m) {
  // A slave this host cannot reach may hold the service: start only when a majority
  // agree it does not, and after it had the time to fence itself.
  if (!anyUnreachable(in.slaves)) {
    m.slavesDownSince = 0;
  } else {
    if (!m.slavesDownSince) m.slavesDownSince = in.tickAt;
    Votes v = startVotes(in.slaves, witnessesAgree(in, in.slaves));
    if (!v.majority()) return holdBack(votesNote(v, "no slave holds it"));
  }
  Micros waitUntil = m.slavesDownSince ? m.slavesDownSince + in.fence + in.interval : 0;
  if (!masters.empty()) {
    Votes v = takeoverVotes(masters, witnessesAgree(in, masters));
    if (!v.majority()) return holdBack(votesNote(v, "the masters are down"));
    if (anyUnreachable(masters)) waitUntil = std::max(waitUntil, m.mastersDownSince + in.fence + in.interval);
  }
  if (in.now < waitUntil) {
    RunVerdict v = holdBack("not starting yet: waiting for an unreachable peer to fence itself");
    v.kind = RunVerdict::Kind::StartLater;
    v.startAt = waitUntil;
    return v;
  }
  RunVerdict v;
  v.action = Action::Start;
  return v;
}

}  // namespace

RunVerdict decideRun(const RunInput& in, RunMemory& m) {
  std::vector<PeerView> masters = in.masters;
  graceUnknownMasters(masters, in, m);

  std::vector<bool> reach;
  for (const auto& [h, r] : in.reach) reach.push_back(r);
  bool majority = !in.guarded || reachesMajority(reach);

  RunVerdict out;
  // A holder cut off from the majority fences itself -fence-after from the start of the
  // last run that reached one (never later: the slave's wait counts on it), on a timer
  // rather than at a later run, whose phase could make it late.
  if (in.guarded && majority) {
    m.majorityAt = in.tickAt;
    out.cancelFence = true;
  }
  if (in.guarded && in.local == State::Up && !majority) {
    Micros deadline = (m.majorityAt ? m.majorityAt : in.tickAt) + in.fence;
    out.kind = in.now >= deadline ? RunVerdict::Kind::Fence : RunVerdict::Kind::Hold;
    if (out.kind == RunVerdict::Kind::Hold) out.fenceAt = deadline;
    return out;
  }

  RuleInput rule;
  rule.local = in.local;
  rule.masters = masters;
  rule.slaves = in.slaves;
  rule.hasReclaim = in.hasReclaim;
  rule.reclaimed = m.reclaimed;
  if (!anyUp(in.slaves)) m.reclaimed = false;
  Action a = reassertAfterContest(in, masters, decide(rule), m);

  bool mastersDown = !masters.empty() && std::none_of(masters.begin(), masters.end(), [](const PeerView& v) {
    return v.effective() == State::Up || v.effective() == State::Recover;
  });
  if (!(mastersDown && anyUnreachable(masters)))
    m.mastersDownSince = 0;
  else if (!m.mastersDownSince)
    m.mastersDownSince = in.tickAt;  // from the first run that lost the master, votes or not

  if (a == Action::Start && in.guarded) {
    if (!majority) return holdBack("not starting: no majority of peers reachable");
    RunVerdict v = guardStart(in, masters, m);
    v.cancelFence = out.cancelFence;
    return v;
  }
  out.action = a;
  return out;
}

}  // namespace fail::shell
