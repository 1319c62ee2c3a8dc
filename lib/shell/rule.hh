// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The decisions of one service run, as pure functions (no I/O, no clock): the original
// master/slave rule (the original suite's rule), and doc/design.md's witness
// majority and fencing. The engine gathers what each peer said and acts on the answer.
#pragma once

#include <string>
#include <vector>

#include "state/record.hh"

namespace fail::shell {

using state::State;

// What a poll of one peer's faild found for the service.
struct PeerView {
  std::string host;
  bool reachable = false;
  State state = State::Unknown;  // meaningful when reachable
  bool holding = false;          // its failsh ran the start proc and not yet the stop proc
  // The state the rule sees: an unreachable host counts as FAIL (the original rule); a
  // host set FAIL (or UNKNOWN) that has not yet released the service still counts as UP.
  State effective() const {
    if (!reachable) return State::Fail;
    if (holding && (state == State::Fail || state == State::Unknown)) return State::Up;
    return state;
  }
};

enum class Action {
  None,      // nothing to do
  Announce,  // set RECOVER (ready but idle); a master announcing to yielding slaves
  Start,     // run the start proc
  Stop,      // run the stop proc
  Reclaim,   // run the reclaim proc (a master taking the service back from a slave)
  Reassert,  // run the reassert proc (a peer that also held the service let it go)
};
const char* actionName(Action a);

struct RuleInput {
  State local = State::Unknown;  // the service's record in the local faild
  std::vector<PeerView> masters, slaves;
  bool hasReclaim = false;  // a reclaim proc is defined
  bool reclaimed = false;   // it already ran in this hand-back
};

// The original rule. A master UP or RECOVER: the local copy must not run (Stop when it
// is UP, else stay or announce RECOVER). No master ready but a slave UP: announce
// RECOVER (and reclaim once) so the slaves yield. Nobody else: Start, unless the local
// state is FAIL (which only someone's RECOVER clears) or UP already. UNKNOWN (a fresh
// record) counts as RECOVER.
Action decide(const RuleInput& in);

// A takeover needs, when witnesses are configured, a majority of {self, masters,
// witnesses} agreeing that every master is down: self counts yes; a master counts yes
// when it is reachable and not UP or RECOVER; a witness counts yes when its faild holds
// host:MASTER as FAIL for every master this host cannot reach (`witnessSaysDown`).
struct Votes {
  int yes = 0, total = 0;
  bool majority() const { return yes * 2 > total; }
};
Votes takeoverVotes(const std::vector<PeerView>& masters, const std::vector<bool>& witnessSaysDown);

// The same before a start when a slave cannot be reached (it may hold the service): a
// majority of {self, slaves, witnesses} must agree no slave holds it; a slave counts yes
// when it is reachable and not UP, a witness when it holds host:SLAVE as FAIL for every
// slave this host cannot reach.
Votes startVotes(const std::vector<PeerView>& slaves, const std::vector<bool>& witnessSaysDown);

// A host holding a service with witnesses must reach a majority of {self, masters,
// slaves, witnesses} (each distinct host once; self counts). `reachable[i]` for each
// distinct peer.
bool reachesMajority(const std::vector<bool>& reachable);

}  // namespace fail::shell
