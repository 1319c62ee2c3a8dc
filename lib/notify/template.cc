// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "notify/template.hh"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <nlohmann/json.hpp>

#include "base/text.hh"
#include "state/json.hh"

namespace fail::notify {

const std::vector<std::string>& fieldNames() {
  static const std::vector<std::string> names{
      "attributes", "body",   "channel", "count",  "duration", "host",
      "key",        "kind",   "link",    "location", "note",   "origin",
      "previous",   "record", "records", "since",  "state",    "subject",
      "time"};
  return names;
}

namespace {

bool knownField(std::string_view name) {
  const auto& names = fieldNames();
  return std::binary_search(names.begin(), names.end(), name);
}

std::string knownList() {
  std::string out;
  for (const auto& n : fieldNames()) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

void setErr(std::string* err, std::string text) {
  if (err) *err = std::move(text);
}

}  // namespace

std::optional<Template> Template::parse(std::string_view text, std::string* err) {
  size_t bad = 0;
  if (!validUtf8(text, &bad)) {
    setErr(err, "invalid UTF-8 at offset " + std::to_string(bad));
    return std::nullopt;
  }
  Template t;
  t.text_ = std::string(text);
  Piece piece;
  size_t i = 0;
  while (i < text.size()) {
    size_t dollar = text.find('$', i);
    if (dollar == std::string_view::npos) {
      piece.literal.append(text.substr(i));
      break;
    }
    piece.literal.append(text.substr(i, dollar - i));
    if (dollar + 1 < text.size() && text[dollar + 1] == '$') {
      piece.literal += '$';
      i = dollar + 2;
      continue;
    }
    if (dollar + 1 >= text.size() || text[dollar + 1] != '{') {
      setErr(err, "'$' at offset " + std::to_string(dollar) +
                      " is not followed by {field} or $ (write $$ for a dollar)");
      return std::nullopt;
    }
    size_t close = text.find('}', dollar + 2);
    if (close == std::string_view::npos) {
      setErr(err, "unterminated ${ at offset " + std::to_string(dollar) + " (no closing })");
      return std::nullopt;
    }
    std::string_view name = text.substr(dollar + 2, close - dollar - 2);
    if (!knownField(name)) {
      setErr(err, "unknown field ${" + printable(name) + "} at offset " + std::to_string(dollar) +
                      " (known: " + knownList() + ")");
      return std::nullopt;
    }
    piece.field = std::string(name);
    t.pieces_.push_back(std::move(piece));
    piece = Piece{};
    i = close + 1;
  }
  if (!piece.literal.empty()) t.pieces_.push_back(std::move(piece));
  return t;
}

std::string Template::render(const Fields& f, Escape e) const {
  std::string out;
  for (const auto& p : pieces_) {
    out += p.literal;
    if (p.field.empty()) continue;
    auto it = f.find(p.field);
    if (it == f.end()) continue;
    out += e == Escape::Json ? jsonEscape(it->second) : it->second;
  }
  return out;
}

std::vector<std::string> Template::fields() const {
  std::vector<std::string> out;
  for (const auto& p : pieces_)
    if (!p.field.empty()) out.push_back(p.field);
  return out;
}

std::string jsonEscape(std::string_view text) {
  std::string quoted = state::dumpJson(nlohmann::ordered_json(std::string(text)));
  // dumpJson writes a JSON string: the text between its quotes.
  return quoted.substr(1, quoted.size() - 2);
}

namespace {

// Parses a built-in template: a mistake in one is a bug, caught by the unit tests.
Template builtIn(std::string_view text) {
  std::string err;
  auto t = Template::parse(text, &err);
  if (!t) throw std::logic_error("built-in template: " + err);
  return *t;
}

constexpr std::string_view kRecordLines =
    "Note: ${note}\n"
    "Since: ${since}\n"
    "Origin: ${origin}\n"
    "Attributes: ${attributes}\n"
    "Location: ${location}\n"
    "Reported by failsh on ${host} at ${time}.\n"
    "${link}\n";

}  // namespace

// One template per kind, in the order of enum Kind.
using PerKind = std::array<Template, 5>;

const Template& defaultSubject(Kind k) {
  static const PerKind t{
      builtIn("[failover] ${record} is ${state}"),
      builtIn("[failover] ${record} is still ${state}"),
      builtIn("[failover] resolved: ${record} is ${state}"),
      builtIn("[failover] ${count} more notifications held back on ${channel}"),
      builtIn("${subject}")};
  return t[static_cast<size_t>(k)];
}

const Template& defaultBody(Kind k) {
  const std::string lines(kRecordLines);
  static const PerKind t{
      builtIn("${record} is ${state}; it was ${previous} for ${duration}.\n\n" + lines),
      builtIn("${record} is still ${state}, since ${since}.\n\n" + lines),
      builtIn("${record} is ${state} again; it was ${previous} for ${duration}.\n\n" + lines),
      builtIn("The rate limit of channel ${channel} held back ${count} notifications, about:\n"
              "${records}\n\n"
              "Reported by failsh on ${host} at ${time}.\n"),
      builtIn("${body}")};
  return t[static_cast<size_t>(k)];
}

const Template& defaultJson() {
  static const Template json = builtIn(
      "{\"kind\":\"${kind}\",\"key\":\"${key}\",\"channel\":\"${channel}\","
      "\"record\":\"${record}\",\"state\":\"${state}\",\"previous\":\"${previous}\","
      "\"since\":\"${since}\",\"duration\":\"${duration}\",\"note\":\"${note}\","
      "\"origin\":\"${origin}\",\"attributes\":\"${attributes}\",\"host\":\"${host}\","
      "\"location\":\"${location}\",\"link\":\"${link}\",\"time\":\"${time}\","
      "\"count\":\"${count}\",\"records\":\"${records}\","
      "\"subject\":\"${subject}\",\"body\":\"${body}\"}");
  return json;
}

}  // namespace fail::notify
