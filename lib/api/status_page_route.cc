// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// addStatusPage (status_page.hh): GET / on faild's HTTP server. The records as LIST
// shows them (published: durable), rendered on the loop thread (a page of 10,000
// records takes a few milliseconds), served with the page's policy.
#include <unistd.h>

#include "api/status_page.hh"
#include "http/server.hh"
#include "state/store.hh"

namespace fail::api {

namespace {

std::string_view param(const http::Request& req, std::string_view name) {
  const std::string* v = req.param(name);
  return v ? std::string_view(*v) : std::string_view();
}

std::string hostName() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) return {};
  return host;
}

}  // namespace

void addStatusPage(http::Server& server, const state::Store& store, StatusPageOptions opts) {
  if (std::string host = hostName(); !host.empty()) opts.title += " on " + host;
  server.handle("GET", "/", [&store, opts](const http::Request& req) {
    StatusFilter filter;
    std::string err;
    if (!parseStatusFilter(param(req, "q"), param(req, "state"), filter, err))
      return http::errorResponse(400, "BADREQUEST", err);
    std::vector<state::Record> records;
    records.reserve(store.size());
    store.forEachPublished([&](const state::Version& v) { records.push_back(v.record()); });
    http::Response res;
    res.contentType = "text/html; charset=utf-8";
    res.body = renderStatusPage(records, store.publishedSerial(), filter, opts, wallNow());
    res.headers = {{"Content-Security-Policy", statusPageCsp()},
                   {"Cache-Control", "no-store"},
                   {"X-Content-Type-Options", "nosniff"},
                   {"Referrer-Policy", "no-referrer"}};
    return res;
  });
}

}  // namespace fail::api
