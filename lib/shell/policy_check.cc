// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "shell/policy_check.hh"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

namespace fail::shell {
namespace {

struct InterpDeleter {
  void operator()(Tcl_Interp* i) const { Tcl_DeleteInterp(i); }
};
using InterpPtr = std::unique_ptr<Tcl_Interp, InterpDeleter>;

// Every proc of the interpreter outside Tcl's own namespaces, as {name body ...}.
constexpr const char* kListProcs = R"TCL(apply {{} {
  set out {}
  set todo [list ::]
  while {[llength $todo]} {
    set ns [lindex $todo 0]
    set todo [lrange $todo 1 end]
    if {$ns in {::tcl ::oo}} continue
    lappend todo {*}[namespace children $ns]
    foreach p [info procs [string trimright $ns :]::*] { lappend out $p [info body $p] }
  }
  return $out
}})TCL";

// The line of `body` holding the command that errorInfo quotes ("while executing\n\"CMD\""),
// 0 when it cannot be found.
int lineInBody(const std::string& body, const std::string& errorInfo) {
  const std::string lead = "while executing\n\"";
  size_t a = errorInfo.find(lead);
  if (a == std::string::npos) return 0;
  a += lead.size();
  size_t b = errorInfo.find_first_of("\n", a);
  std::string cmd = errorInfo.substr(a, b == std::string::npos ? std::string::npos : b - a);
  if (cmd.size() > 3 && cmd.compare(cmd.size() - 3, 3, "...") == 0) cmd.resize(cmd.size() - 3);
  else if (!cmd.empty() && cmd.back() == '"') cmd.pop_back();
  if (cmd.empty()) return 0;
  size_t at = body.find(cmd);
  if (at == std::string::npos || body.find(cmd, at + 1) != std::string::npos) return 0;  // absent or ambiguous
  return 1 + static_cast<int>(std::count(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

std::string syntaxIn(Tcl_Interp* scratch, const std::string& body, int& line) {
  line = 0;
  Tcl_Obj* def = Tcl_NewListObj(0, nullptr);
  Tcl_IncrRefCount(def);
  for (const char* w : {"proc", "::failover_check", ""}) Tcl_ListObjAppendElement(nullptr, def, Tcl_NewStringObj(w, -1));
  Tcl_ListObjAppendElement(nullptr, def, Tcl_NewStringObj(body.data(), static_cast<int>(body.size())));
  int code = Tcl_EvalObjEx(scratch, def, TCL_EVAL_GLOBAL);
  Tcl_DecrRefCount(def);
  if (code != TCL_OK) return Tcl_GetStringResult(scratch);
  if (Tcl_Eval(scratch, "tcl::unsupported::getbytecode proc ::failover_check") != TCL_OK) return "";  // cannot tell
  Tcl_Obj* code_ = Tcl_GetObjResult(scratch);
  Tcl_IncrRefCount(code_);
  std::string message;
  Tcl_Obj *literals = nullptr, *instructions = nullptr;
  Tcl_Obj* key = Tcl_NewStringObj("literals", -1);
  Tcl_IncrRefCount(key);
  Tcl_DictObjGet(nullptr, code_, key, &literals);
  Tcl_SetStringObj(key, "instructions", -1);
  Tcl_DictObjGet(nullptr, code_, key, &instructions);
  Tcl_DecrRefCount(key);
  if (literals && instructions) {
    // A parse error compiles to: push the message, push the options, `syntax`.
    Tcl_DictSearch search;
    Tcl_Obj *offset, *instr;
    int done = 0;
    int pushed[2] = {-1, -1};
    Tcl_DictObjFirst(nullptr, instructions, &search, &offset, &instr, &done);
    for (; !done; Tcl_DictObjNext(&search, &offset, &instr, &done)) {
      const char* text = Tcl_GetString(instr);
      if (std::strncmp(text, "push", 4) == 0 && std::strchr(text, '@')) {
        pushed[0] = pushed[1];
        pushed[1] = std::atoi(std::strchr(text, '@') + 1);
      } else if (std::strncmp(text, "syntax", 6) == 0 && pushed[0] >= 0) {
        Tcl_Obj *msg = nullptr, *opts = nullptr, *errorLine = nullptr;
        Tcl_ListObjIndex(nullptr, literals, pushed[0], &msg);
        Tcl_ListObjIndex(nullptr, literals, pushed[1], &opts);
        Tcl_Obj *k = Tcl_NewStringObj("-errorline", -1), *info = nullptr;
        Tcl_IncrRefCount(k);
        if (opts && Tcl_DictObjGet(nullptr, opts, k, &errorLine) == TCL_OK && errorLine)
          Tcl_GetIntFromObj(nullptr, errorLine, &line);
        Tcl_SetStringObj(k, "-errorinfo", -1);
        if (opts && Tcl_DictObjGet(nullptr, opts, k, &info) == TCL_OK && info)
          if (int at = lineInBody(body, Tcl_GetString(info))) line = at;  // -errorline counts from a nested body
        Tcl_DecrRefCount(k);
        message = msg ? Tcl_GetString(msg) : "syntax error";
        break;
      }
    }
    Tcl_DictObjDone(&search);
  }
  Tcl_DecrRefCount(code_);
  return message;
}

// The 1-based line of `file` where `command` (proc, failsvc) is first given `name`
// (compared without namespace qualifiers); 0 when not found.
int lineOf(const std::string& text, const std::string& command, std::string name) {
  if (size_t c = name.rfind("::"); c != std::string::npos) name = name.substr(c + 2);
  std::istringstream in(text);
  std::string l;
  for (int n = 1; std::getline(in, l); ++n) {
    std::istringstream words(l);
    std::string prev, w;
    while (words >> w) {
      if (size_t c = w.rfind("::"); c != std::string::npos) w = w.substr(c + 2);
      if (prev == command && w == name) return n;
      prev = w;
    }
  }
  return 0;
}

std::string where(const std::string& file, int line) {
  return line > 0 ? file + ":" + std::to_string(line) : file;
}

}  // namespace

std::string bodySyntaxError(const std::string& body, int& line) {
  InterpPtr scratch(Tcl_CreateInterp());
  return syntaxIn(scratch.get(), body, line);
}

ScriptCheck checkScript(Tcl_Interp* interp, const std::string& script) {
  ScriptCheck out;
  Tcl_InterpState saved = Tcl_SaveInterpState(interp, TCL_OK);
  const char* p = script.c_str();
  const char* end = p + script.size();
  while (p < end) {
    Tcl_Parse parse;
    if (Tcl_ParseCommand(interp, p, static_cast<int>(end - p), 0, &parse) != TCL_OK) {
      out.parseError = Tcl_GetStringResult(interp);
      break;
    }
    if (parse.numWords > 0 && parse.tokenPtr[0].type == TCL_TOKEN_SIMPLE_WORD) {
      const Tcl_Token& t = parse.tokenPtr[1];
      std::string word(t.start, static_cast<size_t>(t.size));
      if (!Tcl_FindCommand(interp, word.c_str(), nullptr, TCL_GLOBAL_ONLY)) out.missing.push_back(word);
    }
    p = parse.commandStart + parse.commandSize;
    Tcl_FreeParse(&parse);
  }
  Tcl_RestoreInterpState(interp, saved);
  return out;
}

std::vector<std::string> checkPolicy(Tcl_Interp* policy, const Engine& declared, const std::string& file) {
  std::vector<std::string> errors;
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Tcl_InterpState saved = Tcl_SaveInterpState(policy, TCL_OK);
  if (Tcl_Eval(policy, kListProcs) == TCL_OK) {
    Tcl_Obj* procs = Tcl_GetObjResult(policy);
    Tcl_IncrRefCount(procs);
    int n = 0;
    Tcl_Obj** items = nullptr;
    Tcl_ListObjGetElements(nullptr, procs, &n, &items);
    InterpPtr scratch(Tcl_CreateInterp());
    for (int i = 0; i + 1 < n; i += 2) {
      int line = 0;
      std::string name = Tcl_GetString(items[i]);
      if (name.rfind("::", 0) == 0 && name.find("::", 2) == std::string::npos) name = name.substr(2);  // a global proc
      std::string err = syntaxIn(scratch.get(), Tcl_GetString(items[i + 1]), line);
      if (err.empty()) continue;
      int at = lineOf(text, "proc", name);
      errors.push_back(where(file, at && line ? at + line - 1 : at) + ": proc " + name + ": " + err);
    }
    Tcl_DecrRefCount(procs);
  }
  Tcl_RestoreInterpState(policy, saved);
  for (const ServiceSpec& s : declared.serviceSpecs()) {
    for (auto [option, script] : {std::pair{"start", &s.start}, {"stop", &s.stop}, {"reclaim", &s.reclaim},
                                  {"reassert", &s.reassert}}) {
      if (script->empty()) continue;
      ScriptCheck c = checkScript(policy, *script);
      std::vector<std::string> whats;
      if (!c.parseError.empty()) whats.push_back(c.parseError);
      for (const std::string& word : c.missing) whats.push_back("no command \"" + word + "\"");
      for (const std::string& what : whats)
        errors.push_back(where(file, lineOf(text, "failsvc", s.name)) + ": failsvc " + s.name + " " + option + ": " + what);
    }
  }
  return errors;
}

}  // namespace fail::shell
