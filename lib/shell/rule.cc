// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "shell/rule.hh"

namespace fail::shell {

const char* actionName(Action a) {
  switch (a) {
    case Action::None: return "none";
    case Action::Announce: return "announce";
    case Action::Start: return "start";
    case Action::Stop: return "stop";
    case Action::Reclaim: return "reclaim";
    case Action::Reassert: return "reassert";
  }
  return "?";
}

Action decide(const RuleInput& in) {
  State local = in.local == State::Unknown ? State::Recover : in.local;
  bool masterReady = false;
  for (const PeerView& m : in.masters) {
    State s = m.effective();
    if (s == State::Up || s == State::Recover) masterReady = true;
  }
  if (masterReady) {
    if (local == State::Up) return Action::Stop;
    return in.local == State::Unknown ? Action::Announce : Action::None;
  }
  bool slaveUp = false;
  for (const PeerView& s : in.slaves)
    if (s.effective() == State::Up) slaveUp = true;
  if (local == State::Fail || local == State::Up) return Action::None;
  if (slaveUp) {
    if (in.hasReclaim && !in.reclaimed) return Action::Reclaim;
    return in.local == State::Recover ? Action::None : Action::Announce;
  }
  return Action::Start;
}

Votes takeoverVotes(const std::vector<PeerView>& masters, const std::vector<bool>& witnessSaysDown) {
  Votes v;
  v.yes = 1;  // this host sees every master down, or it would not ask
  v.total = 1 + static_cast<int>(masters.size() + witnessSaysDown.size());
  for (const PeerView& m : masters)
    if (m.reachable && m.effective() != State::Up && m.effective() != State::Recover) ++v.yes;
  for (bool w : witnessSaysDown)
    if (w) ++v.yes;
  return v;
}

Votes startVotes(const std::vector<PeerView>& slaves, const std::vector<bool>& witnessSaysDown) {
  Votes v;
  v.yes = 1;
  v.total = 1 + static_cast<int>(slaves.size() + witnessSaysDown.size());
  for (const PeerView& p : slaves)
    if (p.reachable && p.effective() != State::Up) ++v.yes;
  for (bool w : witnessSaysDown)
    if (w) ++v.yes;
  return v;
}

bool reachesMajority(const std::vector<bool>& reachable) {
  int yes = 1, total = 1 + static_cast<int>(reachable.size());
  for (bool r : reachable)
    if (r) ++yes;
  return yes * 2 > total;
}

}  // namespace fail::shell
