// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "shell/dns_socket.hh"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>

namespace fail::shell {

bool parseDnsSocket(std::string_view text, std::uint16_t defaultPort, bool zeroOk, std::string& out) {
  std::string_view host = text, port;
  bool bracketed = !text.empty() && text[0] == '[';
  if (bracketed) {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return false;
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty() && (rest[0] != ':' || rest.size() == 1)) return false;
    if (!rest.empty()) port = rest.substr(1);
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    host = text.substr(0, text.find(':'));
    port = text.substr(text.find(':') + 1);
    if (port.empty()) return false;
  }
  if (host.empty() || host.size() > 64 || host.find('\0') != std::string_view::npos) return false;
  std::string h(host);
  std::array<unsigned char, 16> bytes{};
  int family = AF_INET6;
  if (::inet_pton(AF_INET, h.c_str(), bytes.data()) == 1) {
    if (bracketed) return false;
    family = AF_INET;
  } else if (::inet_pton(AF_INET6, h.c_str(), bytes.data()) != 1) {
    return false;
  }
  unsigned long p = defaultPort;
  if (!port.empty()) {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) return false;
    p = std::stoul(std::string(port));
  } else if (!defaultPort) {
    return false;
  }
  if (p > 65535 || (p == 0 && !zeroOk)) return false;
  char buf[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(family, bytes.data(), buf, sizeof buf);
  out = (family == AF_INET6 ? "[" + std::string(buf) + "]" : std::string(buf)) + ":" + std::to_string(p);
  return true;
}

}  // namespace fail::shell
