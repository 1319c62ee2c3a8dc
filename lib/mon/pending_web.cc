// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// PLACEHOLDER until mon-web's json.cc, html.cc and cgi.cc land (then this file and its
// line in lib/mon/Makefile.inc go): just enough for failmon's own tests.
#include <nlohmann/json.hpp>

#include "client/format.hh"
#include "mon/cgi.hh"
#include "mon/render.hh"

namespace fail::mon {

std::string renderJson(const Model& model, Micros now) {
  nlohmann::ordered_json j;
  j["generated"] = now;
  j["targets"] = nlohmann::ordered_json::array();
  for (const Target& t : model.targets()) {
    nlohmann::ordered_json tj = {{"name", t.name}, {"kind", kindName(t.kind)}, {"version", t.version},
                                 {"reach", reachName(t.reach)}, {"reach_since", t.reachSince}, {"why", t.why},
                                 {"restarted_at", t.restartedAt}, {"serial", t.serial}};
    tj["records"] = nlohmann::ordered_json::array();
    for (const auto& [name, e] : t.records) tj["records"].push_back(client::recordJson(e.record));
    j["targets"].push_back(tj);
  }
  return client::dumpJson(j);
}

std::string htmlEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string renderHtml(const Model& model, const HtmlOptions& opts, Micros) {
  std::string out = "<!doctype html>\n<html><head><title>" + htmlEscape(opts.title) + "</title></head><body>\n";
  for (const Target& t : model.targets()) {
    out += "<h2>" + htmlEscape(t.name) + " " + reachName(t.reach) + " " + htmlEscape(t.why) + "</h2>\n<ul>\n";
    for (const auto& [name, e] : t.records)
      out += "<li>" + htmlEscape(name) + " " + state::stateName(e.record.state) + " " + htmlEscape(e.record.note) + "</li>\n";
    out += "</ul>\n";
  }
  return out + "</body></html>\n";
}

int runCgi(CgiFlavour, std::ostream& out) {
  out << "Status: 503 Service Unavailable\r\nContent-Type: text/plain\r\n\r\nnot built yet\n";
  return 0;
}

}  // namespace fail::mon
