// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "shell/sandbox.hh"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "base/log.hh"
#include "shell/api.hh"
#include "tcl/command.hh"

namespace fail::shell {

void registerAfterCommand(Tcl_Interp* interp, Api& api);      // api_after.cc
void registerFileeventCommand(Tcl_Interp* interp, Api& api);  // api_fileevent.cc

namespace {

log::Facility& fac() {
  static log::Facility& f = log::facility("policy");
  return f;
}

int refuse(Tcl_Interp* interp, const std::string& msg, const char* code) {
  Tcl_SetObjResult(interp, Tcl_NewStringObj(msg.c_str(), -1));
  Tcl_SetErrorCode(interp, "FAILOVER", "SAFE", code, nullptr);
  return TCL_ERROR;
}

constexpr const char* kExitKey = "failover::exit";

// exit ?CODE?: while a trusted policy file is read at start (a script run as a program,
// as `tclsh FILE` would), it ends failsh with CODE and a log line; in a callback, on a
// reload or in a --safe policy it is an error, so no callback ends the daemon by accident.
int exitCmd(ClientData, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  if (objc > 2) {
    Tcl_WrongNumArgs(interp, 1, objv, "?returnCode?");
    return TCL_ERROR;
  }
  int code = 0;
  if (objc == 2 && Tcl_GetIntFromObj(interp, objv[1], &code) != TCL_OK) return TCL_ERROR;
  if (!Tcl_GetAssocData(interp, kExitKey, nullptr))
    return refuse(interp, "exit: a policy callback cannot end failsh; stop it with SIGTERM (see failsh(8))", "EXIT");
  FAIL_LOG(fac(), Notice) << "+exit the policy called exit " << code << " while it was read: failsh ends";
  Tcl_Exit(code);
  return TCL_OK;
}

// The commands that compile a regular expression, and how to find their patterns.
enum class Re { Regexp, Regsub, Lsearch, Switch, Array };

struct Bounds {
  Tcl_Command regexp, regsub, lsearch, switchCmd, array;
  const Tcl_ObjType* listType;
};

bool isOption(Tcl_Obj* o, const char* name) { return std::strcmp(Tcl_GetString(o), name) == 0; }

// True when `pattern` stays within the group and nesting bounds; else an error in interp.
bool patternOk(Tcl_Interp* interp, Tcl_Obj* pattern) {
  int len = 0;
  const char* p = Tcl_GetStringFromObj(pattern, &len);
  int groups = 0, depth = 0, deepest = 0;
  for (int i = 0; i < len; ++i) {
    if (p[i] == '\\') {
      ++i;
    } else if (p[i] == '(') {
      ++groups;
      deepest = std::max(deepest, ++depth);
    } else if (p[i] == ')' && depth > 0) {
      --depth;
    }
  }
  if (groups <= kMaxRegexpGroups && deepest <= kMaxRegexpNesting) return true;
  refuse(interp, "regular expression refused in a --safe policy: " + std::to_string(groups) + " groups, nested " +
                     std::to_string(deepest) + " deep (at most " + std::to_string(kMaxRegexpGroups) + " and " +
                     std::to_string(kMaxRegexpNesting) + ")",
         "REGEXP");
  return false;
}

// The patterns of a regexp, regsub, lsearch -regexp, switch -regexp or array names -regexp.
bool patternsOk(Tcl_Interp* interp, Re kind, int objc, Tcl_Obj* const objv[]) {
  switch (kind) {
    case Re::Regexp:
    case Re::Regsub: {
      int i = 1;
      while (i < objc && Tcl_GetString(objv[i])[0] == '-') {
        if (isOption(objv[i], "--")) {
          ++i;
          break;
        }
        i += isOption(objv[i], "-start") ? 2 : 1;
      }
      return i >= objc || patternOk(interp, objv[i]);
    }
    case Re::Lsearch:
    case Re::Array: {
      bool re = false;
      for (int i = 1; i < objc - 1; ++i) re = re || isOption(objv[i], "-regexp");
      return !re || patternOk(interp, objv[objc - 1]);
    }
    case Re::Switch: {
      int i = 1;
      bool re = false;
      while (i < objc && Tcl_GetString(objv[i])[0] == '-') {
        if (isOption(objv[i], "--")) {
          ++i;
          break;
        }
        re = re || isOption(objv[i], "-regexp");
        i += isOption(objv[i], "-matchvar") || isOption(objv[i], "-indexvar") ? 2 : 1;
      }
      if (!re || ++i >= objc) return true;  // skip the string
      Tcl_Obj* const* arms = objv + i;
      int n = objc - i;
      if (n == 1 && Tcl_ListObjGetElements(nullptr, objv[i], &n, const_cast<Tcl_Obj***>(&arms)) != TCL_OK) return true;
      for (int k = 0; k < n; k += 2)
        if (!patternOk(interp, arms[k])) return false;
      return true;
    }
  }
  return true;
}

// Runs before every command of a --safe policy (inline compilation is off, so `append`,
// `set` and `regexp` come here too).
int trace(ClientData cd, Tcl_Interp* interp, int, const char*, Tcl_Command cmd, int objc, Tcl_Obj* const objv[]) {
  auto* b = static_cast<Bounds*>(cd);
  for (int i = 1; i < objc; ++i) {
    Tcl_Obj* o = objv[i];
    if (o->bytes && static_cast<std::size_t>(o->length) > kMaxValueBytes)
      return refuse(interp, std::string(Tcl_GetString(objv[0])) + ": a value of " + std::to_string(o->length) +
                                " bytes is refused in a --safe policy (at most " + std::to_string(kMaxValueBytes) + ")",
                    "SIZE");
    int n = 0;
    if (o->typePtr == b->listType && Tcl_ListObjLength(nullptr, o, &n) == TCL_OK && n > kMaxListElements)
      return refuse(interp, std::string(Tcl_GetString(objv[0])) + ": a list of " + std::to_string(n) +
                                " elements is refused in a --safe policy (at most " + std::to_string(kMaxListElements) + ")",
                    "SIZE");
  }
  if (cmd == b->regexp) return patternsOk(interp, Re::Regexp, objc, objv) ? TCL_OK : TCL_ERROR;
  if (cmd == b->regsub) return patternsOk(interp, Re::Regsub, objc, objv) ? TCL_OK : TCL_ERROR;
  if (cmd == b->lsearch) return patternsOk(interp, Re::Lsearch, objc, objv) ? TCL_OK : TCL_ERROR;
  if (cmd == b->switchCmd) return patternsOk(interp, Re::Switch, objc, objv) ? TCL_OK : TCL_ERROR;
  if (cmd == b->array && objc >= 4 && isOption(objv[1], "names"))
    return patternsOk(interp, Re::Array, objc, objv) ? TCL_OK : TCL_ERROR;
  return TCL_OK;
}

void traceDeleted(ClientData cd) { delete static_cast<Bounds*>(cd); }

Tcl_Command command(Tcl_Interp* interp, const char* name) {
  Tcl_Obj* o = Tcl_NewStringObj(name, -1);
  Tcl_IncrRefCount(o);
  Tcl_Command c = Tcl_GetCommandFromObj(interp, o);
  Tcl_DecrRefCount(o);
  return c;
}

void panicked(const char* format, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, format);
  std::vsnprintf(buf, sizeof buf, format, ap);
  va_end(ap);
  log::write(fac(), log::Level::Err, std::string("Tcl panic (out of memory, or a value past Tcl's 2 GiB): ") + buf);
  std::abort();
}

}  // namespace

