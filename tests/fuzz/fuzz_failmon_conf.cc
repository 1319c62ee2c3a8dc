// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: the configuration file of failmon.cgi and hcmon.cgi (mon/conf.hh)
// on arbitrary text. A rejection names the file and a line of it; an accepted file has
// targets with valid, distinct names and no secret (parseConf reads no file).
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "check.hh"
#include "base/text.hh"
#include "mon/conf.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fail::mon;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  CgiConf conf;
  std::string err;
  if (!parseConf(in, "/fuzz/failmon.conf", "1848", conf, err)) {
    FUZZ_CHECK(err.rfind("/fuzz/failmon.conf:", 0) == 0);
    FUZZ_CHECK(fail::validUtf8(err));
    return 0;
  }
  FUZZ_CHECK(!conf.targets.empty());
  FUZZ_CHECK(!conf.title.empty() && fail::validUtf8(conf.title));
  FUZZ_CHECK(conf.timeout.count() >= 100 && conf.timeout.count() <= 60000);
  FUZZ_CHECK(conf.refresh.count() == 0 || conf.refresh.count() >= 1000);
  std::set<std::string> names;
  int lastLine = 0;
  for (const auto& t : conf.targets) {
    FUZZ_CHECK(fail::validName(t.spec.name));
    FUZZ_CHECK(names.insert(t.spec.name).second);
    FUZZ_CHECK(t.spec.link.secret.empty());
    FUZZ_CHECK(t.line > lastLine);
    lastLine = t.line;
    const auto& tls = t.spec.link.tls;
    FUZZ_CHECK(tls.enabled || (tls.ca.empty() && tls.cert.empty() && tls.key.empty()));
    FUZZ_CHECK(t.secretFile.empty() || t.secretFile[0] == '/');
  }
  return 0;
}
