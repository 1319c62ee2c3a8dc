// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Listening sockets: "127.0.0.1:1847", "[::1]:1847", "unix:/run/failover/faild.sock",
// "tls:0.0.0.0:1847". Shared by every daemon of the suite.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/unique_fd.hh"

namespace fail::net {

struct ListenSpec {
  enum class Kind { Tcp, Unix } kind = Kind::Tcp;
  bool tls = false;
  std::string host;  // Tcp: numeric address or name ("" never)
  std::uint16_t port = 0;
  std::string path;  // Unix
  std::string text;  // as given
  // Unix: the socket file's permission bits and group, set between bind and listen, so
  // no client connects before they hold. -1: as bind left them (the umask; the
  // process's group).
  int mode = -1;
  long gid = -1;
};

// Parses one --listen argument. nullopt with `err` set on a malformed one.
std::optional<ListenSpec> parseListen(std::string_view text, std::string& err);

// Parses an HTTP listener's argument (faild --http, hc and failsh --metrics):
// ADDRESS:PORT, tls:ADDRESS:PORT, or a bare PORT meaning 127.0.0.1:PORT; never a Unix
// socket. nullopt with `err` naming the text.
std::optional<ListenSpec> parseHttpListen(std::string_view text, std::string& err);

struct Listener {
  UniqueFd fd;
  ListenSpec spec;
  bool loopback = false;  // every address it accepts on is loopback (or it is a Unix socket)
  std::string bound;      // the address actually bound, with the real port ("127.0.0.1:41234")
};

// Creates, binds and listens (non-blocking, close-on-exec, SO_REUSEADDR). A Unix socket
// path that exists and is a socket nobody answers on is replaced; its mode and group
// are then set from the spec. Throws
// std::runtime_error naming the address on failure.
Listener bindListener(const ListenSpec& spec, int backlog = 512);

// True when every address `spec` names is a loopback address, or it is a Unix socket.
// Decided before binding; a name that cannot be resolved counts as not loopback.
bool isLoopback(const ListenSpec& spec);

// "127.0.0.1" for a peer address, "unix" for a Unix socket peer.
std::string peerName(int fd);
// True when the peer of `fd` has a loopback address (127.0.0.0/8, ::1, or
// ::ffff:127.x.y.z); false for a Unix socket or when it cannot be told.
bool peerIsLoopback(int fd);

}  // namespace fail::net
