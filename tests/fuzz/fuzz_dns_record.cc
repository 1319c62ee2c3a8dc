// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: record text (dns/record.hh) as `fail::dns record` hands it over:
// "OWNER TYPE RDATA..." split at the first two blanks, and an address. Nothing may crash;
// a failure must say why; what parses must be a canonical owner in the zone with RDATA
// that fits a record.
#include <cstdint>
#include <string>
#include <string_view>

#include "check.hh"
#include "dns/name.hh"
#include "dns/record.hh"

// ldns 1.8.3 leaks a few bytes on some rdata errors (a CERT record of type 0, for one):
// its bugs, on the configuration path only. Our own ldns objects are freed by RAII
// (record.cc); LeakSanitizer sees only that frame in ldns (no frame pointers there).
extern "C" const char* __lsan_default_suppressions() { return "leak:ldns_rdf_new_frm_data\n"; }

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fail::dns;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::size_t a = in.find(' ');
  const std::size_t b = a == std::string_view::npos ? a : in.find(' ', a + 1);
  if (b != std::string_view::npos) {
    StaticRecord r;
    std::string err;
    if (parseRecord(in.substr(0, a), in.substr(a + 1, b - a - 1), 300, in.substr(b + 1), "example.com", r, &err)) {
      FUZZ_CHECK(inZone(r.owner, "example.com"));
      std::string again;
      FUZZ_CHECK(parseName(r.owner, again) && again == r.owner);
      FUZZ_CHECK(r.rdata.size() <= 65535);
    } else {
      FUZZ_CHECK(!err.empty());
    }
  }
  IpAddress addr;
  std::string err;
  if (parseAddress(in, addr, &err)) {
    FUZZ_CHECK(addr.text == in);
  } else {
    FUZZ_CHECK(!err.empty());
  }
  return 0;
}
