// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: state::Version::fromWord on arbitrary bytes (a state file's R/S
// payload). It never crashes or leaks; what it accepts has a sound record, and making a
// version of that record again gives a word that reads back to the same record.
#include <cstdint>
#include <string>
#include <string_view>

#include "check.hh"
#include "state/version.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fail::state;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string err;
  VersionRef v = Version::fromWord(in, &err);
  if (!v) {
    FUZZ_CHECK(err.rfind("record: ", 0) == 0);
    return 0;
  }
  FUZZ_CHECK(!v->deleted());
  FUZZ_CHECK(!v->name().empty());
  for (unsigned char c : v->word()) FUZZ_CHECK(c >= 0x20 && c != 0x7f);
  Record r = v->record();
  FUZZ_CHECK(r.name == v->name());
  FUZZ_CHECK(v->noteIs(r.note));
  FUZZ_CHECK(v->note() == r.note);
  VersionRef again = Version::make(r);
  VersionRef back = Version::fromWord(again->word(), &err);
  FUZZ_CHECK(back);
  FUZZ_CHECK(back->word() == again->word());
  FUZZ_CHECK(back->record() == r);
  FUZZ_CHECK(back->noteIs(r.note));
  // The attributes carried over as encoded read back as the same attributes.
  if (std::string_view tail = v->attrsTail(); !tail.empty()) {
    Record next = r;
    next.attrs.clear();
    FUZZ_CHECK(Version::make(next, tail)->record() == r);
  }
  return 0;
}
