// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "net/listen.hh"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "base/time.hh"

namespace fail::net {
namespace {

bool isLoopback(const sockaddr* sa) {
  if (sa->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
  }
  if (sa->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr)) return true;
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) return in6->sin6_addr.s6_addr[12] == 127;
  }
  return false;
}

std::string addressText(const sockaddr* sa, bool withPort) {
  char host[INET6_ADDRSTRLEN] = "?";
  std::uint16_t port = 0;
  if (sa->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    port = ntohs(in->sin_port);
    return withPort ? std::string(host) + ":" + std::to_string(port) : host;
  }
  if (sa->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    port = ntohs(in6->sin6_port);
    return withPort ? "[" + std::string(host) + "]:" + std::to_string(port) : host;
  }
  return "unix";
}

[[noreturn]] void fail(const std::string& what, const ListenSpec& spec) {
  throw std::runtime_error("listen " + spec.text + ": " + what + ": " + std::strerror(errno));
}

}  // namespace

std::optional<ListenSpec> parseListen(std::string_view text, std::string& err) {
  ListenSpec s;
  s.text = std::string(text);
  std::string_view rest = text;
  if (rest.rfind("unix:", 0) == 0) {
    s.kind = ListenSpec::Kind::Unix;
    s.path = std::string(rest.substr(5));
    if (s.path.empty() || s.path.size() >= sizeof(sockaddr_un::sun_path)) {
      err = "'" + s.text + "': a Unix socket path of 1-107 bytes is needed";
      return std::nullopt;
    }
    return s;
  }
  if (rest.rfind("tls:", 0) == 0) {
    s.tls = true;
    rest.remove_prefix(4);
  }
  size_t colon;
  if (!rest.empty() && rest[0] == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':') {
      err = "'" + s.text + "': write an IPv6 address as [ADDRESS]:PORT";
      return std::nullopt;
    }
    s.host = std::string(rest.substr(1, close - 1));
    colon = close + 1;
  } else {
    colon = rest.rfind(':');
    if (colon == std::string_view::npos) {
      err = "'" + s.text + "': ADDRESS:PORT or unix:PATH expected";
      return std::nullopt;
    }
    s.host = std::string(rest.substr(0, colon));
  }
  auto port = parseInt(rest.substr(colon + 1));
  if (s.host.empty() || !port || *port > 65535) {
    err = "'" + s.text + "': ADDRESS:PORT with a port from 0 to 65535 expected";
    return std::nullopt;
  }
  s.port = static_cast<std::uint16_t>(*port);
  return s;
}

std::optional<ListenSpec> parseHttpListen(std::string_view text, std::string& err) {
  std::string given(text);
  if (!given.empty() && given.find_first_not_of("0123456789") == std::string::npos) given = "127.0.0.1:" + given;
  auto spec = parseListen(given, err);
  if (!spec) return std::nullopt;
  if (spec->kind != ListenSpec::Kind::Tcp) {
    err = std::string(text) + ": ADDRESS:PORT or tls:ADDRESS:PORT is needed";
    return std::nullopt;
  }
  spec->text = std::string(text);
  return spec;
}

Listener bindListener(const ListenSpec& spec, int backlog) {
  Listener l;
  l.spec = spec;
  if (spec.kind == ListenSpec::Kind::Unix) {
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    std::memcpy(sun.sun_path, spec.path.data(), spec.path.size());
    l.fd.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!l.fd) fail("socket", spec);
    if (::bind(l.fd.get(), reinterpret_cast<sockaddr*>(&sun), sizeof sun) != 0) {
      struct stat st;
      if (errno != EADDRINUSE || ::lstat(spec.path.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode))
        fail("bind", spec);
      // A socket file left by a process that died: replace it only if nobody answers.
      UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
      if (::connect(probe.get(), reinterpret_cast<sockaddr*>(&sun), sizeof sun) == 0) {
        errno = EADDRINUSE;
        fail("another process answers there", spec);
      }
      ::unlink(spec.path.c_str());
      if (::bind(l.fd.get(), reinterpret_cast<sockaddr*>(&sun), sizeof sun) != 0)
        fail("bind", spec);
    }
    if (spec.gid >= 0 && ::chown(spec.path.c_str(), static_cast<uid_t>(-1), static_cast<gid_t>(spec.gid)) != 0)
      fail("chown to group " + std::to_string(spec.gid), spec);
    if (spec.mode >= 0 && ::chmod(spec.path.c_str(), static_cast<mode_t>(spec.mode)) != 0)
      fail("chmod", spec);
    if (::listen(l.fd.get(), backlog) != 0) fail("listen", spec);
    l.loopback = true;
    l.bound = "unix:" + spec.path;
    return l;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  std::string port = std::to_string(spec.port);
  int rc = ::getaddrinfo(spec.host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0)
    throw std::runtime_error("listen " + spec.text + ": " + ::gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(res, ::freeaddrinfo);
  l.fd.reset(::socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!l.fd) fail("socket", spec);
  int one = 1;
  ::setsockopt(l.fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (res->ai_family == AF_INET6)
    ::setsockopt(l.fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (::bind(l.fd.get(), res->ai_addr, res->ai_addrlen) != 0) fail("bind", spec);
  if (::listen(l.fd.get(), backlog) != 0) fail("listen", spec);
  l.loopback = isLoopback(res->ai_addr);
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ::getsockname(l.fd.get(), reinterpret_cast<sockaddr*>(&ss), &len);
  l.bound = (spec.tls ? "tls:" : "") + addressText(reinterpret_cast<sockaddr*>(&ss), true);
  return l;
}

bool isLoopback(const ListenSpec& spec) {
  if (spec.kind == ListenSpec::Kind::Unix) return true;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  if (::getaddrinfo(spec.host.c_str(), "0", &hints, &res) != 0) return false;
  bool all = true;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) all &= isLoopback(ai->ai_addr);
  ::freeaddrinfo(res);
  return all;
}

std::string peerName(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "?";
  return addressText(reinterpret_cast<sockaddr*>(&ss), false);
}

bool peerIsLoopback(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return false;
  return isLoopback(reinterpret_cast<sockaddr*>(&ss));
}

}  // namespace fail::net
