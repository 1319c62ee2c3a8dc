// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// runCgi (cgi.hh): serveCgi with the real environment and collect() (target.hh).
#include "mon/cgi.hh"

#include "mon/cgi_serve.hh"

namespace fail::mon {

int runCgi(CgiFlavour flavour, std::ostream& out) {
  CgiRequest req = cgiRequestFromEnv(flavour);
  serveCgi(
      flavour, req,
      [](const std::vector<TargetSpec>& targets, std::chrono::milliseconds deadline) {
        return collect(targets, deadline);
      },
      out);
  out.flush();
  return 0;
}

}  // namespace fail::mon
