// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failhost, failsvc and failtrap: the original suite's commands (failsh(8), failover(n)).
#include <cctype>
#include <fstream>
#include <optional>

#include "base/log.hh"
#include "base/text.hh"
#include "base/time.hh"

#include "shell/api.hh"
#include "shell/config_options.hh"
#include "tcl/command.hh"
#include "tcl/obj.hh"

namespace fail::shell {
namespace {

int error(Tcl_Interp* interp, const std::string& msg, const char* code) {
  Tcl_SetObjResult(interp, Tcl_NewStringObj(msg.c_str(), -1));
  Tcl_SetErrorCode(interp, "FAILOVER", code, nullptr);
  return TCL_ERROR;
}

bool listArg(Tcl_Interp* interp, Tcl_Obj* obj, std::vector<std::string>& out) {
  int n = 0;
  Tcl_Obj** items = nullptr;
  if (Tcl_ListObjGetElements(interp, obj, &n, &items) != TCL_OK) return false;
  out.clear();
  for (int i = 0; i < n; ++i) out.emplace_back(Tcl_GetString(items[i]));
  return true;
}

Tcl_Obj* listObj(const std::vector<std::string>& v) {
  Tcl_Obj* l = Tcl_NewListObj(0, nullptr);
  for (const auto& s : v) Tcl_ListObjAppendElement(nullptr, l, Tcl_NewStringObj(s.c_str(), -1));
  return l;
}

void put(Tcl_Obj* dict, const char* key, Tcl_Obj* value) {
  Tcl_DictObjPut(nullptr, dict, Tcl_NewStringObj(key, -1), value);
}
void put(Tcl_Obj* dict, const char* key, const std::string& value) {
  put(dict, key, Tcl_NewStringObj(value.c_str(), -1));
}

bool validHostName(const std::string& h) {
  if (h.empty() || h.size() > 200) return false;
  for (char c : h)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')) return false;
  return true;
}

// One option of failhost NAME: sets it in `h`. TCL_ERROR with the message in interp.
int hostOption(Tcl_Interp* interp, const std::string& name, const HostOption& opt, Tcl_Obj* value, HostSpec& h) {
  std::string v = Tcl_GetString(value);
  switch (opt.kind) {
    case HostOptionKind::Port: {
      int port = 0;
      if (Tcl_GetIntFromObj(interp, value, &port) != TCL_OK || port < 1 || port > 65535)
        return error(interp, "failhost " + name + " port: want 1 to 65535, got \"" + v + "\"", "ARGS");
      h.port = std::to_string(port);
      return TCL_OK;
    }
    case HostOptionKind::Address: h.address = v; return TCL_OK;
    case HostOptionKind::Secret: h.secret = v; return TCL_OK;
    case HostOptionKind::SecretFile: {
      std::ifstream in(v);
      std::string line;
      if (!in || !std::getline(in, line))
        return error(interp, "failhost " + name + " secret-file: cannot read \"" + v + "\"", "FILE");
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      log::redact(line);
      h.secret = line;
      return TCL_OK;
    }
    case HostOptionKind::Tls: {
      int on = 0;
      if (Tcl_GetBooleanFromObj(interp, value, &on) != TCL_OK) return TCL_ERROR;
      h.tls.enabled = on != 0;
      return TCL_OK;
    }
    case HostOptionKind::TlsFile:
      h.tls.*opt.tlsFile = v;
      h.tls.enabled = true;
      return TCL_OK;
    case HostOptionKind::Protocol:
      if (v != "tcp") return error(interp, "failhost " + name + " protocol: only tcp is spoken (the original's udp RPC is gone)", "ARGS");
      return TCL_OK;
  }
  return TCL_OK;
}

// failhost NAME ?OPTION VALUE ...? (kHostOptions)
int failhostCmd(ClientData cd, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  auto& api = *static_cast<Api*>(cd);
  if (objc < 2 || objc % 2 != 0) {
    Tcl_WrongNumArgs(interp, 1, objv, hostUsage().c_str());
    return TCL_ERROR;
  }
  // A secret never reaches the log, even in the errorInfo of this very command.
  for (int i = 2; i + 1 < objc; i += 2)
    if (std::string_view(Tcl_GetString(objv[i])) == "secret") log::redact(Tcl_GetString(objv[i + 1]));
  std::string name = Tcl_GetString(objv[1]);
  if (!validHostName(name)) return error(interp, "bad host name \"" + name + "\"", "BADNAME");
  if (!api.hostAllowed(interp, name, "failhost")) return TCL_ERROR;
  if (api.safe() && objc > 2)
    return error(interp, "failhost " + name + ": a --safe policy cannot change a host; the administrator sets it "
                 "(failsh --allow-host, --hosts)", "SAFE");
  Engine& engine = api.engine();  // touched on the loop side only
  HostSpec h = api.bridge().onLoop([&] { return engine.hostSpec(name); });
  for (int i = 2; i < objc; i += 2) {
    int idx = 0;
    if (Tcl_GetIndexFromObjStruct(interp, objv[i], kHostOptions, sizeof(HostOption), "subcommand", 0, &idx) != TCL_OK ||
        hostOption(interp, name, kHostOptions[idx], objv[i + 1], h) != TCL_OK)
      return TCL_ERROR;
  }
  bool reachable = api.bridge().onLoop([&] {
    if (objc > 2) {
      engine.hostSpec(name) = h;
      engine.hostChanged(name);
    }
    return engine.hostReachable(name);
  });
  Tcl_Obj* d = Tcl_NewDictObj();
  put(d, "port", h.port);
  put(d, "address", h.address.empty() ? name : h.address);
  put(d, "tls", h.tls.enabled ? "on" : "off");
  put(d, "reachable", reachable ? "1" : "0");
  Tcl_SetObjResult(interp, d);
  return TCL_OK;
}

// One option of failsvc NAME: sets it in `s`. TCL_ERROR with the message in interp.
int serviceOption(Api& api, Tcl_Interp* interp, const ServiceOption& opt, Tcl_Obj* value, ServiceSpec& s) {
  switch (opt.kind) {
    case ServiceOptionKind::Interval:
    case ServiceOptionKind::Duration: {
      std::chrono::milliseconds d{};
      if (!durationArg(interp, value, d)) return TCL_ERROR;
      if (opt.kind == ServiceOptionKind::Interval && d.count() < 100)
        return error(interp, "failsvc " + s.name + " " + opt.name + ": at least 100ms", "ARGS");
      s.*opt.duration = d;
      return TCL_OK;
    }
    case ServiceOptionKind::Hosts: {
      std::vector<std::string> hosts;
      if (!listArg(interp, value, hosts)) return TCL_ERROR;
      for (const auto& h : hosts) {
        if (!validHostName(h)) return error(interp, "failsvc " + s.name + ": bad host name \"" + h + "\"", "BADNAME");
        if (!api.hostAllowed(interp, h, "failsvc " + s.name)) return TCL_ERROR;
      }
      s.*opt.hosts = std::move(hosts);
      return TCL_OK;
    }
    case ServiceOptionKind::Script:
      s.*opt.script = Tcl_GetString(value);
      return TCL_OK;
  }
  return TCL_OK;
}

// The settings failsvc NAME starts from: the service's, or a new one's. False (with the
// error in interp) for a bad name, or an unknown service asked for without options.
bool serviceToChange(Api& api, Tcl_Interp* interp, const std::string& name, bool reading, ServiceSpec& s) {
  if (!validName(name) || name.rfind("host:", 0) == 0) {
    error(interp, "bad service name \"" + name + "\"", "BADNAME");
    return false;
  }
  Engine& engine = api.engine();  // touched on the loop side only
  bool known = api.bridge().onLoop([&] { return engine.hasService(name); });
  if (!known && reading) {
    error(interp, "no service \"" + name + "\"", "NOSUCHSERVICE");
    return false;
  }
  s = ServiceSpec{};
  s.name = name;
  if (known) s = api.bridge().onLoop([&] { return engine.serviceSpec(name); });
  return true;
}

// failsvc's result: the settings and, once it runs, the state, last action and runs.
Tcl_Obj* serviceDict(const ServiceSpec& s, const std::optional<ServiceStatus>& status) {
  Tcl_Obj* d = Tcl_NewDictObj();
  put(d, "interval", formatDurationMs(s.interval.count()));
  put(d, "masters", listObj(s.masters));
  put(d, "slaves", listObj(s.slaves));
  put(d, "witness", listObj(s.witnesses));
  put(d, "start", s.start);
  put(d, "stop", s.stop);
  put(d, "reclaim", s.reclaim);
  put(d, "reassert", s.reassert);
  put(d, "fence-after", formatDurationMs(s.fence().count()));
  put(d, "poll-timeout", formatDurationMs(s.timeout().count()));
  if (status) {
    put(d, "state", state::stateName(status->local));
    put(d, "last_action", status->lastAction);
    put(d, "runs", std::to_string(status->runs));
  }
  return d;
}

// failsvc NAME ?OPTION VALUE ...? (kServiceOptions)
int failsvcCmd(ClientData cd, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  auto& api = *static_cast<Api*>(cd);
  if (objc < 2 || objc % 2 != 0) {
    Tcl_WrongNumArgs(interp, 1, objv, serviceUsage().c_str());
    return TCL_ERROR;
  }
  std::string name = Tcl_GetString(objv[1]);
  ServiceSpec s;
  if (!serviceToChange(api, interp, name, objc == 2, s)) return TCL_ERROR;
  for (int i = 2; i < objc; i += 2) {
    int idx = 0;
    if (Tcl_GetIndexFromObjStruct(interp, objv[i], kServiceOptions, sizeof(ServiceOption), "subcommand", 0, &idx) != TCL_OK ||
        serviceOption(api, interp, kServiceOptions[idx], objv[i + 1], s) != TCL_OK)
      return TCL_ERROR;
  }
  api.ensureStarted();
  Engine& engine = api.engine();
  std::optional<ServiceStatus> status = api.bridge().onLoop([&] {
    if (objc > 2) {
      engine.serviceSpec(name) = s;
      engine.serviceChanged(name);
    }
    const ServiceStatus* st = engine.status(name);
    return st ? std::optional<ServiceStatus>(*st) : std::nullopt;
  });
  Tcl_SetObjResult(interp, serviceDict(s, status));
  return TCL_OK;
}

// failtrap ?CMDPREFIX?: CMDPREFIX SERVICE FROM TO NOTE on each state change of a service.
int failtrapCmd(ClientData cd, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  auto& api = *static_cast<Api*>(cd);
  if (objc > 2) {
    Tcl_WrongNumArgs(interp, 1, objv, "?cmdprefix?");
    return TCL_ERROR;
  }
  if (objc == 2) {
    int n = 0;
    if (Tcl_ListObjLength(interp, objv[1], &n) != TCL_OK) return TCL_ERROR;
    if (n > 0) {
      api.traps_.emplace_back(objv[1]);
      api.countListeners();
    }
  }
  Tcl_Obj* l = Tcl_NewListObj(0, nullptr);
  for (const tcl::ObjRef& t : api.traps_) Tcl_ListObjAppendElement(nullptr, l, t.get());
  Tcl_SetObjResult(interp, l);
  return TCL_OK;
}

}  // namespace

void registerConfigCommands(Tcl_Interp* interp, Api& api) {
  tcl::createCommand(interp, "::failhost", failhostCmd, &api, nullptr);
  tcl::createCommand(interp, "::failsvc", failsvcCmd, &api, nullptr);
  tcl::createCommand(interp, "::failtrap", failtrapCmd, &api, nullptr);
}

}  // namespace fail::shell
