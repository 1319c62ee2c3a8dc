// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "http/target.hh"

namespace fail::http {

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Control bytes never belong in a name, a pattern or a time, and would reach logs.
bool hasControl(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

}  // namespace

bool percentDecode(std::string_view in, bool plus, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = hexValue(in[i + 1]), lo = hexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

bool parseTarget(std::string_view target, Target& out, std::string& err, size_t maxParams) {
  out = {};
  if (target.empty() || target[0] != '/') {
    err = "the request target must start with '/'";
    return false;
  }
  size_t q = target.find('?');
  std::string_view rawPath = target.substr(0, q);
  std::string_view rawQuery = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  size_t hash = rawQuery.find('#');  // a fragment is never sent, but drop one if it is
  if (hash != std::string_view::npos) rawQuery = rawQuery.substr(0, hash);
  if (!percentDecode(rawPath, false, out.path)) {
    err = "bad %-escape in the path";
    return false;
  }
  if (hasControl(out.path)) {
    err = "control character in the path";
    return false;
  }
  // "." and ".." segments: nothing routes on them, and a name never is one.
  for (size_t at = 0; at < out.path.size();) {
    size_t next = out.path.find('/', at + 1);
    std::string_view seg = std::string_view(out.path).substr(at + 1, next == std::string::npos ? std::string::npos : next - at - 1);
    if (seg == "." || seg == "..") {
      err = "path segment '" + std::string(seg) + "'";
      return false;
    }
    if (next == std::string::npos) break;
    at = next;
  }
  while (!rawQuery.empty()) {
    size_t amp = rawQuery.find('&');
    std::string_view pair = rawQuery.substr(0, amp);
    rawQuery = amp == std::string_view::npos ? std::string_view() : rawQuery.substr(amp + 1);
    if (pair.empty()) continue;
    if (out.query.size() == maxParams) {
      err = "more than " + std::to_string(maxParams) + " query parameters";
      return false;
    }
    size_t eq = pair.find('=');
    std::string key, value;
    if (!percentDecode(pair.substr(0, eq), true, key) ||
        (eq != std::string_view::npos && !percentDecode(pair.substr(eq + 1), true, value))) {
      err = "bad %-escape in query parameter " + std::to_string(out.query.size() + 1);
      return false;
    }
    if (hasControl(key) || hasControl(value)) {
      err = "control character in query parameter " + std::to_string(out.query.size() + 1);
      return false;
    }
    out.query.emplace_back(std::move(key), std::move(value));
  }
  return true;
}

}  // namespace fail::http
