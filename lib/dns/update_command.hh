// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// `failc update NAME TYPE ADDRESS... --server ADDRESS[:PORT] --zone ZONE --tsig-file FILE
// [--expect ADDRESS]... [--ttl D]` (failc(1)): one RFC 2136 UPDATE replacing NAME's A or
// AAAA RRset, signed with TSIG, sent with the library's UpdateClient on a loop of its own
// that runs until the primary answered (or --timeout, default 5s, passed); then the
// zone's SOA serial is read back. A blocking use of what `fail::dns update` uses.
#pragma once

#include <ostream>

#include "client/options.hh"

namespace fail::dns {

// client::UpdateRunner. Prints "NOERROR serial 42 (udp, 3 ms)" (or --json's object) on
// `out`; an error as failc prints them, with exit status 2 (usage, key file), 3 (NOTAUTH,
// REFUSED), 4 (no answer) or 5 (any other rcode: YXRRSET, NXRRSET, SERVFAIL...).
int runFailcUpdate(const client::ParsedArgs& args, std::ostream& out, std::ostream& err);

}  // namespace fail::dns
