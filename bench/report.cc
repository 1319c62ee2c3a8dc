// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "report.hh"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <stdexcept>

namespace bench {

void printGoalTable(const std::string& program, const std::vector<GoalRow>& rows) {
  std::vector<std::vector<std::string>> t;
  t.push_back({"measure", "goal", program, "anchor", "ratio", "goal met?"});
  for (const auto& l : rows) t.push_back({l.measure, l.goal, l.value, l.anchor, l.ratio, l.met});
  std::vector<size_t> w(6, 0);
  for (const auto& r : t)
    for (size_t i = 0; i < r.size(); ++i) w[i] = std::max(w[i], r[i].size());
  auto print = [&](const std::vector<std::string>& r) {
    std::cout << "|";
    for (size_t i = 0; i < r.size(); ++i) std::cout << ' ' << r[i] << std::string(w[i] - r[i].size(), ' ') << " |";
    std::cout << "\n";
  };
  print(t[0]);
  std::cout << "|";
  for (size_t x : w) std::cout << std::string(x + 2, '-') << "|";
  std::cout << "\n";
  for (size_t i = 1; i < t.size(); ++i) print(t[i]);
}

std::string fmt(const char* format, double v) {
  if (std::isnan(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string ratio(double a, double b) { return (b > 0 && !std::isnan(a)) ? fmt("%.2f", a / b) : "-"; }

std::string loadavg() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  f >> a >> b >> c;
  return a + " " + b + " " + c;
}

std::string readFile(const std::string& path) {
  std::ifstream f(path);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

void writeFile(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  if (!f) throw std::runtime_error("cannot write " + path);
}

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string selfDir() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "." : p.parent_path().string();
}

}  // namespace bench
