// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// What a client of faild's HTTP API sends, checked before anything is looked up: the
// body of PUT /v1/records/{name}, the record name in the path, and the query parameters
// of the listings, the event stream and the history (doc/http-api.md). Pure: the fuzz
// target runs them as they are.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "base/time.hh"
#include "http/message.hh"
#include "proto/values.hh"

namespace fail::api {

// Why input was refused: the status (400 malformed, 422 well formed but invalid), the
// error code and a message naming the field.
struct Refusal {
  int status = 400;
  std::string code = "BADREQUEST";
  std::string message;
  http::Response response() const { return http::errorResponse(status, code, message); }
};

// PUT's body: {"state":"UP","note":"…","ttl":"30s" | "ttl_ms":30000,"at":MICROS,
// "attrs":{"k":"v",…}}, as `failc set` gives them; only "state" is required. An
// attribute with an empty value removes it.
struct SetBody {
  proto::State state = proto::State::Unknown;
  std::int64_t ttlMs = 0;  // 0: none
  std::string note;
  std::optional<Micros> at;
  proto::Attrs attrs;
};
bool parseSetBody(std::string_view body, SetBody& out, Refusal& why);

// A record name from the path (after /v1/records/): 1-255 of letters, digits and
// . _ - : @ /.
bool checkName(const std::string& name, Refusal& why);

// ?pattern=GLOB (default "*"): at most 256 bytes.
bool patternParam(const http::Request& r, std::string& out, Refusal& why);

// A time parameter (since=, until=): "1h" or "-1h" (that long ago), "@SECONDS", a
// decimal number of microseconds since the epoch (as the JSON's times), or an ISO 8601
// UTC time "2026-12-07T10:00:00Z". `now` is the wall clock. Absent: `dflt`.
bool timeParam(const http::Request& r, std::string_view name, Micros now, Micros dflt, Micros& out,
               Refusal& why);
std::optional<Micros> parseTimeText(std::string_view text, Micros now);

// ?limit=N: 1 to `max`; absent: 0.
bool limitParam(const http::Request& r, size_t max, size_t& out, Refusal& why);

// The serial a stream resumes after: `Last-Event-ID: N` or ?since=N; nullopt: none.
bool resumeSerial(const http::Request& r, std::optional<std::uint64_t>& out, Refusal& why);

// The secret of an `Authorization: Bearer SECRET` header; nullopt when there is no such
// header, "" when it is malformed (another scheme, no secret).
std::optional<std::string> bearerSecret(const http::Request& r);

// Refuses query parameters other than `known` (a typo should not pass unnoticed).
bool onlyParams(const http::Request& r, std::initializer_list<std::string_view> known, Refusal& why);

}  // namespace fail::api
