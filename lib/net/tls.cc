// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "net/tls.hh"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <stdexcept>

namespace fail::net {

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

bool isIpLiteral(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

namespace {

std::string reason() {
  std::string r = drainSslErrors();
  return r.empty() ? "unknown TLS error" : r;
}

}  // namespace

SslCtxPtr makeServerContext(const TlsFiles& f) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) throw std::runtime_error("TLS: " + reason());
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  if (f.cert.empty() || f.key.empty())
    throw std::runtime_error("TLS listener: --tls-cert and --tls-key are both needed");
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), f.cert.c_str()) != 1)
    throw std::runtime_error("TLS certificate " + f.cert + ": " + reason());
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), f.key.c_str(), SSL_FILETYPE_PEM) != 1)
    throw std::runtime_error("TLS key " + f.key + ": " + reason());
  if (SSL_CTX_check_private_key(ctx.get()) != 1) {
    drainSslErrors();
    throw std::runtime_error("TLS key " + f.key + " does not match " + f.cert);
  }
  if (!f.ca.empty()) {
    if (SSL_CTX_load_verify_locations(ctx.get(), f.ca.c_str(), nullptr) != 1)
      throw std::runtime_error("TLS CA file " + f.ca + ": " + reason());
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  }
  return ctx;
}

SslCtxPtr makeClientContext(const TlsFiles& f, std::string& err) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) {
    err = "cannot create TLS context: " + reason();
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_options(ctx.get(), SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  if (!f.ca.empty()) {
    if (SSL_CTX_load_verify_locations(ctx.get(), f.ca.c_str(), nullptr) != 1) {
      err = "cannot load CA file " + f.ca + ": " + reason();
      return nullptr;
    }
  } else if (SSL_CTX_set_default_verify_paths(ctx.get()) != 1) {
    err = "cannot load the system's CA certificates: " + reason();
    return nullptr;
  }
  if (!f.cert.empty()) {
    const std::string& key = f.key.empty() ? f.cert : f.key;
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), f.cert.c_str()) != 1) {
      err = "cannot load certificate " + f.cert + ": " + reason();
      return nullptr;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx.get(), key.c_str(), SSL_FILETYPE_PEM) != 1) {
      err = "cannot load private key " + key + ": " + reason();
      return nullptr;
    }
    if (SSL_CTX_check_private_key(ctx.get()) != 1) {
      err = "private key " + key + " does not match certificate " + f.cert;
      drainSslErrors();
      return nullptr;
    }
  }
  return ctx;
}

bool setServerName(SSL* ssl, const std::string& host) {
  if (host.empty() || isIpLiteral(host)) return true;
  return SSL_set_tlsext_host_name(ssl, host.c_str()) == 1;
}

bool setPeerName(SSL* ssl, const std::string& name) {
  if (name.empty()) return true;
  if (isIpLiteral(name)) return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str()) == 1;
  SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  return SSL_set1_host(ssl, name.c_str()) == 1;
}

SslPtr makeClientSsl(SSL_CTX* ctx, int fd, const std::string& host, std::string& err) {
  SslPtr ssl(SSL_new(ctx));
  if (!ssl || SSL_set_fd(ssl.get(), fd) != 1) {
    err = "cannot create TLS session: " + reason();
    return nullptr;
  }
  if (!setServerName(ssl.get(), host) || !setPeerName(ssl.get(), host)) {
    drainSslErrors();
    err = "cannot check the certificate against " + host;
    return nullptr;
  }
  return ssl;
}

std::string handshakeError(SSL* ssl) {
  long v = SSL_get_verify_result(ssl);
  std::string queue = drainSslErrors();
  if (v != X509_V_OK) return std::string("certificate rejected: ") + X509_verify_cert_error_string(v);
  return queue.empty() ? "TLS handshake failed" : "TLS handshake failed: " + queue;
}

std::string verifiedPeerName(SSL* ssl) {
  if (!ssl || SSL_get_verify_result(ssl) != X509_V_OK) return {};
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (!cert) return {};
  char cn[256] = "";
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
  X509_free(cert);
  return cn;
}

}  // namespace fail::net
