// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Durations and times as the suite writes them: "500ms", "3s", "1m30s"; wall-clock
// times as 64-bit microseconds since the epoch.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fail {

using Micros = std::int64_t;  // wall clock, microseconds since 1970-01-01 UTC

Micros wallNow();
// steady clock in microseconds, for deadlines
Micros steadyNow();

// "500ms", "3s", "2m", "1h", "1d", "1m30s", bare "5" (seconds). Milliseconds result.
// nullopt on anything else (negative, overflow, unknown unit, empty).
std::optional<std::int64_t> parseDurationMs(std::string_view text);
// Shortest exact form: 0 -> "0", 1500 -> "1500ms", 3000 -> "3s", 90000 -> "90s",
// 120000 -> "2m".
std::string formatDurationMs(std::int64_t ms);

// A decimal integer that fits; nullopt otherwise (no sign unless allowNegative).
std::optional<std::int64_t> parseInt(std::string_view text, bool allowNegative = false);
std::optional<std::uint64_t> parseUint(std::string_view text);

// "2026-11-22 04:05:59" in local time, for people.
std::string formatLocalTime(Micros t);
// "20261122-040559" in local time: the suffix of a file moved aside.
std::string fileStamp(Micros t);
// "2025-11-22T04:00:00.000000Z": UTC, ISO 8601 with microseconds (JSON output).
std::string isoTime(Micros t);
// The other way, and more lenient: "2026-12-07T10:00:00Z", "2026-12-07T10:00:00.5Z" (a
// fraction of up to microseconds), "2026-12-07 10:00:00Z", "2026-12-07 10:00Z" (to the minute), "2026-12-07" (midnight UTC).
std::optional<Micros> parseIsoTime(std::string_view text);
// "3m12s", "2h5m", "4d3h": an age, for people (the two largest units).
std::string formatAge(Micros delta);

}  // namespace fail
