// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Non-blocking TCP connects and how a connection ends, for clients that run on the loop
// (hc's probes).
#pragma once

#include "base/unique_fd.hh"
#include "net/address.hh"

namespace fail::net {

// Opens a non-blocking, close-on-exec TCP socket and starts connecting it to `to`.
// Returns 0 with *fd set when the connect is under way (or already done: watch for
// writability either way, then read SO_ERROR with connectResult), or an errno (with *fd
// closed) when socket() or connect() failed at once; classify it with classifyErrno.
// No allocation.
int startConnect(const Address& to, UniqueFd& fd);
// After the socket became writable: 0 when connected, else the pending errno.
int connectResult(int fd);

// Closes with an RST instead of a FIN (SO_LINGER 0): the probing side keeps no
// TIME_WAIT entry, so 10,000 checks a second do not run out of ports. Only for a socket
// whose unsent data does not matter.
void abortiveClose(UniqueFd& fd);

}  // namespace fail::net
