// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "hc/config.hh"

#include <event2/event.h>
#include <sys/time.h>
#include <tcl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>

#include "base/text.hh"
#include "check/registry.hh"
#include "client/tls.hh"
#include "ev/loop.hh"
#include "net/listen.hh"

namespace fail::hc {
namespace {

// The Tcl commands an Hcfile keeps: the language itself, nothing that touches files,
// sockets, processes, channels, the clock or the event loop (no after/vwait/update).
const std::vector<std::string> kKeep = {
    "append", "apply",  "array",   "break",   "catch",   "concat",  "continue", "dict",
    "error",  "eval",   "expr",    "for",     "foreach", "format",  "global",   "if",
    "incr",   "info",   "join",    "lappend", "lassign", "lindex",  "linsert",  "list",
    "llength", "lmap",  "lrange",  "lrepeat", "lreplace", "lreverse", "lsearch", "lset",
    "lsort",  "proc",   "regexp",  "regsub",  "return",  "scan",    "set",      "split",
    "string", "subst",  "switch",  "throw",   "try",     "unset",   "uplevel",  "upvar",
    "while",
};
// Namespaces holding the implementations of kept ensembles and of expr's functions.
const char* const kKeepNs[] = {"tcl::string::", "tcl::dict::",     "tcl::info::",
                               "tcl::array::",  "tcl::mathfunc::", "tcl::mathop::"};
constexpr size_t kMaxErrors = 20;

struct InterpDeleter {
  void operator()(Tcl_Interp* i) const { Tcl_DeleteInterp(i); }
};
using InterpPtr = std::unique_ptr<Tcl_Interp, InterpDeleter>;

struct RawCheck {
  check::CheckSpec spec;                         // name, kind, file, line, given options
  std::map<std::string, std::string> defaults;  // in force where it was declared
  bool broken = false;  // its options could not be read (an error was recorded): a name only
};

// What the configuration commands record while the script runs.
struct Reader {
  std::string file;
  Config cfg;
  std::vector<RawCheck> checks;
  std::map<std::string, std::string> defaults;
  std::string locationAt;  // where `location` was given
  std::vector<std::string> errors;  // declaration errors, "FILE:LINE: ...", in script order
};

std::string str(Tcl_Obj* o) {
  int n = 0;
  const char* p = Tcl_GetStringFromObj(o, &n);
  return std::string(p, static_cast<size_t>(n));
}

// FILE:LINE of the command being run: the innermost frame that belongs to the file (there
// is only one: `source` does not exist), so a check inside a loop or a proc names the
// line it is written on, and one inside an `eval` the line of the eval.
std::string here(Tcl_Interp* interp, const std::string& file) {
  int line = 0;
  if (Tcl_EvalEx(interp, "info frame", -1, 0) == TCL_OK) {
    int depth = 0;
    Tcl_GetIntFromObj(nullptr, Tcl_GetObjResult(interp), &depth);
    for (int k = depth - 1; k >= 1 && line == 0; --k) {
      std::string cmd = "info frame " + std::to_string(k);
      if (Tcl_EvalEx(interp, cmd.c_str(), -1, 0) != TCL_OK) break;
      Tcl_Obj* d = Tcl_GetObjResult(interp);
      Tcl_IncrRefCount(d);
      Tcl_Obj* v = nullptr;
      Tcl_Obj* key = Tcl_NewStringObj("type", -1);
      Tcl_IncrRefCount(key);
      if (Tcl_DictObjGet(nullptr, d, key, &v) == TCL_OK && v && str(v) == "source") {
        Tcl_SetStringObj(key, "line", -1);
        if (Tcl_DictObjGet(nullptr, d, key, &v) == TCL_OK && v) Tcl_GetIntFromObj(nullptr, v, &line);
      }
      Tcl_DecrRefCount(key);
      Tcl_DecrRefCount(d);
    }
  }
  Tcl_ResetResult(interp);
  return file + ":" + std::to_string(line);
}

int tclError(Tcl_Interp* interp, const std::string& msg) {
  Tcl_SetObjResult(interp, Tcl_NewStringObj(msg.c_str(), static_cast<int>(msg.size())));
  Tcl_SetErrorCode(interp, "HCFILE", nullptr);
  return TCL_ERROR;
}

// A wrong declaration: recorded, and the script goes on (its command does nothing), so
// that one run reports every error of the file (at most kMaxErrors).
int declError(Reader& r, Tcl_Interp* interp, const std::string& msg) {
  if (r.errors.size() < kMaxErrors) r.errors.push_back(msg);
  Tcl_ResetResult(interp);
  return TCL_OK;
}

bool knownOption(const std::string& opt) {
  for (const auto& o : check::commonOptions())
    if (opt == o.name) return true;
  for (const check::KindDesc* k : check::kinds())
    for (const auto& o : k->options)
      if (opt == o.name) return true;
  return false;
}

bool kindHasOption(const check::KindDesc& kind, const std::string& opt) {
  for (const auto* table : {&check::commonOptions(), &kind.options})
    for (const auto& o : *table)
      if (opt == o.name) return true;
  return false;
}

// Reads "-opt value ..." pairs from objv[from..]. Returns false with `err` set.
bool optionPairs(int objc, Tcl_Obj* const objv[], int from, std::map<std::string, std::string>& out,
                 std::string& err) {
  for (int i = from; i < objc; i += 2) {
    std::string opt = str(objv[i]);
    if (opt.size() < 2 || opt[0] != '-') {
      err = "expected an option such as -interval, got \"" + printable(opt) + "\"";
      return false;
    }
    opt.erase(0, 1);
    if (i + 1 >= objc) {
      err = "-" + opt + ": missing value";
      return false;
    }
    if (!out.emplace(opt, str(objv[i + 1])).second) {
      err = "-" + opt + " given twice";
      return false;
    }
  }
  return true;
}

// check NAME KIND ?-option value ...?
int checkCmd(ClientData cd, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) noexcept {
  try {
    auto& r = *static_cast<Reader*>(cd);
    std::string at = here(interp, r.file);
    if (objc < 3) return declError(r, interp, at + ": usage: check NAME KIND ?-option value ...?");
    RawCheck c;
    c.spec.name = str(objv[1]);
    c.spec.kind = str(objv[2]);
    size_t colon = at.rfind(':');
    c.spec.file = at.substr(0, colon);
    c.spec.line = std::atoi(at.c_str() + colon + 1);
    std::string err;
    if (!optionPairs(objc, objv, 3, c.spec.options, err)) {
      std::string msg = at + ": check " + printable(c.spec.name) + ": " + err;
      c.broken = true;  // still declared: a -depends on it is not a second error
      r.checks.push_back(std::move(c));
      return declError(r, interp, msg);
    }
    c.defaults = r.defaults;
    r.checks.push_back(std::move(c));
    Tcl_SetObjResult(interp, objv[1]);
    return TCL_OK;
  } catch (const std::exception& e) {
    return tclError(interp, e.what());
  }
}

// defaults ?-option value ...?   (no arguments: forget every default)
int defaultsCmd(ClientData cd, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) noexcept {
  try {
    auto& r = *static_cast<Reader*>(cd);
    if (objc == 1) {
      r.defaults.clear();
      return TCL_OK;
    }
    std::map<std::string, std::string> given;
    std::string err;
    if (!optionPairs(objc, objv, 1, given, err)) return declError(r, interp, here(interp, r.file) + ": defaults: " + err);
    for (const auto& [k, v] : given) {
      if (knownOption(k)) r.defaults[k] = v;
      else declError(r, interp, here(interp, r.file) + ": defaults: unknown option -" + k + " (no kind of check takes it)");
    }
    return TCL_OK;
  } catch (const std::exception& e) {
    return tclError(interp, e.what());
  }
}

bool readSecret(const std::string& path, std::string& out, std::string& err) {
  std::ifstream in(path);
  if (!in) return err = "cannot read secret file " + path, false;
  std::getline(in, out);
  if (!out.empty() && out.back() == '\r') out.pop_back();
  if (out.empty()) return err = "secret file " + path + " is empty", false;
  return true;
}

// report ADDRESS ?-secret S? ?-secret-file F? ?-tls? ?-ca F? ?-cert F? ?-key F?
int reportCmd(ClientData cd, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) noexcept {
  try {
    auto& r = *static_cast<Reader*>(cd);
    std::string at = here(interp, r.file);
    if (objc < 2)
      return declError(r, interp, at + ": usage: report HOST:PORT ?-secret S? ?-secret-file F? ?-tls? ?-ca FILE? "
                               "?-cert FILE? ?-key FILE?");
    ReportSpec s;
    s.address = str(objv[1]);
    size_t colon = at.rfind(':');
    s.file = at.substr(0, colon);
    s.line = std::atoi(at.c_str() + colon + 1);
    std::string pre = at + ": report " + printable(s.address) + ": ", err;
    if (!client::parseTarget(s.address, client::kDefaultPort, s.target, err)) return declError(r, interp, pre + err);
    bool secretGiven = false;
    for (int i = 2; i < objc; ++i) {
      std::string opt = str(objv[i]);
      if (opt == "-tls") {
        s.tls.enabled = true;
        continue;
      }
      std::string* slot = opt == "-secret"        ? &s.secret
                          : opt == "-secret-file" ? &s.secretFile
                          : opt == "-ca"          ? &s.tls.ca
                          : opt == "-cert"        ? &s.tls.cert
                          : opt == "-key"         ? &s.tls.key
                                                  : nullptr;
      if (!slot)
        return declError(r, interp, pre + "unknown option \"" + printable(opt) +
                                "\" (valid: -secret -secret-file -tls -ca -cert -key)");
      if (i + 1 >= objc) return declError(r, interp, pre + opt + ": missing value");
      *slot = str(objv[++i]);
      if (slot->empty()) return declError(r, interp, pre + opt + ": empty value");
      if (opt == "-secret") secretGiven = true;
    }
    if (secretGiven && !s.secretFile.empty()) return declError(r, interp, pre + "-secret excludes -secret-file");
    if (!s.secretFile.empty() && !readSecret(s.secretFile, s.secret, err)) return declError(r, interp, pre + err);
    if (!s.tls.enabled && (!s.tls.ca.empty() || !s.tls.cert.empty() || !s.tls.key.empty()))
      return declError(r, interp, pre + "-ca, -cert and -key need -tls");
    if (!s.tls.key.empty() && s.tls.cert.empty()) return declError(r, interp, pre + "-key needs -cert");
    if (s.tls.enabled && !client::makeClientContext(s.tls, err)) return declError(r, interp, pre + err);
    for (const auto& o : r.cfg.reports)
      if (o.target.display() == s.target.display())
        return declError(r, interp, pre + "already given at " + o.file + ":" + std::to_string(o.line));
    if (!s.secret.empty() && !s.tls.enabled && s.target.kind == client::Target::Kind::Tcp) {
      net::ListenSpec ls;
      ls.host = s.target.host;
      if (!net::isLoopback(ls))
        r.cfg.warnings.push_back(pre + "the secret would travel in clear text over TCP: faild accepts it "
                                       "only with --insecure-auth (use -tls or a Unix socket)");
    }
    r.cfg.reports.push_back(std::move(s));
    return TCL_OK;
  } catch (const std::exception& e) {
    return tclError(interp, e.what());
  }
}

// location NAME
int locationCmd(ClientData cd, Tcl_Interp* interp, int objc, Tcl_Obj* const objv[]) noexcept {
  try {
    auto& r = *static_cast<Reader*>(cd);
    std::string at = here(interp, r.file);
    if (objc != 2) return declError(r, interp, at + ": usage: location NAME");
    std::string name = str(objv[1]);
    if (!r.locationAt.empty()) return declError(r, interp, at + ": location: already set at " + r.locationAt);
    if (!validName(name) || name.find('@') != std::string::npos || name.size() > 64)
      return declError(r, interp, at + ": location: \"" + printable(name) +
                              "\" is not a location name (1-64 of letters, digits and . _ - : /)");
    r.cfg.location = name;
    r.locationAt = at;
    return TCL_OK;
  } catch (const std::exception& e) {
    return tclError(interp, e.what());
  }
}

// Every command in the interpreter, namespaces included, fully qualified.
std::vector<std::string> allCommands(Tcl_Interp* interp) {
  static const char* script =
      "apply {{} {set out {}; set todo ::; while {[llength $todo]} {"
      " set todo [lassign $todo ns]; lappend out {*}[info commands [string trimright $ns :]::*];"
      " lappend todo {*}[namespace children $ns]}; return $out}}";
  std::vector<std::string> out;
  if (Tcl_EvalEx(interp, script, -1, TCL_EVAL_GLOBAL) != TCL_OK) return out;
  int n = 0;
  Tcl_Obj** elems = nullptr;
  if (Tcl_ListObjGetElements(nullptr, Tcl_GetObjResult(interp), &n, &elems) != TCL_OK) return out;
  for (int i = 0; i < n; ++i) out.push_back(str(elems[i]));
  Tcl_ResetResult(interp);
  return out;
}

// Leaves only kKeep (and the namespaces behind them) in the safe interpreter.
void strip(Tcl_Interp* interp) {
  for (const std::string& full : allCommands(interp)) {
    std::string name = full.substr(full.find_first_not_of(':'));
    if (std::find(kKeep.begin(), kKeep.end(), name) != kKeep.end()) continue;
    bool keep = false;
    for (const char* ns : kKeepNs) keep |= name.rfind(ns, 0) == 0;
    if (!keep && name != "rename") Tcl_DeleteCommand(interp, full.c_str());  // may be gone already
  }
  Tcl_DeleteCommand(interp, "::rename");
}

std::string listOfKinds() {
  std::string out;
  for (const check::KindDesc* k : check::kinds()) out += (out.empty() ? "" : " ") + std::string(k->kind);
  return out;
}

// Depth-first search for a cycle through -depends; returns "a -> b -> a" or "".
std::string findCycle(const std::map<std::string, const check::CheckSpec*>& byName, const std::string& start) {
  std::vector<std::string> path;
  std::set<std::string> onPath, done;
  std::string found;
  std::function<bool(const std::string&)> visit = [&](const std::string& n) {
    if (onPath.count(n)) {
      auto it = std::find(path.begin(), path.end(), n);
      for (; it != path.end(); ++it) found += *it + " -> ";
      found += n;
      return true;
    }
    if (done.count(n) || !byName.count(n)) return false;
    onPath.insert(n);
    path.push_back(n);
    for (const auto& d : byName.at(n)->depends)
      if (visit(d)) return true;
    path.pop_back();
    onPath.erase(n);
    done.insert(n);
    return false;
  };
  visit(start);
  return found;
}

// Adds `msg` (one error, or several joined by newlines) to `errors`, at most kMaxErrors.
void addErrors(std::vector<std::string>& errors, const std::string& msg) {
  size_t from = 0;
  while (from <= msg.size() && errors.size() < kMaxErrors) {
    size_t nl = msg.find('\n', from);
    if (nl == std::string::npos) nl = msg.size();
    if (nl > from) errors.push_back(msg.substr(from, nl - from));
    from = nl + 1;
  }
}

// Validates each declaration on its own (name, kind, options); returns those that are
// good, and adds the errors of the others. Every declared name counts as declared.
std::vector<const RawCheck*> validateEach(Reader& r, std::set<std::string>& declared,
                                          std::vector<std::string>& errors) {
  std::vector<const RawCheck*> good;
  std::map<std::string, const RawCheck*> seen;
  for (RawCheck& c : r.checks) {
    check::CheckSpec& spec = c.spec;
    if (!validName(spec.name) || spec.name.find('@') != std::string::npos ||
        r.cfg.reportName(spec.name).size() > 255) {
      if (!c.broken) addErrors(errors, spec.where() + "not a check name (1-255 of letters, digits and . _ - : /, with the location)");
      continue;
    }
    if (auto [it, fresh] = seen.emplace(spec.name, &c); !fresh) {
      addErrors(errors, spec.where() + "already declared at " + it->second->spec.file + ":" +
                            std::to_string(it->second->spec.line));
      continue;
    }
    declared.insert(spec.name);
    if (c.broken) continue;
    const check::KindDesc* kind = check::findKind(spec.kind);
    if (!kind) {
      addErrors(errors, spec.where() + "unknown kind \"" + printable(spec.kind) + "\" (kinds: " + listOfKinds() + ")");
      continue;
    }
    for (const auto& [k, v] : c.defaults)
      if (!spec.has(k) && kindHasOption(*kind, k)) spec.options[k] = v;
    try {
      check::validate(spec, *kind);
      good.push_back(&c);
    } catch (const ConfigError& e) {
      addErrors(errors, e.what());
    }
  }
  return good;
}

// Validates every declaration, then the dependencies between the good ones, then builds
// each good probe once; returns every error found (empty: all good). `whole`: the script
// ran to its end (else a -depends may name a check that was never reached).
std::vector<std::string> validateAll(Reader& r, bool whole) {
  std::vector<std::string> errors;
  std::set<std::string> declared;
  std::vector<const RawCheck*> good = validateEach(r, declared, errors);
  if (!whole) return errors;
  std::map<std::string, const check::CheckSpec*> byName;
  for (const RawCheck* c : good) byName[c->spec.name] = &c->spec;
  for (const RawCheck* c : good)
    for (const std::string& d : c->spec.depends)
      if (!declared.count(d)) addErrors(errors, c->spec.where("depends") + "no check named \"" + printable(d) + "\"");
  for (const RawCheck* c : good)
    if (std::string cycle = findCycle(byName, c->spec.name); !cycle.empty()) {
      addErrors(errors, c->spec.where("depends") + "dependency cycle: " + cycle);
      break;  // one report of a cycle, not one per check on it
    }
  // Build every probe once, so an option that parses but makes no sense (a CA file
  // that cannot be read) is an error here, before anything runs.
  ev::Loop loop;
  check::ProbeContext ctx{&loop};
  for (const RawCheck* c : good) {
    try {
      const check::KindDesc* kind = check::findKind(c->spec.kind);
      if (kind->make) kind->make(ctx, c->spec);
    } catch (const ConfigError& e) {
      addErrors(errors, e.what());
    } catch (const std::exception& e) {
      addErrors(errors, c->spec.where() + e.what());
    }
  }
  return errors;
}

// The line of an error "FILE:LINE: ..." of `file` (0 when it names another place).
int lineOf(const std::string& msg, const std::string& file) {
  if (msg.compare(0, file.size() + 1, file + ":") != 0) return 0;
  return std::atoi(msg.c_str() + file.size() + 1);
}

std::string errorMessage(Tcl_Interp* interp, const std::string& file, int code) {
  std::string msg = str(Tcl_GetObjResult(interp));
  Tcl_Obj* opts = Tcl_GetReturnOptions(interp, code);
  Tcl_IncrRefCount(opts);
  Tcl_Obj* key = Tcl_NewStringObj("-errorcode", -1);
  Tcl_IncrRefCount(key);
  Tcl_Obj* v = nullptr;
  bool ours = Tcl_DictObjGet(nullptr, opts, key, &v) == TCL_OK && v && str(v) == "HCFILE";
  int line = 0;
  Tcl_SetStringObj(key, "-errorline", -1);
  if (Tcl_DictObjGet(nullptr, opts, key, &v) == TCL_OK && v) Tcl_GetIntFromObj(nullptr, v, &line);
  Tcl_DecrRefCount(key);
  Tcl_DecrRefCount(opts);
  if (ours) return msg;
  if (code != TCL_ERROR) msg = "break, continue or return outside of a loop or proc";
  return file + ":" + std::to_string(line) + ": " + msg;
}

// Arms ITIMER_REAL for `after` (0: not at all) and disarms it when it goes.
class Alarm {
 public:
  explicit Alarm(std::chrono::milliseconds after) : on_(after.count() > 0) {
    if (!on_) return;
    itimerval v{};
    v.it_value.tv_sec = static_cast<time_t>(after.count() / 1000);
    v.it_value.tv_usec = static_cast<suseconds_t>(after.count() % 1000 * 1000);
    ::setitimer(ITIMER_REAL, &v, nullptr);
  }
  ~Alarm() {
    if (!on_) return;
    itimerval zero{};
    ::setitimer(ITIMER_REAL, &zero, nullptr);
  }
  Alarm(const Alarm&) = delete;
  Alarm& operator=(const Alarm&) = delete;

