// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Helpers of bench/hc_bench: the programs it runs (nginx targets, faild, hc, gdnsd) and
// what it reads back from them (hc's SIGUSR1 dump, gdnsd's states, faild's WATCH stream).
// Process control itself (spawn, stop, CPU, RSS) is bench/loadgen.hh.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace bench {

// The targets: every address 127.0.0.1 .. 127.0.0.A on every port B .. B+P-1, so that
// each check (and each gdnsd monitor, which gdnsd keys by address and service type) has
// its own destination.
struct TargetGrid {
  int addrs = 100;
  int ports = 100;
  int portBase = 20000;
  int count() const { return addrs * ports; }
  std::string addr(int a) const { return "127.0.0." + std::to_string(a + 1); }
  int port(int p) const { return portBase + p; }
};

// Whether every port of the grid is free on 127.0.0.1 (bind test).
bool gridPortsFree(const TargetGrid& g, std::string& busy);

// nginx (nginx-light) in the foreground answering `200 ok` to everything. `grid`: one
// worker listening on every address:port of the grid. Otherwise a single process
// (master_process off, so kill -9 takes the listener away at once) on 127.0.0.1:port.
// Writes the configuration into `dir` and returns the pid once the target answers.
pid_t startNginx(const std::string& nginx, const std::string& dir, const TargetGrid* grid, int port);

// An Hcfile with one http check per target of the grid (the first `limit` targets when
// limit > 0), reporting to faild at `faildPort` (none when 0).
std::string hcfileForGrid(const TargetGrid& g, int limit, const std::string& interval, int faildPort);

// gdnsd 3.8.1's configuration directory: one http_status service type per port
// (interval `interval` s, timeout 1 s, thresholds 1) and a multifo resource per address
// referring to all of them, so gdnsd monitors every target of the grid. DNS on
// 127.0.0.1:dnsPort. Returns the directory (made under `dir`).
std::string gdnsdConfig(const TargetGrid& g, const std::string& dir, int interval, int dnsPort);
// `gdnsdctl -c DIR states`: how many monitored services are UP, and how many in all.
bool gdnsdStates(const std::string& gdnsdctl, const std::string& confDir, int& up, int& total);

// hc's counters summed over every check, from the SIGUSR1 dump in its log.
struct HcDump {
  int checks = 0, up = 0, fail = 0, other = 0;
  std::uint64_t probes = 0, ok = 0, failed = 0, unreachable = 0, timeout = 0, localError = 0;
  std::uint64_t late = 0, skipped = 0;
};
// Sends SIGUSR1 to hc and parses the dump that appears in `logPath`; false when it did
// not appear within `timeout` seconds.
bool hcDump(pid_t hc, const std::string& logPath, HcDump& out, double timeout = 15);

// A WATCH connection to faild, read with timeouts.
class Watcher {
 public:
  // Connects, sends `WATCH pattern` and reads up to SYNCED. Throws std::runtime_error.
  Watcher(int port, const std::string& pattern);
  ~Watcher();
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;
  // Waits for a CHANGE of `name` to `state`; returns when it was read, or a
  // default-constructed time_point after `timeout` seconds.
  std::chrono::steady_clock::time_point waitState(const std::string& name, const std::string& state,
                                                  double timeout);
  // The state of `name` in the listing before SYNCED ("" when not listed).
  std::string listed(const std::string& name) const;

 private:
  bool readLine(std::string& line, std::chrono::steady_clock::time_point deadline);
  int fd_ = -1;
  std::string buf_;
  std::vector<std::pair<std::string, std::string>> listing_;
};

// The 1-, 5- and 15-minute load averages, as /proc/loadavg has them.
std::string loadAverage();
// The number of TCP sockets in TIME_WAIT (all of them, from /proc/net/tcp).
long timeWaitSockets();
// CPU seconds of `pid` and its direct children (nginx's master and workers).
double cpuSecondsTree(pid_t pid);
// Whole-machine CPU from /proc/stat: busy and total jiffies, and steal among them.
struct MachineCpu {
  double busy = 0, total = 0, steal = 0;
};
MachineCpu machineCpu();
// Output of a command (popen), "" when it fails.
std::string runCommand(const std::string& cmd);

}  // namespace bench
