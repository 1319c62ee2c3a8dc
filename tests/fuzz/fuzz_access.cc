// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: the access file reader on arbitrary text. A std::runtime_error is
// the expected rejection; anything else (another exception, a crash) is a bug.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "check.hh"
#include "access/access.hh"
#include "base/text.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fail::access;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  AccessFile file;
  try {
    file = AccessFile::parse(in, "fuzz");
  } catch (const std::runtime_error& e) {
    FUZZ_CHECK(std::string_view(e.what()).substr(0, 5) == "fuzz:");
    return 0;
  }
  for (const auto& e : file.entries()) {
    FUZZ_CHECK(!e.pattern.empty() && !e.secret.empty() && e.line > 0);
    FUZZ_CHECK(e.level == Level::Ro || e.level == Level::Rw);
    FUZZ_CHECK(e.name.empty() || fail::validName(e.name));
    auto g = file.authenticate(e.secret);
    FUZZ_CHECK(g.has_value() && g->any() && g->best() >= e.level);
    if (fail::validName(e.pattern)) FUZZ_CHECK(g->levelFor(e.pattern) >= e.level);
    if (e.pattern == "*" && e.level == Level::Rw) FUZZ_CHECK(g->canDebug());
    if (!e.name.empty()) {
      auto n = file.byName(e.name);
      FUZZ_CHECK(n.has_value() && n->best() >= e.level);
    }
    FUZZ_CHECK(secretEquals(e.secret, e.secret));
    FUZZ_CHECK(!secretEquals(e.secret, e.secret + "x"));
  }
  // The input itself, as a secret and as a record name, never crashes.
  auto g = file.authenticate(in);
  if (g) g->levelFor(in);
  file.byName(in);
  return 0;
}
