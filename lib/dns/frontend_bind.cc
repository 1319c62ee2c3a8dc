// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Binding a listen address: probe, UDP group, TCP listener (see frontend_bind.hh).
#include "dns/frontend_bind.hh"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "base/text.hh"

namespace fail::dns {
namespace {

std::string errnoText(int e) { return std::strerror(e); }

unsigned portOf(const sockaddr_storage& ss) {
  return ss.ss_family == AF_INET ? ntohs(reinterpret_cast<const sockaddr_in&>(ss).sin_port)
                                 : ntohs(reinterpret_cast<const sockaddr_in6&>(ss).sin6_port);
}

void setPort(sockaddr_storage& ss, unsigned port) {
  if (ss.ss_family == AF_INET)
    reinterpret_cast<sockaddr_in&>(ss).sin_port = htons(static_cast<std::uint16_t>(port));
  else
    reinterpret_cast<sockaddr_in6&>(ss).sin6_port = htons(static_cast<std::uint16_t>(port));
}

std::string addrText(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN] = "";
  if (ss.ss_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(ss).sin_addr, buf, sizeof buf);
    return std::string(buf) + ":" + std::to_string(portOf(ss));
  }
  ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(ss).sin6_addr, buf, sizeof buf);
  return "[" + std::string(buf) + "]:" + std::to_string(portOf(ss));
}

// A socket of `type` for `ss`'s family, close-on-exec, IPv6 sockets v6-only (so that
// "[::]:53" and "0.0.0.0:53" are two addresses). -1 with errno on failure.
int openSocket(const sockaddr_storage& ss, int type) {
  int fd = ::socket(ss.ss_family, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  if (ss.ss_family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  return fd;
}

// What a bind that failed with `e` means, naming who holds the port when we can tell.
std::string inUse(const char* proto, const sockaddr_storage& ss, int e) {
  std::string msg = std::string(proto) + " port " + std::to_string(portOf(ss)) + ": " + errnoText(e);
  if (e == EADDRINUSE) {
    std::string who = portHolder(proto[0] == 'U' ? "udp" : "tcp", ss.ss_family, portOf(ss));
    msg += who.empty() ? " (held by another process or another front-end)" : " (held by " + who + ")";
  }
  return msg;
}

// The plain bind, without SO_REUSEPORT: fails when anything holds the port. With port 0
// it picks the port, written back into `ss`.
bool probe(sockaddr_storage& ss, socklen_t len, std::string* err) {
  UniqueFd fd(openSocket(ss, SOCK_DGRAM));
  if (!fd) return (*err = "UDP socket: " + errnoText(errno), false);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&ss), len) != 0) return (*err = inUse("UDP", ss, errno), false);
  socklen_t l = len;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&ss), &l);
  return true;
}

bool bindUdp(const sockaddr_storage& ss, socklen_t len, std::shared_ptr<UniqueFd>& out, std::string* err) {
  auto fd = std::make_shared<UniqueFd>(openSocket(ss, SOCK_DGRAM));
  int one = 1;
  if (!*fd || ::setsockopt(fd->get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
    return (*err = "UDP socket: " + errnoText(errno), false);
  if (::bind(fd->get(), reinterpret_cast<const sockaddr*>(&ss), len) != 0) return (*err = inUse("UDP", ss, errno), false);
  out = std::move(fd);
  return true;
}

bool bindTcp(const sockaddr_storage& ss, socklen_t len, UniqueFd& out, std::string* err) {
  UniqueFd fd(openSocket(ss, SOCK_STREAM | SOCK_NONBLOCK));
  int one = 1;
  if (!fd || ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
    return (*err = "TCP socket: " + errnoText(errno), false);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&ss), len) != 0) return (*err = inUse("TCP", ss, errno), false);
  if (::listen(fd.get(), 1024) != 0) return (*err = "TCP listen: " + errnoText(errno), false);
  out = std::move(fd);
  return true;
}

}  // namespace

unsigned udpSocketCount(unsigned configured) {
  if (configured) return configured;
  unsigned cpus = std::thread::hardware_concurrency();
  return std::clamp(cpus, 1u, 4u);
}

