// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/name.hh"

#include "base/text.hh"

namespace fail::dns {

namespace {

bool fail(std::string* err, std::string_view text, const char* why) {
  if (err) *err = std::string(why) + ": " + "\"" + printable(text) + "\"";
  return false;
}

bool nameByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '*';
}

}  // namespace

bool parseName(std::string_view text, std::string& canonical, std::string* err) {
  std::string_view rest = text;
  if (rest == "." || rest == "@") {
    canonical.clear();
    return true;
  }
  if (rest.empty()) return fail(err, text, "empty domain name");
  if (rest.back() == '.') rest.remove_suffix(1);
  std::string out;
  out.reserve(rest.size());
  std::size_t label = 0;
  for (char c : rest) {
    if (c == '.') {
      if (label == 0) return fail(err, text, "empty label in domain name");
      label = 0;
      out.push_back('.');
      continue;
    }
    if (!nameByte(c)) return fail(err, text, "not a domain name");
    if (++label > 63) return fail(err, text, "label longer than 63 bytes in domain name");
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  if (label == 0) return fail(err, text, "empty label in domain name");
  // On the wire: one length byte per label, the bytes, the root's zero byte.
  if (out.size() + 2 > 255) return fail(err, text, "domain name longer than 255 bytes");
  canonical = std::move(out);
  return true;
}

bool inZone(std::string_view name, std::string_view zone) {
  if (zone.empty()) return true;
  if (name.size() < zone.size()) return false;
  if (name.size() == zone.size()) return name == zone;
  return name.substr(name.size() - zone.size()) == zone && name[name.size() - zone.size() - 1] == '.';
}

}  // namespace fail::dns
