// OpenSSL for the blocking clients: a verifying client context and one SSL per
// connection, each held by a unique_ptr with OpenSSL's own free function.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "client/options.hh"

namespace fail::client {

struct SslCtxFree {
  void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
};
struct SslFree {
  void operator()(SSL* p) const { SSL_free(p); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;
using SslPtr = std::unique_ptr<SSL, SslFree>;

// A TLS 1.2+ client context that verifies the server's chain against tls.ca (or the
// system's trust store) and presents tls.cert/tls.key when given. Null with a message
// naming the file on failure.
SslCtxPtr makeClientContext(const TlsOptions& tls, std::string& err);

// An SSL on the connected socket `fd` (not owned), with SNI and certificate name checks
// for `host` (an IP literal is checked against the certificate's IP addresses). An empty
// host (a Unix socket) checks the chain only. Null with a message on failure.
SslPtr makeClientSsl(SSL_CTX* ctx, int fd, const std::string& host, std::string& err);

// The OpenSSL error queue, drained, as one line ("" when empty).
std::string drainSslErrors();

// Why a handshake failed, for people: the verification result when the chain or name
// was rejected, else the error queue.
std::string handshakeError(SSL* ssl);

}  // namespace fail::client
