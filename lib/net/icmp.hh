// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// ICMP echo sockets for IPv4 and IPv6: the unprivileged "ping socket" (SOCK_DGRAM with
// IPPROTO_ICMP/ICMPV6, allowed to the groups in net.ipv4.ping_group_range) where the
// kernel allows it, a raw socket (CAP_NET_RAW) otherwise, and a clear sentence when
// neither can be had. Non-blocking; one socket per attempt is the intended use.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/unique_fd.hh"

namespace fail::net {

class IcmpSocket {
 public:
  enum class Mode : std::uint8_t {
    Auto,  // a ping socket if allowed, else a raw one
    Ping,  // only a ping socket
    Raw,   // only a raw socket
  };

  IcmpSocket() = default;
  // Opens an echo socket for `family` (AF_INET or AF_INET6). On failure the socket is
  // invalid and *error (when given) says what was tried and why each failed, e.g.
  // "no ICMP socket: ping socket: Permission denied (group 0 is outside
  // net.ipv4.ping_group_range "1 0"); raw socket: Operation not permitted (needs
  // CAP_NET_RAW)". `err` (when given) is the errno of the last attempt.
  static IcmpSocket open(int family, Mode mode, std::string* error = nullptr, int* err = nullptr);

  bool valid() const { return static_cast<bool>(fd_); }
  int fd() const { return fd_.get(); }
  bool raw() const { return raw_; }
  int family() const { return family_; }

  // Connects to `to` (port ignored): only its packets come in, and an ICMP error about
  // our echoes (host unreachable) shows up as recv's errno. Returns 0 or an errno.
  int connect(const sockaddr* to, socklen_t len);

  // Sends one echo request carrying `payload` (at most kMaxPayload bytes). A ping socket
  // puts its own identifier in place of `id`. Returns 0 or an errno.
  static constexpr std::size_t kMaxPayload = 64;
  int sendEcho(std::uint16_t id, std::uint16_t seq, const void* payload, std::size_t len);

  struct Echo {
    std::uint16_t id = 0, seq = 0;
    const std::uint8_t* payload = nullptr;  // into the caller's buffer
    std::size_t length = 0;
  };
  enum class Got : std::uint8_t {
    Echo,   // an echo reply, in *out
    Other,  // a datagram that is no echo reply (skip it and call again)
    Again,  // nothing more for now
    Error,  // *err holds the errno (an ICMP error on a connected socket, or worse)
  };
  // Reads one datagram into `buf` (which `out` then points into).
  Got receive(std::uint8_t* buf, std::size_t len, Echo* out, int* err);

 private:
  UniqueFd fd_;
  bool raw_ = false;
  int family_ = AF_INET;
};

// The Internet checksum (RFC 1071) of `len` bytes.
std::uint16_t internetChecksum(const void* data, std::size_t len);

}  // namespace fail::net
