// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// bench/failmon_bench: failmon against the speed goals of issue 15 (bench/failmon_bench.md).
// This header is what its parts share: the options, the faild under test and its load
// (failmon_bench_load.cc), the result table (failmon_bench.cc), the curses screen
// through tmux (failmon_bench_screen.cc) and the CGI page (failmon_bench_cgi.cc).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "loadgen.hh"
#include "report.hh"

namespace bench::mon {

struct Options {
  std::string failmon, faild, failc, tmux = "tmux", lighttpd = "lighttpd", curl = "curl";
  std::string lighttpdSnippet;  // samples/lighttpd-failmon/lighttpd.conf, or "": a minimal one
  int records = 10000;       // records in faild besides the marker
  double rate = 1000;        // changes a second on other records during the screen run
  int samples = 200;         // marker changes timed on the screen
  int width = 160, height = 50;  // the pane
  double pollMs = 1;         // pause between two captures while a marker is awaited
  double warmup = 3;         // seconds of load before the window opens
  double window = 30;        // seconds the samples are spread over (at least)
  int cgiRuns = 100;         // runs of each CGI measure (and of its anchor)
  bool keep = false, quick = false;
  std::vector<std::string> only;  // "screen", "cgi" (empty: both)
  std::string dir;           // the run's temporary directory
};

// The record names: bench00000 … (the load) and the marker, which sorts before them.
std::string recordName(int i);
inline constexpr const char* kMarker = "0-marker";

// ---- faild under test ----

struct Faild {
  pid_t pid = -1;
  int port = 0;
  std::string log;
};
Faild startFaild(const Options& o, const std::string& tag);  // --memory, a free port
void stopFaild(Faild& f);
// A non-blocking TCP connection to 127.0.0.1:`port` (TCP_NODELAY); throws when refused.
int connectLoopback(int port);
// Sets `count` records UP (pipelined, on 4 connections); throws when one fails.
void fillRecords(int port, int count);

// A thread writing `rate` changes a second (SET recordName(random) UP|FAIL note=l<seq>)
// on its own connection, evenly spread (one batch a millisecond), reading the OKs.
class ChangeLoad {
 public:
  ChangeLoad(int port, int records, double rate);
  ~ChangeLoad();  // stops
  void stop();
  std::uint64_t acked() const { return acked_.load(); }  // OK CHANGE replies so far
  std::uint64_t errors() const { return errors_.load(); }
  std::uint64_t behind() const { return behind_.load(); }  // most SETs unanswered at once

 private:
  void run(int fd);
  int records_;
  double rate_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> acked_{0}, errors_{0}, behind_{0};
  std::thread thread_;
};

// ---- the result table ----

using Row = GoalRow;
void addRow(Row row);
void printTable();

// Runs `argv` to its end with `env` (KEY=VALUE, the whole environment when `replaceEnv`,
// else added), stdout into `out`; returns the wall time in ms from fork to reaping, or
// -1 (and the reason in `out`) when it did not exit 0. `cpuMs` (when not null): the
// process's utime + stime in ms.
double timeRun(const std::vector<std::string>& argv, const std::vector<std::string>& env, bool replaceEnv,
               std::string& out, double* cpuMs = nullptr);

// ---- the measures ----

void runScreen(const Options& o);  // goals 1-3 and the failc watch anchor
void runCgi(const Options& o);     // goal 4 and the failc list anchor

}  // namespace bench::mon
