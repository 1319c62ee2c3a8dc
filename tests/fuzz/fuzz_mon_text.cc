// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: failmon's terminal-safe text (lib/mon/text.hh) on arbitrary bytes.
// Contract: terminalSafe's output is valid UTF-8 with no control character (C0, DEL,
// C1); fitColumns never exceeds its columns, is exact when padding, and never splits a
// UTF-8 sequence; toAscii keeps the columns.
#include <cstdint>
#include <string>
#include <string_view>

#include "base/text.hh"
#include "check.hh"
#include "mon/text.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string safe = fail::mon::terminalSafe(in);
  FUZZ_CHECK(fail::validUtf8(safe));
  for (size_t i = 0; i < safe.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(safe[i]);
    FUZZ_CHECK(c >= 0x20 && c != 0x7F);
    // U+0080..U+009F are C2 80..C2 9F.
    FUZZ_CHECK(!(c == 0xC2 && i + 1 < safe.size() && static_cast<unsigned char>(safe[i + 1]) < 0xA0));
  }
  // Idempotent: what is safe needs no more escaping.
  FUZZ_CHECK(fail::mon::terminalSafe(safe) == safe);
  int width = fail::mon::displayWidth(safe);
  FUZZ_CHECK(width >= 0);
  int columns = size ? data[0] % 90 : 0;
  std::string padded = fail::mon::fitColumns(safe, columns, true);
  std::string cut = fail::mon::fitColumns(safe, columns, false);
  FUZZ_CHECK(fail::validUtf8(padded) && fail::validUtf8(cut));
  FUZZ_CHECK(fail::mon::displayWidth(padded) == columns);
  FUZZ_CHECK(fail::mon::displayWidth(cut) <= columns);
  if (width <= columns) FUZZ_CHECK(cut == safe);
  // For a terminal that is not UTF-8: ASCII only, and the same columns.
  std::string ascii = fail::mon::toAscii(padded);
  for (unsigned char c : ascii) FUZZ_CHECK(c >= 0x20 && c < 0x7F);
  FUZZ_CHECK(static_cast<int>(ascii.size()) == columns);
  return 0;
}
