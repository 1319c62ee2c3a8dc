// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "shell/api.hh"

#include "base/log.hh"
#include "base/text.hh"
#include "base/time.hh"
#include <memory>
#include <optional>

namespace fail::shell {
namespace {

log::Facility& fac() {
  static log::Facility& f = log::facility("policy");
  return f;
}

void wake(ClientData) {}

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r\n"), b = s.find_last_not_of(" \t\r\n");
  return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

}  // namespace

Api::Api(Tcl_Interp* policy, std::chrono::milliseconds limit, Bridge& bridge)
    : interp_(policy), guard_(policy, limit), bridge_(bridge) {}

Api::~Api() {
  *alive_ = false;
  for (auto& [id, s] : subscriptions_) Tcl_DecrRefCount(s.prefix);
}

void Api::attach(Engine& engine, bool listen) {
  engine_ = &engine;
  registerConfigCommands(interp_, *this);
  registerFailCommands(interp_, *this);
  registerNotifyCommand(interp_, *this);  // ::fail::notify, in the ensemble by its export pattern
  if (listen) this->listen();
}

void Api::rebind(Engine& live) {
  engine_ = &live;
  listen();
}

// Called on the loop side; the scripts run on the Tcl side, unless retired meanwhile.
void Api::listen() {
  listening_ = true;
  Engine* engine = engine_;
  auto alive = alive_;
  bridge_.onLoop([this, engine, alive] {
    trapId_ = engine->onTrap([this, alive](const std::string& service, State from, State to, const std::string& note) {
      if (listeners_ == 0) return;
      bridge_.toTcl([this, alive, service, from, to, note] {
        if (*alive) trap(service, from, to, note);
      });
    });
    subId_ = engine->subscribe([this, engine, alive](const state::Record& rec, ChangeKind kind) {
      for (auto& [n, q] : quorums_) quorumFeed(*engine, q, rec, kind == ChangeKind::Delete);
      if (listeners_ == 0) return;
      std::string dict = state::encodeRecord(rec), name = rec.name;
      bridge_.toTcl([this, alive, dict, name, kind] {
        if (*alive) changed(name, dict, kind);
      });
    });
    // After each listing of the local faild (at start, after a reconnection) every
    // quorum judges the records as they are, changed or not.
    syncId_ = engine->onSynced([this, engine] {
      for (auto& [n, q] : quorums_) quorumStart(*engine, q);
    });
    for (auto& [n, q] : quorums_) quorumStart(*engine, q);
  });
}

std::set<std::string> Api::quorumNames() {
  return bridge_.onLoop([this] {
    std::set<std::string> out;
    for (const auto& [n, q] : quorums_) out.insert(n);
    return out;
  });
}

void Api::retire() {
  *alive_ = false;
  if (listening_) {
    Engine* engine = engine_;
    bridge_.onLoop([this, engine] {
      engine->unsubscribe(trapId_);
      engine->unsubscribe(subId_);
      engine->unsubscribe(syncId_);
      quorums_.clear();
    });
    listening_ = false;
  }
  timers_.clear();
  for (auto& [id, s] : subscriptions_) Tcl_DecrRefCount(s.prefix);
  subscriptions_.clear();
  traps_.clear();
  countListeners();
  // Tcl's own after (or the --safe one): every pending script is cancelled.
  if (Tcl_Eval(interp_, "foreach a [after info] {after cancel $a}") != TCL_OK) Tcl_ResetResult(interp_);
}

bool Api::hostAllowed(Tcl_Interp* interp, const std::string& host, const std::string& what) const {
  if (!safe_ || allowedHosts_.count(host)) return true;
  Tcl_SetObjResult(interp, Tcl_NewStringObj((what + ": host \"" + host +
                                             "\" was not named by the administrator (failsh --allow-host, "
                                             "--hosts): a --safe policy reaches no other host").c_str(), -1));
  Tcl_SetErrorCode(interp, "FAILOVER", "SAFE", "HOST", nullptr);
  return false;
}

void Api::ensureStarted() {
  if (!autoStart_ || started_) return;
  started_ = true;
  Engine* engine = engine_;
  bridge_.onLoop([engine] { engine->start(); });
}

void Api::trap(const std::string& service, State from, State to, const std::string& note) {
  for (const tcl::ObjRef& prefix : traps_) {
    Tcl_Obj* cmd = Tcl_DuplicateObj(prefix.get());
    Tcl_ListObjAppendElement(nullptr, cmd, Tcl_NewStringObj(service.c_str(), -1));
    Tcl_ListObjAppendElement(nullptr, cmd, Tcl_NewStringObj(state::stateName(from), -1));
    Tcl_ListObjAppendElement(nullptr, cmd, Tcl_NewStringObj(state::stateName(to), -1));
    Tcl_ListObjAppendElement(nullptr, cmd, Tcl_NewStringObj(note.c_str(), -1));
    guard_.call(cmd, "failtrap for " + service);
  }
}

void Api::changed(const std::string& name, const std::string& dict, ChangeKind kind) {
  for (auto& [id, sub] : subscriptions_) {
    if (!globMatch(sub.pattern, name)) continue;
    Tcl_Obj* cmd = Tcl_DuplicateObj(sub.prefix);
    Tcl_ListObjAppendElement(nullptr, cmd, Tcl_NewStringObj(changeKindName(kind), -1));
    Tcl_ListObjAppendElement(nullptr, cmd, Tcl_NewStringObj(dict.c_str(), -1));
    guard_.call(cmd, "fail::on change " + sub.pattern);
  }
}

void Api::run(const std::string& service, Action which, const std::string& script,
              std::function<void(State, const std::string&)> done) {
  std::string what = std::string(actionName(which)) + " proc of " + service;
  // Called on the loop side; the proc runs on the Tcl side; its answer goes back.
  bridge_.toTcl([this, script, what, which, done = std::move(done)] {
    guard_.call(Tcl_NewStringObj(script.c_str(), -1), what,
                [this, what, which, done](int code, const std::string& result) {
                  State st = State::Fail;
                  std::string note;
                  auto parsed = state::parseState(trim(result));
                  if (code != TCL_OK) {
                    note = std::string(actionName(which)) + " proc failed: " + result;
                  } else if (!parsed || *parsed == State::Unknown) {
                    FAIL_LOG(fac(), Err) << what << " returned '" << printable(result, 80)
                                         << "', not UP, RECOVER or FAIL";
                    note = std::string(actionName(which)) + " proc returned " + printable(result, 40);
                  } else {
                    st = *parsed;
                    note = std::string(actionName(which)) + " proc returned " + state::stateName(st);
                  }
                  bridge_.toLoop([done, st, note] { done(st, note); });
                });
  });
}

bool Api::ask(const std::string& host, const std::string& line, client::Reply& out,
              std::chrono::milliseconds timeout) {
  auto reply = std::make_shared<std::optional<client::Reply>>();
  bridge_.toLoop([this, host, line, reply, timeout] {
    engine_->request(host, line, [this, reply](const client::Reply& r) {
      bridge_.toTcl([reply, r] { *reply = r; });
    }, timeout);
  });
  if (!waitUntil([&] { return reply->has_value(); }, timeout + std::chrono::milliseconds(2000))) return false;
  out = **reply;
  return true;
}

bool Api::waitUntil(const std::function<bool()>& ready, std::chrono::milliseconds timeout) {
  Micros deadline = steadyNow() + timeout.count() * 1000;
  Tcl_TimerToken t = Tcl_CreateTimerHandler(static_cast<int>(timeout.count()) + 1, wake, nullptr);
  bool ok = true;
  while (!ready()) {
    if (steadyNow() >= deadline) {
      ok = false;
      break;
    }
    Tcl_DoOneEvent(TCL_ALL_EVENTS);
  }
  Tcl_DeleteTimerHandler(t);
  return ok;
}

bool durationArg(Tcl_Interp* interp, Tcl_Obj* obj, std::chrono::milliseconds& out) {
  auto ms = parseDurationMs(Tcl_GetString(obj));
  if (!ms) {
    Tcl_SetObjResult(interp, Tcl_ObjPrintf("bad duration \"%s\": want seconds or a number with ms, s, m, h",
                                           Tcl_GetString(obj)));
    Tcl_SetErrorCode(interp, "FAILOVER", "DURATION", nullptr);
    return false;
  }
  out = std::chrono::milliseconds(*ms);
  return true;
}

}  // namespace fail::shell
