// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: the query string of failmon.cgi and hcmon.cgi (mon/cgi_query.hh).
// Only an empty query or one asking for a format is taken; everything else is refused
// with a short message. Also htmlEscape on the same bytes: what it returns holds no
// markup character, no control character and only valid UTF-8.
#include <cstdint>
#include <string>
#include <string_view>

#include "check.hh"
#include "base/html.hh"
#include "base/text.hh"
#include "mon/cgi_query.hh"
#include "mon/render.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fail::mon;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  CgiFormat format;
  std::string err;
  if (parseCgiQuery(in, format, err)) {
    FUZZ_CHECK(in.empty() || in.find('&') == std::string_view::npos);
    FUZZ_CHECK(in.empty() || in.size() >= 11);  // "format=html" at the shortest
  } else {
    FUZZ_CHECK(err.rfind("refused: ", 0) == 0);
    FUZZ_CHECK(err.size() < 250);  // at most 32 bytes of the input, each as \xHH at worst
  }
  std::string html = fail::htmlEscape(in);
  FUZZ_CHECK(fail::validUtf8(html));
  for (unsigned char c : html) FUZZ_CHECK(c >= 0x20 && c != 0x7f && c != '<' && c != '>' && c != '"' && c != '\'');
  return 0;
}
