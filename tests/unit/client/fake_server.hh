// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// A tiny server for the client tests: listens on 127.0.0.1 port 0 (or a Unix socket),
// serves one connection at a time in its own thread, answers each request line with the
// lines a handler returns. A reply line "<close>" closes the connection instead. Speaks
// TLS when given a context. Test code only: blocking I/O, no timeouts of its own.
#pragma once

#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fail::client::test {

class FakeServer {
 public:
  using Handler = std::function<std::vector<std::string>(const std::string& request)>;

  explicit FakeServer(Handler handler, SSL_CTX* tls = nullptr)
      : handler_(std::move(handler)), tls_(tls) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    socklen_t len = sizeof sa;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len);
    port_ = std::to_string(ntohs(sa.sin_port));
    start();
  }

  FakeServer(const std::string& unixPath, Handler handler) : handler_(std::move(handler)) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, unixPath.c_str(), sizeof sa.sun_path - 1);
    ::unlink(unixPath.c_str());
    ::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    start();
  }

  ~FakeServer() {
    ::shutdown(fd_, SHUT_RDWR);  // wakes accept()
    thread_.join();
    ::close(fd_);
  }

  const std::string& port() const { return port_; }
  std::vector<std::string> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

  // A handler that answers HELLO like faild, QUIT with OK BYE and a close, and any other
  // command (the request's first word) from `replies`; unknown ones with ERR UNKNOWN.
  static Handler canned(std::map<std::string, std::vector<std::string>> replies) {
    return [replies](const std::string& req) -> std::vector<std::string> {
      std::string cmd = req.substr(0, req.find(' '));
      auto it = replies.find(cmd);
      if (it != replies.end()) return it->second;
      if (cmd == "HELLO") return {"OK faild 0.1.0 proto 1 auth none"};
      if (cmd == "QUIT") return {"OK BYE", "<close>"};
      return {"ERR UNKNOWN unknown command " + cmd};
    };
  }

 private:
  void start() {
    ::listen(fd_, 8);
    thread_ = std::thread([this] { run(); });
  }

  void run() {
    for (;;) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      serve(c);
      ::close(c);
    }
  }

  void serve(int c) {
    SSL* ssl = nullptr;
    if (tls_) {
      ssl = SSL_new(tls_);
      SSL_set_fd(ssl, c);
      if (SSL_accept(ssl) != 1) {
        SSL_free(ssl);
        return;
      }
    }
    std::string buf;
    char chunk[4096];
    bool open = true;
    while (open) {
      size_t lf;
      while (open && (lf = buf.find('\n')) != std::string::npos) {
        std::string line = buf.substr(0, lf);
        buf.erase(0, lf + 1);
        {
          std::lock_guard<std::mutex> lock(mu_);
          requests_.push_back(line);
        }
        for (const std::string& reply : handler_(line)) {
          if (reply == "<close>") {
            open = false;
            break;
          }
          std::string out = reply + "\n";
          if (ssl)
            SSL_write(ssl, out.data(), static_cast<int>(out.size()));
          else
            ::send(c, out.data(), out.size(), MSG_NOSIGNAL);
        }
      }
      if (!open) break;
      int n = ssl ? SSL_read(ssl, chunk, sizeof chunk)
                  : static_cast<int>(::recv(c, chunk, sizeof chunk, 0));
      if (n <= 0) break;
      buf.append(chunk, static_cast<size_t>(n));
    }
    if (ssl) {
      SSL_shutdown(ssl);
      SSL_free(ssl);
    }
  }

  Handler handler_;
  SSL_CTX* tls_ = nullptr;
  int fd_ = -1;
  std::string port_;
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<std::string> requests_;
};

}  // namespace fail::client::test
