#include "shell/api.hh"

#include "base/log.hh"
#include "base/text.hh"
#include "base/time.hh"
#include "tcl/notifier.hh"

namespace fail::shell {
namespace {

log::Facility& fac() {
  static log::Facility& f = log::facility("policy");
  return f;
}

const char* procName(Action a) {
  return a == Action::Start ? "start" : a == Action::Stop ? "stop" : a == Action::Reclaim ? "reclaim" : "?";
}

void wake(ClientData) {}

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r\n"), b = s.find_last_not_of(" \t\r\n");
  return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

}  // namespace

Api::Api(Tcl_Interp* policy, std::chrono::milliseconds limit) : interp_(policy), guard_(policy, limit) {}

Api::~Api() {
  for (auto& [id, s] : subscriptions_) Tcl_DecrRefCount(s.prefix);
  for (Tcl_Obj* t : traps_) Tcl_DecrRefCount(t);
}

void Api::attach(Engine& engine) {
  engine_ = &engine;
  registerConfigCommands(interp_, *this);
  registerFailCommands(interp_, *this);
  engine.onTrap([this](const std::string& service, State from, State to, const std::string& note) {
    if (traps_.empty()) return;
    tcl::post([this, service, from, to, note] {
      for (Tcl_Obj* prefix : traps_) {
        Tcl_Obj* cmd = Tcl_DuplicateObj(prefix);
        Tcl_ListObjAppendElement(nullptr, cmd, Tcl_NewStringObj(service.c_str(), -1));
        Tcl_ListObjAppendElement(nullptr, cmd, Tcl_NewStringObj(state::stateName(from), -1));
        Tcl_ListObjAppendElement(nullptr, cmd, Tcl_NewStringObj(state::stateName(to), -1));
        Tcl_ListObjAppendElement(nullptr, cmd, Tcl_NewStringObj(note.c_str(), -1));
        guard_.call(cmd, "failtrap for " + service);
      }
    });
  });
  engine.subscribe([this](const state::Record& rec, bool deleted) {
    if (subscriptions_.empty()) return;
    std::string dict = state::encodeRecord(rec);
    std::string name = rec.name;
    tcl::post([this, dict, name, deleted] {
      for (auto& [id, sub] : subscriptions_) {
        if (!globMatch(sub.pattern, name)) continue;
        Tcl_Obj* cmd = Tcl_DuplicateObj(sub.prefix);
        Tcl_ListObjAppendElement(nullptr, cmd, Tcl_NewStringObj(deleted ? "delete" : "change", -1));
        Tcl_ListObjAppendElement(nullptr, cmd, Tcl_NewStringObj(dict.c_str(), -1));
        guard_.call(cmd, "fail::on change " + sub.pattern);
      }
    });
  });
}

void Api::run(const std::string& service, Action which, const std::string& script,
              std::function<void(State, const std::string&)> done) {
  std::string what = std::string(procName(which)) + " proc of " + service;
  tcl::post([this, script, what, which, done = std::move(done)] {
    guard_.call(Tcl_NewStringObj(script.c_str(), -1), what,
                [what, which, done](int code, const std::string& result) {
                  if (code != TCL_OK) return done(State::Fail, std::string(procName(which)) + " proc failed: " + result);
                  auto st = state::parseState(trim(result));
                  if (!st || *st == State::Unknown) {
                    FAIL_LOG(fac(), Err) << what << " returned '" << printable(result, 80)
                                         << "', not UP, RECOVER or FAIL";
                    return done(State::Fail, std::string(procName(which)) + " proc returned " + printable(result, 40));
                  }
                  done(*st, std::string(procName(which)) + " proc returned " + state::stateName(*st));
                });
  });
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
