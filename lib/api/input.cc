// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "api/input.hh"

#include <strings.h>

#include <algorithm>
#include <ctime>

#include <nlohmann/json.hpp>

#include "base/text.hh"
#include "proto/request.hh"

namespace fail::api {

namespace {

using Json = nlohmann::json;

bool refuse(Refusal& why, int status, std::string code, std::string message) {
  why.status = status;
  why.code = std::move(code);
  why.message = std::move(message);
  return false;
}

// The deepest nesting of arrays and objects in `text` (strings skipped): checked before
// parsing, so a body of a million '[' costs nothing.
size_t nesting(std::string_view text) {
  size_t depth = 0, deepest = 0;
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inString) {
      if (c == '\\') ++i;
      else if (c == '"') inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

bool hasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return c < 0x20 || c == 0x7f;
  });
}

}  // namespace

bool parseSetBody(std::string_view body, SetBody& out, Refusal& why) {
  out = {};
  if (nesting(body) > 8) return refuse(why, 400, "BADREQUEST", "the JSON body is nested too deeply");
  Json j;
  try {
    j = Json::parse(body);
  } catch (const Json::parse_error& e) {
    return refuse(why, 400, "BADREQUEST", "malformed JSON at byte " + std::to_string(e.byte));
  } catch (const Json::exception& e) {  // a number too large to hold, ...
    return refuse(why, 400, "BADREQUEST", std::string("malformed JSON: ") + e.what());
  }
  if (!j.is_object()) return refuse(why, 400, "BADREQUEST", "the body must be a JSON object");
  bool haveState = false, haveTtl = false;
  for (const auto& [key, value] : j.items()) {
    if (key == "state") {
      if (!value.is_string()) return refuse(why, 400, "BADREQUEST", "\"state\" must be a string");
      auto st = proto::parseState(value.get_ref<const std::string&>());
      if (!st)
        return refuse(why, 422, "BADSTATE",
                      "invalid state '" + printable(value.get_ref<const std::string&>()) +
                          "': UP, RECOVER, FAIL or UNKNOWN");
      out.state = *st;
      haveState = true;
    } else if (key == "note") {
      if (!value.is_string()) return refuse(why, 400, "BADREQUEST", "\"note\" must be a string");
      const auto& note = value.get_ref<const std::string&>();
      if (note.size() > proto::kMaxNote)
        return refuse(why, 422, "ARGS", "note is longer than " + std::to_string(proto::kMaxNote) + " bytes");
      if (hasControl(note)) return refuse(why, 422, "ARGS", "note holds a control character");
      out.note = note;
    } else if (key == "ttl" || key == "ttl_ms") {
      if (haveTtl) return refuse(why, 400, "BADREQUEST", "\"ttl\" and \"ttl_ms\" exclude each other");
      haveTtl = true;
      std::optional<std::int64_t> ms;
      if (key == "ttl" && value.is_string()) ms = parseDurationMs(value.get_ref<const std::string&>());
      else if (key == "ttl_ms" && value.is_number_unsigned())
        ms = value.get<std::uint64_t>() > 1ULL << 62 ? -1 : value.get<std::int64_t>();
      else
        return refuse(why, 400, "BADREQUEST",
                      key == "ttl" ? "\"ttl\" must be a duration such as \"30s\"" : "\"ttl_ms\" must be a whole number");
      if (!ms || *ms < 0) return refuse(why, 422, "ARGS", "\"ttl\" is not a duration such as \"30s\"");
      if (*ms > proto::kMaxTtlMs)
        return refuse(why, 422, "ARGS", "ttl is longer than " + formatDurationMs(proto::kMaxTtlMs) + ", the longest ttl");
      out.ttlMs = *ms;
    } else if (key == "at") {
      if (!value.is_number_unsigned() || value.get<std::uint64_t>() > 1ULL << 62)
        return refuse(why, 400, "BADREQUEST", "\"at\" must be microseconds since the epoch");
      out.at = value.get<std::int64_t>();
    } else if (key == "attrs") {
      if (!value.is_object()) return refuse(why, 400, "BADREQUEST", "\"attrs\" must be an object of strings");
      for (const auto& [k, v] : value.items()) {
        if (!v.is_string()) return refuse(why, 400, "BADREQUEST", "attribute '" + printable(k) + "' must be a string");
        if (!proto::validAttrKey(k) || k == "ttl" || k == "note" || k == "at")
          return refuse(why, 422, "ARGS",
                        "attribute key '" + printable(k) + "': 1-64 of letters, digits and _ . -, not ttl, note or at");
        const auto& text = v.get_ref<const std::string&>();
        if (text.size() > proto::kMaxAttrValue)
          return refuse(why, 422, "ARGS",
                        "attribute " + k + " is longer than " + std::to_string(proto::kMaxAttrValue) + " bytes");
        if (hasControl(text)) return refuse(why, 422, "ARGS", "attribute " + k + " holds a control character");
        out.attrs.emplace_back(k, text);
        if (out.attrs.size() > proto::kMaxAttrs)
          return refuse(why, 422, "ARGS", "more than " + std::to_string(proto::kMaxAttrs) + " attributes");
      }
      std::sort(out.attrs.begin(), out.attrs.end());
    } else {
      return refuse(why, 400, "BADREQUEST",
                    "unknown field '" + printable(key) + "' (state, note, ttl, ttl_ms, at, attrs)");
    }
  }
  if (!haveState) return refuse(why, 400, "BADREQUEST", "\"state\" is missing");
  return true;
}

