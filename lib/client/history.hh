// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failc history and failc report: their time options and their output (a table, one
// JSON document, or CSV with a header row as RFC 4180 writes it). Pure functions of
// their arguments ("now" is passed in).
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.hh"

namespace fail::client {

enum class Output { Table, Json, Csv };

// --since and --until as HISTORY and REPORT take them: a duration with a unit (1h, 30d)
// back from the server's now is sent as is; a time (microseconds, @SECONDS, -DURATION,
// a date: see parseAtTime) as microseconds. nullopt when it is neither.
std::optional<std::string> historyTimeArg(std::string_view text, Micros now);

// One CSV record (RFC 4180): fields with a comma, a double quote, CR or LF in double
// quotes (a double quote doubled), ended by CRLF.
std::string csvLine(const std::vector<std::string>& fields);

// Writes a HISTORY reply (its words after OK: ALL or MORE, then the changes) to `out`;
// `more` says whether older changes were left out. False with `why` when malformed.
bool writeHistory(const std::vector<std::string>& words, Output how, Micros now,
                  std::ostream& out, bool& more, std::string& why);
// Writes a REPORT reply (its words after OK: FROM TO, then a row per record).
bool writeReport(const std::vector<std::string>& words, Output how, std::ostream& out,
                 std::string& why);

}  // namespace fail::client
