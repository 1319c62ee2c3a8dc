// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The pieces of Prometheus's text exposition format (version 0.0.4) that need care:
// which names are valid, how label values and help text are escaped, how a number is
// written. doc/metrics.md names the format's rules this follows.
#pragma once

#include <string>
#include <string_view>

namespace fail::metrics {

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool validMetricName(std::string_view name);
// [a-zA-Z_][a-zA-Z0-9_]*, and not starting with "__" (reserved for Prometheus itself).
bool validLabelName(std::string_view name);

// A label value between its double quotes: backslash, double quote and newline escaped
// (\\, \", \n); everything else, UTF-8 included, as it is.
void appendLabelValue(std::string& out, std::string_view value);
// The text of a HELP line: backslash and newline escaped (a double quote is not).
void appendHelp(std::string& out, std::string_view help);
// A sample value: integers as integers (up to 2^53), others in the shortest form that
// reads back the same, and NaN, +Inf, -Inf as the format spells them.
void appendValue(std::string& out, double v);

}  // namespace fail::metrics
