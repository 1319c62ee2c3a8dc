// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "client/bev.hh"

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace fail::client {

bufferevent* newBufferevent(event_base* base, const Target& t, SSL_CTX* ctx, std::string& err) {
  if (!ctx) {
    bufferevent* b = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (!b) err = "cannot create a connection";
    return b;
  }
  SslPtr ssl = makeClientSsl(ctx, -1, t.kind == Target::Kind::Tcp ? t.host : "", err);
  if (!ssl) return nullptr;
  bufferevent* b = bufferevent_openssl_socket_new(base, -1, ssl.get(), BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
  if (!b) {
    err = "cannot create a connection";
    return nullptr;
  }
  ssl.release();  // the bufferevent frees it
  return b;
}

bool connectBufferevent(bufferevent* b, const Target& t, evdns_base* dns, std::string& err) {
  int rc;
  if (t.kind == Target::Kind::Unix) {
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    if (t.path.empty() || t.path.size() >= sizeof sun.sun_path) {
      err = "bad socket path";
      return false;
    }
    std::memcpy(sun.sun_path, t.path.data(), t.path.size());
    bool abstract = t.path[0] == '@';
    if (abstract) sun.sun_path[0] = '\0';
    auto len = static_cast<int>(offsetof(sockaddr_un, sun_path) + t.path.size() + (abstract ? 0 : 1));
    rc = bufferevent_socket_connect(b, reinterpret_cast<sockaddr*>(&sun), len);
  } else {
    rc = bufferevent_socket_connect_hostname(b, dns, AF_UNSPEC, t.host.c_str(), std::atoi(t.port.c_str()));
  }
  if (rc < 0) err = std::string("cannot connect: ") + std::strerror(errno);
  return rc >= 0;
}

std::string endReason(bufferevent* b, short what, const Target& t, bool tls, bool handshaking) {
  if (what & BEV_EVENT_EOF) return "connection closed by peer";
  if (int dnsErr = bufferevent_socket_get_dns_error(b))
    return "cannot resolve " + t.host + ": " + evutil_gai_strerror(dnsErr);
  if (SSL* ssl = tls ? bufferevent_openssl_get_ssl(b) : nullptr;
      ssl && handshaking && bufferevent_get_openssl_error(b)) {
    while (bufferevent_get_openssl_error(b)) {
    }
    return handshakeError(ssl);
  }
  int err = EVUTIL_SOCKET_ERROR();
  std::string why = err ? std::strerror(err) : "connection lost";
  while (unsigned long e = bufferevent_get_openssl_error(b)) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    why += std::string("; ") + buf;
  }
  return why;
}

bool readLines(bufferevent* b, size_t maxLine, const std::function<bool(const std::string&)>& onLine) {
  evbuffer* in = bufferevent_get_input(b);
  while (true) {
    size_t n = 0;
    char* raw = evbuffer_readln(in, &n, EVBUFFER_EOL_LF);
    if (!raw) break;
    std::string line(raw, n);
    std::free(raw);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!onLine(line)) return true;
  }
  return evbuffer_get_length(in) <= maxLine;
}

}  // namespace fail::client
