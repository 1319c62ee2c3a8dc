// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The status page's own style sheet and its one script (status_page_script.cc), served
// inline and allowed by their hashes (statusPageCsp).
#pragma once

#include <string_view>

namespace fail::api {

extern const std::string_view kStatusPageCss;
extern const std::string_view kStatusPageScript;

}  // namespace fail::api
