// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// renderHtml (render.hh): the Model as one self-contained page. Built into one reserved
// string; every text from a server goes through appendHtmlEscaped (base/html.hh).
#include <algorithm>
#include <map>
#include <vector>

#include "base/time.hh"
#include "client/format.hh"
#include "base/html.hh"
#include "mon/render.hh"

namespace fail::mon {

namespace {

const char* stateClass(state::State s) {
  switch (s) {
    case state::State::Up: return "s-up";
    case state::State::Recover: return "s-recover";
    case state::State::Fail: return "s-fail";
    default: return "s-unknown";
  }
}

class Page : public HtmlOut<Page> {
 public:
  explicit Page(std::size_t records) : HtmlOut(4096 + records * 400) {}
  // "3m12s ago" in a <time> element whose title is the time itself; "-" for 0.
  Page& age(Micros t, Micros now) {
    if (t == 0) return raw("-");
    std::string iso = isoTime(t);
    raw("<time datetime=\"").raw(iso).raw("\" title=\"").raw(iso).raw("\">");
    raw(t > now ? "in " : "").raw(formatAge(t > now ? t - now : now - t)).raw(t > now ? "" : " ago");
    return raw("</time>");
  }
  // "2026-11-22 04:05:59 (3m12s ago)" in a <time> element; "-" for 0.
  Page& since(Micros t, Micros now) {
    if (t == 0) return raw("-");
    raw("<time datetime=\"").raw(isoTime(t)).raw("\">");
    return text(client::humanTime(t, now)).raw("</time>");
  }
  Page& stateWord(state::State s) {
    return raw("<span class=\"st ").raw(stateClass(s)).raw("\">").raw(state::stateName(s)).raw("</span>");
  }
};

// An attribute's value, or empty.
std::string_view attr(const state::Record& r, std::string_view key) {
  auto it = std::lower_bound(r.attrs.begin(), r.attrs.end(), key,
                             [](const auto& kv, std::string_view k) { return kv.first < k; });
  return it != r.attrs.end() && it->first == key ? std::string_view(it->second) : std::string_view();
}

void counts(Page& p, const Counts& c) {
  p.raw("<p class=\"counts\"><span class=\"s-up\">UP ").num(c.up);
  p.raw("</span><span class=\"s-recover\">RECOVER ").num(c.recover);
  p.raw("</span><span class=\"s-fail\">FAIL ").num(c.fail);
  p.raw("</span><span class=\"s-unknown\">UNKNOWN ").num(c.unknown).raw("</span></p>\n");
}

void head(Page& p, const HtmlOptions& opts) {
  p.raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
  p.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
  if (opts.refreshSeconds > 0) p.raw("<meta http-equiv=\"refresh\" content=\"").num(opts.refreshSeconds).raw("\">\n");
  p.raw("<title>").text(opts.title).raw("</title>\n<style>").raw(kHtmlPageCss).raw("</style></head>\n<body>\n");
}

void header(Page& p, const Model& model, const HtmlOptions& opts, Micros now) {
  p.raw("<header><h1>").text(opts.title).raw("</h1>\n");
  counts(p, model.counts());
  p.raw("<p class=\"muted\">").num(model.size()).raw(model.size() == 1 ? " target" : " targets");
  p.raw(", generated <time datetime=\"").raw(isoTime(now)).raw("\">");
  p.text(formatLocalTime(now)).raw("</time>");
  if (!opts.selfUrl.empty()) p.raw(" · <a href=\"").text(opts.selfUrl).raw("?format=json\">JSON</a>");
  p.raw("</p></header>\n");
}

// The target's heading and status lines: kind, reachable or why not, restarted.
void targetStatus(Page& p, const Target& t, Micros now) {
  p.raw("<h2>").text(t.name).raw(" <small class=\"muted\">").raw(kindName(t.kind));
  if (!t.version.empty()) p.raw(" ").text(t.version);
  p.raw("</small></h2>\n<p class=\"reach reach-").raw(reachName(t.reach)).raw("\">");
  switch (t.reach) {
    case Reach::Up: p.raw("reachable"); break;
    case Reach::Connecting: p.raw("connecting"); break;
    case Reach::Down:
      p.raw("unreachable since ").since(t.reachSince, now);
      if (!t.why.empty()) p.raw(": ").text(t.why);
      break;
  }
  if (t.reach == Reach::Up && !t.synced) p.raw(" (listing incomplete)");
  p.raw("</p>\n");
  if (t.restartedAt) p.raw("<p class=\"restarted\">restarted ").age(t.restartedAt, now).raw("</p>\n");
}

// What failsh reports of a service: masters, slaves, witnesses, each peer's state.
void serviceDetails(Page& p, const state::Record& r) {
  static constexpr std::string_view kRoles[] = {"masters", "slaves", "witnesses"};
  bool first = true;
  for (std::string_view role : kRoles) {
    std::string_view v = attr(r, role);
    if (v.empty()) continue;
    p.raw(first ? "" : "; ").raw(role).raw(": ").text(v);
    first = false;
  }
  static constexpr std::string_view kPrefixes[] = {"master.", "slave.", "witness."};
  for (std::string_view prefix : kPrefixes)
    for (const auto& [k, v] : r.attrs)
      if (k.size() > prefix.size() && k.compare(0, prefix.size(), prefix) == 0) {
        p.raw(first ? "" : "; ").text(k.substr(prefix.size())).raw(" (").raw(prefix.substr(0, prefix.size() - 1));
        p.raw(") reported ").text(v);
        first = false;
      }
  std::string_view action = attr(r, "last_action");
  if (!action.empty()) p.raw(first ? "" : "; ").raw("last action: ").text(action);
}

// A failsh host: its last connect and last call (microseconds since the epoch).
void hostDetails(Page& p, const state::Record& r, Micros now) {
  auto when = [&](std::string_view label, std::string_view key) {
    auto t = parseInt(attr(r, key));
    p.raw(label);
    if (t && *t > 0)
      p.age(*t, now);
    else
      p.raw("never");
  };
  when("last connect ", "last_connect");
  when("; last call ", "last_call");
}

void otherDetails(Page& p, const state::Record& r) {
  bool first = true;
  for (const auto& [k, v] : r.attrs) {
    p.raw(first ? "" : " ").text(k).raw("=").text(v);
    first = false;
  }
}

void recordRow(Page& p, const Target& t, const state::Record& r, Micros now) {
  p.raw("<tr><td data-label=\"Name\">").text(r.name);
  p.raw("</td><td data-label=\"State\">").stateWord(r.state);
  p.raw("</td><td data-label=\"Changed\">").age(r.since, now);
  p.raw("</td><td data-label=\"Note\">").text(r.note);
  p.raw("</td><td data-label=\"Details\">");
  std::string_view name = r.name;
  if (t.kind == Kind::Failsh && name.substr(0, 8) == "service:")
    serviceDetails(p, r);
  else if (t.kind == Kind::Failsh && name.substr(0, 5) == "host:")
    hostDetails(p, r, now);
  else
    otherDetails(p, r);
  p.raw("</td></tr>\n");
}

void targetSection(Page& p, const Target& t, Micros now) {
  p.raw("<section class=\"target\">\n");
  targetStatus(p, t, now);
  counts(p, Model::counts(t));
  if (t.records.empty()) {
    p.raw("<p class=\"muted\">no records</p>\n</section>\n");
    return;
  }
  p.raw("<table><thead><tr><th>Name</th><th>State</th><th>Changed</th><th>Note</th><th>Details</th></tr></thead>"
        "<tbody>\n");
  for (const auto& [name, e] : t.records) recordRow(p, t, e.record, now);
  p.raw("</tbody></table>\n</section>\n");
}

// hcmon.cgi: every target's status, then the checks of all targets by location.
void checksPage(Page& p, const Model& model, Micros now) {
  for (const Target& t : model.targets()) {
    p.raw("<section class=\"target\">\n");
    targetStatus(p, t, now);
    p.raw("</section>\n");
  }
  struct Row {
    const Target* target;
    const state::Record* record;
  };
  std::map<std::string_view, std::vector<Row>> byLocation;
  for (const Target& t : model.targets())
    for (const auto& [name, e] : t.records) byLocation[attr(e.record, "location")].push_back({&t, &e.record});
  for (const auto& [location, rows] : byLocation) {
    p.raw("<section class=\"location\">\n<h2>");
    if (location.empty())
      p.raw("no location");
    else
      p.raw("location ").text(location);
    p.raw("</h2>\n<table><thead><tr><th>Check</th><th>State</th><th>Latency</th><th>Note</th>"
          "<th>Changed</th><th>hc</th></tr></thead><tbody>\n");
    for (const Row& row : rows) {
      const state::Record& r = *row.record;
      p.raw("<tr><td data-label=\"Check\">").text(r.name);
      p.raw("</td><td data-label=\"State\">").stateWord(r.state);
      std::string_view latency = attr(r, "latency");
      p.raw("</td><td data-label=\"Latency\">").text(latency.empty() ? "-" : latency);
      p.raw("</td><td data-label=\"Note\">").text(r.note);
      p.raw("</td><td data-label=\"Changed\">").age(r.since, now);
      p.raw("</td><td data-label=\"hc\">").text(row.target->name).raw("</td></tr>\n");
    }
    p.raw("</tbody></table>\n</section>\n");
  }
}

}  // namespace

std::string renderHtml(const Model& model, const HtmlOptions& opts, Micros now) {
  Page p(model.counts().total());
  head(p, opts);
  header(p, model, opts, now);
  p.raw("<main>\n");
  if (opts.checksView)
    checksPage(p, model, now);
  else
    for (const Target& t : model.targets()) targetSection(p, t, now);
  p.raw("</main>\n</body></html>\n");
  return p.take();
}

}  // namespace fail::mon
