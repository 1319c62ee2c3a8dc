// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "net/icmp.hh"

#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <unistd.h>

#include <linux/icmp.h>  // after netinet/in.h, for ICMP_FILTER

#include <cstring>
#include <fstream>

namespace fail::net {
namespace {

constexpr std::uint8_t kEchoRequest4 = 8, kEchoReply4 = 0;
constexpr std::uint8_t kEchoRequest6 = 128, kEchoReply6 = 129;

std::string pingRange() {
  std::ifstream in("/proc/sys/net/ipv4/ping_group_range");
  std::string lo, hi;
  if (!(in >> lo >> hi)) return "?";
  return lo + " " + hi;
}

// Lets only echo replies through to a raw socket (errors still come as errno): the kernel
// hands a raw socket every ICMP packet of the host otherwise, our own requests included.
void filterEchoReplies(int fd, int family) {
  if (family == AF_INET) {
    icmp_filter f{};
    f.data = ~(1u << kEchoReply4);
    ::setsockopt(fd, SOL_RAW, ICMP_FILTER, &f, sizeof f);
  } else {
    icmp6_filter f;
    ICMP6_FILTER_SETBLOCKALL(&f);
    ICMP6_FILTER_SETPASS(kEchoReply6, &f);
    ::setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof f);
  }
}

}  // namespace

std::uint16_t internetChecksum(const void* data, std::size_t len) {
  const auto* p = static_cast<const std::uint8_t*>(data);
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < len; i += 2) sum += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
  if (len & 1) sum += static_cast<std::uint32_t>(p[len - 1] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

IcmpSocket IcmpSocket::open(int family, Mode mode, std::string* error, int* err) {
  IcmpSocket s;
  s.family_ = family;
  int proto = family == AF_INET6 ? int{IPPROTO_ICMPV6} : int{IPPROTO_ICMP};
  std::string why;
  int last = 0;
  if (mode != Mode::Raw) {
    s.fd_.reset(::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto));
    if (s.fd_) return s;
    last = errno;
    why = std::string("ping socket: ") + std::strerror(last);
    if (last == EACCES)
      why += " (group " + std::to_string(::getgid()) + " is outside net.ipv4.ping_group_range \"" +
             pingRange() + "\")";
  }
  if (mode != Mode::Ping) {
    s.fd_.reset(::socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto));
    if (s.fd_) {
      s.raw_ = true;
      filterEchoReplies(s.fd_.get(), family);
      return s;
    }
    last = errno;
    if (!why.empty()) why += "; ";
    why += std::string("raw socket: ") + std::strerror(last);
    if (last == EPERM) why += " (needs CAP_NET_RAW)";
  }
  if (error) *error = "no ICMP socket: " + why;
  if (err) *err = last;
  return s;
}

int IcmpSocket::connect(const sockaddr* to, socklen_t len) {
  return ::connect(fd_.get(), to, len) == 0 ? 0 : errno;
}

int IcmpSocket::sendEcho(std::uint16_t id, std::uint16_t seq, const void* payload, std::size_t len) {
  std::uint8_t pkt[8 + kMaxPayload] = {};
  len = std::min(len, kMaxPayload);
  pkt[0] = family_ == AF_INET6 ? kEchoRequest6 : kEchoRequest4;
  pkt[4] = static_cast<std::uint8_t>(id >> 8);
  pkt[5] = static_cast<std::uint8_t>(id);
  pkt[6] = static_cast<std::uint8_t>(seq >> 8);
  pkt[7] = static_cast<std::uint8_t>(seq);
  std::memcpy(pkt + 8, payload, len);
  if (family_ == AF_INET) {  // ICMPv6 checksums are the kernel's (they cover the addresses)
    std::uint16_t sum = internetChecksum(pkt, 8 + len);
    pkt[2] = static_cast<std::uint8_t>(sum >> 8);
    pkt[3] = static_cast<std::uint8_t>(sum);
  }
  for (;;) {
    if (::send(fd_.get(), pkt, 8 + len, MSG_NOSIGNAL) >= 0) return 0;
    if (errno != EINTR) return errno;
  }
}

IcmpSocket::Got IcmpSocket::receive(std::uint8_t* buf, std::size_t len, Echo* out, int* err) {
  ssize_t n;
  do {
    n = ::recv(fd_.get(), buf, len, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Got::Again;
    *err = errno;
    return Got::Error;
  }
  const std::uint8_t* p = buf;
  std::size_t size = static_cast<std::size_t>(n);
  if (raw_ && family_ == AF_INET) {  // a raw IPv4 socket sees the IP header too
    if (size < 20) return Got::Other;
    std::size_t ihl = static_cast<std::size_t>(p[0] & 0x0f) * 4;
    if (ihl < 20 || ihl > size) return Got::Other;
    p += ihl;
    size -= ihl;
  }
  if (size < 8) return Got::Other;
  std::uint8_t reply = family_ == AF_INET6 ? kEchoReply6 : kEchoReply4;
  if (p[0] != reply || p[1] != 0) return Got::Other;
  out->id = static_cast<std::uint16_t>(p[4] << 8 | p[5]);
  out->seq = static_cast<std::uint16_t>(p[6] << 8 | p[7]);
  out->payload = p + 8;
  out->length = size - 8;
  return Got::Echo;
}

}  // namespace fail::net
