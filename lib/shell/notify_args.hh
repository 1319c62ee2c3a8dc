// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The options of fail::notify channel, on, quiet (failover(n), "NOTIFICATIONS"), parsed
// on the Tcl side into the notification center's declarations. Every error names the
// subcommand, the name and the option ("fail::notify channel ops: -smtp: ..."); a
// password or secret file is read here (an unreadable one is an error naming the file)
// and its content never appears in an error or a log line (log::redact).
#pragma once

#include <tcl.h>

#include "notify/center.hh"

namespace fail::shell {

struct NotifyArgRules {
  bool safe = false;  // --safe: -exec, -password-file, -secret-file, -ca, -mail and -webhook refused
};

// fail::notify channel NAME ...: objv[first] is NAME. False with the error in interp.
bool parseNotifyChannel(Tcl_Interp* interp, int objc, Tcl_Obj* const objv[], int first, const NotifyArgRules& rules,
                        notify::ChannelConfig& out);
// fail::notify on PATTERN ...
bool parseNotifyRule(Tcl_Interp* interp, int objc, Tcl_Obj* const objv[], int first, notify::RuleSpec& out);
// fail::notify quiet PATTERN ...; `now`: the wall clock -for counts from.
bool parseNotifyQuiet(Tcl_Interp* interp, int objc, Tcl_Obj* const objv[], int first, Micros now,
                      notify::QuietSpec& out);

// "-until" values: ISO 8601 UTC as base/time.hh's parseIsoTime reads it
// ("2026-12-07T18:00:00Z", "2026-12-07 18:00Z") or whole seconds since the epoch (what
// [clock scan] returns). nullopt else.
std::optional<Micros> parseUntil(std::string_view text);

}  // namespace fail::shell
