// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The Model as text for line mode and -1 (lines.cc), as JSON (json.cc) and as an HTML
// page (html.cc). Every renderer shows the same things: each target (kind, reachable or
// since when not, restarted), counts by state, and each record with its state, the time
// since its last change, its note and, for failsh's host: and service: records, what
// failmon(1) lists.
#pragma once

#include <string>
#include <string_view>

#include "base/html.hh"  // htmlEscape, which renderHtml applies to every text
#include "base/time.hh"
#include "mon/model.hh"

namespace fail::mon {

// Plain text, one block per target; terminal-safe (text.hh).
std::string renderLines(const Model& model, Micros now);

// One JSON document: {"generated": TIME, "targets": [{"name", "kind", "version",
// "reach", "reach_since", "why", "restarted_at", "serial", "counts": {…},
// "records": [{record fields as failc --json prints them, "recent": […]}]}]}.
std::string renderJson(const Model& model, Micros now);

struct HtmlOptions {
  std::string title = "failover";
  int refreshSeconds = 0;  // 0: no self-refresh
  bool checksView = false; // hcmon.cgi: checks grouped by location, with latency
  // The page's own address for ?format=json links; empty: no link.
  std::string selfUrl;
};

// A whole page (doctype to </html>): no external assets (inline CSS, no script needed),
// readable on a phone (viewport meta, one column under 40em), every server-sent text
// escaped (a note holding <script> shows as text).
std::string renderHtml(const Model& model, const HtmlOptions& opts, Micros now);

}  // namespace fail::mon
