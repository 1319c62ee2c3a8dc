// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Domain names as the configuration and the records write them: presentation text in,
// one canonical form out (lowercase, no trailing dot, the root as ""), so that names from
// the policy, from zone files and from the wire compare equal as strings.
#pragma once

#include <string>
#include <string_view>

namespace fail::dns {

// Parses a name in presentation form ("www.Example.com." or "www.example.com"; "." or
// "@" is the root) into its canonical form. Rejects empty labels ("a..b"), labels over
// 63 bytes, names over 255 bytes on the wire, and bytes other than letters, digits, '-',
// '_' and '*' (escapes are not accepted here), with a sentence quoting the input.
bool parseName(std::string_view text, std::string& canonical, std::string* err = nullptr);

// True when `name` is `zone` or below it (both canonical).
bool inZone(std::string_view name, std::string_view zone);

}  // namespace fail::dns
