// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The glue between fail::dns update and the RFC 2136 library (lib/dns): the key read and
// the UPDATE built on the Tcl thread (errors name the option), the exchange run on the
// loop side, its outcome turned back into a Tcl dict or a Tcl error with
// -errorcode {FAILOVER DNS RCODE ?TSIGERROR?}.
#pragma once

#include <event2/event.h>
#include <tcl.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "dns/tsig_key.hh"
#include "dns/update_client.hh"
#include "dns/update_msg.hh"
#include "shell/dns_update_args.hh"

namespace fail::shell {

// What the loop side needs to send one update: plain data, built on the Tcl thread.
struct UpdateJob {
  net::Address server;
  std::string zone;
  dns::TsigKey key;
  dns::RrsetChange change;
};

// How an update ended: the exchange's result, and the zone's SOA serial read from the
// primary after a NOERROR.
struct UpdateOutcome {
  dns::Result result;
  std::optional<std::uint32_t> serial;
  bool ok() const { return result.ok(); }
  // "NOERROR serial 42 (udp, 3 ms)", or the result's error sentence.
  std::string describe() const;
};

// Reads the key (-key-file FILE or -key) into `key`; false with a Tcl error naming the
// option (and the file and line) in interp, -errorcode {FAILOVER DNS KEY}.
bool loadKey(Tcl_Interp* interp, const DnsKeyArg& arg, dns::TsigKey& key);

// Reads the key and builds the change; false with a Tcl error in interp.
bool prepareUpdate(Tcl_Interp* interp, const DnsUpdateArgs& a, UpdateJob& job);

using OutcomeFn = std::function<void(const UpdateOutcome&)>;
// Loop side: sends the update (the library retries, and falls back to TCP, until
// `deadline`) and reads the zone's SOA serial from the primary after a NOERROR
// (ExchangeOptions::readSerial); `done` runs exactly once, from the loop. One UpdateClient per event_base serves
// every update of the process (it lives as long as the process).
void startUpdate(event_base* base, std::shared_ptr<const UpdateJob> job, std::chrono::milliseconds deadline,
                 OutcomeFn done);

// The result dict: rcode, serial, server, transport, ms (and tsigerror, error when the
// update failed, for -command).
Tcl_Obj* outcomeDict(const UpdateOutcome& o);
// Sets the error (message and -errorcode {FAILOVER DNS RCODE ?TSIGERROR?}) of an
// outcome that is not NOERROR; returns TCL_ERROR.
int outcomeError(Tcl_Interp* interp, const std::string& what, const UpdateOutcome& o);
// The -errorcode words of an outcome: {NOTAUTH BADKEY}, {NOTAUTH UNSIGNED}, {TIMEOUT}...
std::vector<std::string> outcomeErrorCode(const UpdateOutcome& o);

// --safe: fail::dns update and follow are refused (a safe policy reads no key file and
// reaches no name server the administrator did not name).
int dnsSafeRefused(Tcl_Interp* interp, const char* what);

}  // namespace fail::shell
