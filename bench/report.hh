// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// What the benchmarks print and read alike: the table of goals (one row per measure,
// printed as a Markdown table), figures formatted, the load average, small file helpers.
#pragma once

#include <string>
#include <vector>

#include "loadgen.hh"

namespace bench {

struct GoalRow {
  std::string measure, goal, value, anchor, ratio, met;
};

// Prints `rows` as a Markdown table whose value column is headed `program`.
void printGoalTable(const std::string& program, const std::vector<GoalRow>& rows);

std::string fmt(const char* format, double v);  // "-" for NaN
std::string ratio(double a, double b);          // a/b as "%.2f", "-" when unknown
std::string loadavg();                          // /proc/loadavg's first three figures
std::string readFile(const std::string& path);  // "" when unreadable
void writeFile(const std::string& path, const std::string& text);  // throws on failure
double ms(Clock::duration d);
std::string selfDir();  // the folder of the running program, "." when unknown

}  // namespace bench
