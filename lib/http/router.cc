// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "http/router.hh"

#include <algorithm>

namespace fail::http {

void Router::add(std::string method, std::string path, bool prefix, size_t id) {
  routes_.push_back({std::move(method), std::move(path), prefix, id});
}

const Route* Router::find(const Request& r, Response& err) const {
  // The routes for this path: the exact ones, else those of the longest matching prefix.
  std::vector<const Route*> match;
  for (const auto& rt : routes_)
    if (!rt.prefix && rt.path == r.path) match.push_back(&rt);
  if (match.empty()) {
    size_t best = 0;
    for (const auto& rt : routes_)
      if (rt.prefix && r.path.size() >= rt.path.size() && r.path.compare(0, rt.path.size(), rt.path) == 0)
        best = std::max(best, rt.path.size());
    for (const auto& rt : routes_)
      if (rt.prefix && rt.path.size() == best && best > 0 && r.path.compare(0, best, rt.path) == 0)
        match.push_back(&rt);
  }
  if (match.empty()) {
    err = errorResponse(404, "NOTFOUND", "no such path: " + r.path);
    return nullptr;
  }
  for (const Route* rt : match)
    if (rt->method == r.method) return rt;
  if (r.method == "HEAD")
    for (const Route* rt : match)
      if (rt->method == "GET") return rt;
  std::string allow;
  for (const Route* rt : match) {
    if (allow.find(rt->method) != std::string::npos) continue;
    allow += (allow.empty() ? "" : ", ") + rt->method;
    if (rt->method == "GET") allow += ", HEAD";
  }
  err = errorResponse(405, "METHOD", r.method + " is not allowed on " + r.path + " (allowed: " + allow + ")");
  err.headers.emplace_back("Allow", allow);
  return nullptr;
}

}  // namespace fail::http
