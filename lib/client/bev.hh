// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The bufferevent plumbing of the loop's line-protocol client (client/transport.hh,
// under client::Link and hc's Reporter): a connection to a Target, plain or TLS; what
// went wrong when it ended; and its input split into lines.
#pragma once

#include <event2/bufferevent.h>
#include <event2/dns.h>

#include <functional>
#include <string>

#include "client/options.hh"
#include "client/tls.hh"

namespace fail::client {

// A new bufferevent for `t` (TLS when `ctx` is given: SNI and name checks for a TCP
// host), not yet connected. Null with a message on failure.
bufferevent* newBufferevent(event_base* base, const Target& t, SSL_CTX* ctx, std::string& err);

// Starts connecting `b` to `t` (a Unix socket path, "@name" abstract, or host and port
// through `dns`, which may be null). False with a message when it fails at once.
bool connectBufferevent(bufferevent* b, const Target& t, evdns_base* dns, std::string& err);

// Why an event callback's `what` ended the connection, for people. `handshaking`: TLS
// errors are read as a failed handshake (certificate problems named).
std::string endReason(bufferevent* b, short what, const Target& t, bool tls, bool handshaking);

// Hands each complete line of `b`'s input to `onLine` (LF and a CR before it dropped)
// while `onLine` returns true. False when what is left exceeds `maxLine` bytes.
bool readLines(bufferevent* b, size_t maxLine, const std::function<bool(const std::string&)>& onLine);

}  // namespace fail::client
