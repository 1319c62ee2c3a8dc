// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The suite's one OpenSSL module: RAII holders, the error queue, server and client
// contexts, and the peer name checks. faild's listeners, the clients (failc, the loop's
// Link, hc's reporter) and hc's https/tls probes all build on it.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>

namespace fail::net {

struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;
using SslPtr = std::unique_ptr<SSL, SslFree>;

struct TlsFiles {
  std::string cert;  // PEM certificate chain (a client's: optional)
  std::string key;   // PEM private key (a client's: "" means the key is in `cert`)
  std::string ca;    // PEM CA bundle: a server's for client certificates ("" : none asked
                     // for); a client's for the server's chain ("" : the system's store)
};

// OpenSSL's error queue (this thread's) as one line, emptied; "" when it was empty.
std::string drainSslErrors();

// True when `host` is an IPv4 or IPv6 address literal rather than a name.
bool isIpLiteral(const std::string& host);

// A server context: TLS 1.2 or later; when `ca` is set, client certificates are asked
// for and verified, but not required. Throws std::runtime_error naming the file and
// OpenSSL's reason.
SslCtxPtr makeServerContext(const TlsFiles& files);

// A client context: TLS 1.2 or later, verifying the server's chain against `ca` (or the
// system's trust store), presenting `cert`/`key` when given; a close without close_notify
// is a plain end of stream (every user frames its own messages); no session cache. Null
// with a message naming the file in `err` on failure.
SslCtxPtr makeClientContext(const TlsFiles& files, std::string& err);

// Sends `host` as SNI unless it is empty or an IP literal. False when OpenSSL refuses.
bool setServerName(SSL* ssl, const std::string& host);

// Makes the handshake check the peer certificate against `name`: an IP literal against
// its IP addresses, a name against its DNS names (no partial wildcards). "" checks
// nothing. False when OpenSSL refuses.
bool setPeerName(SSL* ssl, const std::string& name);

// An SSL on the connected socket `fd` (not owned; -1 for a bufferevent to set later),
// verifying the chain, with SNI and the name check for `host` ("" : a Unix socket, the
// chain only). Null with a message on failure.
SslPtr makeClientSsl(SSL_CTX* ctx, int fd, const std::string& host, std::string& err);

// Why a client handshake failed, for people: the verification result when the chain or
// name was rejected, else the error queue (drained).
std::string handshakeError(SSL* ssl);

// The common name of a verified peer certificate, "" when there is none.
std::string verifiedPeerName(SSL* ssl);

}  // namespace fail::net
