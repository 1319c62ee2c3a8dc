// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Debian's lighttpd for tests: started in the foreground (-D) on a free loopback port
// with a configuration written into the test's folder, stopped by PID (peers.hh's
// Child); and a small blocking HTTP/1.0 client for the answers a browser would not show
// (status lines, headers of refusals).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>

#include "base/unique_fd.hh"
#include "peers.hh"

namespace fail::test {

inline constexpr const char* kLighttpd = "/usr/sbin/lighttpd";
inline constexpr const char* kLighttpdModCgi = "/usr/lib/lighttpd/mod_cgi.so";

// Empty when lighttpd with mod_cgi is installed, else what is missing (for GTEST_SKIP).
inline std::string lighttpdMissing() {
  if (::access(kLighttpd, X_OK) != 0) return std::string(kLighttpd) + " is not installed (Debian package lighttpd)";
  if (::access(kLighttpdModCgi, R_OK) != 0) return std::string(kLighttpdModCgi) + " is missing";
  return {};
}

struct Lighttpd {
  std::unique_ptr<Child> child;
  int port = 0;
  std::string log;  // lighttpd's stderr and its error log
};

// Starts lighttpd serving the empty folder DIR/htdocs on 127.0.0.1 with `config`
// appended to the basics (port, document root, error log). Returns it once it accepts
// connections; child is null (with `why`) otherwise.
inline Lighttpd startLighttpd(const std::string& dir, const std::string& config, std::string* why) {
  Lighttpd l;
  l.port = freeLoopbackPort();
  std::string conf = dir + "/lighttpd.conf", log = dir + "/lighttpd.log", docroot = dir + "/htdocs";
  ::mkdir(docroot.c_str(), 0755);
  std::ofstream(conf) << "server.document-root = \"" << docroot << "\"\n"
                      << "server.bind = \"127.0.0.1\"\n"
                      << "server.port = " << l.port << "\n"
                      << "server.errorlog = \"" << log << "\"\n"
                      << "mimetype.assign = ( \".html\" => \"text/html\" )\n"
                      << config << "\n";
  l.log = log;
  auto child = std::make_unique<Child>(std::vector<std::string>{kLighttpd, "-D", "-f", conf}, log);
  if (!child->waitFor([&] { return tcpConnects(l.port); })) {
    *why = "lighttpd did not start:\n" + readAll(log);
    return l;
  }
  l.child = std::move(child);
  return l;
}

struct HttpAnswer {
  int status = 0;       // 0: no answer
  std::string headers;  // the header lines, CRLF as sent
  std::string body;
};

// One HTTP/1.0 request to 127.0.0.1:port; reads until the server closes or `limit`.
inline HttpAnswer httpRequest(int port, const std::string& method, const std::string& target,
                              std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  HttpAnswer a;
  UniqueFd s(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return a;
  std::string req = method + " " + target + " HTTP/1.0\r\nHost: 127.0.0.1\r\n";
  if (method == "POST") req += "Content-Length: 0\r\n";
  req += "\r\n";
  if (::write(s.get(), req.data(), req.size()) != static_cast<ssize_t>(req.size())) return a;
  std::string in;
  auto end = std::chrono::steady_clock::now() + limit;
  char buf[65536];
  while (std::chrono::steady_clock::now() < end) {
    pollfd p{s.get(), POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    ssize_t n = ::read(s.get(), buf, sizeof buf);
    if (n <= 0) break;
    in.append(buf, static_cast<std::size_t>(n));
  }
  auto head = in.find("\r\n\r\n");
  if (in.rfind("HTTP/1.", 0) != 0 || head == std::string::npos) return a;
  a.status = std::atoi(in.c_str() + in.find(' ') + 1);
  a.headers = in.substr(0, head + 2);
  a.body = in.substr(head + 4);
  return a;
}

}  // namespace fail::test
