// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// fail::notify (failover(n), "NOTIFICATIONS"): channel, on, quiet, send, config, status.
// The options are parsed here on the Tcl side (shell/notify_args.hh, password and secret
// files read at declaration); the declarations go to the engine's notifications
// (shell/notify.hh) across the Bridge. A policy being read (failsh's staging engine)
// only declares; the running one's declarations take effect at once.
#include <cstring>

#include "base/time.hh"
#include "shell/api.hh"
#include "shell/notify.hh"
#include "shell/notify_args.hh"
#include "tcl/command.hh"

namespace fail::shell {
namespace {

int error(Tcl_Interp* interp, const std::string& msg, const char* code = "ARGS") {
  Tcl_SetObjResult(interp, Tcl_NewStringObj(msg.c_str(), -1));
  Tcl_SetErrorCode(interp, "FAILOVER", code, nullptr);
  return TCL_ERROR;
}

Tcl_Obj* str(const std::string& s) { return Tcl_NewStringObj(s.c_str(), static_cast<int>(s.size())); }

int ok(Tcl_Interp* interp, const std::string& result) {
  Tcl_SetObjResult(interp, str(result));
  return TCL_OK;
}

// A declaration on the loop side: `fn` declares it (false with an error: refused). The
// running engine's notifications start with their first declaration (the Tcl package, or
// a declaration a callback of failsh's running policy makes); an unopenable queue is
// logged and shown in the channels' records.
template <class F>
bool declare(Api& api, F&& fn) {
  api.ensureStarted();
  return api.bridge().onLoop([&api, &fn] {
    Notifications& n = api.engine().notifications();
    if (!fn(n)) return false;
    if (api.engine().started() && !n.active()) {
      std::string err;
      n.activate(&err);
    }
    return true;
  });
}

int channelCmd(Api& api, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  notify::ChannelConfig c;
  NotifyArgRules rules;
  rules.safe = api.safe();
  if (!parseNotifyChannel(interp, objc, objv, 2, rules, c)) return TCL_ERROR;
  std::string name = c.spec.name;
  declare(api, [&c](Notifications& n) {
    n.channel(std::move(c));
    return true;
  });
  return ok(interp, name);
}

int onCmd(Api& api, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  notify::RuleSpec r;
  if (!parseNotifyRule(interp, objc, objv, 2, r)) return TCL_ERROR;
  std::string name = r.name, pattern = r.pattern, err;
  if (!declare(api, [&r, &err](Notifications& n) { return n.rule(std::move(r), &err); }))
    return error(interp, "fail::notify on " + pattern + ": " + err);
  return ok(interp, name);
}

int quietCmd(Api& api, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  notify::QuietSpec q;
  if (!parseNotifyQuiet(interp, objc, objv, 2, wallNow(), q)) return TCL_ERROR;
  std::string pattern = q.pattern;
  declare(api, [&q](Notifications& n) {
    n.quiet(std::move(q));
    return true;
  });
  return ok(interp, pattern);
}

int sendCmd(Api& api, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  if (objc != 5) {
    Tcl_WrongNumArgs(interp, 2, objv, "channel subject body");
    return TCL_ERROR;
  }
  std::string channel = Tcl_GetString(objv[2]), subject = Tcl_GetString(objv[3]), body = Tcl_GetString(objv[4]), err;
  api.ensureStarted();
  // Returns once the message is in the durable queue.
  bool sent = api.bridge().onLoop([&] { return api.engine().notifications().send(channel, subject, body, &err); });
  if (!sent) return error(interp, "fail::notify send " + channel + ": " + err, "NOTIFY");
  return ok(interp, "");
}

int configCmd(Api& api, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  if (objc < 4 || objc % 2) {
    Tcl_WrongNumArgs(interp, 2, objv, "-link url ?-db file?");
    return TCL_ERROR;
  }
  for (int i = 2; i < objc; i += 2) {
    std::string opt = Tcl_GetString(objv[i]), v = Tcl_GetString(objv[i + 1]);
    if (opt == "-link") {
      if (!v.empty() && v.rfind("http://", 0) != 0 && v.rfind("https://", 0) != 0)
        return error(interp, "fail::notify config: -link: want an http:// or https:// URL (faild's status page), got \"" +
                                 v + "\"");
      api.bridge().onLoop([&api, v] { api.engine().notifications().link(v); });
    } else if (opt == "-db") {
      // failsh's queue is the administrator's (failsh --notify-db); the package's the script's.
      if (!api.autoStart())
        return error(interp, "fail::notify config: -db is failsh's --notify-db, the administrator's option");
      if (v.empty()) return error(interp, "fail::notify config: -db: want a file name");
      std::string err;
      if (!api.bridge().onLoop([&] { return api.engine().notifications().setDb(v, &err); }))
        return error(interp, "fail::notify config: -db: " + err);
    } else {
      return error(interp, "fail::notify config: unknown option \"" + opt + "\": want -link or -db");
    }
  }
  return ok(interp, "");
}

Tcl_Obj* statusDict(const notify::ChannelView& v) {
  Tcl_Obj* d = Tcl_NewDictObj();
  auto put = [d](const char* k, Tcl_Obj* value) { Tcl_DictObjPut(nullptr, d, str(k), value); };
  auto num = [](std::uint64_t n) { return Tcl_NewWideIntObj(static_cast<Tcl_WideInt>(n)); };
  put("waiting", num(v.status.waiting));
  put("sent", num(v.status.sent));
  put("failed", num(v.status.failed));
  put("suppressed", num(v.counts.suppressed));
  put("digests", num(v.counts.digests));
  put("retries", num(v.status.retries));
  put("last_error", str(v.status.lastError));
  return d;
}

int statusCmd(Api& api, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  if (objc > 3) {
    Tcl_WrongNumArgs(interp, 2, objv, "?channel?");
    return TCL_ERROR;
  }
  if (objc == 3) {
    std::string channel = Tcl_GetString(objv[2]);
    auto v = api.bridge().onLoop([&] { return api.engine().notifications().status(channel); });
    if (!v) return error(interp, "fail::notify status: no channel \"" + channel + "\"", "NOTIFY");
    Tcl_SetObjResult(interp, statusDict(*v));
    return TCL_OK;
  }
  auto views = api.bridge().onLoop([&] {
    std::vector<notify::ChannelView> out;
    Notifications& n = api.engine().notifications();
    for (const std::string& name : n.channelNames())
      if (auto v = n.status(name)) out.push_back(*v);
    return out;
  });
  Tcl_Obj* all = Tcl_NewDictObj();
  for (const auto& v : views) Tcl_DictObjPut(nullptr, all, str(v.name), statusDict(v));
  Tcl_SetObjResult(interp, all);
  return TCL_OK;
}

using Sub = int (*)(Api&, Tcl_Interp*, int, Tcl_Obj* const[]);

struct Subcommand {
  const char* name;  // first: Tcl_GetIndexFromObjStruct reads it
  Sub fn;
};

const Subcommand kSubcommands[] = {
    {"channel", channelCmd}, {"on", onCmd},         {"quiet", quietCmd},
    {"send", sendCmd},       {"config", configCmd}, {"status", statusCmd},
    {nullptr, nullptr},
};

int notifyCmd(ClientData cd, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) {
  return runSubcommand(*static_cast<Api*>(cd), interp, objc, objv, kSubcommands,
                       "channel|on|quiet|send|config|status ?arg ...?");
}

}  // namespace

void registerNotifyCommand(Tcl_Interp* interp, Api& api) {
  tcl::createCommand(interp, "::fail::notify", notifyCmd, &api, nullptr);
}

}  // namespace fail::shell
