// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The ::fail ensembles: state, every, after, cancel, on, exec, log (failover(n)).
#include <cstring>
#include <memory>
#include <optional>

#include "base/log.hh"
#include "base/spawn.hh"
#include "base/text.hh"
#include "base/time.hh"
#include "proto/list.hh"
#include "shell/api.hh"
#include "tcl/command.hh"

namespace fail::shell {

namespace {

using namespace std::chrono_literals;

int error(Tcl_Interp* interp, const std::string& msg, const char* code) {
  Tcl_SetObjResult(interp, Tcl_NewStringObj(msg.c_str(), -1));
  Tcl_SetErrorCode(interp, "FAILOVER", code, nullptr);
  return TCL_ERROR;
}

// Takes -host H (default localhost) off the front of objv.
std::string hostOption(int& i, int objc, Tcl_Obj* const objv[]) {
  if (i + 1 < objc && std::strcmp(Tcl_GetString(objv[i]), "-host") == 0) {
    std::string h = Tcl_GetString(objv[i + 1]);
    i += 2;
    return h;
  }
  return "localhost";
}

// Sends one request and waits for the reply in the event loop.
bool ask(Api& api, Tcl_Interp* interp, const std::string& host, const std::string& line, client::Reply& out) {
  api.ensureStarted();
  if (!api.ask(host, line, out, 5s)) {
    error(interp, host + ": no answer", "DOWN");
    return false;
  }
  if (!out.ok) {
    error(interp, host + ": " + out.code + " " + out.message, out.code.c_str());
    return false;
  }
  return true;
}

// fail::state get|set|list|watch
int stateCmd(ClientData cd, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  auto& api = *static_cast<Api*>(cd);
  static const char* const subs[] = {"get", "set", "list", "watch", nullptr};
  int idx = 0;
  if (objc < 2) {
    Tcl_WrongNumArgs(interp, 1, objv, "get|set|list|watch ?-host HOST? ...");
    return TCL_ERROR;
  }
  if (Tcl_GetIndexFromObj(interp, objv[1], subs, "subcommand", 0, &idx) != TCL_OK) return TCL_ERROR;
  int i = 2;
  std::string host = hostOption(i, objc, objv);
  if (!api.hostAllowed(interp, host, "fail::state")) return TCL_ERROR;
  client::Reply r;
  switch (idx) {
    case 0: {  // get NAME
      if (objc - i != 1) {
        Tcl_WrongNumArgs(interp, 2, objv, "?-host HOST? name");
        return TCL_ERROR;
      }
      std::string line = "GET";
      proto::appendElement(line, Tcl_GetString(objv[i]));
      if (!ask(api, interp, host, line, r)) return TCL_ERROR;
      Tcl_SetObjResult(interp, Tcl_NewStringObj(r.words.empty() ? "" : r.words[0].c_str(), -1));
      return TCL_OK;
    }
    case 1: {  // set NAME STATE ?-note N? ?-ttl T? ?KEY=VALUE ...?
      if (objc - i < 2) {
        Tcl_WrongNumArgs(interp, 2, objv, "?-host HOST? name state ?-note TEXT? ?-ttl T? ?key=value ...?");
        return TCL_ERROR;
      }
      std::string line = "SET";
      proto::appendElement(line, Tcl_GetString(objv[i]));
      proto::appendElement(line, Tcl_GetString(objv[i + 1]));
      for (int j = i + 2; j < objc; ++j) {
        std::string w = Tcl_GetString(objv[j]);
        if ((w == "-note" || w == "-ttl") && j + 1 < objc) {
          proto::appendElement(line, w.substr(1) + "=" + Tcl_GetString(objv[++j]));
        } else if (w.find('=') != std::string::npos && w[0] != '-') {
          proto::appendElement(line, w);
        } else {
          return error(interp, "fail::state set: unknown argument \"" + w + "\"", "ARGS");
        }
      }
      if (!ask(api, interp, host, line, r)) return TCL_ERROR;
      Tcl_SetObjResult(interp, Tcl_NewStringObj(r.words.empty() ? "" : r.words[0].c_str(), -1));
      return TCL_OK;
    }
    case 2: {  // list ?PATTERN?
      if (objc - i > 1) {
        Tcl_WrongNumArgs(interp, 2, objv, "?-host HOST? ?pattern?");
        return TCL_ERROR;
      }
      std::string line = "LIST";
      if (objc - i == 1) proto::appendElement(line, Tcl_GetString(objv[i]));
      if (!ask(api, interp, host, line, r)) return TCL_ERROR;
      Tcl_Obj* l = Tcl_NewListObj(0, nullptr);
      for (size_t k = 1; k < r.words.size(); ++k)
        Tcl_ListObjAppendElement(nullptr, l, Tcl_NewStringObj(r.words[k].c_str(), -1));
      Tcl_SetObjResult(interp, l);
      return TCL_OK;
    }
    case 3: {  // watch PATTERN CMDPREFIX: the local faild's changes (as fail::on change)
      if (host != "localhost" || objc - i != 2)
        return error(interp, "usage: fail::state watch pattern cmdprefix (local faild only)", "ARGS");
      api.ensureStarted();
      std::string id = "watch" + std::to_string(++api.nextId_);
      Tcl_IncrRefCount(objv[i + 1]);
      api.subscriptions_[id] = {Tcl_GetString(objv[i]), objv[i + 1]};
      api.countListeners();
      Tcl_SetObjResult(interp, Tcl_NewStringObj(id.c_str(), -1));
      return TCL_OK;
    }
  }
  return TCL_ERROR;
}

void timerFired(ClientData cd) {
  auto* t = static_cast<Api::Timer*>(cd);
  t->token = nullptr;
  Api* api = t->api;
  std::string id = t->id;
  Tcl_Obj* script = t->script;
  Tcl_IncrRefCount(script);
  if (t->every.count())
    t->token = Tcl_CreateTimerHandler(static_cast<int>(t->every.count()), timerFired, t);
  else
    api->timers_.erase(id);  // frees t
  api->guard().call(script, "timer " + id);
  Tcl_DecrRefCount(script);
}

// fail::every T SCRIPT, fail::after T SCRIPT: returns an id for fail::cancel.
int timerCmd(ClientData cd, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[], bool repeat) {
  auto& api = *static_cast<Api*>(cd);
  if (objc != 3) {
    Tcl_WrongNumArgs(interp, 1, objv, "interval script");
    return TCL_ERROR;
  }
  std::chrono::milliseconds d{};
  if (!durationArg(interp, objv[1], d)) return TCL_ERROR;
  if (repeat && d.count() < 10) return error(interp, "fail::every: at least 10ms", "ARGS");
  auto t = std::make_unique<Api::Timer>();
  t->api = &api;
  t->id = (repeat ? "every" : "after") + std::to_string(++api.nextId_);
  t->every = repeat ? d : 0ms;
  t->script = objv[2];
  Tcl_IncrRefCount(t->script);
  t->token = Tcl_CreateTimerHandler(static_cast<int>(d.count()), timerFired, t.get());
  std::string id = t->id;
  api.timers_[id] = std::move(t);
  Tcl_SetObjResult(interp, Tcl_NewStringObj(id.c_str(), -1));
  return TCL_OK;
}
int everyCmd(ClientData cd, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  return timerCmd(cd, interp, objc, objv, true);
}
int afterCmd(ClientData cd, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  return timerCmd(cd, interp, objc, objv, false);
}

int cancelCmd(ClientData cd, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  auto& api = *static_cast<Api*>(cd);
  if (objc != 2) {
    Tcl_WrongNumArgs(interp, 1, objv, "id");
    return TCL_ERROR;
  }
  std::string id = Tcl_GetString(objv[1]);
  bool found = api.timers_.erase(id) > 0;
  if (auto it = api.subscriptions_.find(id); it != api.subscriptions_.end()) {
    Tcl_DecrRefCount(it->second.prefix);
    api.subscriptions_.erase(it);
    api.countListeners();
    found = true;
  }
  Tcl_SetObjResult(interp, Tcl_NewBooleanObj(found));
  return TCL_OK;
}

// fail::on change PATTERN CMDPREFIX: CMDPREFIX change|delete RECORD-DICT.
int onCmd(ClientData cd, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  auto& api = *static_cast<Api*>(cd);
  api.ensureStarted();
  if (objc != 4 || std::strcmp(Tcl_GetString(objv[1]), "change") != 0) {
    Tcl_WrongNumArgs(interp, 1, objv, "change pattern cmdprefix");
    return TCL_ERROR;
  }
  std::string id = "on" + std::to_string(++api.nextId_);
  Tcl_IncrRefCount(objv[3]);
  api.subscriptions_[id] = {Tcl_GetString(objv[2]), objv[3]};
  api.countListeners();
  Tcl_SetObjResult(interp, Tcl_NewStringObj(id.c_str(), -1));
  return TCL_OK;
}

// fail::log LEVEL MESSAGE
int logCmd(ClientData, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  if (objc != 3) {
    Tcl_WrongNumArgs(interp, 1, objv, "level message");
    return TCL_ERROR;
  }
  log::Level level;
  if (!log::parseLevel(Tcl_GetString(objv[1]), level))
    return error(interp, std::string("bad level \"") + Tcl_GetString(objv[1]) + "\": want err, warning, notice, info or debug", "ARGS");
  log::write(log::facility("policy"), level, Tcl_GetString(objv[2]));
  return TCL_OK;
}

// One fail::exec child, shared by the Tcl side (which waits for `result`) and the loop
// side (which owns `child`: created, and destroyed, only there).
struct ExecRun {
  std::unique_ptr<spawn::Child> child;  // loop side
  std::optional<spawn::Result> result;  // Tcl side
  pid_t pid = -1;                       // Tcl side, with the result
};

// Runs `opts` on the loop side (spawn::Child) and waits for the result in Tcl's event
// loop; nullopt if it never came (then the child is killed).
std::optional<spawn::Result> runChild(Api& api, spawn::Options opts, std::chrono::milliseconds bound, pid_t& pid) {
  auto run = std::make_shared<ExecRun>();
  Bridge& bridge = api.bridge();
  bridge.toLoop([&bridge, run, opts = std::move(opts)]() mutable {
    run->child = std::make_unique<spawn::Child>(bridge.base(), std::move(opts), [&bridge, run](spawn::Result r) {
      pid_t pid = run->child->pid();
      run->child.reset();
      bridge.toTcl([run, pid, r = std::move(r)] {
        run->pid = pid;
        run->result = std::move(r);
      });
    });
  });
  if (!Api::waitUntil([&] { return run->result.has_value(); }, bound)) {
    bridge.toLoop([run] { run->child.reset(); });  // kills its process group
    return std::nullopt;
  }
  pid = run->pid;
  return run->result;
}

// fail::exec ?-timeout T? PROGRAM ?ARG ...?: stdout and stderr; errors on a non-zero
// exit or the timeout (the whole process group killed). Waits in the event loop.
int execCmd(ClientData cd, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  auto& api = *static_cast<Api*>(cd);
  int i = 1;
  std::chrono::milliseconds timeout = 10s;
  if (i + 1 < objc && std::strcmp(Tcl_GetString(objv[i]), "-timeout") == 0) {
    if (!durationArg(interp, objv[i + 1], timeout)) return TCL_ERROR;
    i += 2;
  }
  if (i >= objc) {
    Tcl_WrongNumArgs(interp, 1, objv, "?-timeout T? program ?arg ...?");
    return TCL_ERROR;
  }
  spawn::Options opts;
  for (int j = i; j < objc; ++j) opts.argv.emplace_back(Tcl_GetString(objv[j]));
  opts.timeout = timeout;
  opts.maxOutput = 1u << 20;  // kept; the rest is read and dropped
  opts.overflow = spawn::Options::Overflow::Drop;
  opts.mergeStderr = true;
  const std::string program = opts.argv[0];
  pid_t pid = -1;
  std::optional<spawn::Result> r = runChild(api, std::move(opts), timeout + 5s, pid);
  if (!r || r->end == spawn::Result::End::TimedOut)
    return error(interp, program + ": timed out after " + formatDurationMs(timeout.count()) + " (killed)", "TIMEOUT");
  if (r->end == spawn::Result::End::SpawnFailed)
    return error(interp, "fail::exec: cannot run " + program + ": " + std::strerror(r->code), "EXEC");
  std::string& out = r->out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  if (r->ok()) {
    Tcl_SetObjResult(interp, Tcl_NewStringObj(out.c_str(), static_cast<int>(out.size())));
    return TCL_OK;
  }
  bool exited = r->end == spawn::Result::End::Exited;
  std::string why = exited ? "exit " + std::to_string(r->code) : "killed by signal " + std::to_string(r->code);
  Tcl_SetObjResult(interp, Tcl_NewStringObj((program + ": " + why + (out.empty() ? "" : ": " + out)).c_str(), -1));
  Tcl_SetErrorCode(interp, "CHILDSTATUS", std::to_string(pid).c_str(),
                   std::to_string(exited ? r->code : 128 + r->code).c_str(), nullptr);
  return TCL_ERROR;
}

}  // namespace

void registerFailCommands(Tcl_Interp* interp, Api& api) {
  Tcl_Namespace* ns = Tcl_CreateNamespace(interp, "::fail", nullptr, nullptr);
  tcl::createCommand(interp, "::fail::state", stateCmd, &api, nullptr);
  tcl::createCommand(interp, "::fail::every", everyCmd, &api, nullptr);
  tcl::createCommand(interp, "::fail::after", afterCmd, &api, nullptr);
  tcl::createCommand(interp, "::fail::cancel", cancelCmd, &api, nullptr);
  tcl::createCommand(interp, "::fail::on", onCmd, &api, nullptr);
  tcl::createCommand(interp, "::fail::log", logCmd, &api, nullptr);
  registerQuorumCommand(interp, api);
  registerDnsCommand(interp, api);
  if (!api.safe()) {  // a --safe policy runs no program and changes no interface
    tcl::createCommand(interp, "::fail::exec", execCmd, &api, nullptr);
    registerIpCommand(interp, api);
  }
  Tcl_Export(interp, ns, "*", 0);
  Tcl_CreateEnsemble(interp, "::fail", ns, 0);
}

}  // namespace fail::shell
