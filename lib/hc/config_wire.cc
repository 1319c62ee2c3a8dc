// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "hc/config_wire.hh"

#include <charconv>
#include <vector>

#include "proto/list.hh"

namespace fail::hc {
namespace {

constexpr const char* kVersion = "1";

bool toInt(const std::string& s, int& out) {
  if (s.empty() || s.size() > 10) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && out >= 0;
}

bool toCount(const std::string& s, size_t& out) {
  if (s.empty() || s.size() > 19) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::string encodeConfig(const Config& cfg) {
  std::string out;
  auto line = [&](const std::vector<std::string>& words) {
    out += proto::encodeList(words);
    out += '\n';
  };
  line({"hcconfig", kVersion});
  line({"file", cfg.file});
  line({"location", cfg.location});
  for (const auto& w : cfg.warnings) line({"warning", w});
  for (const auto& c : cfg.checks) {
    std::vector<std::string> opts;
    for (const auto& [k, v] : c.options) {
      opts.push_back(k);
      opts.push_back(v);
    }
    line({"check", c.name, c.kind, c.file, std::to_string(c.line), proto::encodeList(opts)});
  }
  for (const auto& r : cfg.reports)
    line({"report", r.address, r.file, std::to_string(r.line), r.secret, r.secretFile, r.tls.enabled ? "1" : "0",
          r.tls.ca, r.tls.cert, r.tls.key});
  line({"end", std::to_string(cfg.checks.size()), std::to_string(cfg.reports.size())});
  return out;
}

bool decodeConfig(std::string_view text, Config& out, std::string& err) {
  out = Config{};
  size_t pos = 0, lineNo = 0;
  bool ended = false, haveFile = false, haveLocation = false;
  std::vector<std::string> w;
  auto bad = [&](const std::string& why) {
    err = "line " + std::to_string(lineNo) + ": " + why;
    return false;
  };
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      ++lineNo;
      return bad("no newline at the end");
    }
    std::string_view ln = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++lineNo;
    if (ended) return bad("text after end");
    w.clear();
    proto::ListError le;
    if (!proto::splitList(ln, w, &le)) return bad("not a Tcl list: " + le.message);
    if (w.empty()) return bad("empty line");
    const std::string& tag = w[0];
    if (lineNo == 1) {
      if (tag != "hcconfig" || w.size() != 2 || w[1] != kVersion) return bad("expected \"hcconfig 1\"");
      continue;
    }
    if (tag == "file" && w.size() == 2 && !haveFile) {
      out.file = w[1];
      haveFile = true;
    } else if (tag == "location" && w.size() == 2 && !haveLocation) {
      out.location = w[1];
      haveLocation = true;
    } else if (tag == "warning" && w.size() == 2) {
      out.warnings.push_back(w[1]);
    } else if (tag == "check" && w.size() == 6) {
      check::CheckSpec c;
      c.name = w[1];
      c.kind = w[2];
      c.file = w[3];
      if (!toInt(w[4], c.line)) return bad("check " + c.name + ": bad line number");
      std::vector<std::string> opts;
      if (!proto::splitList(w[5], opts) || opts.size() % 2 != 0) return bad("check " + c.name + ": bad options");
      for (size_t i = 0; i < opts.size(); i += 2)
        if (!c.options.emplace(opts[i], opts[i + 1]).second)
          return bad("check " + c.name + ": option " + opts[i] + " twice");
      out.checks.push_back(std::move(c));
    } else if (tag == "report" && w.size() == 10) {
      ReportSpec r;
      r.address = w[1];
      r.file = w[2];
      if (!toInt(w[3], r.line)) return bad("report: bad line number");
      r.secret = w[4];
      r.secretFile = w[5];
      if (w[6] != "0" && w[6] != "1") return bad("report: bad tls flag");
      r.tls.enabled = w[6] == "1";
      r.tls.ca = w[7];
      r.tls.cert = w[8];
      r.tls.key = w[9];
      out.reports.push_back(std::move(r));
    } else if (tag == "end" && w.size() == 3) {
      size_t checks = 0, reports = 0;
      if (!toCount(w[1], checks) || !toCount(w[2], reports) || checks != out.checks.size() ||
          reports != out.reports.size())
        return bad("the counts do not match (cut short?)");
      ended = true;
    } else {
      return bad("unexpected \"" + tag.substr(0, 20) + "\" line");
    }
  }
  if (lineNo == 0) return bad("empty");
  if (!ended) return bad("no end line (cut short?)");
  if (!haveFile || !haveLocation) return bad("no file or location line");
  return true;
}

}  // namespace fail::hc
