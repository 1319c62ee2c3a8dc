// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// renderStatusPage (status_page.hh): the page as the server sends it, built in one
// reserved string; every text of a record goes through appendHtmlEscaped. The script
// (status_page_script.cc) draws the same rows from JSON: the two must keep the same
// markup (classes, data-label, data-us), which the integration test reads.
#include "api/status_page.hh"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>

#include "api/status_page_assets.hh"
#include "base/html.hh"

namespace fail::api {

namespace {

constexpr std::array<std::string_view, 4> kStates = {"UP", "RECOVER", "FAIL", "UNKNOWN"};
constexpr std::size_t kMaxFilterText = 256;

// ASCII-lowercase substring search (the script lowercases the same way).
bool containsFolded(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    std::size_t k = 0;
    while (k < needle.size() && lower(hay[i + k]) == lower(needle[k])) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

// "s-fail" for "FAIL": the style sheet's class of a state's word.
std::string stateClass(std::string_view word) {
  std::string c = "s-";
  for (char ch : word) c += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return c;
}

class Page : public HtmlOut<Page> {
 public:
  explicit Page(std::size_t records) : HtmlOut(4096 + kStatusPageScript.size() + records * 400) {}
};

struct Counts {
  std::array<std::size_t, kStates.size()> by{};
  std::size_t total = 0;
  void add(state::State s) {
    std::string_view name = state::stateName(s);
    for (std::size_t i = 0; i < kStates.size(); ++i)
      if (kStates[i] == name) ++by[i];
    ++total;
  }
};

void head(Page& p, const StatusPageOptions& opts) {
  p.raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
  p.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
  // Without scripts the page reloads itself (its query, and so its filters, kept).
  p.raw("<noscript><meta http-equiv=\"refresh\" content=\"").num(opts.refreshSeconds).raw("\"></noscript>\n");
  p.raw("<title>").text(opts.title).raw("</title>\n");
  p.raw("<style>").raw(kHtmlPageCss).raw("</style><style>").raw(kStatusPageCss).raw("</style>\n</head>\n");
}

// Counts by state, each a link that filters on it (no script needed).
void counts(Page& p, const Counts& c) {
  p.raw("<p class=\"counts\" id=\"counts\">");
  for (std::size_t i = 0; i < kStates.size(); ++i) {
    p.raw("<a class=\"").raw(stateClass(kStates[i])).raw("\" data-state=\"").raw(kStates[i]).raw("\" href=\"?state=").raw(kStates[i]);
    p.raw("\">").raw(kStates[i]).raw(" <b>").num(c.by[i]).raw("</b></a>");
  }
  p.raw("</p>\n");
}

void filterForm(Page& p, const StatusFilter& f) {
  p.raw("<form id=\"filter\" method=\"get\" action=\"\" role=\"search\">");
  p.raw("<input type=\"search\" name=\"q\" id=\"q\" placeholder=\"name, note or origin\" aria-label=\"filter\" "
        "maxlength=\"256\" value=\"")
      .text(f.text)
      .raw("\">");
  p.raw("<select name=\"state\" id=\"state\" aria-label=\"state\">");
  auto option = [&](std::string_view value, std::string_view label) {
    p.raw("<option value=\"").raw(value).raw(f.state == value ? "\" selected>" : "\">").raw(label).raw("</option>");
  };
  option("", "every state");
  option("notup", "not UP");
  for (std::string_view s : kStates) option(s, s);
  p.raw("</select><button type=\"submit\" id=\"apply\">filter</button></form>\n");
}

void row(Page& p, const state::Record& r, Micros now) {
  std::string cls = stateClass(state::stateName(r.state));
  p.raw("<tr class=\"r ").raw(cls).raw("-row\" data-name=\"").text(r.name).raw("\">");
  p.raw("<td data-label=\"Name\">").text(r.name).raw("</td>");
  p.raw("<td data-label=\"State\"><span class=\"st ").raw(cls).raw("\">").raw(state::stateName(r.state));
  p.raw("</span></td><td data-label=\"Changed\">");
  if (r.since != 0) {
    std::string iso = isoTime(r.since);
    p.raw("<time datetime=\"").raw(iso).raw("\" title=\"").raw(iso).raw("\" data-us=\"").num(r.since).raw("\">");
    p.raw(formatAge(now - r.since)).raw(" ago</time>");
  }
  p.raw("</td><td data-label=\"Note\">").text(r.note);
  p.raw("</td><td data-label=\"Origin\">").text(r.origin);
  p.raw("</td><td data-label=\"Attributes\">");
  bool first = true;
  for (const auto& [k, v] : r.attrs) {
    p.raw(first ? "" : " ").text(k).raw("=").text(v);
    first = false;
  }
  p.raw("</td></tr>\n");
}

// One group's section: heading with its counts, then its rows (those the filter keeps).
void group(Page& p, std::string_view name, const std::vector<const state::Record*>& rows,
           const StatusFilter& filter, Micros now) {
  Counts c;
  for (const state::Record* r : rows) c.add(r->state);
  p.raw("<section class=\"group\" data-group=\"").text(name).raw("\"><h2>");
  if (name.empty())
    p.raw("other records");
  else
    p.text(name);
  p.raw(" <small class=\"muted\">").num(c.total).raw(c.total == 1 ? " record" : " records");
  for (std::size_t i = 0; i < kStates.size(); ++i)
    if (kStates[i] != "UP" && c.by[i] > 0) p.raw(", ").num(c.by[i]).raw(" ").raw(kStates[i]);
  p.raw("</small></h2>\n<table><thead><tr><th>Name</th><th>State</th><th>Changed</th><th>Note</th>"
        "<th>Origin</th><th>Attributes</th></tr></thead><tbody>\n");
  for (const state::Record* r : rows)
    if (filter.matches(*r)) row(p, *r, now);
  p.raw("</tbody></table></section>\n");
}

}  // namespace

std::string_view statusGroup(std::string_view name) {
  std::size_t colon = name.find(':');
  return colon == std::string_view::npos ? std::string_view() : name.substr(0, colon + 1);
}

bool StatusFilter::matches(const state::Record& r) const {
  if (!state.empty()) {
    std::string_view s = state::stateName(r.state);
    if (state == "notup" ? s == "UP" : s != state) return false;
  }
  return containsFolded(r.name, text) || containsFolded(r.note, text) || containsFolded(r.origin, text);
}

bool parseStatusFilter(std::string_view text, std::string_view state, StatusFilter& out, std::string& err) {
  if (text.size() > kMaxFilterText) {
    err = "q: longer than " + std::to_string(kMaxFilterText) + " bytes";
    return false;
  }
  bool known = state.empty() || state == "notup";
  for (std::string_view s : kStates) known = known || state == s;
  if (!known) {
    err = "state: expected UP, RECOVER, FAIL, UNKNOWN or notup, not \"" + std::string(state.substr(0, 32)) + "\"";
    return false;
  }
  out.text = std::string(text);
  out.state = std::string(state);
  return true;
}

std::string renderStatusPage(const std::vector<state::Record>& records, std::uint64_t serial,
                             const StatusFilter& filter, const StatusPageOptions& opts, Micros now) {
  Page p(records.size());
  head(p, opts);
  // The script starts from here: the serial to follow the events from, and the server's
  // clock (ages are counted from it, whatever the browser's clock says).
  p.raw("<body data-serial=\"").num(serial).raw("\" data-now=\"").num(static_cast<std::uint64_t>(now)).raw("\">\n");
  p.raw("<header><h1>").text(opts.title).raw("</h1>\n");
  Counts all;
  for (const state::Record& r : records) all.add(r.state);
  counts(p, all);
  filterForm(p, filter);
  p.raw("<p class=\"muted\" id=\"status\">").num(all.total).raw(all.total == 1 ? " record" : " records");
  p.raw(" as of serial ").num(serial).raw(", <time datetime=\"").raw(isoTime(now)).raw("\">");
  p.text(formatLocalTime(now)).raw("</time> · <a href=\"/v1/records\">JSON</a></p>\n</header>\n<main id=\"groups\">\n");

  // Groups in the order of their prefixes, records without one last; within a group,
  // name order (the store's). A group none of whose records the filter keeps is left out.
  std::map<std::string_view, std::vector<const state::Record*>> groups;
  for (const state::Record& r : records) groups[statusGroup(r.name)].push_back(&r);
  std::size_t shown = 0;
  auto section = [&](std::string_view name, const std::vector<const state::Record*>& rows) {
    std::size_t kept = std::count_if(rows.begin(), rows.end(), [&](const state::Record* r) { return filter.matches(*r); });
    if (kept > 0) group(p, name, rows, filter, now);
    shown += kept;
  };
  for (const auto& [name, rows] : groups)
    if (!name.empty()) section(name, rows);
  if (auto it = groups.find(""); it != groups.end()) section("", it->second);
  p.raw("</main>\n<p class=\"muted\" id=\"none\"").raw(shown > 0 ? " hidden" : "").raw(">");
  p.raw(records.empty() ? "no records" : "no record matches the filter").raw("</p>\n");
  p.raw("<script>").raw(kStatusPageScript).raw("</script>\n</body></html>\n");
  return p.take();
}

const std::string& statusPageCsp() {
  static const std::string csp = "default-src 'none'; script-src " + cspHash(kStatusPageScript) + "; style-src " +
                                 cspHash(kHtmlPageCss) + " " + cspHash(kStatusPageCss) +
                                 "; connect-src 'self'; img-src 'none'; form-action 'self'; base-uri 'none'; "
                                 "frame-ancestors 'none'";
  return csp;
}

}  // namespace fail::api
