// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// history_bench: the history database (lib/history) against the report goal of the
// history issue: availability over a year of history for 1,000 records in under 2 s.
// The anchor, in the same run, is the sqlite3 shell reading every change of the window
// by the same index (what a report that counts every change cannot go below).
//
//   history_bench [--records N] [--changes N] [--keep DIR] [--quick]
//
// Builds a database of N records × M changes each, spread evenly over a year, every
// change flipping UP/FAIL (the worst case for outages), in 10,000-row transactions as
// faild's writer does; then times the reports (median of 3 runs each). --quick times the
// reports from the roll-ups alone (not counting every change, not the anchor).
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "history/availability.hh"
#include "history/db.hh"
#include "report.hh"

namespace {

using namespace fail::history;
using fail::Micros;
using Steady = std::chrono::steady_clock;

double secondsSince(Steady::time_point t) {
  return std::chrono::duration<double>(Steady::now() - t).count();
}

template <class F>
double median3(F&& f) {
  std::vector<double> v;
  for (int i = 0; i < 3; ++i) {
    auto t = Steady::now();
    f();
    v.push_back(secondsSince(t));
  }
  std::sort(v.begin(), v.end());
  return v[1];
}

// The sqlite3 shell running `sql` on `path`, output discarded; seconds.
double shell(const std::string& path, const std::string& sql) {
  auto t = Steady::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    std::freopen("/dev/null", "w", stdout);
    ::execlp("sqlite3", "sqlite3", "-readonly", path.c_str(), sql.c_str(), nullptr);
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("sqlite3 failed");
  return secondsSince(t);
}

}  // namespace

int main(int argc, char** argv) {
  int records = 1000, changes = 1000;
  std::string keep;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--records" && i + 1 < argc) records = std::atoi(argv[++i]);
    else if (a == "--changes" && i + 1 < argc) changes = std::atoi(argv[++i]);
    else if (a == "--keep" && i + 1 < argc) keep = argv[++i];
    else if (a == "--quick") quick = true;
    else {
      std::cout << "Usage: history_bench [--records N] [--changes N] [--keep DIR] [--quick]\n"
                   "Times availability reports over a year of history (bench/README.md).\n";
      return a == "--help" ? 0 : 2;
    }
  }
  std::string dir = keep;
  if (dir.empty()) {
    char tmpl[] = "/tmp/history-bench-XXXXXX";
    if (!::mkdtemp(tmpl)) return 1;
    dir = tmpl;
  }
  std::string path = dir + "/history.db";
  const Micros year = 365 * kDay;
  const Micros t0 = 1'750'000'000LL * 1'000'000;
  std::vector<bench::GoalRow> rows;
  try {
    bool fresh = !std::filesystem::exists(path);
    auto db = Db::open(path);
    std::uint64_t total = static_cast<std::uint64_t>(records) * static_cast<std::uint64_t>(changes);
    if (fresh) {
      auto t = Steady::now();
      std::vector<Change> batch;
      std::uint64_t serial = 0;
      for (int k = 0; k < changes; ++k)
        for (int r = 0; r < records; ++r) {
          Change c;
          c.serial = ++serial;
          c.name = "svc-" + std::to_string(r);
          c.state = k % 2 ? "FAIL" : "UP";
          c.prev = k ? (k % 2 ? "UP" : "FAIL") : "";
          c.note = k % 2 ? "HTTP 503" : "";
          c.origin = "hc";
          c.since = t0 + year / changes * k + r * 1'000'000LL;
          c.attrs = "latency 12ms";
          batch.push_back(std::move(c));
          if (batch.size() == 10'000) {
            db->append(batch);
            batch.clear();
          }
        }
      db->append(batch);
      double s = secondsSince(t);
      rows.push_back({"writing the history (10,000 rows a transaction)", "(info)",
                      bench::fmt("%.0f rows/s", static_cast<double>(total) / s), "", "", "-"});
    }
    const Micros to = t0 + year - 1'234'567;
    for (Micros window : {year, 30 * kDay}) {
      Micros from = to - window;
      std::string days = std::to_string(window / kDay) + " days";
      // The CPU time too: on a shared machine it moves less than the time on the clock.
      double cpu0 = bench::selfCpuSeconds();
      double rollup = median3([&] {
        db->availability("*", from, to, [](std::string_view, const Availability&) {});
      });
      double rollupCpu = (bench::selfCpuSeconds() - cpu0) / 3;
      double raw = NAN, anchor = NAN;
      if (!quick) raw = median3([&] {
        std::unique_ptr<AvailabilityCounter> c;
        db->timeline("*", 0, to, [&](std::string_view) { c = std::make_unique<AvailabilityCounter>(from, to); },
                     [&](Micros since, std::string_view state) { c->add(since, state); });
      });
      if (!quick) anchor = median3([&] {
        shell(path, "SELECT name, since, state FROM change WHERE since < " + std::to_string(to) +
                        " ORDER BY name, since");
      });
      bool yearRow = window == year;
      rows.push_back({"report of " + std::to_string(records) + " records over " + days + " (" +
                          std::to_string(total) + " rows)",
                      yearRow ? "<= 2 s" : "(info)",
                      bench::fmt("%.3f s", rollup) + bench::fmt(" (CPU %.3f s)", rollupCpu),
                      bench::fmt("%.3f s", anchor), bench::ratio(rollup, anchor),
                      yearRow ? (rollup <= 2 ? "yes" : "NO") : "-"});
      if (!quick)
        rows.push_back({"  the same counting every change (no roll-ups)", "(info)",
                        bench::fmt("%.3f s", raw), bench::fmt("%.3f s", anchor),
                        bench::ratio(raw, anchor), "-"});
    }
  } catch (const std::exception& e) {
    std::cerr << "history_bench: " << e.what() << "\n";
    return 1;
  }
  std::cout << "history_bench: " << records << " records x " << changes
            << " changes over a year; load average " << bench::loadavg()
            << "; anchor: the sqlite3 shell reading every change of the window\n\n";
  bench::printGoalTable("history", rows);
  if (keep.empty()) std::filesystem::remove_all(dir);
  return 0;
}
