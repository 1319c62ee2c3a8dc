// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: decodeConfig, the parent hc's reader of the configuration a child hc
// hands back (hc/config_wire.hh), on arbitrary bytes. Whatever it accepts encodes again
// to a text that decodes to the same configuration (a fixed point after one round).
#include <cstdint>
#include <string>
#include <string_view>

#include "check.hh"
#include "hc/config_wire.hh"

namespace {

bool same(const fail::hc::Config& a, const fail::hc::Config& b) {
  if (a.file != b.file || a.location != b.location || a.warnings != b.warnings) return false;
  if (a.checks.size() != b.checks.size() || a.reports.size() != b.reports.size()) return false;
  for (size_t i = 0; i < a.checks.size(); ++i) {
    const auto &x = a.checks[i], &y = b.checks[i];
    if (x.name != y.name || x.kind != y.kind || x.file != y.file || x.line != y.line || x.options != y.options)
      return false;
  }
  for (size_t i = 0; i < a.reports.size(); ++i) {
    const auto &x = a.reports[i], &y = b.reports[i];
    if (x.address != y.address || x.file != y.file || x.line != y.line || x.secret != y.secret ||
        x.secretFile != y.secretFile || x.tls.enabled != y.tls.enabled || x.tls.ca != y.tls.ca ||
        x.tls.cert != y.tls.cert || x.tls.key != y.tls.key)
      return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  fail::hc::Config cfg;
  std::string err;
  if (!fail::hc::decodeConfig(in, cfg, err)) {
    FUZZ_CHECK(!err.empty());
    return 0;
  }
  std::string again = fail::hc::encodeConfig(cfg);
  fail::hc::Config back;
  FUZZ_CHECK(fail::hc::decodeConfig(again, back, err));
  FUZZ_CHECK(same(cfg, back));
  FUZZ_CHECK(fail::hc::encodeConfig(back) == again);
  return 0;
}
