// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// hc's configuration, the Hcfile (Hcfile(5)): Tcl syntax read by a safe child
// interpreter under a time and command limit, in which only the configuration commands
// (check, defaults, report, location) and Tcl's side-effect-free language commands exist.
// Each command records a declaration; the declarations are validated afterwards against
// the kinds' schema tables (check::validate), so every error names file, line, check and
// option.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "check/spec.hh"
#include "client/options.hh"

namespace fail::hc {

using check::ConfigError;

// One `report HOST:PORT ?-secret S? ?-secret-file F? ?-tls? ?-ca F? ?-cert F? ?-key F?`.
struct ReportSpec {
  std::string address;  // as written: "127.0.0.1:1847", "unix:/run/failover/faild.sock"
  client::Target target;
  std::string secret;      // resolved (from -secret or the first line of -secret-file)
  std::string secretFile;  // as written, for messages
  client::TlsOptions tls;  // tls.enabled from -tls
  std::string file;
  int line = 0;

  // Same faild, same credentials: a reload keeps its connection.
  bool sameAs(const ReportSpec& o) const;
};

struct Config {
  std::string file;
  std::string location;  // "" : none; else records are reported as CHECK@LOCATION
  std::vector<check::CheckSpec> checks;  // validated, in declaration order
  std::vector<ReportSpec> reports;
  std::vector<std::string> warnings;  // "FILE:LINE: ..." worth a log line, not an error

  // The name a check is reported under: "web1" or "web1@fra".
  std::string reportName(const std::string& check) const {
    return location.empty() ? check : check + "@" + location;
  }
};

struct Limits {
  std::chrono::milliseconds time{10000};  // wall time the script may run
  long commands = 50'000'000;             // Tcl commands it may execute
  // Tcl looks at its limits only between commands. In the reader process (and only
  // there: the default action of SIGALRM ends the process), a timer sends SIGALRM one
  // second after `time` if the script is still running, inside one long command.
  bool alarm = false;
};

// Reads and validates `path`. Throws ConfigError with every error of the file, one a
// line in the order of the file (at most 20): "FILE:LINE: check NAME: -OPTION: why" for a
// check, "FILE:LINE: why" for anything else. A wrong declaration is recorded and the
// script goes on; a Tcl error ends it (then -depends are not looked at: their checks may
// come later). hc -t, the start and a reload all refuse a file by this.
Config loadConfig(const std::string& path, const Limits& limits = {});

// The Tcl commands an Hcfile may use besides check/defaults/report/location, sorted
// (for Hcfile(5) and the tests).
const std::vector<std::string>& tclCommands();

}  // namespace fail::hc
