// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The Tcl side of failsh and of `package require failover`: the original commands
// (failhost, failsvc, failtrap) and the ::fail ensembles (state, every, after, cancel,
// on, exec, log), bound to an Engine. Every script the engine or a timer calls back runs
// through the Guard (time limit, contained errors). Runs on the Tcl thread; everything
// that touches the engine crosses the Bridge (in failsh the same thread, in a stock
// tclsh a worker thread).
#pragma once

#include <tcl.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "shell/bridge.hh"
#include "shell/dns_options.hh"
#include "shell/engine.hh"
#include "shell/guard.hh"
#include "tcl/obj.hh"

namespace fail::shell {

class DnsHost;

class Api : public ProcRunner {
 public:
  Api(Tcl_Interp* policy, std::chrono::milliseconds limit, Bridge& bridge);
  ~Api() override;
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  // --safe (call before attach): no fail::exec or fail::ip; the policy may reach only
  // `hosts` (named by the administrator) and cannot change their settings.
  void restrictTo(std::set<std::string> hosts) {
    safe_ = true;
    allowedHosts_ = std::move(hosts);
  }
  bool safe() const { return safe_; }
  // True when a policy may use `host`; else false with an error in interp.
  bool hostAllowed(Tcl_Interp* interp, const std::string& host, const std::string& what) const;

  // Binds the engine and creates the commands in the policy interpreter; with `listen`,
  // the policy's subscriptions, traps and quorums hear the engine at once. failsh reads
  // a policy against a staging engine without listening, then rebinds it (reload).
  void attach(Engine& engine, bool listen = true);
  // From now on the policy serves `live` and hears it (Engine::adopt took over what it
  // declared). Loop side and Tcl side are one thread (failsh).
  void rebind(Engine& live);
  // The policy is being replaced: none of its callbacks runs any more (fail::every,
  // fail::after, subscriptions, traps, quorums, Tcl's after); a proc asked through run()
  // (a removed service's stop proc) still does. Call before the engine goes.
  void retire();
  // With autoStart (the loadable package), the first command that needs the engine
  // running (anything but failhost) starts it; failsh starts it itself once the policy
  // is loaded.
  void setAutoStart(bool on) { autoStart_ = on; }
  bool autoStart() const { return autoStart_; }  // the loadable package (not failsh)
  void ensureStarted();

  // ProcRunner: runs a start, stop or reclaim script; its result must be a state word.
  void run(const std::string& service, Action which, const std::string& script,
           std::function<void(State, const std::string&)> done) override;

  Guard& guard() { return guard_; }
  Bridge& bridge() { return bridge_; }
  // The engine lives on the loop side: only inside bridge().onLoop / toLoop.
  Engine& engine() { return *engine_; }
  // Sends `line` to `host` and waits (in Tcl's event loop) for the reply.
  bool ask(const std::string& host, const std::string& line, client::Reply& out, std::chrono::milliseconds timeout);
  Tcl_Interp* interp() const { return interp_; }
  // False once the policy is retired or gone: a late callback for it is dropped.
  std::shared_ptr<std::atomic<bool>> aliveFlag() const { return alive_; }

  // Waits in Tcl's event loop (other events keep being served) until `ready` or the
  // timeout; false on timeout.
  static bool waitUntil(const std::function<bool()>& ready, std::chrono::milliseconds timeout);

  // Tcl side of the engine's trap and change callbacks.
  void trap(const std::string& service, State from, State to, const std::string& note);
  void changed(const std::string& name, const std::string& dict, ChangeKind kind);

  struct Timer {  // fail::every, fail::after
    Api* api = nullptr;
    std::string id;
    std::chrono::milliseconds every{0};  // 0: once
    Tcl_Obj* script = nullptr;
    Tcl_TimerToken token = nullptr;
    Timer() = default;
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;
    ~Timer() {
      if (token) Tcl_DeleteTimerHandler(token);
      if (script) Tcl_DecrRefCount(script);
    }
  };
  struct Subscription {
    std::string pattern;
    Tcl_Obj* prefix;
  };
  std::map<std::string, std::unique_ptr<Timer>> timers_;
  std::map<std::string, Subscription> subscriptions_;
  // fail::quorum declarations by name (a second declaration replaces the first); loop
  // side only. Each hears the engine while the policy listens.
  struct QuorumVote;
  std::map<std::string, std::shared_ptr<QuorumVote>> quorums_;
  bool listening() const { return listening_; }
  std::set<std::string> quorumNames();
  std::vector<tcl::ObjRef> traps_;  // failtrap's command prefixes
  // fail::dns: what this policy declared (Tcl side), and the front-end it drives once
  // it is the running policy (failsh sets it when the policy is swapped in; the package
  // at once): then declarations and `member` take effect at once. Null: declarations
  // are only recorded (a policy being read, -t, a reload not yet swapped in).
  DnsDecls dns;
  DnsHost* dnsHost = nullptr;
  std::uint64_t nextId_ = 0;
  // traps_.size() + subscriptions_.size(), read on the loop side to skip needless work.
  std::atomic<int> listeners_{0};
  void countListeners() { listeners_ = static_cast<int>(traps_.size() + subscriptions_.size()); }

 private:
  Tcl_Interp* interp_;
  Guard guard_;
  Bridge& bridge_;
  Engine* engine_ = nullptr;
  bool autoStart_ = false, started_ = false;
  bool safe_ = false;
  std::set<std::string> allowedHosts_;
  bool listening_ = false;
  int trapId_ = 0, subId_ = 0, syncId_ = 0;  // the engine's ids of our hooks
  // False once retired or destroyed: work already queued for the Tcl side is dropped.
  std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);
  void listen();
};

// Command registration, one file each (api_config.cc, api_fail.cc).
void registerConfigCommands(Tcl_Interp* interp, Api& api);
void registerFailCommands(Tcl_Interp* interp, Api& api);
void registerQuorumCommand(Tcl_Interp* interp, Api& api);
void registerIpCommand(Tcl_Interp* interp, Api& api);
void registerDnsCommand(Tcl_Interp* interp, Api& api);  // api_dns.cc
void registerNotifyCommand(Tcl_Interp* interp, Api& api);  // api_notify.cc
// A quorum starts judging (fed the local faild's records), and hears one record (loop side).
void quorumStart(Engine& engine, const std::shared_ptr<Api::QuorumVote>& q);
void quorumFeed(Engine& engine, const std::shared_ptr<Api::QuorumVote>& q, const state::Record& rec, bool deleted);

// An ensemble-like command: runs the subcommand objv[1] names from `table` (structs whose
// first member is the name and which have `fn`, ending with a null name), or a Tcl error
// listing them (fail::dns, fail::notify).
template <class Sub>
int runSubcommand(Api& api, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[], const Sub* table,
                  const char* usage) {
  if (objc < 2) {
    Tcl_WrongNumArgs(interp, 1, objv, usage);
    return TCL_ERROR;
  }
  int idx = 0;
  if (Tcl_GetIndexFromObjStruct(interp, objv[1], table, sizeof(Sub), "subcommand", 0, &idx) != TCL_OK)
    return TCL_ERROR;
  return table[idx].fn(api, interp, objc, objv);
}

// A duration word: "5" (seconds), "500ms", "2s", "1m". False with a message in interp.
bool durationArg(Tcl_Interp* interp, Tcl_Obj* obj, std::chrono::milliseconds& out);

}  // namespace fail::shell
