// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Small text rules shared by every program: names, globs, UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace fail {

// doc/design.md: 1-255 bytes of letters, digits and . _ - : @ /
bool validName(std::string_view name);
// fnmatch(3) glob, no flags: * ? [a-z] and backslash quoting.
bool globMatch(std::string_view pattern, std::string_view text);
// The same without copying, for hot paths that hold std::strings already.
bool globMatchStrings(const std::string& pattern, const std::string& text);
// Well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF). On failure,
// *badOffset (when given) is the offset of the first bad byte.
bool validUtf8(std::string_view text, size_t* badOffset = nullptr);
// Appends the UTF-8 encoding of `cp`; a surrogate or a value above U+10FFFF is
// written as U+FFFD.
void appendUtf8(std::string& out, char32_t cp);
// For messages: the text cut to `max` bytes with control bytes shown as \xHH.
std::string printable(std::string_view text, size_t max = 64);

}  // namespace fail
