// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failstat: LIST one or more servers and print their records as one table.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "client/options.hh"
#include "client/session.hh"
#include "state/record.hh"

namespace fail::client {

extern const Program kFailstat;

// What one target answered.
struct TargetStatus {
  Target target;
  bool ok = false;
  Failure failure;  // when !ok
  std::uint64_t serial = 0;
  std::vector<state::Record> records;
};

// Connects to `target` and LISTs `pattern` (empty: all). Never throws.
TargetStatus fetchStatus(const ClientOptions& opts, const Target& target,
                         const std::string& pattern);

// The one exit status for several outcomes: Unreachable over Denied over Failed over
// NotFound over Usage; Ok only when all are Ok.
Exit combineExits(const std::vector<Exit>& exits);

// Text: one aligned table (a TARGET column first when `withTarget`), SINCE for people.
// JSON: {"targets":[{"target":…,"serial":N,"records":[…]} or
//                   {"target":…,"error":…,"exit":N}]}.
std::string renderStatus(const std::vector<TargetStatus>& all, bool json, bool withTarget,
                         bool withAttrs, Micros now);

// failstat [OPTIONS] [TARGET...]: returns the exit status; errors on `err`.
int runFailstat(const ParsedArgs& args, std::ostream& out, std::ostream& err);

}  // namespace fail::client
