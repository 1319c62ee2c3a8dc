// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "metrics/text.hh"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace fail::metrics {
namespace {

bool letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool validMetricName(std::string_view name) {
  if (name.empty() || !(letter(name[0]) || name[0] == ':')) return false;
  for (char c : name)
    if (!letter(c) && !digit(c) && c != ':') return false;
  return true;
}

bool validLabelName(std::string_view name) {
  if (name.empty() || !letter(name[0]) || name.substr(0, 2) == "__") return false;
  for (char c : name)
    if (!letter(c) && !digit(c)) return false;
  return true;
}

void appendLabelValue(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

void appendHelp(std::string& out, std::string_view help) {
  for (char c : help) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

void appendValue(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[32];
  std::to_chars_result r;
  // 2^53: every integer up to it is exact in a double; "1e+06" would read back the
  // same, but people read these too.
  if (v == std::trunc(v) && std::fabs(v) <= 9007199254740992.0)
    r = std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(v));
  else  // as printf's %g with the fewest digits that read back the same: 0.0001, 5e-05
    r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general);
  out.append(buf, r.ptr);
}

}  // namespace fail::metrics
