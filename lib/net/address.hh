// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Socket addresses for clients: "host:port" turned into an address once, at
// construction (a name lookup may block), never per attempt.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fail::net {

// One resolved socket address (IPv4 or IPv6), with the port set.
struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;

  int family() const { return storage.ss_family; }
  const sockaddr* sa() const { return reinterpret_cast<const sockaddr*>(&storage); }
  std::uint16_t port() const;
  std::string text() const;  // "127.0.0.1:80", "[::1]:80"
};

// Resolves `host` (a numeric IPv4/IPv6 address, or a name looked up once with
// getaddrinfo, which may block: call it at construction, never per attempt) with `port`.
// A name with several addresses gives the first one getaddrinfo returns. On failure
// returns nullopt and sets *error ("cannot resolve NAME: ..."), when given.
std::optional<Address> resolve(const std::string& host, std::uint16_t port,
                               std::string* error = nullptr);

// Splits "HOST:PORT", "[V6]:PORT" or, when defaultPort is non-zero, a bare "HOST" /
// "[V6]" / "V6" (an unbracketed address with several colons has no port). Returns false
// on a malformed text or a port outside 1-65535.
bool splitHostPort(std::string_view text, std::string& host, std::uint16_t& port,
                   std::uint16_t defaultPort = 0);

// splitHostPort then resolve; *error says which part was wrong.
std::optional<Address> resolveHostPort(std::string_view text, std::uint16_t defaultPort = 0,
                                       std::string* error = nullptr);

}  // namespace fail::net
