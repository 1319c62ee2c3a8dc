// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failc: its subcommands (set, get, list, del, watch, history, report, stats, ping, update), from one table that
// drives dispatch, operand checks and --help.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.hh"
#include "client/options.hh"

namespace fail::client {

extern const Program kFailc;

// Builds the request a subcommand other than watch sends, from the operands (the
// subcommand first) and the options, checking them first: a bad name, state, duration,
// attribute or time, or an option the subcommand does not take, is a usage error
// (false, with the message in `err`).
bool buildRequest(const ParsedArgs& args, std::vector<std::string>& words, std::string& err);

// --at TIME: microseconds since the epoch (as on the wire, after 2001), "@SECONDS" with
// an optional fraction, "-DURATION" (that long before `now`), or "YYYY-MM-DD HH:MM[:SS]"
// ('T' allowed for the space) in local time, or UTC with a trailing 'Z'.
std::optional<Micros> parseAtTime(std::string_view text, Micros now);

// The name failc gives itself in HELLO: --as NAME (checked with proto::validClientName;
// false with a message in `err` when it is not one), else "failc". faild records it as
// the origin of the records failc sets unless an access entry names the client.
bool helloName(const ParsedArgs& args, std::string& name, std::string& err);

// `failc update` (RFC 2136) needs the DNS library, which sits above this one: failc's
// main hands its runner in (dns/update_command.hh). Same contract as runFailc.
using UpdateRunner = int (*)(const ParsedArgs& args, std::ostream& out, std::ostream& err);

// Runs failc with parsed arguments; returns the exit status. Output to `out`, errors
// (prefixed "failc: ") to `err`. Without `update`, `failc update` is a usage error.
int runFailc(const ParsedArgs& args, std::ostream& out, std::ostream& err, UpdateRunner update);
int runFailc(const ParsedArgs& args, std::ostream& out, std::ostream& err);

}  // namespace fail::client
