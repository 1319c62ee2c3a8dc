// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The values a record is made of, as the protocol defines them (doc/protocol.md,
// "Records"): the four states, the ttl bound, attributes. They sit here, below
// lib/state, so that requests (proto/request.hh) can be parsed without the store's
// headers: the layers go base < proto < state, and state names these types as its own
// (state/record.hh).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fail::proto {

enum class State : std::uint8_t { Unknown = 0, Up, Recover, Fail };

const char* stateName(State s);
// Case-insensitive: "up", "UP", "Fail"...
std::optional<State> parseState(std::string_view word);

// The longest ttl a record may have: 3650 days. The protocol refuses longer ones
// (doc/protocol.md); a longer one read from an older state file is clamped.
inline constexpr std::int64_t kMaxTtlMs = 3650LL * 86'400'000;

using Attrs = std::vector<std::pair<std::string, std::string>>;  // sorted by key

// Attribute keys: 1-64 of a-z A-Z 0-9 _ . -
bool validAttrKey(std::string_view key);
// Sets (or with an empty value removes) one attribute, keeping the vector sorted.
// Returns true if anything changed.
bool mergeAttr(Attrs& attrs, std::string_view key, std::string_view value);

}  // namespace fail::proto
