// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Tcl's `fileevent` (and `chan event`) in the policy interpreter, with the scripts run
// through the Guard: the time limit of every policy callback, errors logged with
// errorInfo. As in Tcl, a script that fails (or overruns) loses its handler, an empty
// script removes it, and closing the channel removes its handlers.
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "shell/api.hh"
#include "tcl/command.hh"

namespace fail::shell {
namespace {

struct Table;

struct Handler {
  Table* table = nullptr;
  Tcl_Channel chan = nullptr;
  std::string name;
  int mask = 0;
  Tcl_Obj* script = nullptr;
  static void fired(ClientData cd, int mask);
  static void closed(ClientData cd);
};

struct Table {
  Api* api;
  std::map<std::pair<std::string, int>, std::unique_ptr<Handler>> handlers;

  void remove(std::map<std::pair<std::string, int>, std::unique_ptr<Handler>>::iterator it, bool closing) {
    Handler* h = it->second.get();
    Tcl_DeleteChannelHandler(h->chan, Handler::fired, h);
    if (!closing) Tcl_DeleteCloseHandler(h->chan, Handler::closed, h);
    Tcl_DecrRefCount(h->script);
    handlers.erase(it);
  }
  ~Table() {
    while (!handlers.empty()) remove(handlers.begin(), false);
  }
};

void Handler::fired(ClientData cd, int) {
  auto* h = static_cast<Handler*>(cd);
  Table* t = h->table;
  auto key = std::make_pair(h->name, h->mask);
  Tcl_Obj* script = h->script;
  Tcl_IncrRefCount(script);
  int code = t->api->guard().callNow(script, std::string("fileevent ") + (h->mask == TCL_READABLE ? "readable" : "writable") +
                                                 " on " + h->name);
  // `h` may be gone (the script closed the channel or replaced its handler).
  if (code == TCL_ERROR)
    if (auto it = t->handlers.find(key); it != t->handlers.end() && it->second->script == script) t->remove(it, false);
  Tcl_DecrRefCount(script);
}

void Handler::closed(ClientData cd) {
  auto* h = static_cast<Handler*>(cd);
  Table* t = h->table;
  if (auto it = t->handlers.find({h->name, h->mask}); it != t->handlers.end() && it->second.get() == h)
    t->remove(it, true);
}

// fileevent CHANNEL readable|writable ?SCRIPT?
int fileeventCmd(ClientData cd, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  auto* t = static_cast<Table*>(cd);
  if (objc != 3 && objc != 4) {
    Tcl_WrongNumArgs(interp, 1, objv, "channelId event ?script?");
    return TCL_ERROR;
  }
  static const char* const events[] = {"readable", "writable", nullptr};
  int idx = 0;
  if (Tcl_GetIndexFromObj(interp, objv[2], events, "event name", 0, &idx) != TCL_OK) return TCL_ERROR;
  int mask = idx == 0 ? TCL_READABLE : TCL_WRITABLE;
  int mode = 0;
  std::string name = Tcl_GetString(objv[1]);
  Tcl_Channel chan = Tcl_GetChannel(interp, name.c_str(), &mode);
  if (!chan) return TCL_ERROR;
  name = Tcl_GetChannelName(chan);
  if (!(mode & mask)) {
    Tcl_SetObjResult(interp, Tcl_ObjPrintf("channel is not %s", mask == TCL_READABLE ? "readable" : "writable"));
    return TCL_ERROR;
  }
  auto key = std::make_pair(name, mask);
  auto it = t->handlers.find(key);
  if (objc == 3) {
    if (it != t->handlers.end()) Tcl_SetObjResult(interp, it->second->script);
    return TCL_OK;
  }
  int len = 0;
  Tcl_GetStringFromObj(objv[3], &len);
  if (it != t->handlers.end()) t->remove(it, false);
  if (len == 0) return TCL_OK;
  auto h = std::make_unique<Handler>();
  h->table = t;
  h->chan = chan;
  h->name = name;
  h->mask = mask;
  h->script = objv[3];
  Tcl_IncrRefCount(h->script);
  Tcl_CreateChannelHandler(chan, mask, Handler::fired, h.get());
  Tcl_CreateCloseHandler(chan, Handler::closed, h.get());
  t->handlers[key] = std::move(h);
  return TCL_OK;
}

void deleted(ClientData cd) { delete static_cast<Table*>(cd); }

}  // namespace

void registerFileeventCommand(Tcl_Interp* interp, Api& api) {
  tcl::createCommand(interp, "::fileevent", fileeventCmd, new Table{&api, {}}, deleted);
  // `chan event` is the same command.
  Tcl_Obj* name = Tcl_NewStringObj("::chan", -1);
  Tcl_IncrRefCount(name);
  Tcl_Obj* map = nullptr;
  if (Tcl_Command chan = Tcl_GetCommandFromObj(interp, name);
      chan && Tcl_GetEnsembleMappingDict(nullptr, chan, &map) == TCL_OK && map) {
    map = Tcl_DuplicateObj(map);
    Tcl_DictObjPut(nullptr, map, Tcl_NewStringObj("event", -1), Tcl_NewStringObj("::fileevent", -1));
    Tcl_SetEnsembleMappingDict(interp, chan, map);
  }
  Tcl_DecrRefCount(name);
}

}  // namespace fail::shell
