// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The front-end's sockets for one listen address (dns/frontend.hh, FrontEnd::bind): a
// probe, then N SO_REUSEPORT UDP sockets and one TCP listener on the same port.
//
// SO_REUSEPORT joins silently: a second socket of the same user bound with it to a port
// already in use gets a share of the traffic without an error. So the address is first
// bound by a plain UDP socket (no SO_REUSEPORT), which fails when anything holds the
// port, and closed; only then is the group bound. With port 0 the probe's port is the
// one the group takes.
#pragma once

#include <sys/socket.h>

#include <memory>
#include <string>
#include <vector>

#include "base/unique_fd.hh"

namespace fail::dns {

struct ListenGroup {
  std::string listen;  // as configured: "127.0.0.1:0"
  std::string bound;   // with the real port: "127.0.0.1:41234", "[::1]:53"
  sockaddr_storage addr{};
  socklen_t addrLen = 0;
  // Blocking UDP sockets, one per UDP thread; shared with forwarded queries in flight,
  // which are answered on the socket they came in on.
  std::vector<std::shared_ptr<UniqueFd>> udp;
  UniqueFd tcp;  // non-blocking, listening
};

// The number of UDP sockets (and threads) per address: `configured`, or when 0 the
// number of CPUs, at most 4.
unsigned udpSocketCount(unsigned configured);

// Parses "ADDRESS:PORT" ("127.0.0.1:53", "[::1]:0"; numeric addresses only, PORT 0-65535)
// into `ss`. False with *err quoting the text.
bool parseListenAddress(const std::string& text, sockaddr_storage& ss, socklen_t& len, std::string* err);

// Probes and binds `listen` with `udpSockets` UDP sockets and a TCP listener. False with
// *err naming the address and, when the port is held, who holds it; nothing stays bound.
bool bindGroup(const std::string& listen, unsigned udpSockets, ListenGroup& out, std::string* err);

// "PID (COMM)" of a process holding local `port` of `proto` ("udp", "tcp"), from /proc;
// "" when none is found (another user's process, or another network namespace).
std::string portHolder(const char* proto, int family, unsigned port);

}  // namespace fail::dns
