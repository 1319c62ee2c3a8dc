// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "net/address.hh"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <cstring>

#include "base/time.hh"

namespace fail::net {

std::uint16_t Address::port() const {
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
  if (family() == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
  return 0;
}

std::string Address::text() const {
  char buf[INET6_ADDRSTRLEN] = "?";
  if (family() == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr, buf, sizeof buf);
    return std::string(buf) + ":" + std::to_string(port());
  }
  if (family() == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_addr, buf, sizeof buf);
    return "[" + std::string(buf) + "]:" + std::to_string(port());
  }
  return "?";
}

std::optional<Address> resolve(const std::string& host, std::uint16_t port, std::string* error) {
  Address a;
  // Numeric first: no resolver involved, no blocking.
  auto* v4 = reinterpret_cast<sockaddr_in*>(&a.storage);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    a.length = sizeof(sockaddr_in);
    return a;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&a.storage);
  if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    a.length = sizeof(sockaddr_in6);
    return a;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG;
  addrinfo* res = nullptr;
  int rc = host.empty() ? EAI_NONAME : getaddrinfo(host.c_str(), nullptr, &hints, &res);
  if (rc != 0 || !res) {
    if (error) *error = "cannot resolve " + host + ": " + gai_strerror(rc ? rc : EAI_NONAME);
    return std::nullopt;
  }
  std::memcpy(&a.storage, res->ai_addr, res->ai_addrlen);
  a.length = res->ai_addrlen;
  freeaddrinfo(res);
  if (a.family() == AF_INET) v4->sin_port = htons(port);
  else if (a.family() == AF_INET6) v6->sin6_port = htons(port);
  else {
    if (error) *error = "cannot resolve " + host + ": no IPv4 or IPv6 address";
    return std::nullopt;
  }
  return a;
}

bool splitHostPort(std::string_view text, std::string& host, std::uint16_t& port,
                   std::uint16_t defaultPort) {
  std::string_view h = text, p;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return false;
    h = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      p = rest.substr(1);
      if (p.empty()) return false;
    }
  } else {
    auto colon = text.rfind(':');
    if (colon != std::string_view::npos && text.find(':') == colon) {  // exactly one colon
      h = text.substr(0, colon);
      p = text.substr(colon + 1);
      if (p.empty()) return false;
    }
  }
  if (h.empty()) return false;
  if (p.empty()) {
    if (defaultPort == 0) return false;
    port = defaultPort;
  } else {
    auto n = parseInt(p);
    if (!n || *n < 1 || *n > 65535) return false;
    port = static_cast<std::uint16_t>(*n);
  }
  host.assign(h);
  return true;
}

std::optional<Address> resolveHostPort(std::string_view text, std::uint16_t defaultPort,
                                       std::string* error) {
  std::string host;
  std::uint16_t port = 0;
  if (!splitHostPort(text, host, port, defaultPort)) {
    if (error) *error = "not HOST:PORT (port 1-65535): " + std::string(text);
    return std::nullopt;
  }
  return resolve(host, port, error);
}

}  // namespace fail::net
