// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: notify's Template::parse on arbitrary bytes. What it accepts renders
// as a plain re-reading of the text says it should ("$$" a dollar, "${field}" the field),
// and JSON-escaped fields of any bytes (the input itself) always make valid JSON and
// valid UTF-8, equal to the input when the input was UTF-8.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/text.hh"
#include "check.hh"
#include "notify/template.hh"

namespace {

// The text with "$$" as "$" and "${name}" as fields[name]: for a text parse() accepted.
std::string expected(std::string_view in, const fail::notify::Fields& fields) {
  std::string out;
  for (size_t i = 0; i < in.size();) {
    if (in[i] != '$') {
      out += in[i++];
    } else if (in[i + 1] == '$') {
      out += '$';
      i += 2;
    } else {
      size_t close = in.find('}', i);
      out += fields.at(std::string(in.substr(i + 2, close - i - 2)));
      i = close + 1;
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using fail::notify::Template;
  std::string_view in(reinterpret_cast<const char*>(data), size);

  // Any bytes as a field's text, escaped for JSON.
  fail::notify::Fields bytes;
  for (const auto& n : fail::notify::fieldNames()) bytes[n] = std::string(in);
  std::string json = fail::notify::defaultJson().render(bytes, Template::Escape::Json);
  FUZZ_CHECK(fail::validUtf8(json));
  auto j = nlohmann::json::parse(json, nullptr, false);
  FUZZ_CHECK(!j.is_discarded());
  FUZZ_CHECK(j.size() == fail::notify::fieldNames().size());
  if (fail::validUtf8(in)) FUZZ_CHECK(j["record"] == std::string(in));

  std::string err;
  auto t = Template::parse(in, &err);
  if (!t) {
    FUZZ_CHECK(!err.empty());
    FUZZ_CHECK(err.find("offset ") != std::string::npos);
    return 0;
  }
  FUZZ_CHECK(t->text() == in);
  FUZZ_CHECK(fail::validUtf8(in));
  fail::notify::Fields named;
  for (const auto& n : fail::notify::fieldNames()) named[n] = "<" + n + ">";
  FUZZ_CHECK(t->render(named) == expected(in, named));
  FUZZ_CHECK(t->render({}) == t->render({{"unused", "x"}}));
  // Escaping changes only the fields: with plain field texts both renderings agree.
  FUZZ_CHECK(t->render(named, Template::Escape::Json) == t->render(named));
  // The template's text is UTF-8 and so are escaped fields, whatever they held.
  FUZZ_CHECK(fail::validUtf8(t->render(bytes, Template::Escape::Json)));
  return 0;
}
