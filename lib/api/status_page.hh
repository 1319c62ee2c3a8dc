// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// faild's status page, GET / on its HTTP server: every record with its state, age, note,
// origin and attributes, grouped by the prefix of its name ("host:", "dns:", "notify:",
// then records without one), filterable by text and state. The page is whole without
// scripts (rendered here, filtered by a GET form, refreshed by a <noscript> meta
// refresh); its one inline script (status_page_script.cc) fetches /v1/records, follows
// /v1/events and redraws, filters and ages the records in the browser. No external
// assets; every record's text is escaped here and set as textContent there, and the
// Content-Security-Policy allows exactly the page's own style and script (by hash).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.hh"
#include "state/record.hh"

namespace fail::state {
class Store;
}
namespace fail::http {
class Server;
}

namespace fail::api {

// The page's filters, from its query: q=TEXT (a substring of the name, note or origin,
// ASCII letters in any case) and state=UP|RECOVER|FAIL|UNKNOWN|notup (empty: all).
struct StatusFilter {
  std::string text;
  std::string state;
  bool matches(const state::Record& r) const;
};

// Reads q= and state= (their values as the HTTP server decoded them). False with a
// message naming the parameter when a value is not one the page offers.
bool parseStatusFilter(std::string_view text, std::string_view state, StatusFilter& out, std::string& err);

struct StatusPageOptions {
  std::string title = "faild";  // the page's heading; addStatusPage adds the host name
  int refreshSeconds = 30;      // the <noscript> refresh
};

// The whole page (doctype to </html>) for `records` in name order as of `serial`.
std::string renderStatusPage(const std::vector<state::Record>& records, std::uint64_t serial,
                             const StatusFilter& filter, const StatusPageOptions& opts, Micros now);

// The Content-Security-Policy the page is served with: nothing but its own inline style
// sheets and script (by their hashes), requests to its own origin, forms to itself.
const std::string& statusPageCsp();

// The group a record's name belongs to: its prefix up to and with the first ':'
// ("host:"), or "" for a name without one.
std::string_view statusGroup(std::string_view name);

// Registers GET / on `server`: the page over `store` as published (what LIST shows).
void addStatusPage(http::Server& server, const state::Store& store, StatusPageOptions opts = {});

}  // namespace fail::api
