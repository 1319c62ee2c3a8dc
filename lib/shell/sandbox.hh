// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// What failsh changes in the policy interpreter beyond its own commands (failover(n),
// "SAFE POLICIES"): `exit` refuses (stop failsh with SIGTERM) except while allowExit()
// says so, and in --safe mode `after`, `fileevent` and
// `chan event` run their scripts through the Guard, `interp`, `chan pipe` and `chan create` are gone
// (no channel, no interpreter that would escape the limits) and an execution trace
// refuses the known crash vectors before they run: a value or list past kMaxValueBytes /
// kMaxListElements as an argument, and a regular expression with more than
// kMaxRegexpGroups groups or nested deeper than kMaxRegexpNesting.
#pragma once

#include <tcl.h>

#include <cstddef>

namespace fail::shell {

class Api;

inline constexpr std::size_t kMaxValueBytes = 16u << 20;
inline constexpr int kMaxListElements = 1 << 20;
inline constexpr int kMaxRegexpGroups = 100;
inline constexpr int kMaxRegexpNesting = 32;

// Call after Api::attach (the commands exist).
void hardenPolicy(Tcl_Interp* policy, Api& api, bool safe);

// Whether `exit` ends failsh (true only while a trusted policy is read at start).
void allowExit(Tcl_Interp* policy, bool allowed);

// Tcl's panic (out of memory, a value past 2 GiB) logged as an error before the abort.
void logTclPanics();

}  // namespace fail::shell
