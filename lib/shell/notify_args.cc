// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "shell/notify_args.hh"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/log.hh"
#include "base/text.hh"
#include "base/time.hh"

namespace fail::shell {
namespace {

bool fail(Tcl_Interp* interp, const std::string& msg) {
  Tcl_SetObjResult(interp, Tcl_NewStringObj(msg.c_str(), -1));
  Tcl_SetErrorCode(interp, "FAILOVER", "ARGS", nullptr);
  return false;
}

std::string quoted(const std::string& s) { return "\"" + printable(s, 80) + "\""; }

bool hasControl(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

// A list option's words; `what` names it in errors.
bool words(Tcl_Interp* interp, Tcl_Obj* list, const std::string& what, std::vector<std::string>& out) {
  int n = 0;
  Tcl_Obj** elems = nullptr;
  if (Tcl_ListObjGetElements(nullptr, list, &n, &elems) != TCL_OK) return fail(interp, what + ": not a list");
  out.clear();
  for (int i = 0; i < n; ++i) out.emplace_back(Tcl_GetString(elems[i]));
  return true;
}

bool durationOpt(Tcl_Interp* interp, const std::string& what, const std::string& v, bool zeroOk,
                 std::chrono::milliseconds& out) {
  auto ms = parseDurationMs(v);
  if (!ms || (!zeroOk && *ms == 0))
    return fail(interp, what + ": want a duration" + (zeroOk ? "" : " above 0") + " (500ms, 30s, 5m, 1h), got " +
                            quoted(v));
  out = std::chrono::milliseconds(*ms);
  return true;
}

// The first line of a file holding a password or secret, registered with the log's
// redaction. The error names the file, never its content.
bool secretFile(Tcl_Interp* interp, const std::string& what, const std::string& path, std::string& out) {
  std::ifstream in(path);
  if (!in) return fail(interp, what + " " + quoted(path) + ": cannot read: " + std::strerror(errno));
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
  if (line.empty()) return fail(interp, what + " " + quoted(path) + ": the file's first line is empty");
  log::redact(line);
  out = std::move(line);
  return true;
}

bool readableFile(Tcl_Interp* interp, const std::string& what, const std::string& path) {
  if (::access(path.c_str(), R_OK) != 0)
    return fail(interp, what + " " + quoted(path) + ": cannot read: " + std::strerror(errno));
  return true;
}

bool templateArg(Tcl_Interp* interp, const std::string& what, const std::string& v,
                 std::optional<notify::Template>& out) {
  std::string err;
  out = notify::Template::parse(v, &err);
  if (!out) return fail(interp, what + ": " + err);
  return true;
}

// Channel names end up in the record notify:NAME and in the queue.
bool channelName(const std::string& n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

const char* const kChannelOptions =
    "-mail, -smtp, -smtps, -starttls, -user, -password-file, -from, -webhook, -method, -secret-file, -header, "
    "-exec, -syslog, -subject, -body, -timeout, -rate, -give-up, -ca or -insecure";

}  // namespace

bool parseNotifyChannel(Tcl_Interp* interp, int objc, Tcl_Obj* const objv[], int first, const NotifyArgRules& rules,
                        notify::ChannelConfig& out) {
  if (first >= objc) return fail(interp, "fail::notify channel: a name is required");
  std::string name = Tcl_GetString(objv[first]);
  if (!channelName(name))
    return fail(interp, "fail::notify channel " + quoted(name) +
                            ": a name is 1 to 64 letters, digits, '-', '_' or '.'");
  const std::string cmd = "fail::notify channel " + name;
  out = notify::ChannelConfig{};
  out.spec.name = name;
  notify::MailSpec mail;
  notify::WebhookSpec hook;
  notify::ExecSpec exec;
  notify::SyslogSpec sys;
  notify::TlsSpec tls;
  std::string kind;  // the option that chose it
  bool sawCa = false, sawInsecure = false;
  std::vector<std::string> mailOnly, hookOnly;  // options given, to check against the kind
  std::string passwordFile;
  auto choose = [&](const std::string& opt) {
    if (!kind.empty()) return fail(interp, cmd + ": " + opt + " and " + kind + ": a channel is one of -mail, -webhook, -exec, -syslog");
    kind = opt;
    return true;
  };
  auto refusedInSafe = [&](const std::string& opt) {
    return fail(interp, cmd + ": " + opt + " is refused in a --safe policy (failover(n), SAFE POLICIES: only -syslog "
                              "channels; the administrator's policy declares the others)");
  };
  for (int i = first + 1; i < objc; ++i) {
    std::string opt = Tcl_GetString(objv[i]);
    // The flags without a value.
    if (opt == "-smtps" || opt == "-starttls") {
      (opt == "-smtps" ? mail.smtps : mail.starttls) = true;
      mailOnly.push_back(opt);
      continue;
    }
    if (opt == "-insecure") {
      tls.verify = false;
      sawInsecure = true;
      continue;
    }
    if (i + 1 >= objc) {
      if (opt.empty() || opt[0] != '-') return fail(interp, cmd + ": unknown option " + quoted(opt) + ": want " + kChannelOptions);
      return fail(interp, cmd + ": " + opt + ": value missing");
    }
    Tcl_Obj* value = objv[++i];
    std::string v = Tcl_GetString(value);
    std::string what = cmd + ": " + opt;
    // The values are checked as a whole at the end (notify::checkSpec, the senders' rules).
    if (opt == "-mail") {
      if (rules.safe) return refusedInSafe(opt);
      if (!choose(opt) || !words(interp, value, what, mail.to)) return false;
    } else if (opt == "-smtp") {
      mail.server = v;
      mailOnly.push_back(opt);
    } else if (opt == "-user") {
      if (v.empty() || hasControl(v)) return fail(interp, what + ": want a user name, got " + quoted(v));
      mail.user = v;
      mailOnly.push_back(opt);
    } else if (opt == "-password-file") {
      if (rules.safe) return refusedInSafe(opt);
      if (!secretFile(interp, what, v, mail.password)) return false;
      passwordFile = v;
      mailOnly.push_back(opt);
    } else if (opt == "-from") {
      mail.from = v;
      mailOnly.push_back(opt);
    } else if (opt == "-webhook") {
      if (rules.safe) return refusedInSafe(opt);
      if (!choose(opt)) return false;
      hook.url = v;
    } else if (opt == "-method") {
      hook.method = v;
      hookOnly.push_back(opt);
    } else if (opt == "-secret-file") {
      if (rules.safe) return refusedInSafe(opt);
      if (!secretFile(interp, what, v, hook.secret)) return false;
      hookOnly.push_back(opt);
    } else if (opt == "-header") {
      std::vector<std::string> nv;
      if (!words(interp, value, what, nv) || nv.size() != 2)
        return fail(interp, what + ": want {NAME VALUE}, got " + quoted(v));
      hook.headers.emplace_back(nv[0], nv[1]);
      hookOnly.push_back(opt);
    } else if (opt == "-exec") {
      if (rules.safe) return refusedInSafe(opt);
      if (!choose(opt) || !words(interp, value, what, exec.argv)) return false;
    } else if (opt == "-syslog") {
      if (!choose(opt)) return false;
      auto f = notify::parseSyslogFacility(v);
      if (!f) return fail(interp, what + ": want daemon, user or local0 ... local7, got " + quoted(v));
      sys.facility = *f;
    } else if (opt == "-subject") {
      if (!templateArg(interp, what, v, out.subject)) return false;
    } else if (opt == "-body") {
      if (!templateArg(interp, what, v, out.body)) return false;
    } else if (opt == "-timeout") {
      if (!durationOpt(interp, what, v, false, out.spec.timeout)) return false;
    } else if (opt == "-rate") {
      std::string err;
      auto r = notify::parseRate(v, &err);
      if (!r) return fail(interp, what + ": " + err);
      out.rate = *r;
    } else if (opt == "-give-up") {
      if (!durationOpt(interp, what, v, false, out.dispatch.giveUpAfter)) return false;
    } else if (opt == "-ca") {
      if (rules.safe) return refusedInSafe(opt);  // it would tell whether a file exists
      if (!readableFile(interp, what, v)) return false;
      tls.ca = v;
      sawCa = true;
    } else {
      return fail(interp, cmd + ": unknown option " + quoted(opt) + ": want " + kChannelOptions);
    }
  }
  if (kind.empty()) return fail(interp, cmd + ": give one of -mail, -webhook, -exec, -syslog");
  if (kind != "-mail" && !mailOnly.empty()) return fail(interp, cmd + ": " + mailOnly[0] + " is for -mail channels");
  if (kind != "-webhook" && !hookOnly.empty())
    return fail(interp, cmd + ": " + hookOnly[0] + " is for -webhook channels");
  if ((sawCa || sawInsecure) && kind != "-mail" && kind != "-webhook")
    return fail(interp, cmd + ": " + (sawCa ? "-ca" : "-insecure") + " is for -mail and -webhook channels");
  if (kind == "-mail") {
    if (mail.server.empty() || mail.from.empty()) return fail(interp, cmd + ": -mail needs -smtp and -from");
    if (mail.user.empty() != passwordFile.empty())
      return fail(interp, cmd + ": -user and -password-file go together");
    mail.tls = tls;
    out.spec.how = std::move(mail);
  } else if (kind == "-webhook") {
    hook.tls = tls;
    out.spec.how = std::move(hook);
  } else if (kind == "-exec") {
    out.spec.how = std::move(exec);
  } else {
    out.spec.how = sys;
  }
  std::string err;
  if (!notify::checkSpec(out.spec, &err)) return fail(interp, cmd + ": " + err);
  return true;
}

bool parseNotifyRule(Tcl_Interp* interp, int objc, Tcl_Obj* const objv[], int first, notify::RuleSpec& out) {
  if (first >= objc) return fail(interp, "fail::notify on: a record pattern is required");
  out = notify::RuleSpec{};
  out.pattern = Tcl_GetString(objv[first]);
  if (out.pattern.empty() || hasControl(out.pattern))
    return fail(interp, "fail::notify on: want a record pattern (a glob: www, check:*, *@paris), got " +
                            quoted(out.pattern));
  out.name = out.pattern;
  const std::string cmd = "fail::notify on " + out.pattern;
  bool haveTo = false;
  for (int i = first + 1; i < objc; i += 2) {
    std::string opt = Tcl_GetString(objv[i]);
    if (i + 1 >= objc) return fail(interp, cmd + ": " + opt + ": value missing");
    Tcl_Obj* value = objv[i + 1];
    std::string v = Tcl_GetString(value), what = cmd + ": " + opt;
    if (opt == "-to") {
      if (!words(interp, value, what, out.to)) return false;
      if (out.to.empty()) return fail(interp, what + ": at least one channel");
      haveTo = true;
    } else if (opt == "-states") {
      std::vector<std::string> ws;
      if (!words(interp, value, what, ws)) return false;
      if (ws.empty()) return fail(interp, what + ": at least one of UP, RECOVER, FAIL, UNKNOWN");
      out.states.clear();
      for (const auto& w : ws) {
        auto st = state::parseState(w);
        if (!st) return fail(interp, what + ": want UP, RECOVER, FAIL or UNKNOWN, got " + quoted(w));
        out.states.push_back(*st);
      }
    } else if (opt == "-after") {
      if (!durationOpt(interp, what, v, true, out.after)) return false;
    } else if (opt == "-repeat") {
      if (!durationOpt(interp, what, v, true, out.repeat)) return false;
      if (out.repeat.count() && out.repeat < std::chrono::seconds(1))
        return fail(interp, what + ": want 0 (never) or at least 1s, got " + quoted(v));
    } else if (opt == "-resolved") {
      int on = 0;
      if (Tcl_GetBooleanFromObj(nullptr, value, &on) != TCL_OK)
        return fail(interp, what + ": want yes or no, got " + quoted(v));
      out.resolved = on != 0;
    } else if (opt == "-name") {
      if (v.empty() || hasControl(v)) return fail(interp, what + ": want a name, got " + quoted(v));
      out.name = v;
    } else {
      return fail(interp, cmd + ": unknown option " + quoted(opt) +
                              ": want -to, -states, -after, -repeat, -resolved or -name");
    }
  }
  if (!haveTo) return fail(interp, cmd + ": -to is required");
  return true;
}

std::optional<Micros> parseUntil(std::string_view text) {
  std::string t(text);
  if (!t.empty() && t.find_first_not_of("0123456789") == std::string::npos) {
    auto s = parseInt(t);
    if (!s || *s > 253402300799) return std::nullopt;  // before year 10000
    return *s * 1000000;
  }
  return parseIsoTime(t);
}

bool parseNotifyQuiet(Tcl_Interp* interp, int objc, Tcl_Obj* const objv[], int first, Micros now,
                      notify::QuietSpec& out) {
  if (first >= objc) return fail(interp, "fail::notify quiet: a record pattern is required");
  out = notify::QuietSpec{};
  out.pattern = Tcl_GetString(objv[first]);
  if (out.pattern.empty() || hasControl(out.pattern))
    return fail(interp, "fail::notify quiet: want a record pattern, got " + quoted(out.pattern));
  const std::string cmd = "fail::notify quiet " + out.pattern;
  bool when = false;
  for (int i = first + 1; i < objc; i += 2) {
    std::string opt = Tcl_GetString(objv[i]);
    if (i + 1 >= objc) return fail(interp, cmd + ": " + opt + ": value missing");
    std::string v = Tcl_GetString(objv[i + 1]), what = cmd + ": " + opt;
    if (opt == "-for" || opt == "-until") {
      if (when) return fail(interp, cmd + ": give -for or -until, once");
      when = true;
      if (opt == "-for") {
        std::chrono::milliseconds d{0};
        if (!durationOpt(interp, what, v, false, d)) return false;
        out.until = now + d.count() * 1000;
      } else {
        auto u = parseUntil(v);
        if (!u)
          return fail(interp, what + ": want a time in UTC (2026-12-07T18:00:00Z) or seconds since 1970 ([clock "
                                     "scan ...]), got " + quoted(v));
        out.until = *u;
      }
    } else if (opt == "-reason") {
      if (hasControl(v)) return fail(interp, what + ": one line of text");
      out.reason = v;
    } else {
      return fail(interp, cmd + ": unknown option " + quoted(opt) + ": want -for, -until or -reason");
    }
  }
  if (!when) return fail(interp, cmd + ": -for DURATION or -until TIME is required");
  return true;
}

}  // namespace fail::shell
