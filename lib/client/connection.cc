// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "client/connection.hh"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "base/text.hh"
#include "base/time.hh"
#include "proto/list.hh"

namespace fail::client {

namespace {

std::atomic<bool> gInterrupt{false};
// The read end of a pipe the handler writes one byte to (-1 before the handlers are
// installed): waitFd polls it beside its fd, so a signal that arrives just before poll()
// is not lost (a flag alone is checked too early or too late).
int gInterruptPipe[2] = {-1, -1};

extern "C" void onInterrupt(int) {
  gInterrupt.store(true);
  if (gInterruptPipe[1] >= 0) {
    int saved = errno;
    [[maybe_unused]] ssize_t n = ::write(gInterruptPipe[1], "x", 1);
    errno = saved;
  }
}

std::int64_t deadlineAfter(std::int64_t timeoutMs) {
  return timeoutMs > 0 ? steadyNow() + timeoutMs * 1000 : 0;
}

std::string timedOut(std::int64_t timeoutMs) {
  return "timed out after " + formatDurationMs(timeoutMs);
}

// Waits for `events` on `fd` until the steady-clock deadline (0: none). Ok also for HUP
// or ERR: the next I/O call tells what happened.
IoStatus waitFd(int fd, short events, std::int64_t deadline, std::string& err) {
  for (;;) {
    int ms = -1;
    if (deadline) {
      std::int64_t left = deadline - steadyNow();
      if (left <= 0) return IoStatus::Timeout;
      ms = static_cast<int>(std::min<std::int64_t>((left + 999) / 1000, 1 << 30));
    }
    if (gInterrupt.load()) return IoStatus::Interrupted;
    pollfd p[2] = {{fd, events, 0}, {gInterruptPipe[0], POLLIN, 0}};
    int rc = ::poll(p, gInterruptPipe[0] >= 0 ? 2 : 1, ms);
    if (rc > 0 && p[1].revents) return IoStatus::Interrupted;  // the byte stays: later waits see it too
    if (rc > 0) return IoStatus::Ok;
    if (rc == 0) continue;  // re-check the deadline
    if (errno == EINTR) {
      if (gInterrupt.load()) return IoStatus::Interrupted;
      continue;
    }
    err = std::strerror(errno);
    return IoStatus::Error;
  }
}

}  // namespace


void installInterruptHandlers() {
  if (gInterruptPipe[0] < 0 && ::pipe2(gInterruptPipe, O_NONBLOCK | O_CLOEXEC) != 0)
    gInterruptPipe[0] = gInterruptPipe[1] = -1;  // then the flag alone, as before
  struct sigaction sa {};
  sa.sa_handler = onInterrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: poll must return EINTR
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool interruptRequested() { return gInterrupt.load(); }

void Connection::close() {
  ssl_.reset();
  ctx_.reset();
  fd_.reset();
  in_.clear();
  head_ = scanned_ = 0;
}

bool Connection::open(const Target& target, const TlsOptions& tls, std::int64_t timeoutMs,
                      std::string& err) {
  close();
  if (tls.enabled) {
    ctx_ = makeClientContext(tls, err);
    if (!ctx_) return false;
  }
  bool ok = target.kind == Target::Kind::Unix ? connectUnix(target, err)
                                              : connectTcp(target, timeoutMs, err);
  if (!ok) return false;
  if (tls.enabled) {
    std::string host = target.kind == Target::Kind::Tcp ? target.host : std::string();
    ssl_ = makeClientSsl(ctx_.get(), fd_.get(), host, err);
    if (!ssl_ || !handshake(deadlineAfter(timeoutMs), err)) {
      if (err.empty()) err = timedOut(timeoutMs);
      close();
      return false;
    }
  }
  return true;
}

bool Connection::connectUnix(const Target& target, std::string& err) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (target.path.size() >= sizeof sa.sun_path) return err = "socket path too long", false;
  std::memcpy(sa.sun_path, target.path.data(), target.path.size());
  socklen_t len = sizeof sa;
  if (target.path[0] == '@') {  // abstract namespace: a leading NUL, no terminator
    sa.sun_path[0] = '\0';
    len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + target.path.size());
  }
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return err = std::strerror(errno), false;
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), len) != 0)
    return err = std::strerror(errno), false;
  fd_ = std::move(fd);
  return true;
}

bool Connection::connectTcp(const Target& target, std::int64_t timeoutMs, std::string& err) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = ::getaddrinfo(target.host.c_str(), target.port.c_str(), &hints, &res);
  if (rc != 0) {
    err = rc == EAI_SYSTEM ? std::strerror(errno) : gai_strerror(rc);
    return false;
  }
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> guard(res, ::freeaddrinfo);
  err = "no address";
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    UniqueFd fd(
        ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol));
    if (!fd) {
      err = std::strerror(errno);
      continue;
    }
    if (::connect(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0) {
      if (errno != EINPROGRESS) {
        err = std::strerror(errno);
        continue;
      }
      IoStatus st = waitFd(fd.get(), POLLOUT, deadlineAfter(timeoutMs), err);
      if (st == IoStatus::Timeout) err = timedOut(timeoutMs);
      if (st != IoStatus::Ok) {
        if (st == IoStatus::Interrupted) return err = "interrupted", false;
        continue;
      }
      int soerr = 0;
      socklen_t len = sizeof soerr;
      ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &soerr, &len);
      if (soerr != 0) {
        err = std::strerror(soerr);
        continue;
      }
    }
    int one = 1;
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::setsockopt(fd.get(), SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    fd_ = std::move(fd);
    err.clear();
    return true;
  }
  return false;
}

