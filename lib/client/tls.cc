#include "client/tls.hh"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

namespace fail::client {

namespace {

bool isIpLiteral(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

std::string drainSslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

SslCtxPtr makeClientContext(const TlsOptions& tls, std::string& err) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) {
    err = "cannot create TLS context: " + drainSslErrors();
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  // A peer that closes without close_notify is an ordinary end of stream here: every
  // message is a complete line, so truncation cannot go unnoticed.
  SSL_CTX_set_options(ctx.get(), SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (!tls.ca.empty()) {
    if (SSL_CTX_load_verify_locations(ctx.get(), tls.ca.c_str(), nullptr) != 1) {
      err = "cannot load CA file " + tls.ca + ": " + drainSslErrors();
      return nullptr;
    }
  } else if (SSL_CTX_set_default_verify_paths(ctx.get()) != 1) {
    err = "cannot load the system's CA certificates: " + drainSslErrors();
    return nullptr;
  }
  if (!tls.cert.empty()) {
    const std::string& key = tls.key.empty() ? tls.cert : tls.key;
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), tls.cert.c_str()) != 1) {
      err = "cannot load certificate " + tls.cert + ": " + drainSslErrors();
      return nullptr;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx.get(), key.c_str(), SSL_FILETYPE_PEM) != 1) {
      err = "cannot load private key " + key + ": " + drainSslErrors();
      return nullptr;
    }
    if (SSL_CTX_check_private_key(ctx.get()) != 1) {
      err = "private key " + key + " does not match certificate " + tls.cert;
      drainSslErrors();
      return nullptr;
    }
  }
  return ctx;
}

SslPtr makeClientSsl(SSL_CTX* ctx, int fd, const std::string& host, std::string& err) {
  SslPtr ssl(SSL_new(ctx));
  if (!ssl || SSL_set_fd(ssl.get(), fd) != 1) {
    err = "cannot create TLS session: " + drainSslErrors();
    return nullptr;
  }
  if (!host.empty()) {
    if (isIpLiteral(host)) {
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
      if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1) {
        err = "cannot check the certificate against " + host;
        return nullptr;
      }
    } else {
      SSL_set_hostflags(ssl.get(), X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      if (SSL_set1_host(ssl.get(), host.c_str()) != 1 ||
          SSL_set_tlsext_host_name(ssl.get(), host.c_str()) != 1) {
        err = "cannot check the certificate against " + host;
        return nullptr;
      }
    }
  }
  return ssl;
}

std::string handshakeError(SSL* ssl) {
  long v = SSL_get_verify_result(ssl);
  std::string queue = drainSslErrors();
  if (v != X509_V_OK)
    return std::string("certificate rejected: ") + X509_verify_cert_error_string(v);
  return queue.empty() ? "TLS handshake failed" : "TLS handshake failed: " + queue;
}

}  // namespace fail::client