void allowExit(Tcl_Interp* policy, bool allowed) {
  if (allowed)
    Tcl_SetAssocData(policy, kExitKey, nullptr, reinterpret_cast<ClientData>(1));
  else
    Tcl_DeleteAssocData(policy, kExitKey);
}

void hardenPolicy(Tcl_Interp* policy, Api& api, bool safe) {
  tcl::createCommand(policy, "::exit", exitCmd, nullptr, nullptr);
  // A trusted policy keeps Tcl's own after and fileevent (errors go to bgerror, scripts
  // run as given, as Tcl's own test suite checks); a safe one runs them under the Guard.
  if (!safe) return;
  registerAfterCommand(policy, api);
  registerFileeventCommand(policy, api);
  for (const char* name : {"::interp", "::tcl::chan::pipe", "::tcl::chan::create"})
    if (Tcl_Command c = command(policy, name)) Tcl_DeleteCommandFromToken(policy, c);
  Tcl_Obj* map = nullptr;
  if (Tcl_Command chan = command(policy, "::chan"); chan && Tcl_GetEnsembleMappingDict(nullptr, chan, &map) == TCL_OK && map) {
    map = Tcl_DuplicateObj(map);
    for (const char* sub : {"pipe", "create"}) Tcl_DictObjRemove(nullptr, map, Tcl_NewStringObj(sub, -1));
    Tcl_SetEnsembleMappingDict(policy, chan, map);
  }
  auto* b = new Bounds{command(policy, "::regexp"), command(policy, "::regsub"), command(policy, "::lsearch"),
                       command(policy, "::switch"), command(policy, "::array"), Tcl_GetObjType("list")};
  Tcl_CreateObjTrace(policy, 0, 0, trace, b, traceDeleted);
}

void logTclPanics() { Tcl_SetPanicProc(panicked); }

}  // namespace fail::shell
