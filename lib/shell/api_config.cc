// failhost, failsvc and failtrap: the original suite's commands (failsh(8), failover(n)).
#include <cctype>
#include <fstream>
#include <optional>

#include "base/log.hh"
#include "base/text.hh"
#include "base/time.hh"

#include "shell/api.hh"
#include "tcl/command.hh"

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

// failhost NAME ?SUBCOMMAND VALUE ...?
int failhostCmd(ClientData cd, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  auto& api = *static_cast<Api*>(cd);
  if (objc < 2 || objc % 2 != 0) {
    Tcl_WrongNumArgs(interp, 1, objv, "name ?port N? ?address A? ?secret S? ?secret-file F? ?tls on|off? ?ca F? ?cert F? ?key F? ?protocol tcp?");
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
  static const char* const subs[] = {"port", "address", "secret", "secret-file", "tls", "ca", "cert", "key", "protocol", nullptr};
  for (int i = 2; i < objc; i += 2) {
    int idx = 0;
    if (Tcl_GetIndexFromObj(interp, objv[i], subs, "subcommand", 0, &idx) != TCL_OK) return TCL_ERROR;
    std::string v = Tcl_GetString(objv[i + 1]);
    switch (idx) {
      case 0: {
        int port = 0;
        if (Tcl_GetIntFromObj(interp, objv[i + 1], &port) != TCL_OK || port < 1 || port > 65535)
          return error(interp, "failhost " + name + " port: want 1 to 65535, got \"" + v + "\"", "ARGS");
        h.port = std::to_string(port);
        break;
      }
      case 1: h.address = v; break;
      case 2: h.secret = v; break;
      case 3: {
        std::ifstream in(v);
        std::string line;
        if (!in || !std::getline(in, line))
          return error(interp, "failhost " + name + " secret-file: cannot read \"" + v + "\"", "FILE");
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        log::redact(line);
        h.secret = line;
        break;
      }
      case 4: {
        int on = 0;
        if (Tcl_GetBooleanFromObj(interp, objv[i + 1], &on) != TCL_OK) return TCL_ERROR;
        h.tls.enabled = on != 0;
        break;
      }
      case 5: h.tls.ca = v; h.tls.enabled = true; break;
      case 6: h.tls.cert = v; h.tls.enabled = true; break;
      case 7: h.tls.key = v; h.tls.enabled = true; break;
      case 8:
        if (v != "tcp") return error(interp, "failhost " + name + " protocol: only tcp is spoken (the original's udp RPC is gone)", "ARGS");
        break;
    }
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

// failsvc NAME ?SUBCOMMAND VALUE ...?
int failsvcCmd(ClientData cd, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  auto& api = *static_cast<Api*>(cd);
  if (objc < 2 || objc % 2 != 0) {
    Tcl_WrongNumArgs(interp, 1, objv, "name ?interval T? ?masters L? ?slaves L? ?witness L? ?start S? ?stop S? ?reclaim S? ?reassert S? ?-fence-after T? ?-poll-timeout T?");
    return TCL_ERROR;
  }
  std::string name = Tcl_GetString(objv[1]);
  if (!validName(name) || name.rfind("host:", 0) == 0)
    return error(interp, "bad service name \"" + name + "\"", "BADNAME");
  Engine& engine = api.engine();  // touched on the loop side only
  bool known = api.bridge().onLoop([&] { return engine.hasService(name); });
  if (!known && objc == 2) return error(interp, "no service \"" + name + "\"", "NOSUCHSERVICE");
  ServiceSpec s;
  s.name = name;
  if (known) s = api.bridge().onLoop([&] { return engine.serviceSpec(name); });
  static const char* const subs[] = {"interval", "masters", "slaves", "witness", "start", "stop", "reclaim",
                                     "reassert", "-fence-after", "-poll-timeout", "fence-after", "poll-timeout", nullptr};
  for (int i = 2; i < objc; i += 2) {
    int idx = 0;
    if (Tcl_GetIndexFromObj(interp, objv[i], subs, "subcommand", 0, &idx) != TCL_OK) return TCL_ERROR;
    Tcl_Obj* v = objv[i + 1];
    switch (idx) {
      case 0:
      case 8:
      case 9:
      case 10:
      case 11: {
        std::chrono::milliseconds d{};
        if (!durationArg(interp, v, d)) return TCL_ERROR;
        if (idx == 0) {
          if (d.count() < 100) return error(interp, "failsvc " + name + " interval: at least 100ms", "ARGS");
          s.interval = d;
        } else if (idx == 8 || idx == 10) {
          s.fenceAfter = d;
        } else {
          s.pollTimeout = d;
        }
        break;
      }
      case 1:
      case 2:
      case 3: {
        std::vector<std::string> hosts;
        if (!listArg(interp, v, hosts)) return TCL_ERROR;
        for (const auto& h : hosts) {
          if (!validHostName(h)) return error(interp, "failsvc " + name + ": bad host name \"" + h + "\"", "BADNAME");
          if (!api.hostAllowed(interp, h, "failsvc " + name)) return TCL_ERROR;
        }
        (idx == 1 ? s.masters : idx == 2 ? s.slaves : s.witnesses) = hosts;
        break;
      }
      case 4: s.start = Tcl_GetString(v); break;
      case 5: s.stop = Tcl_GetString(v); break;
      case 6: s.reclaim = Tcl_GetString(v); break;
      case 7: s.reassert = Tcl_GetString(v); break;
    }
  }
  api.ensureStarted();
  std::optional<ServiceStatus> status = api.bridge().onLoop([&] {
    if (objc > 2) {
      engine.serviceSpec(name) = s;
      engine.serviceChanged(name);
    }
    const ServiceStatus* st = engine.status(name);
    return st ? std::optional<ServiceStatus>(*st) : std::nullopt;
  });
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
  if (const ServiceStatus* st = status ? &*status : nullptr) {
    put(d, "state", state::stateName(st->local));
    put(d, "last_action", st->lastAction);
    put(d, "runs", std::to_string(st->runs));
  }
  Tcl_SetObjResult(interp, d);
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
      Tcl_IncrRefCount(objv[1]);
      api.traps_.push_back(objv[1]);
      api.countListeners();
    }
  }
  Tcl_Obj* l = Tcl_NewListObj(0, nullptr);
  for (Tcl_Obj* t : api.traps_) Tcl_ListObjAppendElement(nullptr, l, t);
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
