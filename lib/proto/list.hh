// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Tcl lists on the wire (doc/protocol.md, "Lines").
//
// splitList reads a line with Tcl's list rules (as Tcl_SplitList does, differential-
// tested against it); the encoder writes the project's canonical form: "{}" for the
// empty word, otherwise bare words with backslash escapes, never braces, never a raw
// control byte.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fail::proto {

struct ListError {
  size_t offset = 0;    // where in the input the problem was found
  std::string message;  // "unmatched open brace in list", ...
};

// Splits `text` into words. Returns false (and fills *err when given) on malformed input.
// A NUL byte is an ordinary byte here.
bool splitList(std::string_view text, std::vector<std::string>& out, ListError* err = nullptr);

// Appends `word` to `out` in canonical form.
void appendWord(std::string& out, std::string_view word);
// Appends `word` preceded by a space unless `out` is empty.
void appendElement(std::string& out, std::string_view word);
std::string encodeWord(std::string_view word);

// The inverse of appendWord for its canonical form only (anything else, braces and
// quotes included, is refused: read such text with splitList). One byte at text[p]:
// returns the bytes it takes (a plain byte, or one escape) and the byte it stands for
// in `out`; 0 when text[p] does not start what appendWord writes.
size_t canonicalByteAt(std::string_view text, size_t p, char& out);
// A whole word: false when it is not appendWord's output. `at`, when given, receives
// the offset in `word` of each decoded byte, then word.size().
bool decodeCanonicalWord(std::string_view word, std::string& out,
                         std::vector<std::uint32_t>* at = nullptr);
std::string encodeList(const std::vector<std::string>& words);

}  // namespace fail::proto
