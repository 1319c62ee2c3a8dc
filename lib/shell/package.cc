// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// `package require failover` in a stock tclsh (failover(n)): the same failhost, failsvc,
// failtrap and ::fail commands as in failsh, with libevent in a worker thread
// (shell/bridge.hh). One engine per interpreter, torn down with it; `fail::dns serve`
// starts the DNS front-end at once (its threads are its own).
#include <tcl.h>

#include <memory>

#include "base/log.hh"
#include "base/version.hh"
#include "shell/api.hh"
#include "shell/bridge.hh"
#include "shell/dns_host.hh"
#include "shell/engine.hh"

namespace fail::shell {
namespace {

struct Package {
  std::unique_ptr<WorkerBridge> bridge;
  std::unique_ptr<Api> api;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<DnsHost> dns;  // fail::dns serve: starts at once (Tcl thread)
};

void deleted(ClientData cd, Tcl_Interp*) {
  auto* p = static_cast<Package*>(cd);
  p->api->dnsHost = nullptr;
  p->dns.reset();  // its threads end; its last records leave the monitor store on the loop
  // The engine's events live on the worker's loop: end them there, then stop the thread.
  p->bridge->onLoop([p] {
    p->engine->stop();
    p->engine.reset();
  });
  p->api.reset();
  p->bridge.reset();
  delete p;
}

}  // namespace
}  // namespace fail::shell

extern "C" int Failover_Init(Tcl_Interp* interp) {
  using namespace fail::shell;
  if (!Tcl_InitStubs(interp, "8.6", 0)) return TCL_ERROR;
  static bool logging = false;
  if (!logging) {
    fail::log::openSink(fail::log::Sink::Stderr, "tclsh");
    logging = true;
  }
  Package* p = nullptr;
  try {  // Tcl calls this: no exception may leave it
    auto pkg = std::make_unique<Package>();
    pkg->bridge = std::make_unique<WorkerBridge>();
    pkg->api = std::make_unique<Api>(interp, std::chrono::milliseconds(10000), *pkg->bridge);
    Api* api = pkg->api.get();
    event_base* base = pkg->bridge->base();
    pkg->engine = pkg->bridge->onLoop([base, api] { return std::make_unique<Engine>(base, EngineOptions{}, *api); });
    pkg->api->attach(*pkg->engine);
    pkg->dns = std::make_unique<DnsHost>(*pkg->bridge, *pkg->engine, EngineOptions{}.localName);
    pkg->api->dnsHost = pkg->dns.get();
    pkg->api->setAutoStart(true);
    p = pkg.release();
  } catch (const std::exception& e) {
    Tcl_SetObjResult(interp, Tcl_ObjPrintf("failover: %s", e.what()));
    Tcl_SetErrorCode(interp, "FAILOVER", "INTERNAL", nullptr);
    return TCL_ERROR;
  }
  Tcl_CallWhenDeleted(interp, deleted, p);
  Tcl_SetVar2(interp, "fail::version", nullptr, fail::kVersion, TCL_GLOBAL_ONLY);
  return Tcl_PkgProvide(interp, "failover", fail::kVersion);
}
