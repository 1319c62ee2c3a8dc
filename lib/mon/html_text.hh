// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// What the HTML page (html.cc) and the CGI programs (cgi.cc) share beyond render.hh.
#pragma once

#include <string>
#include <string_view>

namespace fail::mon {

// Appends htmlEscape(text) to `out` (no temporary string: the page is built in one).
void appendHtmlEscaped(std::string& out, std::string_view text);

// The page's whole style sheet, the content of its one <style> element; the CGI
// programs allow exactly this in their Content-Security-Policy (by its hash).
extern const std::string_view kPageCss;

}  // namespace fail::mon
