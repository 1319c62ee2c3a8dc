// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// faildebug: read and change a running server's log levels with DEBUG
// (doc/protocol.md): faild, failsh's monitor or debug port, hc's monitor port.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client/options.hh"

namespace fail::client {

extern const Program kFaildebug;

using Levels = std::vector<std::pair<std::string, std::string>>;  // facility, level

// "OK main notice proto debug" words -> pairs. False when the count is odd.
bool parseLevels(const std::vector<std::string>& words, Levels& out);

// The level one step more verbose ('+') or less ('-') than `current`, clamped to
// err..debug. Empty when `current` is not a level name.
std::string stepLevel(std::string_view current, char direction);

// Text: a FACILITY LEVEL table. JSON: {"main":"notice",…}.
std::string renderLevels(const Levels& levels, bool json);

// faildebug [OPTIONS] [FACILITY [LEVEL|+|-]]: returns the exit status.
int runFaildebug(const ParsedArgs& args, std::ostream& out, std::ostream& err);

}  // namespace fail::client