 private:
  bool on_;
};

}  // namespace

bool ReportSpec::sameAs(const ReportSpec& o) const {
  return target.display() == o.target.display() && secret == o.secret && tls.enabled == o.tls.enabled &&
         tls.ca == o.tls.ca && tls.cert == o.tls.cert && tls.key == o.tls.key;
}

const std::vector<std::string>& tclCommands() {
  static const std::vector<std::string> sorted = [] {
    auto v = kKeep;
    std::sort(v.begin(), v.end());
    return v;
  }();
  return sorted;
}

Config loadConfig(const std::string& path, const Limits& limits) {
  static std::once_flag tclInit;
  std::call_once(tclInit, [] { Tcl_FindExecutable(nullptr); });
  {
    std::ifstream probe(path);
    if (!probe) throw ConfigError(path + ": cannot read: " + std::strerror(errno));
  }
  Reader r;
  r.file = path;
  r.cfg.file = path;
  InterpPtr parent(Tcl_CreateInterp());
  Tcl_Interp* child = Tcl_CreateSlave(parent.get(), "hcfile", 1);
  if (!child) throw ConfigError(path + ": cannot create a Tcl interpreter");
  strip(child);
  Tcl_CreateObjCommand(child, "check", checkCmd, &r, nullptr);
  Tcl_CreateObjCommand(child, "defaults", defaultsCmd, &r, nullptr);
  Tcl_CreateObjCommand(child, "report", reportCmd, &r, nullptr);
  Tcl_CreateObjCommand(child, "location", locationCmd, &r, nullptr);
  Tcl_LimitTypeSet(child, TCL_LIMIT_COMMANDS);
  Tcl_LimitTypeSet(child, TCL_LIMIT_TIME);
  Tcl_LimitSetCommands(child, static_cast<int>(std::min<long>(limits.commands, 2'000'000'000L)));
  Tcl_Time t;
  Tcl_GetTime(&t);
  long long us = static_cast<long long>(t.usec) + static_cast<long long>(limits.time.count()) * 1000;
  t.sec += static_cast<long>(us / 1000000);
  t.usec = static_cast<long>(us % 1000000);
  Tcl_LimitSetTime(child, &t);

  Tcl_Obj* pathObj = Tcl_NewStringObj(path.c_str(), static_cast<int>(path.size()));
  Tcl_IncrRefCount(pathObj);
  int code;
  {
    Alarm alarm(limits.alarm ? limits.time + std::chrono::seconds(1) : std::chrono::milliseconds(0));
    code = Tcl_FSEvalFileEx(child, pathObj, "utf-8");
  }
  Tcl_DecrRefCount(pathObj);
  std::vector<std::string> errors = std::move(r.errors);
  if (code != TCL_OK) {  // the script itself stopped here: what came before still counts
    std::string msg = errorMessage(child, path, code);
    if (Tcl_LimitExceeded(child))
      msg += " (an Hcfile may run for " + std::to_string(limits.time.count()) + "ms and " +
             std::to_string(limits.commands) + " Tcl commands)";
    errors.push_back(msg);
  }
  for (const std::string& e : validateAll(r, code == TCL_OK)) errors.push_back(e);
  if (!errors.empty()) {
    // In the order of the file.
    std::stable_sort(errors.begin(), errors.end(), [&](const std::string& a, const std::string& b) {
      return lineOf(a, path) < lineOf(b, path);
    });
    if (errors.size() > kMaxErrors) errors.resize(kMaxErrors);
    std::string all;
    for (const auto& e : errors) all += (all.empty() ? "" : "\n") + e;
    throw ConfigError(all);
  }
  for (RawCheck& c : r.checks) r.cfg.checks.push_back(std::move(c.spec));
  return std::move(r.cfg);
}

}  // namespace fail::hc
