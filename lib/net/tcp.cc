// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "net/tcp.hh"

#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace fail::net {

int startConnect(const Address& to, UniqueFd& fd) {
  fd.reset(::socket(to.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP));
  if (!fd) return errno;
  if (::connect(fd.get(), to.sa(), to.length) == 0 || errno == EINPROGRESS) return 0;
  int err = errno;
  fd.reset();
  return err;
}

int connectResult(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
  return err;
}

void abortiveClose(UniqueFd& fd) {
  if (!fd) return;
  linger l{1, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
  fd.reset();
}

}  // namespace fail::net
