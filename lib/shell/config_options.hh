// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The options of failsvc and failhost as tables (failover(n)): each row's word, the kind
// of value it takes (which decides how it is parsed), the value's name in the usage and
// the synopsis, a line of help, and the setting it writes. The rows drive parsing
// (Tcl_GetIndexFromObjStruct), the wrong-number-of-arguments usage and, checked by a unit
// test, failover(n)'s synopsis.
#pragma once

#include <string>

#include "shell/engine.hh"

namespace fail::shell {

enum class ServiceOptionKind {
  Interval,  // a duration of at least 100ms
  Duration,  // a duration
  Hosts,     // a Tcl list of host names
  Script,    // a Tcl script (usually a procedure's name)
};

struct ServiceOption {
  const char* name;  // first: Tcl_GetIndexFromObjStruct reads it; nullptr ends the table
  ServiceOptionKind kind;
  const char* value;  // the value's name in the usage and the synopsis
  const char* help;
  bool listed;  // false: an old spelling, accepted but not shown
  Millis ServiceSpec::*duration;               // Interval, Duration
  std::vector<std::string> ServiceSpec::*hosts;  // Hosts
  std::string ServiceSpec::*script;            // Script
};

enum class HostOptionKind {
  Port,        // 1 to 65535
  Address,     // where the host's faild listens
  Secret,      // the secret itself (redacted from the log)
  SecretFile,  // a file whose first line is the secret
  Tls,         // a boolean
  TlsFile,     // a PEM file; giving one turns TLS on
  Protocol,    // only "tcp" (the original's udp is gone)
};

struct HostOption {
  const char* name;  // first: Tcl_GetIndexFromObjStruct reads it; nullptr ends the table
  HostOptionKind kind;
  const char* value;
  const char* help;
  bool listed;
  std::string client::TlsOptions::*tlsFile;  // TlsFile
};

extern const ServiceOption kServiceOptions[];
extern const HostOption kHostOptions[];

// "name ?interval t? ?masters hosts? ...": the listed rows, for Tcl_WrongNumArgs.
std::string serviceUsage();
std::string hostUsage();

}  // namespace fail::shell
