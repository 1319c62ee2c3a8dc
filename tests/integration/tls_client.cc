// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "tls_client.hh"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>

namespace fail::test {

bool makeCertificates(const TempDir& dir, const std::string& clientCn) {
  std::string d = dir.path();
  std::string cmd =
      "cd '" + d + "' && "
      "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 "
      "-subj /CN=failover-test-ca 2>/dev/null && "
      "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
      "-subj /CN=localhost 2>/dev/null && "
      "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > san.ext && "
      "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
      "-out server.pem -days 2 -extfile san.ext 2>/dev/null";
  if (!clientCn.empty())
    cmd += " && openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr "
           "-subj /CN=" + clientCn + " 2>/dev/null && "
           "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
           "-out client.pem -days 2 2>/dev/null";
  return std::system(cmd.c_str()) == 0;
}

TlsClient::TlsClient(int port, const std::string& ca, const std::string& cert,
                     const std::string& key) {
  ctx_ = SSL_CTX_new(TLS_client_method());
  SSL_CTX_load_verify_locations(ctx_, ca.c_str(), nullptr);
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
  if (!cert.empty()) {
    SSL_CTX_use_certificate_chain_file(ctx_, cert.c_str());
    SSL_CTX_use_PrivateKey_file(ctx_, key.c_str(), SSL_FILETYPE_PEM);
  }
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval tv{20, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(static_cast<std::uint16_t>(port));
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0) return;
  SSL* ssl = SSL_new(ctx_);
  SSL_set_fd(ssl, fd_);
  SSL_set_tlsext_host_name(ssl, "localhost");
  SSL_set1_host(ssl, "localhost");
  if (SSL_connect(ssl) != 1) {
    SSL_free(ssl);
    return;
  }
  ssl_ = ssl;
}

TlsClient::~TlsClient() {
  if (ssl_) {
    SSL_shutdown(ssl_);
    SSL_free(ssl_);
  }
  if (fd_ >= 0) ::close(fd_);
  SSL_CTX_free(ctx_);
}

std::string TlsClient::request(const std::string& line) {
  if (!ssl_) return "";
  std::string out = line + "\n";
  if (SSL_write(ssl_, out.data(), static_cast<int>(out.size())) <= 0) return "";
  while (buf_.find('\n') == std::string::npos) {
    char tmp[4096];
    int n = SSL_read(ssl_, tmp, sizeof tmp);
    if (n <= 0) return "";
    buf_.append(tmp, static_cast<size_t>(n));
  }
  size_t nl = buf_.find('\n');
  std::string r = buf_.substr(0, nl);
  buf_.erase(0, nl + 1);
  return r;
}

}  // namespace fail::test