bool checkName(const std::string& name, Refusal& why) {
  if (validName(name)) return true;
  return refuse(why, 422, "BADNAME",
                "invalid name '" + printable(name) + "': 1-255 of letters, digits and . _ - : @ / are allowed");
}

bool patternParam(const http::Request& r, std::string& out, Refusal& why) {
  const std::string* p = r.param("pattern");
  out = p ? *p : "*";
  if (out.empty() || out.size() > 256)
    return refuse(why, 400, "BADREQUEST", "pattern= must be a glob of 1 to 256 bytes");
  return true;
}

std::optional<Micros> parseTimeText(std::string_view text, Micros now) {
  auto t = proto::parseTimeArg(text);
  if (!t) return std::nullopt;
  return t->at(now);
}

bool timeParam(const http::Request& r, std::string_view name, Micros now, Micros dflt, Micros& out,
               Refusal& why) {
  const std::string* v = r.param(name);
  if (!v) {
    out = dflt;
    return true;
  }
  auto t = parseTimeText(*v, now);
  if (!t)
    return refuse(why, 400, "BADREQUEST",
                  std::string(name) + "='" + printable(*v) +
                      "' is not a time: say 1h (ago), @SECONDS, microseconds or 2026-12-07T10:00:00Z");
  out = *t;
  return true;
}

bool limitParam(const http::Request& r, size_t max, size_t& out, Refusal& why) {
  const std::string* v = r.param("limit");
  out = 0;
  if (!v) return true;
  auto n = parseInt(*v);
  if (!n || *n < 1 || static_cast<std::uint64_t>(*n) > max)
    return refuse(why, 400, "BADREQUEST", "limit='" + printable(*v) + "': 1 to " + std::to_string(max));
  out = static_cast<size_t>(*n);
  return true;
}

bool resumeSerial(const http::Request& r, std::optional<std::uint64_t>& out, Refusal& why) {
  out.reset();
  const std::string* v = r.header("Last-Event-ID");
  const char* what = "Last-Event-ID";
  if (!v || v->empty()) {
    v = r.param("since");
    what = "since=";
  }
  if (!v) return true;
  auto n = parseUint(*v);
  if (!n) return refuse(why, 400, "BADREQUEST", std::string(what) + " '" + printable(*v) + "' is not a serial");
  out = *n;
  return true;
}

std::optional<std::string> bearerSecret(const http::Request& r) {
  const std::string* h = r.header("Authorization");
  if (!h) return std::nullopt;
  std::string_view v = *h;
  if (v.size() < 7 || ::strncasecmp(v.data(), "Bearer ", 7) != 0) return std::string();
  v.remove_prefix(7);
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  return std::string(v);
}

bool onlyParams(const http::Request& r, std::initializer_list<std::string_view> known, Refusal& why) {
  for (const auto& [k, v] : r.query) {
    if (std::find(known.begin(), known.end(), k) != known.end()) continue;
    std::string list;
    for (auto n : known) list += (list.empty() ? "" : ", ") + std::string(n);
    return refuse(why, 400, "BADREQUEST",
                  "unknown query parameter '" + printable(k) + "'" + (list.empty() ? " (none is taken)" : " (" + list + ")"));
  }
  return true;
}

}  // namespace fail::api
