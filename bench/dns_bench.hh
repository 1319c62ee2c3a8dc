// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// What the measures of bench/dns_bench share: the options, the processes started (so
// that every one is stopped at the end, also on SIGINT), the result table.
#pragma once

#include <sys/types.h>

#include <set>
#include <string>
#include <vector>

#include "dns_query.hh"

namespace bench::dns {

struct Options {
  bool quick = false, keep = false;
  std::set<std::string> only;     // qps, change, e2e; empty: all
  std::vector<std::string> servers{"reflector", "failsh", "gdnsd", "knotd"};
  double duration = 10;           // seconds per dnsperf run
  int rounds = 2;                 // dnsperf runs per server
  int threads = 1;                // UDP threads of every server
  int batch = 32;                 // the reflector's recvmmsg/sendmmsg width
  int pools = 10, statics = 100;  // the qps zone
  int outstanding = 100;          // dnsperf -q
  int rate = 0;                   // dnsperf -Q (0: as fast as it can)
  int latencyQueries = 20000;     // one at a time, for percentiles
  int changes = 200;              // change-to-answer, per zone size
  int bigPools = 10000, bigStatics = 100000;
  int trials = 20;                // end to end
  int serverCpu = 1, clientCpu = 0;
  std::string failsh, faild, hc, reflector;
  std::string gdnsd = "/usr/sbin/gdnsd", knotd = "/usr/sbin/knotd", dnsperf = "/usr/bin/dnsperf",
              nginx = "/usr/sbin/nginx";
  std::string threadsOption = "-threads";  // fail::dns serve's option for the UDP threads
  std::string tmp = "/tmp";
  std::vector<std::string> profile;  // qps servers profiled with perf in an extra run
};

// The result table: one row per measure.
struct Row {
  std::string measure, value, floor, ratio, goal, met;
};
void row(Row r);
void info(const std::string& s);  // a line under the table
void note(const std::string& s);  // a "# " line now
void printTable();

// Processes: `track` remembers a pid so that it is stopped at the end; `stop` stops
// and forgets it.
pid_t track(pid_t p);
void stop(pid_t& p);
void stopAll();
bool exited(pid_t p);

void sleepFor(double s);
std::string fmt(const char* f, double v);
double median(std::vector<double> v);

// A faild with a state file (its OK includes the fsync) on a free port.
pid_t startFaild(const Options& o, const std::string& dir, int& port);
// Sets records to a state, pipelined on one connection; throws when one is refused.
void setMany(int faildPort, const std::vector<std::string>& names, const std::string& state);
// failsh with `policy`; returns once 127.0.0.1:`port` answers `probe` (throws after
// `timeout` seconds).
pid_t startFailsh(const Options& o, const std::string& dir, const std::string& policy, int port,
                  const Question& probe, double timeout);

// The measures.
void measureQps(const Options& o, const std::string& tmp);
void measureChange(const Options& o, const std::string& tmp);
void measureEndToEnd(const Options& o, const std::string& tmp);

}  // namespace bench::dns
