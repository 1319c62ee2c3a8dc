// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The one thing a request to failmon.cgi or hcmon.cgi may ask: the page's format.
#pragma once

#include <string>
#include <string_view>

namespace fail::mon {

enum class CgiFormat { Html, Json };

// QUERY_STRING: empty, or exactly one `format=html` or `format=json` (percent-escapes
// decoded, `+` a space). Anything else — another key, a repeated key, an empty part, a
// malformed or truncated escape, a longer string than 256 bytes — is false with a short
// message for people ("refused: ..."), which quotes nothing longer than 32 bytes.
bool parseCgiQuery(std::string_view query, CgiFormat& format, std::string& err);

}  // namespace fail::mon
