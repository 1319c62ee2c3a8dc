// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: decodeRecord on arbitrary bytes; what it accepts re-encodes to a
// record that decodes to the same fields.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "check.hh"
#include "proto/list.hh"
#include "state/record.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fail::state;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  Record r;
  std::string err;
  if (!decodeRecord(in, r, &err)) {
    FUZZ_CHECK(!err.empty());
    return 0;
  }
  FUZZ_CHECK(!r.name.empty());
  FUZZ_CHECK(r.ttlMs >= 0);
  for (size_t i = 1; i < r.attrs.size(); ++i) FUZZ_CHECK(r.attrs[i - 1].first < r.attrs[i].first);
  for (const auto& kv : r.attrs) FUZZ_CHECK(!kv.second.empty());

  std::string text = encodeRecord(r);
  for (unsigned char c : text) FUZZ_CHECK(c >= 0x20 && c != 0x7f);
  Record back;
  FUZZ_CHECK(decodeRecord(text, back, &err));
  FUZZ_CHECK(r == back);
  FUZZ_CHECK(encodeRecord(back) == text);

  // As one element of a reply: one word holding exactly the dict.
  std::string wrapped = "OK";
  appendRecord(wrapped, r);
  std::vector<std::string> words;
  FUZZ_CHECK(fail::proto::splitList(wrapped, words));
  FUZZ_CHECK(words.size() == 2 && words[1] == text);
  return 0;
}
