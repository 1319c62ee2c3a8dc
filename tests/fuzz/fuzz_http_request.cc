// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: faild's HTTP request handling above evhttp's parser (which needs a
// socket): the request target (lib/http/target), the routing (lib/http/router) over the
// API's routes, and everything lib/api/input reads from a request: the PUT body, the
// record name, the query parameters, Last-Event-ID and the Authorization header.
//
// The input is a request as lines: METHOD, TARGET, then "Name: value" headers up to an
// empty line, then the body.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/input.hh"
#include "base/text.hh"
#include "check.hh"
#include "http/router.hh"
#include "http/target.hh"
#include "proto/request.hh"

namespace {

using namespace fail;

std::string_view line(std::string_view& in) {
  size_t nl = in.find('\n');
  std::string_view l = in.substr(0, nl);
  in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  return l;
}

// Every error body is valid JSON with a code and a message, whatever it quotes.
void checkError(const http::Response& r) {
  FUZZ_CHECK(r.status >= 400 && r.status < 600);
  FUZZ_CHECK(r.contentType == "application/json");
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  FUZZ_CHECK(!j.is_discarded() && j.contains("error"));
  FUZZ_CHECK(j["error"]["code"].is_string() && j["error"]["message"].is_string());
}

// The routes lib/api/api.cc registers, as faild serves them.
const http::Router& apiRouter() {
  static http::Router r = [] {
    http::Router r;
    size_t id = 0;
    r.add("GET", "/v1/records", false, id++);
    r.add("GET", "/v1/records/", true, id++);
    r.add("PUT", "/v1/records/", true, id++);
    r.add("DELETE", "/v1/records/", true, id++);
    r.add("GET", "/v1/history", false, id++);
    r.add("GET", "/v1/availability", false, id++);
    r.add("GET", "/v1/events", false, id++);
    return r;
  }();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  http::Request r;
  r.method = line(in);
  r.target = line(in);
  while (!in.empty()) {
    std::string_view h = line(in);
    if (h.empty()) break;
    size_t colon = h.find(':');
    std::string_view value = colon == std::string_view::npos ? std::string_view() : h.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    r.headers.emplace_back(std::string(h.substr(0, colon)), std::string(value));
  }
  r.body = std::string(in);

  http::Target t;
  std::string err;
  if (!http::parseTarget(r.target, t, err)) {
    FUZZ_CHECK(!err.empty());
    checkError(http::errorResponse(400, "BADREQUEST", "request target: " + err));
  } else {
    FUZZ_CHECK(!t.path.empty() && t.path[0] == '/');
    FUZZ_CHECK(std::none_of(t.path.begin(), t.path.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }));
    FUZZ_CHECK(t.path.find("/../") == std::string::npos && t.path.find("/./") == std::string::npos);
    FUZZ_CHECK(t.query.size() <= 64);
    r.path = t.path;
    r.query = t.query;
    http::Response e;
    const http::Route* rt = apiRouter().find(r, e);
    if (!rt) {
      checkError(e);
      FUZZ_CHECK(e.status == 404 || e.status == 405);
    } else {
      FUZZ_CHECK(rt->method == r.method || (r.method == "HEAD" && rt->method == "GET"));
      FUZZ_CHECK(rt->prefix ? r.path.rfind(rt->path, 0) == 0 : r.path == rt->path);
    }
  }

  api::Refusal why;
  api::SetBody body;
  if (api::parseSetBody(r.body, body, why)) {
    FUZZ_CHECK(body.ttlMs >= 0 && body.ttlMs <= proto::kMaxTtlMs);
    FUZZ_CHECK(body.note.size() <= proto::kMaxNote);
    FUZZ_CHECK(body.attrs.size() <= proto::kMaxAttrs);
    FUZZ_CHECK(std::is_sorted(body.attrs.begin(), body.attrs.end()));
    for (const auto& [k, v] : body.attrs) FUZZ_CHECK(proto::validAttrKey(k) && v.size() <= proto::kMaxAttrValue);
  } else {
    FUZZ_CHECK(!why.message.empty());
    checkError(why.response());
  }
  std::string name = r.path.size() > 12 ? r.path.substr(12) : r.path;
  if (api::checkName(name, why)) FUZZ_CHECK(validName(name));
  else checkError(why.response());

  std::string pattern;
  if (api::patternParam(r, pattern, why)) FUZZ_CHECK(!pattern.empty() && pattern.size() <= 256);
  Micros since = 0;
  if (!api::timeParam(r, "since", 1'800'000'000'000'000, 0, since, why)) checkError(why.response());
  size_t limit = 0;
  if (api::limitParam(r, 10'000, limit, why)) FUZZ_CHECK(limit <= 10'000);
  std::optional<std::uint64_t> serial;
  if (!api::resumeSerial(r, serial, why)) checkError(why.response());
  if (!api::onlyParams(r, {"pattern", "since", "until", "limit"}, why)) checkError(why.response());
  if (auto secret = api::bearerSecret(r)) FUZZ_CHECK(secret->size() <= size);
  api::parseTimeText(r.body.substr(0, 64), 1'800'000'000'000'000);
  return 0;
}
