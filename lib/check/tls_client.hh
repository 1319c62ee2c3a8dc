// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// A non-blocking OpenSSL client session over a probe's own socket, for the https and tls
// probes. The probe drives it with its ev::IoWatch: each call returns WantRead or
// WantWrite when the socket must become ready first, and is then called again with the
// same arguments. Verification never aborts the handshake: the problems found are
// collected, so that a probe can say which one ("certificate expired") and still read
// the certificate's expiry. The socket is read and written through a BIO of our own that
// sends with MSG_NOSIGNAL, so a peer's reset never raises SIGPIPE.
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <memory>
#include <string>

#include "check/probe.hh"
#include "net/tls.hh"

namespace fail::check {

// The client context for a CA file ("" : the system's trust store), shared by every
// probe that names the same file: a trust store costs hundreds of KiB, so 10,000 checks
// hold one. TLS 1.2 or later. Throws std::runtime_error naming the file when it cannot be
// loaded. Single-threaded (the loop's thread).
std::shared_ptr<SSL_CTX> sharedClientContext(const std::string& caFile);

// What one handshake learned of the server's certificate.
struct CertCheck {
  enum Problem : unsigned { Expired = 1, NotYetValid = 2, NameMismatch = 4, Untrusted = 8 };
  bool present = false;   // the server sent a certificate
  unsigned problems = 0;  // Problem bits, from the chain's verification and the clock
  long daysLeft = 0;      // whole days until notAfter; negative once expired
};

// Judges a certificate for a probe. With `verify`, any problem is a Fail with stable
// words ("certificate expired", "certificate name mismatch", "certificate not trusted",
// "certificate not yet valid") and returns false. Otherwise (or when there is none),
// adds the attribute cert_days and, when fewer than `warnDays` days are left (or the
// certificate expired and verify is off), the warning "certificate expires soon" or
// "certificate expired"; returns true.
bool judgeCertificate(const CertCheck& cert, bool verify, int warnDays, ProbeResult& r);

class TlsClient {
 public:
  enum class Io {
    Ok,         // done: the handshake finished, or bytes were read or written
    WantRead,   // call again once the socket is readable
    WantWrite,  // call again once the socket is writable
    Closed,     // the peer ended the stream (close_notify or a plain close)
    Failed,     // sysErrno() != 0: a socket error (ECONNRESET...); else a TLS error
  };

  TlsClient() = default;
  ~TlsClient() { reset(); }
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  // Starts a session on the connected socket `fd` (not owned). `sni` is sent unless empty
  // or an IP literal; `name` is checked against the certificate (an IP literal against
  // its IP addresses; "" : not checked). False (a local error) when OpenSSL fails.
  bool begin(SSL_CTX* ctx, int fd, const std::string& sni, const std::string& name);
  Io handshake();
  Io read(char* buf, std::size_t cap, std::size_t& got);
  Io write(const char* buf, std::size_t len, std::size_t& wrote);
  // After the handshake: the peer certificate's problems and expiry.
  CertCheck certificate() const;
  int sysErrno() const { return errno_; }
  const std::string& detail() const { return detail_; }  // OpenSSL's reason after Failed
  // Frees the session (no close_notify is sent: the probe closes the socket at once).
  void reset() noexcept;
  bool active() const { return ssl_ != nullptr; }

 private:
  static int verifyCallback(int ok, X509_STORE_CTX* store) noexcept;
  Io classify(int rc);

  net::SslPtr ssl_;
  unsigned problems_ = 0;
  int errno_ = 0;
  std::string detail_;
};

}  // namespace fail::check
