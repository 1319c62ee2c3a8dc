// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "shell/dns_update.hh"
#include "shell/update_counts.hh"

#include <map>
#include <mutex>

#include "dns/tsig_sign.hh"
#include "ev/loop.hh"

namespace fail::shell {
namespace {

using std::chrono::milliseconds;

// The update client of one event loop, made on its thread at its first use (when
// `make`) and kept for the life of the process (an exchange may outlive the policy that
// started it). Null when there is none and `make` is false.
dns::UpdateClient* clientOf(event_base* base, bool make = true) {
  struct Runtime {
    ev::Loop loop;
    dns::UpdateClient client;
    explicit Runtime(event_base* b) : loop(b), client(loop) {}
  };
  static std::mutex mu;
  static std::map<event_base*, Runtime*>* all = new std::map<event_base*, Runtime*>;
  std::lock_guard<std::mutex> lock(mu);
  auto it = all->find(base);
  if (it != all->end()) return &it->second->client;
  if (!make) return nullptr;
  Runtime* r = new Runtime(base);
  (*all)[base] = r;
  return &r->client;
}

int keyError(Tcl_Interp* interp, const std::string& msg) {
  Tcl_SetObjResult(interp, Tcl_NewStringObj(msg.c_str(), -1));
  Tcl_SetErrorCode(interp, "FAILOVER", "DNS", "KEY", nullptr);
  return TCL_ERROR;
}

Tcl_Obj* str(const std::string& s) { return Tcl_NewStringObj(s.c_str(), -1); }

}  // namespace

std::string UpdateOutcome::describe() const {
  if (!ok()) return result.error.empty() ? result.status() : result.error;
  std::string s = "NOERROR";
  if (serial) s += " serial " + std::to_string(*serial);
  return s + " (" + dns::transportName(result.transport) + ", " + std::to_string(result.elapsed.count()) + " ms)";
}

bool loadKey(Tcl_Interp* interp, const DnsKeyArg& arg, dns::TsigKey& key) {
  std::string err;
  if (!arg.file.empty()) {
    if (!dns::readTsigKeyFile(arg.file, key, &err)) return keyError(interp, "-key-file: " + err) == TCL_OK;
  } else if (!dns::parseTsigKeyInline(arg.inline_, key, &err)) {
    return keyError(interp, err) == TCL_OK;
  }
  return true;
}

bool prepareUpdate(Tcl_Interp* interp, const DnsUpdateArgs& a, UpdateJob& job) {
  if (!loadKey(interp, a.key, job.key)) return false;
  std::string err;
  auto server = net::resolveHostPort(a.server, 53, &err);  // numeric: no lookup
  if (!server) return keyError(interp, "-server: " + err) == TCL_OK;
  job.server = *server;
  job.zone = a.zone;
  job.change.name = a.name;
  job.change.type = a.type;
  job.change.ttl = a.ttl;
  for (const auto& ip : a.addresses) job.change.records.push_back(ip.text);
  if (a.expect) {
    job.change.expect.emplace();
    for (const auto& ip : *a.expect) job.change.expect->push_back(ip.text);
  }
  if (!dns::Request::update(job.zone, {job.change}, &job.key, &err)) {
    Tcl_SetObjResult(interp, str("fail::dns update: " + err));
    Tcl_SetErrorCode(interp, "FAILOVER", "ARGS", nullptr);
    return false;
  }
  return true;
}

void startUpdate(event_base* base, std::shared_ptr<const UpdateJob> job, milliseconds deadline, OutcomeFn done) {
  dns::UpdateClient& client = *clientOf(base);
  std::string err;
  auto request = dns::Request::update(job->zone, {job->change}, &job->key, &err);
  dns::ExchangeOptions opts;
  opts.deadline = deadline;
  if (!request) {  // checked on the Tcl side already
    UpdateOutcome o;
    o.result.error = err;
    done(o);
    return;
  }
  opts.readSerial = true;  // the zone's serial after a NOERROR, within the same deadline
  client.send(job->server, std::move(*request), opts, [done](const dns::Result& r) {
    UpdateOutcome o;
    o.result = r;
    if (r.ok()) o.serial = r.soaSerial;
    done(o);
  });
}

UpdateCounts updateCounts(event_base* base) {
  dns::UpdateClient* c = clientOf(base, false);
  if (!c) return {};
  return {c->counters().sent, c->counters().updates, c->counters().queries};
}

Tcl_Obj* outcomeDict(const UpdateOutcome& o) {
  Tcl_Obj* d = Tcl_NewDictObj();
  auto put = [d](const char* k, Tcl_Obj* v) { Tcl_DictObjPut(nullptr, d, Tcl_NewStringObj(k, -1), v); };
  put("rcode", str(o.result.status()));
  put("serial", o.serial ? Tcl_NewWideIntObj(*o.serial) : str(""));
  put("server", str(o.result.server));
  put("transport", str(dns::transportName(o.result.transport)));
  put("ms", Tcl_NewWideIntObj(o.result.elapsed.count()));
  if (!o.ok()) {
    std::vector<std::string> code = outcomeErrorCode(o);
    put("tsigerror", str(code.size() > 1 ? code[1] : ""));
    put("error", str(o.describe()));
  }
  return d;
}

std::vector<std::string> outcomeErrorCode(const UpdateOutcome& o) {
  std::vector<std::string> code{o.result.status()};
  if (o.result.tsigError) code.push_back(dns::tsigErrorName(o.result.tsigError));
  else if (o.result.unsignedReply) code.push_back("UNSIGNED");
  return code;
}

int outcomeError(Tcl_Interp* interp, const std::string& what, const UpdateOutcome& o) {
  Tcl_SetObjResult(interp, str(what + ": " + o.describe()));
  Tcl_Obj* code = Tcl_NewListObj(0, nullptr);
  Tcl_ListObjAppendElement(nullptr, code, str("FAILOVER"));
  Tcl_ListObjAppendElement(nullptr, code, str("DNS"));
  for (const auto& w : outcomeErrorCode(o)) Tcl_ListObjAppendElement(nullptr, code, str(w));
  Tcl_SetObjErrorCode(interp, code);
  return TCL_ERROR;
}

int dnsSafeRefused(Tcl_Interp* interp, const char* what) {
  Tcl_SetObjResult(interp, Tcl_ObjPrintf("%s: a --safe policy sends no DNS update (it would read a key file "
                                         "and reach a name server the administrator did not name)", what));
  Tcl_SetErrorCode(interp, "FAILOVER", "SAFE", "DNS", nullptr);
  return TCL_ERROR;
}

}  // namespace fail::shell
