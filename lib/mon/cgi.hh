// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failmon.cgi and hcmon.cgi: a CGI/1.1 program (RFC 3875) that shows the targets of its
// configuration file (conf.hh) as an HTML page, or as JSON with ?format=json. Targets come
// only from the configuration: a query string naming anything else is refused.
#pragma once

#include <ostream>
#include <string>

namespace fail::mon {

enum class CgiFlavour { Failmon, Hcmon };

// Reads the request from the environment (REQUEST_METHOD, QUERY_STRING; the
// configuration file from FAILMON_CONFIG or HCMON_CONFIG, else
// /etc/failover/failmon.conf or hcmon.conf), writes headers and body to `out`.
// Returns the process's exit status (0 also for an error page: the server shows it).
int runCgi(CgiFlavour flavour, std::ostream& out);

}  // namespace fail::mon
