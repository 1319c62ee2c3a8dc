// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The exception firewall: every failover Tcl command is created through tcl::createCommand,
// whose trampoline turns a C++ exception into a Tcl error {FAILOVER INTERNAL}; the worker
// loop of `package require failover` survives a task that throws.
#include <gtest/gtest.h>
#include <tcl.h>

#include <new>
#include <stdexcept>
#include <string>

#include "shell/api.hh"
#include "shell/bridge.hh"
#include "shell/engine.hh"
#include "shell/sandbox.hh"
#include "tcl/command.hh"

namespace fail::shell {
namespace {

int throwRuntime(ClientData, Tcl_Interp*, int, Tcl_Obj* const[]) { throw std::runtime_error("kaput"); }
int throwBadAlloc(ClientData, Tcl_Interp*, int, Tcl_Obj* const[]) { throw std::bad_alloc(); }
int throwInt(ClientData, Tcl_Interp*, int, Tcl_Obj* const[]) { throw 42; }
int answer(ClientData cd, Tcl_Interp* interp, int, Tcl_Obj* const[]) {
  Tcl_SetObjResult(interp, Tcl_NewIntObj(*static_cast<int*>(cd)));
  return TCL_OK;
}
void forget(ClientData cd) { *static_cast<int*>(cd) = -1; }

std::string eval(Tcl_Interp* ip, const char* script) {
  Tcl_Eval(ip, script);
  std::string r = Tcl_GetStringResult(ip);
  Tcl_ResetResult(ip);
  return r;
}

TEST(Firewall, AnExceptionInACommandIsATclErrorWithFailoverInternal) {
  Tcl_Interp* ip = Tcl_CreateInterp();
  tcl::createCommand(ip, "boom", throwRuntime);
  tcl::createCommand(ip, "oom", throwBadAlloc);
  tcl::createCommand(ip, "odd", throwInt);
  auto before = tcl::internalErrors();
  EXPECT_EQ(eval(ip, "list [catch {boom a b} m o] $m [dict get $o -errorcode]"),
            "1 {boom: internal error: kaput} {FAILOVER INTERNAL}");
  EXPECT_EQ(eval(ip, "catch {oom} m o; list $m [dict get $o -errorcode]"),
            "{oom: internal error: out of memory} {FAILOVER INTERNAL}");
  EXPECT_EQ(eval(ip, "catch {odd} m o; list $m [dict get $o -errorcode]"),
            "{odd: internal error: unknown exception} {FAILOVER INTERNAL}");
  EXPECT_EQ(tcl::internalErrors(), before + 3);
  EXPECT_EQ(eval(ip, "expr {6 * 7}"), "42");  // the interpreter (and the process) go on
  Tcl_DeleteInterp(ip);
}

TEST(Firewall, ACommandKeepsItsClientDataAndDeleteProc) {
  Tcl_Interp* ip = Tcl_CreateInterp();
  int value = 7;
  tcl::createCommand(ip, "answer", answer, &value, forget);
  EXPECT_EQ(eval(ip, "answer"), "7");
  Tcl_DeleteInterp(ip);
  EXPECT_EQ(value, -1);
}

// Every command the policy interpreter gets (trusted and --safe) runs through the trampoline.
std::string unguarded(bool safe) {
  Tcl_Interp* master = Tcl_CreateInterp();
  Tcl_Interp* ip = Tcl_CreateSlave(master, "policy", safe ? 1 : 0);
  SameThreadBridge bridge;
  std::string out;
  {
    Api api(ip, std::chrono::milliseconds(200), bridge);
    if (safe) api.restrictTo({});
    Engine engine(bridge.base(), EngineOptions{}, api);
    api.attach(engine);
    hardenPolicy(ip, api, safe);
    std::string names = eval(ip, "lsort [info commands ::fail::*]");
    names += safe ? " ::failsvc ::failhost ::failtrap ::exit ::after ::fileevent" : " ::failsvc ::failhost ::failtrap ::exit";
    Tcl_Obj* list = Tcl_NewStringObj(names.c_str(), -1);
    Tcl_IncrRefCount(list);
    int n = 0;
    Tcl_Obj** words = nullptr;
    Tcl_ListObjGetElements(nullptr, list, &n, &words);
    EXPECT_GE(n, 13) << names;  // safe: no exec and ip, but after and fileevent
    for (int i = 0; i < n; ++i) {
      Tcl_CmdInfo info;
      if (!Tcl_GetCommandInfo(ip, Tcl_GetString(words[i]), &info) || info.objProc != tcl::guardedCommand)
        out += std::string(out.empty() ? "" : " ") + Tcl_GetString(words[i]);
    }
    Tcl_DecrRefCount(list);
  }
  Tcl_DeleteInterp(master);
  return out;
}

TEST(Firewall, EveryPolicyCommandIsCreatedThroughTheTrampoline) {
  EXPECT_EQ(unguarded(false), "");
  EXPECT_EQ(unguarded(true), "");
}

TEST(Firewall, TheWorkerLoopSurvivesATaskThatThrows) {
  WorkerBridge bridge;
  bridge.toLoop([] { throw std::runtime_error("thrown on the loop thread"); });
  bridge.toLoop([] { throw 1; });
  EXPECT_EQ(bridge.onLoop([] { return 7; }), 7);
}

}  // namespace
}  // namespace fail::shell
