// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failmon's modes (man/failmon.1, MODES) over the Watcher, collect and the renderers;
// and main's dispatch: called as failmon.cgi or hcmon.cgi it is a CGI program (cgi.hh).
#pragma once

#include <istream>
#include <ostream>

#include "mon/options.hh"

namespace fail::mon {

// Exit statuses (failmon(1), EXIT STATUS).
inline constexpr int kExitOk = 0, kExitFailed = 1, kExitUsage = 2, kExitUnreachable = 4;

// -1, -h, --json: one collection, printed to `out`; kExitUnreachable when a target is
// Down (its reason is in the output).
int runOnce(const Options& o, std::ostream& out);
// -l: the state (text, or one JSON document with --json) each time a line is read from
// `inFd`, until EOF or a line "q".
int runLines(const Options& o, int inFd, std::ostream& out);
// -c: the curses interface (curses.hh) on a live Watcher.
int runCursesMode(const Options& o);

// The whole program: argv[0]'s basename failmon.cgi / hcmon.cgi runs the CGI program,
// anything else parses the command line and runs its mode.
int failmonMain(int argc, char** argv);

}  // namespace fail::mon
