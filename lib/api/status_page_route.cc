// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// addStatusPage (status_page.hh): GET / on faild's HTTP server. The client's grant as
// the API's routes have it (api/auth.hh), then the records it may read as LIST shows
// them (published: durable), rendered on the loop thread (10,000 records take a few
// milliseconds) and served with the page's policy.
#include <unistd.h>

#include <memory>

#include "api/auth.hh"
#include "api/status_page.hh"
#include "http/server.hh"
#include "server/server.hh"
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

http::Response page(const state::Store& store, const access::Grant& grant, const StatusFilter& filter,
                    const StatusPageOptions& opts) {
  std::vector<state::Record> records;
  records.reserve(store.size());
  store.forEachPublished([&](const state::Version& v) {
    if (grant.levelFor(v.name()) >= access::Level::Ro) records.push_back(v.record());
  });
  http::Response res;
  res.contentType = "text/html; charset=utf-8";
  res.body = renderStatusPage(records, store.publishedSerial(), filter, opts, wallNow());
  res.headers = {{"Content-Security-Policy", statusPageCsp()},
                 {"Cache-Control", "no-store"},
                 {"X-Content-Type-Options", "nosniff"},
                 {"Referrer-Policy", "no-referrer"}};
  return res;
}

}  // namespace

void addStatusPage(ev::Loop& loop, http::Server& http, const state::Store& store, server::Server& proto,
                   StatusPageOptions opts) {
  if (std::string host = hostName(); !host.empty()) opts.title += " on " + host;
  // The page's own Auth: the same access file and wrong-secret throttle (the protocol
  // server's) as the API's.
  auto auth = std::make_shared<Auth>(loop, proto);
  http.handleAsync("GET", "/", [auth, &store, opts](const http::Request& req, std::shared_ptr<http::Exchange> ex) {
    StatusFilter filter;
    std::string err;
    if (!parseStatusFilter(param(req, "q"), param(req, "state"), filter, err))
      return ex->reply(http::errorResponse(400, "BADREQUEST", err));
    auth->check(req, ex, [ex, &store, opts, filter](std::optional<access::Grant> grant, http::Response denied) {
      ex->reply(grant ? page(store, *grant, filter, opts) : denied);
    });
  });
}

}  // namespace fail::api
