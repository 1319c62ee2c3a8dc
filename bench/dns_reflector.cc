// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// bench/dns_reflector: the floor of bench/dns_bench (bench/dns_bench.md). A trivial UDP
// "server" that echoes every datagram back to its sender with the DNS header's QR bit
// set: N threads, one SO_REUSEPORT socket each, blocking recvmmsg and sendmmsg with the
// same batch width as the front-end's UDP threads (lib/dns). It parses nothing and
// looks nothing up: what it costs is the kernel's work for the path, which no server on
// this path can avoid.
//
//   dns_reflector [--listen 127.0.0.1:0] [--threads 1] [--batch 32]
//
// Prints "port N" on stdout once every socket is bound, then runs until SIGTERM or
// SIGINT (shutdown(SHUT_RD) wakes the threads).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr size_t kMaxDatagram = 4096;

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  int threads = 1;
  int batch = 32;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "dns_reflector: %s\n", what.c_str());
  std::exit(1);
}

// One SO_REUSEPORT UDP socket on host:port (port 0 picks one; read it back with
// boundPort).
int openSocket(const Options& o, int port) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, o.host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    len = sizeof *v4;
  } else if (inet_pton(AF_INET6, o.host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    len = sizeof *v6;
  } else {
    die("--listen: not an IP address: " + o.host);
  }
  int fd = ::socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0)
    die("bind " + o.host + ":" + std::to_string(port) + ": " + std::strerror(errno));
  return fd;
}

int boundPort(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
}

// Receives up to `batch` datagrams (blocking for the first), sets QR in each and sends
// them all back with one sendmmsg. Returns when the socket is shut down.
void serve(int fd, int batch) {
  std::vector<std::vector<unsigned char>> bufs(batch, std::vector<unsigned char>(kMaxDatagram));
  std::vector<sockaddr_storage> from(batch);
  std::vector<iovec> iov(batch);
  std::vector<mmsghdr> in(batch), out(batch);
  for (;;) {
    for (int i = 0; i < batch; ++i) {
      iov[i] = {bufs[i].data(), kMaxDatagram};
      in[i] = {};
      in[i].msg_hdr.msg_name = &from[i];
      in[i].msg_hdr.msg_namelen = sizeof from[i];
      in[i].msg_hdr.msg_iov = &iov[i];
      in[i].msg_hdr.msg_iovlen = 1;
    }
    int n = ::recvmmsg(fd, in.data(), batch, MSG_WAITFORONE, nullptr);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    int m = 0;
    for (int i = 0; i < n; ++i) {
      size_t len = in[i].msg_len;
      if (len == 0 && in[i].msg_hdr.msg_namelen == 0) return;  // shutdown(SHUT_RD)
      if (len < 12) continue;                                  // not even a header
      bufs[i][2] |= 0x80;                                      // QR
      iov[i].iov_len = len;
      out[m] = {};
      out[m].msg_hdr.msg_name = &from[i];
      out[m].msg_hdr.msg_namelen = in[i].msg_hdr.msg_namelen;
      out[m].msg_hdr.msg_iov = &iov[i];
      out[m].msg_hdr.msg_iovlen = 1;
      ++m;
    }
    for (int sent = 0; sent < m;) {
      int k = ::sendmmsg(fd, out.data() + sent, m - sent, 0);
      if (k < 0) {
        if (errno == EINTR) continue;
        break;  // a full socket buffer drops the rest, as a server would
      }
      sent += k;
    }
    if (n == 0) return;
  }
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) die(a + " needs a value");
      return argv[++i];
    };
    if (a == "--listen") {
      std::string v = value();
      auto colon = v.rfind(':');
      if (colon == std::string::npos) die("--listen ADDRESS:PORT, not " + v);
      o.host = v.substr(0, colon);
      if (!o.host.empty() && o.host.front() == '[') o.host = o.host.substr(1, o.host.size() - 2);
      o.port = std::atoi(v.c_str() + colon + 1);
    } else if (a == "--threads") {
      o.threads = std::atoi(value().c_str());
    } else if (a == "--batch") {
      o.batch = std::atoi(value().c_str());
    } else if (a == "--help" || a == "-h") {
      std::printf("usage: dns_reflector [--listen 127.0.0.1:0] [--threads 1] [--batch 32]\n");
      std::exit(0);
    } else {
      die("unknown option " + a);
    }
  }
  if (o.threads < 1 || o.threads > 64) die("--threads: 1 to 64");
  if (o.batch < 1 || o.batch > 1024) die("--batch: 1 to 1024");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  // The threads inherit a mask without SIGTERM/SIGINT; main waits for them.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGTERM);
  sigaddset(&stopSignals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

  std::vector<int> fds;
  int port = o.port;
  for (int t = 0; t < o.threads; ++t) {
    fds.push_back(openSocket(o, port));
    if (port == 0) port = boundPort(fds.back());
  }
  std::vector<std::thread> threads;
  for (int fd : fds) threads.emplace_back(serve, fd, o.batch);
  std::printf("port %d\n", port);
  std::fflush(stdout);

  int sig = 0;
  sigwait(&stopSignals, &sig);
  for (int fd : fds) ::shutdown(fd, SHUT_RD);
  for (auto& t : threads) t.join();
  for (int fd : fds) ::close(fd);
  return 0;
}
