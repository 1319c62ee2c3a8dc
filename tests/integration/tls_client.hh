// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// A blocking TLS line client for tests, and certificates made with the openssl tool.
#pragma once

#include <openssl/ssl.h>

#include <optional>
#include <string>

#include "harness.hh"

namespace fail::test {

// Makes ca.pem, server.pem/server.key (CN localhost, IP 127.0.0.1) and, when
// `clientCn` is not empty, client.pem/client.key signed by the same CA, in `dir`.
bool makeCertificates(const TempDir& dir, const std::string& clientCn);

class TlsClient {
 public:
  // Connects to 127.0.0.1:port, verifies the server against `ca`, offers a client
  // certificate when `cert` is given.
  TlsClient(int port, const std::string& ca, const std::string& cert = {},
            const std::string& key = {});
  ~TlsClient();
  bool connected() const { return ssl_ != nullptr; }
  std::string request(const std::string& line);

 private:
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string buf_;
};

}  // namespace fail::test
