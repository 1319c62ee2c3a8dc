// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The servers of bench/dns_bench and what they serve: one zone model written out for
// each of them (a failsh policy with fail::dns, gdnsd 3.8.1's configuration with DYNA
// resources, a knotd configuration with a zone file of the same data), the query mix
// over it, and starting each server on a loopback port bound to one CPU.
// Process control (spawn, stop, CPU, RSS) is bench/loadgen.hh.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "dns_query.hh"

namespace bench::dns {

// A pool: `priority` answers its first member (failsh -select priority, gdnsd
// simplefo), otherwise every member (failsh -select all, gdnsd multifo). Every member
// has a check record in faild (set UP) and gdnsd's always-up service type `up`.
struct PoolSpec {
  std::string name;  // relative to the origin ("p3")
  bool priority = true;
  std::vector<std::string> v4, v6;
  std::vector<std::string> checks;  // one per member, v4 then v6 share an index
};

struct ZoneModel {
  std::string origin = "example.com";
  std::vector<PoolSpec> pools;
  std::vector<std::string> statics;  // names with one A record each ("s17")
};

// `pools` pools of two IPv4 and two IPv6 members (even: priority, odd: all) and
// `statics` static names, plus MX and TXT at "mail" and "txt".
ZoneModel benchZone(int pools, int statics);

// `count` questions: 40% pool A, 10% pool AAAA, 15% static A, 5% MX, 5% TXT,
// 15% NXDOMAIN, 10% NODATA (AAAA of static names, TXT of pools); every other query
// carries EDNS (OPT, payload 1232). Deterministic.
std::vector<Question> queryMix(const ZoneModel& z, int count);

// The three servers' configurations, written under `dir`.
// failsh: a policy (faild on `faildPort` is the local faild; its check records must be
// UP there) serving on 127.0.0.1:`port` with `threads` UDP threads. Returns its path.
// `extra` goes before the serve line; `threadsOption` names serve's UDP threads option.
std::string writeFailshPolicy(const ZoneModel& z, const std::string& dir, int faildPort, int port, int threads,
                              const std::string& threadsOption, const std::string& extra = "");
// The same zone as static text (a zone file, SOA/NS as failsh's defaults).
std::string zoneFileText(const ZoneModel& z, bool gdnsdDyna);
// gdnsd: a configuration directory (returned) with DNS on 127.0.0.1:`port`, `threads`
// UDP threads, pools as DYNA simplefo/multifo resources with service type `up`.
std::string writeGdnsdConfig(const ZoneModel& z, const std::string& dir, int port, int threads);
// knotd: a configuration file (returned) with `threads` UDP workers.
std::string writeKnotConfig(const ZoneModel& z, const std::string& dir, int port, int threads);

// Waits until `host:port` answers `q` (or `timeout` seconds pass: false).
bool waitAnswers(const std::string& host, int port, const Question& q, double timeout, pid_t pid);

// Binds every thread of `pid` to `cpu` (`taskset -a -p -c`) and checks each thread's
// Cpus_allowed_list in /proc/PID/task/*/status. Returns the threads that are not on
// `cpu` afterwards ("" when all are), after a second try.
std::string pinAllThreads(pid_t pid, int cpu);
// The number of threads of `pid`.
int threadCount(pid_t pid);

void writeFile(const std::string& path, const std::string& text);

}  // namespace bench::dns
