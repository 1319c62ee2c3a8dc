// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The start-up every daemon of the suite shares (faild, hc, failsh): the common options
// and what they do (--help, -V, -t, -F/--daemon, --pidfile, -u, -d, -L), logging, the
// exit statuses and where an error is said. Each main gives its own option rows, checks
// its operands and runs; doc/design.md, "Options every daemon shares".
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "base/cli.hh"

namespace fail::daemon {

// What the shared options set.
struct Common {
  bool daemon = false;     // --daemon (-F: false)
  bool checkOnly = false;  // -t, --check-config
  bool help = false, version = false;
  std::string pidFile, user, logTo;
  std::vector<std::pair<std::string, std::string>> levels;  // -d FACILITY[=LEVEL]
};

// What a daemon tells the skeleton about itself.
struct Program {
  const char* name;      // "faild"
  const char* synopsis;  // after "Usage: NAME "
  const char* summary;   // one line under the usage line
  const char* epilogue;  // after the options: signals, "See faild(8) ..."
  std::vector<const char*> facilities;  // its log facilities, "main" first
  const char* checkHelp;                // help of -t
  char pidFileShort = 0;                // the original's letter for --pidfile (faild -r, failsh -i)
  bool user = false;                    // takes -u USER
};

// The shared rows, bound to `c`; they follow the program's own rows in --help.
std::vector<cli::Option> commonOptions(const Program& p, Common& c);

// --help's text: usage line, summary, every row, epilogue.
std::string helpText(const Program& p, const std::vector<cli::Option>& table);

// Detaches (--daemon; the caller then waits for reportReady/reportFailed) and writes the
// pid file (--pidfile), which run() removes when the daemon's run ends. Each daemon
// calls it once its configuration is read, before it binds or opens its state.
void start(const Common& c, const std::string& program);

// The whole main of a daemon. Parses argv with `own` rows followed by the shared ones;
// prints --help or --version (exit 0); calls `prepare` with the operands (it checks them
// and fills in defaults; it throws cli::UsageError or std::runtime_error); sets up
// logging; returns what `run` returns. A usage error is printed as "NAME: MESSAGE" and
// "Try 'NAME --help'." and exits 2. When `run` throws, the message (secrets redacted) is
// sent to the process waiting for --daemon if there is one, exit 1; otherwise it is
// printed on stderr with -t, and logged (and printed on stderr too when the log goes
// elsewhere), exit 1. The pid file written by start() is removed either way.
int run(const Program& p, int argc, char** argv, std::vector<cli::Option> own, Common& c,
        const std::function<void(const std::vector<std::string>& operands)>& prepare,
        const std::function<int()>& body);

}  // namespace fail::daemon
