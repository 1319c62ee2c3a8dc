// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Command-line options from one table, for every program of the suite (the daemons, and
// failc, failstat and faildebug through client/options): the rows drive getopt_long,
// --help and the test that compares --help with the table, so they cannot drift apart
// (doc/design.md, "Code layout and rules"). Options may stand before or after the
// operands (GNU permutation); "--" ends them.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace fail::cli {

// One row of an option table, without its action: what --help and the checks read.
struct Row {
  const char* longName;  // without "--"
  char shortName;        // 0: none
  const char* argName;   // nullptr: a flag
  const char* help;
};

// A row with what it does.
struct Option {
  const char* longName;  // without "--"
  char shortName;        // 0: none
  const char* argName;   // nullptr: a flag
  const char* help;
  // Called with the argument ("" for a flag). Throws UsageError for a bad value.
  std::function<void(const std::string&)> apply;

  Row row() const { return {longName, shortName, argName, help}; }
};

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parses argv (getopt_long, reinitialised on every call; argv's pointers may be
// permuted), calling each option's `apply` in command-line order. Returns the operands
// (words that are not options), in order. Throws UsageError ("unknown option '-x'",
// "option '--ttl' needs an argument", or what an `apply` threw).
std::vector<std::string> parse(int argc, char** argv, const std::vector<Option>& options);

// "  -s, --state FILE      state file ..." lines, aligned, in table order.
std::string help(const std::vector<Row>& rows);
std::string help(const std::vector<Option>& options);

// What every daemon's -L, --daemon and -d options say about logging.
struct LogSettings {
  std::string logTo;  // "", "stderr", "syslog" or a file
  bool daemon = false;
  std::vector<std::pair<std::string, std::string>> levels;  // -d FACILITY[=LEVEL]
};
// Registers `facilities`, opens the sink (syslog for a daemon without -L) under the name
// `program`, applies the levels. Throws UsageError naming a bad level or facility.
void setUpLogging(const char* program, const std::vector<const char*>& facilities, const LogSettings& s);

}  // namespace fail::cli
