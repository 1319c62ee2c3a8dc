// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The parts of runCgi (cgi.hh) that tests and the fuzzer reach without a web server or
// real targets: the query parser, the request as the environment gives it, and the
// answer for a request given a way to collect the targets.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "mon/cgi.hh"
#include "mon/cgi_query.hh"
#include "mon/model.hh"
#include "mon/target.hh"

namespace fail::mon {

struct CgiRequest {
  std::optional<std::string> method;  // REQUEST_METHOD; unset: run by hand, taken as GET
  std::string query;                  // QUERY_STRING
  std::string pathInfo;               // PATH_INFO: must be empty
  std::string scriptName;             // SCRIPT_NAME, for the page's link to its JSON
  std::string configPath;             // from FAILMON_CONFIG / HCMON_CONFIG, or the default
};

// The request from the process's environment. The configuration's path comes from
// FAILMON_CONFIG (failmon.cgi) or HCMON_CONFIG (hcmon.cgi) — variables the web server
// sets; a client's headers arrive as HTTP_* and cannot name them — else
// SYSCONFDIR/failover/failmon.conf or hcmon.conf.
CgiRequest cgiRequestFromEnv(CgiFlavour flavour);

// The port of a target named without one: failsh's monitor port 1848 for failmon.cgi,
// hc's 1850 for hcmon.cgi.
const char* cgiDefaultPort(CgiFlavour flavour);

// What collect() (target.hh) does; tests pass their own.
using CollectFn = std::function<Model(const std::vector<TargetSpec>&, std::chrono::milliseconds)>;

// Writes the CGI answer (headers, then the body unless HEAD) for `req` to `out`.
void serveCgi(CgiFlavour flavour, const CgiRequest& req, const CollectFn& collectFn, std::ostream& out);

// A plain-text error answer ("500 Internal Server Error", the message) with the same
// headers as every answer.
void serveCgiError(const CgiRequest& req, const char* status, const std::string& text, std::ostream& out);

// The Content-Security-Policy of every answer: nothing external, no script, the page's
// own style sheet by its hash.
const std::string& cgiContentSecurityPolicy();

}  // namespace fail::mon
