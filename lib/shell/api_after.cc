// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Tcl's `after` in the policy interpreter, with the scripts it schedules run through the
// Guard (the time limit of every policy callback, errors logged with errorInfo). `after MS`
// waits as Tcl's does but ends with an error at the running callback's time limit. The
// ids, `after cancel` and `after info` work as Tcl's do.
#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <string>

#include "shell/api.hh"
#include "tcl/command.hh"

namespace fail::shell {
namespace {

struct AfterTable;

struct Pending {
  AfterTable* table = nullptr;
  std::string id;
  Tcl_Obj* script = nullptr;
  Tcl_TimerToken token = nullptr;  // null: an idle callback (or one that fired)
  bool idle = false;
  ~Pending() {
    if (token) Tcl_DeleteTimerHandler(token);
    if (idle) Tcl_CancelIdleCall(fired, this);
    Tcl_DecrRefCount(script);
  }
  static void fired(ClientData cd);
};

struct AfterTable {
  Api* api;
  std::map<std::string, std::unique_ptr<Pending>> pending;
  std::uint64_t next = 0;
};

void Pending::fired(ClientData cd) {
  auto* p = static_cast<Pending*>(cd);
  p->token = nullptr;  // fired: no timer to delete, no idle entry left to cancel
  p->idle = false;
  AfterTable* t = p->table;
  Tcl_Obj* script = p->script;
  Tcl_IncrRefCount(script);
  std::string what = "after callback " + p->id;
  t->pending.erase(p->id);  // frees p
  t->api->guard().callNow(script, what);
  Tcl_DecrRefCount(script);
}

Tcl_WideInt msSince(const Tcl_Time& a, const Tcl_Time& b) {  // b - a
  return (static_cast<Tcl_WideInt>(b.sec) - a.sec) * 1000 + (static_cast<Tcl_WideInt>(b.usec) - a.usec) / 1000;
}

// `after MS`: sleeps, in steps, no further than the interpreter's time limit.
int sleepFor(Tcl_Interp* interp, Tcl_WideInt ms) {
  Tcl_Time now, end;
  Tcl_GetTime(&now);
  end = now;
  end.sec += static_cast<long>(ms / 1000);
  end.usec += static_cast<long>((ms % 1000) * 1000);
  if (end.usec >= 1000000) end.sec += 1, end.usec -= 1000000;
  while (msSince(now, end) > 0) {
    Tcl_WideInt step = std::min<Tcl_WideInt>(msSince(now, end), 100);
    if (Tcl_LimitTypeEnabled(interp, TCL_LIMIT_TIME)) {
      Tcl_Time limit;
      Tcl_LimitGetTime(interp, &limit);
      Tcl_WideInt left = msSince(now, limit);
      if (left <= 0) {
        Tcl_SetObjResult(interp, Tcl_NewStringObj("after: the callback's time limit was reached", -1));
        Tcl_SetErrorCode(interp, "TCL", "LIMIT", "TIME", nullptr);
        return TCL_ERROR;
      }
      step = std::min(step, left);
    }
    Tcl_Sleep(static_cast<int>(std::max<Tcl_WideInt>(step, 1)));
    Tcl_GetTime(&now);
  }
  return TCL_OK;
}

int usage(Tcl_Interp* interp, const char* msg) {
  Tcl_SetObjResult(interp, Tcl_NewStringObj(msg, -1));
  return TCL_ERROR;
}

int afterCmd(ClientData cd, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  auto* t = static_cast<AfterTable*>(cd);
  if (objc < 2) {
    Tcl_WrongNumArgs(interp, 1, objv, "option ?arg ...?");
    return TCL_ERROR;
  }
  Tcl_WideInt ms = 0;
  bool isTime = Tcl_GetWideIntFromObj(nullptr, objv[1], &ms) == TCL_OK;
  std::string sub = Tcl_GetString(objv[1]);
  if (isTime && objc == 2) return sleepFor(interp, ms);
  if (isTime || sub == "idle") {
    if (objc < 3) return usage(interp, "wrong # args: should be \"after idle script ?script ...?\"");
    auto p = std::make_unique<Pending>();
    p->table = t;
    p->id = "after#" + std::to_string(t->next++);
    p->script = objc == 3 ? objv[2] : Tcl_ConcatObj(objc - 2, objv + 2);
    Tcl_IncrRefCount(p->script);
    if (isTime) {
      if (ms < 0) ms = 0;
      if (ms > INT32_MAX) ms = INT32_MAX;
      p->token = Tcl_CreateTimerHandler(static_cast<int>(ms), Pending::fired, p.get());
    } else {
      p->idle = true;
      Tcl_DoWhenIdle(Pending::fired, p.get());
    }
    Tcl_SetObjResult(interp, Tcl_NewStringObj(p->id.c_str(), -1));
    t->pending[p->id] = std::move(p);
    return TCL_OK;
  }
  if (sub == "cancel") {
    if (objc < 3) return usage(interp, "wrong # args: should be \"after cancel id|command\"");
    Tcl_Obj* key = objc == 3 ? objv[2] : Tcl_ConcatObj(objc - 2, objv + 2);
    Tcl_IncrRefCount(key);
    std::string k = Tcl_GetString(key);
    Tcl_DecrRefCount(key);
    auto it = t->pending.find(k);
    if (it == t->pending.end())
      for (it = t->pending.begin(); it != t->pending.end(); ++it)
        if (k == Tcl_GetString(it->second->script)) break;
    if (it != t->pending.end()) t->pending.erase(it);
    return TCL_OK;
  }
  if (sub == "info") {
    if (objc > 3) return usage(interp, "wrong # args: should be \"after info ?id?\"");
    if (objc == 2) {
      Tcl_Obj* l = Tcl_NewListObj(0, nullptr);
      for (auto it = t->pending.rbegin(); it != t->pending.rend(); ++it)
        Tcl_ListObjAppendElement(nullptr, l, Tcl_NewStringObj(it->first.c_str(), -1));
      Tcl_SetObjResult(interp, l);
      return TCL_OK;
    }
    auto it = t->pending.find(Tcl_GetString(objv[2]));
    if (it == t->pending.end()) {
      Tcl_SetObjResult(interp, Tcl_ObjPrintf("event \"%s\" doesn't exist", Tcl_GetString(objv[2])));
      Tcl_SetErrorCode(interp, "TCL", "LOOKUP", "EVENT", Tcl_GetString(objv[2]), nullptr);
      return TCL_ERROR;
    }
    Tcl_Obj* l = Tcl_NewListObj(0, nullptr);
    Tcl_ListObjAppendElement(nullptr, l, it->second->script);
    Tcl_ListObjAppendElement(nullptr, l, Tcl_NewStringObj(it->second->idle ? "idle" : "timer", -1));
    Tcl_SetObjResult(interp, l);
    return TCL_OK;
  }
  Tcl_SetObjResult(interp, Tcl_ObjPrintf("bad argument \"%s\": must be cancel, idle, info, or an integer", sub.c_str()));
  Tcl_SetErrorCode(interp, "TCL", "LOOKUP", "INDEX", "argument", sub.c_str(), nullptr);
  return TCL_ERROR;
}

void deleted(ClientData cd) { delete static_cast<AfterTable*>(cd); }

}  // namespace

void registerAfterCommand(Tcl_Interp* interp, Api& api) {
  tcl::createCommand(interp, "::after", afterCmd, new AfterTable{&api, {}, 0}, deleted);
}

}  // namespace fail::shell
