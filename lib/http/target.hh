// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The request target of an HTTP request ("/v1/records/www?since=1h"): its path and
// query, percent-decoded. Pure, so the fuzz target runs it without a socket.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fail::http {

struct Target {
  std::string path;  // decoded, starts with '/'
  std::vector<std::pair<std::string, std::string>> query;  // decoded ('+' is a space)
};

// Splits and decodes an origin-form target. False with `err` naming what is wrong and
// where: not starting with '/', a bad %XX escape, a NUL or control byte once decoded, a
// path segment "." or "..", or more than `maxParams` query parameters.
bool parseTarget(std::string_view target, Target& out, std::string& err, size_t maxParams = 64);

// Percent-decodes `in` ('+' as a space when `plus`). False on a bad escape.
bool percentDecode(std::string_view in, bool plus, std::string& out);

}  // namespace fail::http