bool Connection::handshake(std::int64_t deadline, std::string& err) {
  for (;;) {
    errno = 0;
    int rc = SSL_connect(ssl_.get());
    if (rc == 1) return true;
    int e = SSL_get_error(ssl_.get(), rc);
    short events;
    if (e == SSL_ERROR_WANT_READ) {
      events = POLLIN;
    } else if (e == SSL_ERROR_WANT_WRITE) {
      events = POLLOUT;
    } else {
      err = handshakeError(ssl_.get());
      if (e == SSL_ERROR_SYSCALL && errno != 0 && err == "TLS handshake failed")
        err += std::string(": ") + std::strerror(errno);
      return false;
    }
    IoStatus st = waitFd(fd_.get(), events, deadline, err);
    if (st == IoStatus::Timeout) err.clear();  // open() words the timeout
    if (st != IoStatus::Ok) return false;
  }
}

bool Connection::sendLine(std::string_view line, std::int64_t timeoutMs, std::string& err) {
  if (!fd_) return err = "not connected", false;
  std::string data(line);
  data += '\n';
  std::int64_t deadline = deadlineAfter(timeoutMs);
  size_t done = 0;
  while (done < data.size()) {
    short waitFor = POLLOUT;
    if (ssl_) {
      size_t n = 0;
      errno = 0;
      if (SSL_write_ex(ssl_.get(), data.data() + done, data.size() - done, &n) == 1) {
        done += n;
        continue;
      }
      int e = SSL_get_error(ssl_.get(), 0);
      if (e == SSL_ERROR_WANT_READ) {
        waitFor = POLLIN;
      } else if (e != SSL_ERROR_WANT_WRITE) {
        std::string q = drainSslErrors();
        err = q.empty() ? std::string(std::strerror(errno ? errno : EPIPE)) : q;
        return false;
      }
    } else {
      ssize_t n = ::send(fd_.get(), data.data() + done, data.size() - done, MSG_NOSIGNAL);
      if (n > 0) {
        done += static_cast<size_t>(n);
        continue;
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return err = std::strerror(errno), false;
    }
    IoStatus st = waitFd(fd_.get(), waitFor, deadline, err);
    if (st == IoStatus::Timeout) return err = timedOut(timeoutMs) + " sending", false;
    if (st == IoStatus::Interrupted) return err = "interrupted", false;
    if (st != IoStatus::Ok) return false;
  }
  return true;
}

IoStatus Connection::fill(std::int64_t deadline, std::string& err) {
  char buf[65536];
  for (;;) {
    short waitFor = POLLIN;
    if (ssl_) {
      size_t n = 0;
      errno = 0;
      if (SSL_read_ex(ssl_.get(), buf, sizeof buf, &n) == 1) {
        in_.append(buf, n);
        return IoStatus::Ok;
      }
      int e = SSL_get_error(ssl_.get(), 0);
      if (e == SSL_ERROR_ZERO_RETURN) return IoStatus::Closed;
      if (e == SSL_ERROR_WANT_WRITE) {
        waitFor = POLLOUT;
      } else if (e != SSL_ERROR_WANT_READ) {
        std::string q = drainSslErrors();
        if (q.empty() && errno == 0) return IoStatus::Closed;
        err = q.empty() ? std::string(std::strerror(errno)) : q;
        return IoStatus::Error;
      }
    } else {
      ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
      if (n > 0) {
        in_.append(buf, static_cast<size_t>(n));
        return IoStatus::Ok;
      }
      if (n == 0) return IoStatus::Closed;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        if (errno == ECONNRESET) return IoStatus::Closed;
        err = std::strerror(errno);
        return IoStatus::Error;
      }
    }
    IoStatus st = waitFd(fd_.get(), waitFor, deadline, err);
    if (st != IoStatus::Ok) return st;
  }
}

IoStatus Connection::readLine(std::string& line, std::int64_t timeoutMs, std::string& err) {
  if (!fd_) {
    err = "not connected";
    return IoStatus::Error;
  }
  std::int64_t deadline = deadlineAfter(timeoutMs);
  for (;;) {
    size_t lf = in_.find('\n', head_ + scanned_);
    if (lf != std::string::npos) {
      size_t end = lf;
      if (end > head_ && in_[end - 1] == '\r') --end;
      line.assign(in_, head_, end - head_);
      head_ = lf + 1;
      scanned_ = 0;
      if (head_ == in_.size()) {
        in_.clear();
        head_ = 0;
      } else if (head_ > 65536 && head_ > in_.size() / 2) {
        in_.erase(0, head_);
        head_ = 0;
      }
      return IoStatus::Ok;
    }
    scanned_ = in_.size() - head_;
    IoStatus st = fill(deadline, err);
    if (st == IoStatus::Timeout) err = timedOut(timeoutMs) + " waiting for a reply";
    if (st != IoStatus::Ok) return st;
  }
}

}  // namespace fail::client
