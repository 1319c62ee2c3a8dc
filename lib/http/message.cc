// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Requests' look-ups, the JSON error body and the reason phrases.
#include <strings.h>

#include <nlohmann/json.hpp>

#include "http/message.hh"

namespace fail::http {

const std::string* Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k.size() == name.size() && ::strncasecmp(k.data(), name.data(), k.size()) == 0) return &v;
  return nullptr;
}

const std::string* Request::param(std::string_view name) const {
  for (const auto& [k, v] : query)
    if (k == name) return &v;
  return nullptr;
}

Response errorResponse(int status, std::string_view code, std::string_view message) {
  nlohmann::ordered_json j;
  j["error"]["code"] = code;
  j["error"]["message"] = message;
  Response r;
  r.status = status;
  r.contentType = "application/json";
  // A message may quote what a client sent: invalid UTF-8 is replaced, never thrown.
  r.body = j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  return r;
}

const char* reasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 507: return "Insufficient Storage";
  }
  return "Unknown";
}

}  // namespace fail::http
