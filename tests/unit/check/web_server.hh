// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Test peers for the http, https and tls probes: a loopback TCP server (optionally TLS)
// on its own thread whose behaviour is a handler (answer, trickle, flood, stay silent,
// reset...); the certificates come from the shared test PKI (tests/common/pki.hh).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "../../common/pki.hh"

namespace fail::check::test {

// The number of open file descriptors of this process.
inline int openFds() {
  int n = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

class WebServer {
 public:
  // One accepted connection, as the handler sees it (on the server's thread).
  struct Conn {
    Conn(WebServer& s, int f) : server(s), fd(f) {}
    WebServer& server;
    int fd;
    SSL* ssl = nullptr;
    std::string request;

    // Reads a request header (to the empty line); false on EOF, error or 3 s.
    bool readRequest() {
      char buf[4096];
      auto end = std::chrono::steady_clock::now() + std::chrono::seconds(3);
      while (request.find("\r\n\r\n") == std::string::npos) {
        if (server.stopping() || std::chrono::steady_clock::now() > end) return false;
        int n = ssl ? SSL_read(ssl, buf, sizeof buf) : static_cast<int>(::recv(fd, buf, sizeof buf, 0));
        if (n > 0) request.append(buf, static_cast<std::size_t>(n));
        else if (!timedOut(n)) return false;
      }
      server.record(request);
      return true;
    }
    // Sends all of `data`; false once the peer is gone (or the server stops).
    bool send(std::string_view data) {
      while (!data.empty()) {
        if (server.stopping()) return false;
        int n = ssl ? SSL_write(ssl, data.data(), static_cast<int>(data.size()))
                    : static_cast<int>(::send(fd, data.data(), data.size(), MSG_NOSIGNAL));
        if (n > 0) data.remove_prefix(static_cast<std::size_t>(n));
        else if (!timedOut(n)) return false;
      }
      return true;
    }
    // Waits until the peer closes (or the server stops), reading and dropping bytes.
    void drain() {
      char buf[4096];
      while (!server.stopping()) {
        int n = ssl ? SSL_read(ssl, buf, sizeof buf) : static_cast<int>(::recv(fd, buf, sizeof buf, 0));
        if (n <= 0 && !timedOut(n)) return;
      }
    }
    // Makes the close that follows the handler an RST (call it last).
    void reset() {
      linger l{1, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }

   private:
    bool timedOut(int n) const {
      if (ssl) {
        int e = SSL_get_error(ssl, n);
        ERR_clear_error();
        return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
      }
      return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
    }
  };
  using Handler = std::function<void(Conn&)>;

  // Listens on 127.0.0.1 (a port of the kernel's choice); with `tls`, each connection
  // completes a TLS handshake before the handler runs.
  explicit WebServer(Handler handler, SSL_CTX* tls = nullptr) : handler_(std::move(handler)), tls_(tls) {
    std::signal(SIGPIPE, SIG_IGN);  // SSL_write to a peer gone
    listen_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(listen_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_, 64) != 0 ||
        ::getsockname(listen_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("test server: cannot listen");
    port_ = ntohs(a.sin_port);
    if (tls_) {  // SNI is seen with the ClientHello: before the client can finish
      SSL_CTX_set_tlsext_servername_callback(tls_, servername);
      SSL_CTX_set_tlsext_servername_arg(tls_, this);
    }
    thread_ = std::thread([this] { run(); });
  }
  ~WebServer() {
    stop_ = true;
    thread_.join();
    ::close(listen_);
  }
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  std::uint16_t port() const { return port_; }
  bool stopping() const { return stop_; }
  int connections() const { return connections_; }
  int finished() const { return finished_; }  // connections whose handler returned
  std::vector<std::string> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  std::string lastRequest() const {
    auto r = requests();
    return r.empty() ? std::string() : r.back();
  }
  std::string lastSni() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sni_;
  }
  void record(const std::string& request) {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(request);
  }

 private:
  void run() {
    while (!stop_) {
      pollfd p{listen_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int fd = ::accept4(listen_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++connections_;
      timeval tv{0, 50 * 1000};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      Conn c{*this, fd};
      if (tls_ && !handshake(c)) {
        ::close(fd);
        ++finished_;
        continue;
      }
      handler_(c);
      if (c.ssl) SSL_free(c.ssl);
      ERR_clear_error();
      ::close(fd);
      ++finished_;
    }
  }

  bool handshake(Conn& c) {
    c.ssl = SSL_new(tls_);
    SSL_set_fd(c.ssl, c.fd);
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    int rc;
    while ((rc = SSL_accept(c.ssl)) != 1) {
      int e = SSL_get_error(c.ssl, rc);
      if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) || stop_ ||
          std::chrono::steady_clock::now() > end) {
        SSL_free(c.ssl);
        c.ssl = nullptr;
        ERR_clear_error();
        return false;
      }
    }
    return true;
  }

  static int servername(SSL* ssl, int*, void* arg) {
    auto* self = static_cast<WebServer*>(arg);
    const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    std::lock_guard<std::mutex> lock(self->mu_);
    self->sni_ = name ? name : "";
    return SSL_TLSEXT_ERR_OK;
  }

  Handler handler_;
  SSL_CTX* tls_;
  int listen_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0}, finished_{0};
  mutable std::mutex mu_;
  std::vector<std::string> requests_;
  std::string sni_;
  std::thread thread_;
};

// Handlers for the usual answers.
inline WebServer::Handler answer(std::string response) {
  return [response](WebServer::Conn& c) {
    if (c.readRequest()) c.send(response);
  };
}

inline std::string okResponse(std::string_view body, std::string_view status = "200 OK") {
  return "HTTP/1.1 " + std::string(status) + "\r\nContent-Type: text/plain\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

// A socket listening on 127.0.0.1, an ephemeral port (in *port); `flags` go to socket()
// (SOCK_NONBLOCK). -1 when that failed.
inline int listenLoopback(std::uint16_t* port, int flags = 0, int backlog = 64) {
  int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(s, backlog) != 0 ||
      ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (s >= 0) ::close(s);
    return -1;
  }
  *port = ntohs(a.sin_port);
  return s;
}

// A port on 127.0.0.1 on which nothing listens.
inline std::uint16_t closedPort() {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(s);
  return ntohs(a.sin_port);
}

using ::fail::test::Pki;  // tests/common/pki.hh

}  // namespace fail::check::test
