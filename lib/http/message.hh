// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// An HTTP request as a route sees it, the response it gives, and the JSON error body
// every route answers with. Plain values: no socket, no libevent.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fail::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // "GET", "PUT", ...
  std::string target;  // as sent ("/v1/records?pattern=w*")
  std::string path;    // percent-decoded, without the query ("/v1/records")
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  Headers headers;     // as sent, in order
  std::string body;
  std::string peer;    // "127.0.0.1"
  bool loopback = false;  // the peer's address is a loopback one
  bool tls = false;       // it came over a tls: listener
  std::string certName;   // TLS: the common name of the client's verified certificate
  // The first header named `name` (case-insensitive), or nullptr.
  const std::string* header(std::string_view name) const;
  // The first query parameter named `name`, or nullptr.
  const std::string* param(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string contentType;
  std::string body;
  Headers headers;
};

// The JSON error body every route uses: {"error":{"code":"NOTFOUND","message":"..."}}.
Response errorResponse(int status, std::string_view code, std::string_view message);
// HTTP's reason phrase for `status` ("Not Found"); "Unknown" for one it does not know.
const char* reasonPhrase(int status);

}  // namespace fail::http