bool parseListenAddress(const std::string& text, sockaddr_storage& ss, socklen_t& len, std::string* err) {
  auto bad = [&](const char* what) {
    if (err) *err = std::string(what) + ": \"" + printable(text) + "\"";
    return false;
  };
  std::string host, port;
  if (!text.empty() && text[0] == '[') {
    auto close = text.find("]:");
    if (close == std::string::npos) return bad("not ADDRESS:PORT");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string::npos) return bad("not ADDRESS:PORT");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(port) > 65535)
    return bad("bad port in");
  ss = {};
  if (::inet_pton(AF_INET, host.c_str(), &reinterpret_cast<sockaddr_in&>(ss).sin_addr) == 1) {
    ss.ss_family = AF_INET;
    len = sizeof(sockaddr_in);
  } else if (::inet_pton(AF_INET6, host.c_str(), &reinterpret_cast<sockaddr_in6&>(ss).sin6_addr) == 1) {
    ss.ss_family = AF_INET6;
    len = sizeof(sockaddr_in6);
  } else {
    return bad("not a numeric IPv4 or IPv6 address in");
  }
  setPort(ss, static_cast<unsigned>(std::stoul(port)));
  return true;
}

bool bindGroup(const std::string& listen, unsigned udpSockets, ListenGroup& out, std::string* err) {
  ListenGroup g;
  g.listen = listen;
  std::string why;
  if (!parseListenAddress(listen, g.addr, g.addrLen, &why)) return (*err = why, false);
  // With port 0 the probe picks a free UDP port; should its TCP twin be taken, another.
  const bool pick = portOf(g.addr) == 0;
  bool ok = false;
  for (int attempt = 0; !ok && attempt < (pick ? 8 : 1); ++attempt) {
    g.udp.clear();
    g.tcp.reset();
    if (pick) setPort(g.addr, 0);
    ok = probe(g.addr, g.addrLen, &why);
    for (unsigned i = 0; ok && i < std::max(udpSockets, 1u); ++i) {
      g.udp.emplace_back();
      ok = bindUdp(g.addr, g.addrLen, g.udp.back(), &why);
    }
    ok = ok && bindTcp(g.addr, g.addrLen, g.tcp, &why);
  }
  if (!ok) return (*err = "cannot listen on " + listen + ": " + why, false);
  g.bound = addrText(g.addr);
  out = std::move(g);
  return true;
}

std::string portHolder(const char* proto, int family, unsigned port) {
  // /proc/net/PROTO[6]: "sl local_address rem_address st tx:rx tr:when retr uid timeout inode"
  std::ifstream table(std::string("/proc/net/") + proto + (family == AF_INET6 ? "6" : ""));
  std::set<std::string> inodes;
  std::string line;
  std::getline(table, line);  // the header
  while (std::getline(table, line)) {
    std::istringstream in(line);
    std::string sl, local, remote, st, q, tr, retr, uid, timeout, inode;
    if (!(in >> sl >> local >> remote >> st >> q >> tr >> retr >> uid >> timeout >> inode)) continue;
    auto colon = local.rfind(':');
    if (colon == std::string::npos || std::strtoul(local.c_str() + colon + 1, nullptr, 16) != port) continue;
    if (std::string(proto) == "tcp" && st != "0A") continue;  // LISTEN only
    if (inode != "0") inodes.insert("socket:[" + inode + "]");
  }
  if (inodes.empty()) return "";
  DIR* procs = ::opendir("/proc");
  if (!procs) return "";
  std::string found;
  while (dirent* p = ::readdir(procs)) {
    if (p->d_name[0] < '0' || p->d_name[0] > '9') continue;
    std::string dir = std::string("/proc/") + p->d_name;
    DIR* fds = ::opendir((dir + "/fd").c_str());
    if (!fds) continue;
    while (dirent* f = ::readdir(fds)) {
      char target[64];
      ssize_t n = ::readlink((dir + "/fd/" + f->d_name).c_str(), target, sizeof target - 1);
      if (n <= 0 || !inodes.count(std::string(target, static_cast<size_t>(n)))) continue;
      std::string comm;
      std::getline(std::ifstream(dir + "/comm"), comm);
      found = "pid " + std::string(p->d_name) + " (" + comm + ")";
      break;
    }
    ::closedir(fds);
    if (!found.empty()) break;
  }
  ::closedir(procs);
  return found;
}

}  // namespace fail::dns
