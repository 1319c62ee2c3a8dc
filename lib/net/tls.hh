// OpenSSL contexts for the suite's TLS listeners.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>

namespace fail::net {

struct SslCtxDeleter {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;

struct TlsFiles {
  std::string cert;  // PEM certificate chain
  std::string key;   // PEM private key
  std::string ca;    // PEM CA bundle for client certificates ("" : none asked for)
};

// A server context: TLS 1.2 or later; when `ca` is set, client certificates are asked
// for and verified, but not required. Throws std::runtime_error naming the file and
// OpenSSL's reason.
SslCtxPtr makeServerContext(const TlsFiles& files);

// The common name of a verified peer certificate, "" when there is none.
std::string verifiedPeerName(SSL* ssl);

// OpenSSL's error queue as one line (and emptied).
std::string sslErrors();

}  // namespace fail::net
