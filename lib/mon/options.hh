// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failmon's command line (man/failmon.1): one base/cli table drives getopt_long and
// --help. Targets are client::parseTarget's forms with -p as the default port (1848,
// failsh's monitor port); secrets and TLS as failc takes them.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "base/cli.hh"
#include "mon/target.hh"

namespace fail::mon {

inline constexpr const char* kDefaultMonitorPort = "1848";

enum class Mode {
  Curses,  // -c, the default
  Lines,   // -l: the state on each line read from stdin
  Html,    // -h: one page on stdout
  Once,    // -1: one update as text, then exit
};

struct Options {
  Mode mode = Mode::Curses;
  bool modeGiven = false;
  bool json = false;
  std::chrono::milliseconds timeout{5000};  // -1, -h, --json: how long to wait for a target
  std::vector<TargetSpec> targets;          // never empty after parsing (127.0.0.1:1848)
  std::vector<std::pair<std::string, std::string>> levels;  // -d FACILITY[=LEVEL]
  bool help = false, version = false;
};

// The log facilities failmon has ("failmon", "link"), for -d.
const std::vector<const char*>& logFacilities();

// The rows of the table, for --help and the check against the man page.
std::vector<cli::Row> optionRows();
std::string usage();
std::string versionLine();

// Parses argv (permuted by getopt_long). `envSecret`: FAIL_SECRET's value or null. Throws
// cli::UsageError naming the option or the target that is wrong.
Options parseOptions(int argc, char** argv, const char* envSecret);

}  // namespace fail::mon
