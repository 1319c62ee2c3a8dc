// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: splitList on arbitrary bytes, checked against Tcl's own reader and
// for an exact round trip through the encoder.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "check.hh"
#include "base/text.hh"
#include "proto/list.hh"
#include "tcl_oracle.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> words;
  fail::proto::ListError err;
  bool ok = fail::proto::splitList(in, words, &err);

  if (!fail::fuzz::divergesOnPurpose(in)) {
    std::vector<std::string> theirs;
    std::string tclErr;
    bool tclOk = fail::fuzz::tclSplit(in, theirs, tclErr);
    FUZZ_CHECK(ok == tclOk);
    if (ok) {
      // Tcl's words hold NUL as C0 80, mapped back to NUL by tclSplit; map ours the same
      // way, so that C0 80 already in the input compares equal too.
      std::vector<std::string> mapped;
      for (const auto& w : words) mapped.push_back(fail::fuzz::fromTcl(w));
      FUZZ_CHECK(mapped == theirs);
    }
    // Tcl cuts the junk it quotes in characters: compare the message up to it.
    if (!ok) {
      FUZZ_CHECK(err.message.substr(0, err.message.find('"')) ==
            tclErr.substr(0, tclErr.find('"')));
    }
  }
  if (!ok) {
    FUZZ_CHECK(err.offset < size);
    FUZZ_CHECK(!err.message.empty());
    return 0;
  }
  // Valid UTF-8 in, valid UTF-8 words out.
  if (fail::validUtf8(in))
    for (const auto& w : words) FUZZ_CHECK(fail::validUtf8(w));

  std::string line = fail::proto::encodeList(words);
  for (unsigned char c : line) FUZZ_CHECK(c >= 0x20 && c != 0x7f);
  for (const auto& w : words) {
    std::string e = fail::proto::encodeWord(w);
    FUZZ_CHECK(w.empty() ? e == "{}" : e[0] != '{');
  }
  std::vector<std::string> back;
  FUZZ_CHECK(fail::proto::splitList(line, back));
  FUZZ_CHECK(back == words);
  // The canonical form is a fixed point.
  FUZZ_CHECK(fail::proto::encodeList(back) == line);
  return 0;
}
