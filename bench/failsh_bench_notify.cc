// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failsh_bench_notify SOCKET TOKEN: the tiny program that failsh_bench's policy starts
// with fail::exec in the "exec" measure. Its first act is to read CLOCK_MONOTONIC (the
// clock std::chrono::steady_clock reads in failsh_bench); it then sends "TOKEN NS" as
// one datagram to the Unix socket SOCKET, where failsh_bench receives it. So the bench
// learns both when the action's process started running and when it was heard from.
// No libraries of the suite, nothing but a few system calls.
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  if (argc != 3) {
    std::fprintf(stderr, "usage: failsh_bench_notify SOCKET TOKEN\n");
    return 2;
  }
  int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
  if (fd < 0) return 1;
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, argv[1], sizeof a.sun_path - 1);
  char buf[256];
  int n = std::snprintf(buf, sizeof buf, "%s %lld", argv[2],
                        static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec);
  if (n <= 0 || n >= static_cast<int>(sizeof buf)) return 1;
  ssize_t w = ::sendto(fd, buf, static_cast<size_t>(n), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::close(fd);
  return w == n ? 0 : 1;
}
