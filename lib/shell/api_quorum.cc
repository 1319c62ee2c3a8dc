// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// fail::quorum NAME -checks PATTERN -up P% -down Q% ?-canary PATTERN? ?-min-voters N?
// (shell/quorum.hh): the verdict is written to NAME in the local faild whenever it
// differs from NAME's state there.
#include <cstring>
#include <optional>

#include "base/log.hh"
#include "base/text.hh"
#include "shell/api.hh"
#include "shell/quorum.hh"
#include "tcl/command.hh"

namespace fail::shell {
namespace {

log::Facility& fac() {
  static log::Facility& f = log::facility("policy");
  return f;
}

int error(Tcl_Interp* interp, const std::string& msg) {
  Tcl_SetObjResult(interp, Tcl_NewStringObj(msg.c_str(), -1));
  Tcl_SetErrorCode(interp, "FAILOVER", "ARGS", nullptr);
  return TCL_ERROR;
}

}  // namespace

struct Api::QuorumVote {
  Quorum q;
  std::optional<state::State> sent;  // set in the local faild, echo not yet seen
};

namespace {

void judge(Engine& engine, const std::shared_ptr<Api::QuorumVote>& vote) {
  const Quorum& q = vote->q;
  Tally t;
  auto v = q.verdict(&t);
  if (!v) return;
  auto it = engine.local().find(q.spec().name);
  if (it != engine.local().end() && it->second.state == *v) return;
  if (vote->sent == v) return;  // already on its way
  vote->sent = v;
  FAIL_LOG(fac(), Notice) << "quorum " << q.spec().name << " -> " << state::stateName(*v) << ": " << t.describe();
  std::weak_ptr<Api::QuorumVote> weak = vote;  // a reload may drop it before the reply
  engine.setLocal(q.spec().name, *v, "quorum: " + t.describe(), {}, 0, [weak](const client::Reply& r) {
    if (auto vote = weak.lock(); vote && !r.ok) vote->sent.reset();  // not set: try again at the next vote
  });
}

int quorumCmd(ClientData cd, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  auto& api = *static_cast<Api*>(cd);
  if (objc < 2 || objc % 2 != 0) {
    Tcl_WrongNumArgs(interp, 1, objv, "name -checks pattern -up P% -down Q% ?-canary pattern? ?-min-voters N?");
    return TCL_ERROR;
  }
  QuorumSpec spec;
  spec.name = Tcl_GetString(objv[1]);
  if (!validName(spec.name)) return error(interp, "fail::quorum: bad name \"" + spec.name + "\"");
  bool haveUp = false, haveDown = false;
  for (int i = 2; i < objc; i += 2) {
    std::string opt = Tcl_GetString(objv[i]), v = Tcl_GetString(objv[i + 1]);
    if (opt == "-checks") {
      spec.checks = v;
    } else if (opt == "-canary") {
      spec.canary = v;
    } else if (opt == "-up" || opt == "-down") {
      auto p = parsePercent(v);
      if (!p) return error(interp, "fail::quorum " + spec.name + " " + opt + ": want a percentage, got \"" + v + "\"");
      (opt == "-up" ? spec.upPct : spec.downPct) = *p;
      (opt == "-up" ? haveUp : haveDown) = true;
    } else if (opt == "-min-voters") {
      int n = 0;
      if (Tcl_GetIntFromObj(interp, objv[i + 1], &n) != TCL_OK || n < 1)
        return error(interp, "fail::quorum " + spec.name + " -min-voters: want a number of at least 1");
      spec.minVoters = n;
    } else {
      return error(interp, "fail::quorum: unknown option \"" + opt + "\": want -checks, -up, -down, -canary or -min-voters");
    }
  }
  if (spec.checks.empty() || !haveUp || !haveDown)
    return error(interp, "fail::quorum " + spec.name + ": -checks, -up and -down are required");
  if (globMatch(spec.checks, spec.name)) return error(interp, "fail::quorum " + spec.name + ": -checks matches the quorum's own name");
  api.ensureStarted();
  auto q = std::make_shared<Api::QuorumVote>(Api::QuorumVote{Quorum(spec), std::nullopt});
  api.bridge().onLoop([&api, q] {  // the quorum lives on the loop side
    api.quorums_[q->q.spec().name] = q;  // declared again: replaced
    if (api.listening()) quorumStart(api.engine(), q);
  });
  Tcl_SetObjResult(interp, Tcl_NewStringObj(spec.name.c_str(), -1));
  return TCL_OK;
}

}  // namespace

void quorumStart(Engine& engine, const std::shared_ptr<Api::QuorumVote>& q) {
  for (const auto& [n, rec] : engine.local()) q->q.feed(rec, false);
  if (engine.localSynced()) judge(engine, q);
}

void quorumFeed(Engine& engine, const std::shared_ptr<Api::QuorumVote>& q, const state::Record& rec, bool deleted) {
  if (rec.name == q->q.spec().name) q->sent.reset();  // our SET (or someone's) arrived
  if (q->q.feed(rec, deleted) && engine.localSynced()) judge(engine, q);
}

void registerQuorumCommand(Tcl_Interp* interp, Api& api) {
  tcl::createCommand(interp, "::fail::quorum", quorumCmd, &api, nullptr);
}

}  // namespace fail::shell
