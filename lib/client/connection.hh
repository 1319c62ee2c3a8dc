// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// A blocking connection to anything that speaks the line protocol (doc/protocol.md):
// faild, failsh's monitor port, hc's monitor port. TCP (every address getaddrinfo gives,
// in order) or a Unix socket, optionally inside TLS. Every step has a deadline; the fd is
// non-blocking underneath and waits in poll(2).
//
// Not thread-safe: one thread uses a Connection at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/unique_fd.hh"
#include "client/options.hh"
#include "client/reply.hh"
#include "client/tls.hh"

namespace fail::client {

enum class IoStatus {
  Ok,
  Timeout,      // the deadline passed
  Closed,       // the peer closed the connection
  Error,        // a socket or TLS error; the message says which
  Interrupted,  // a signal arrived while interruptRequested() was true
};

// SIGINT and SIGTERM set a flag that makes a waiting readLine() return Interrupted
// (used by failc watch to stop cleanly). Installs the handlers; no SA_RESTART.
void installInterruptHandlers();
bool interruptRequested();

class Connection {
 public:
  Connection() = default;
  Connection(Connection&&) noexcept = default;
  Connection& operator=(Connection&&) noexcept = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() = default;

  // Connects and, when tls.enabled, completes the handshake. `timeoutMs` (0: none)
  // bounds each connect attempt and the handshake. On failure returns false with the
  // reason in `err` ("Connection refused"); with several addresses, the last reason.
  bool open(const Target& target, const TlsOptions& tls, std::int64_t timeoutMs, std::string& err);
  bool isOpen() const { return static_cast<bool>(fd_); }
  void close();

  // Writes `line` and an LF. The line must not hold an LF (callers encode with
  // fail::proto). False with a message on timeout or error.
  bool sendLine(std::string_view line, std::int64_t timeoutMs, std::string& err);
  // Reads one line of any length; the LF and a CR before it are dropped. A partial line
  // at end of stream is discarded (Closed). `timeoutMs` 0: wait for ever.
  IoStatus readLine(std::string& line, std::int64_t timeoutMs, std::string& err);

  // The file descriptor, for tests and for poll-based callers; -1 when closed.
  int fd() const { return fd_.get(); }

 private:
  bool connectTcp(const Target& target, std::int64_t timeoutMs, std::string& err);
  bool connectUnix(const Target& target, std::string& err);
  bool handshake(std::int64_t deadline, std::string& err);
  // Reads what is there into in_ (waiting until the deadline for something).
  IoStatus fill(std::int64_t deadline, std::string& err);

  UniqueFd fd_;
  SslCtxPtr ctx_;  // declared before ssl_: destroyed after it
  SslPtr ssl_;
  std::string in_;      // received bytes not yet returned
  size_t head_ = 0;     // start of the unread part of in_
  size_t scanned_ = 0;  // bytes from head_ known to hold no LF
};

}  // namespace fail::client
