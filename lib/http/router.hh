// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Which route answers a request: exact paths first, then the longest matching prefix;
// a path served with other methods is a 405 with Allow, a path nothing serves a 404.
// Pure (the fuzz target runs it); the handlers stay with the Server, by number.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "http/message.hh"

namespace fail::http {

struct Route {
  std::string method, path;
  bool prefix = false;  // `path` is a prefix ("/v1/records/")
  size_t id = 0;        // the caller's number for its handler
};

class Router {
 public:
  void add(std::string method, std::string path, bool prefix, size_t id);
  // The route for `r`'s method and decoded path (HEAD falls back to GET), or null with
  // the error to answer in `err`.
  const Route* find(const Request& r, Response& err) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace fail::http
