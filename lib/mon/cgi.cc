// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// runCgi (cgi.hh): serveCgi with the real environment and collect() (target.hh).
#include "mon/cgi.hh"

#include <sstream>

#include "mon/cgi_serve.hh"

namespace fail::mon {

int runCgi(CgiFlavour flavour, std::ostream& out) {
  CgiRequest req = cgiRequestFromEnv(flavour);
  std::ostringstream answer;
  try {
    serveCgi(
        flavour, req,
        [](const std::vector<TargetSpec>& targets, std::chrono::milliseconds deadline) {
          return collect(targets, deadline);
        },
        answer);
  } catch (const std::exception& e) {
    // Nothing of the half-written answer goes out: a plain 500 instead.
    answer.str("");
    serveCgiError(req, "500 Internal Server Error", std::string("internal error: ") + e.what(), answer);
  }
  out << answer.str();
  out.flush();
  return 0;
}

}  // namespace fail::mon
