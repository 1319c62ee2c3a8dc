// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns_peers.hh"

#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "hc_targets.hh"

namespace bench::dns {

namespace fs = std::filesystem;

namespace {

// The static part every server serves alike (failsh's zone defaults: SOA timers 3600
// 600 86400, minimum 30, SOA and NS TTL 3600).
constexpr const char* kNsAddr[] = {"203.0.113.253", "203.0.113.254"};
constexpr const char* kStaticAddr = "203.0.113.200";
constexpr const char* kMx = "10 mx.example.net.";
constexpr const char* kTxt = "\"v=spf1 -all\"";

std::string hex(int v) {
  char b[16];
  std::snprintf(b, sizeof b, "%x", v);
  return b;
}

}  // namespace

void writeFile(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  if (!f) throw std::runtime_error("cannot write " + path);
}

ZoneModel benchZone(int pools, int statics) {
  ZoneModel z;
  for (int i = 0; i < pools; ++i) {
    PoolSpec p;
    p.name = "p" + std::to_string(i);
    p.priority = i % 2 == 0;
    for (int k = 0; k < 2; ++k) {
      int n = (i * 2 + k) % 250 + 1;
      p.v4.push_back("203.0.113." + std::to_string(n));
      p.v6.push_back("2001:db8::" + hex(i) + ":" + std::to_string(k + 1));
      p.checks.push_back("c" + std::to_string(i) + "-" + std::to_string(k));
    }
    z.pools.push_back(std::move(p));
  }
  for (int i = 0; i < statics; ++i) z.statics.push_back("s" + std::to_string(i));
  return z;
}

std::vector<Question> queryMix(const ZoneModel& z, int count) {
  std::vector<Question> out;
  std::uint32_t seed = 12345;
  auto rnd = [&](std::uint32_t n) {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 8) % n;
  };
  const std::string o = "." + z.origin;
  for (int i = 0; i < count; ++i) {
    Question q;
    int slot = i % 20;  // 20 slots: 8 pool A, 2 pool AAAA, 3 static A, 1 MX, 1 TXT, 3 NX, 2 NODATA
    const auto& pool = z.pools[rnd(static_cast<std::uint32_t>(z.pools.size()))];
    const auto& st = z.statics[rnd(static_cast<std::uint32_t>(z.statics.size()))];
    if (slot < 8) q = {pool.name + o, kA};
    else if (slot < 10) q = {pool.name + o, kAAAA};
    else if (slot < 13) q = {st + o, kA};
    else if (slot < 14) q = {"mail" + o, kMX};
    else if (slot < 15) q = {"txt" + o, kTXT};
    else if (slot < 18) q = {"nx" + std::to_string(rnd(100000)) + o, kA};
    else if (slot < 19) q = {st + o, kAAAA};
    else q = {pool.name + o, kTXT};
    q.edns = i % 2 == 1;
    out.push_back(q);
  }
  return out;
}

std::string zoneFileText(const ZoneModel& z, bool gdnsdDyna) {
  std::ostringstream s;
  s << "$TTL 3600\n@ SOA ns1 hostmaster 1 3600 600 86400 30\n@ NS ns1\n@ NS ns2\n"
    << "ns1 A " << kNsAddr[0] << "\nns2 A " << kNsAddr[1] << "\n"
    << "mail 3600 MX " << kMx << "\ntxt 3600 TXT " << kTxt << "\n";
  for (const auto& n : z.statics) s << n << " 3600 A " << kStaticAddr << "\n";
  for (const auto& p : z.pools) {
    if (gdnsdDyna) {
      s << p.name << " 30 DYNA " << (p.priority ? "simplefo!" : "multifo!") << p.name << "\n";
      continue;
    }
    size_t n = p.priority ? 1 : p.v4.size();
    for (size_t k = 0; k < n; ++k) s << p.name << " 30 A " << p.v4[k] << "\n";
    for (size_t k = 0; k < n; ++k) s << p.name << " 30 AAAA " << p.v6[k] << "\n";
  }
  return s.str();
}

std::string writeFailshPolicy(const ZoneModel& z, const std::string& dir, int faildPort, int port, int threads,
                              const std::string& threadsOption, const std::string& extra) {
  std::ostringstream s;
  const std::string o = "." + z.origin;
  s << "# bench/dns_bench: the benchmark zone for failsh's DNS front-end\n"
    << "failhost localhost port " << faildPort << "\n"
    << "fail::dns zone " << z.origin << " -ns {ns1" << o << " ns2" << o << "} -soa-minimum 30s\n"
    << "fail::dns record ns1" << o << " A 3600 " << kNsAddr[0] << "\n"
    << "fail::dns record ns2" << o << " A 3600 " << kNsAddr[1] << "\n"
    << "fail::dns record mail" << o << " MX 3600 {" << kMx << "}\n"
    << "fail::dns record txt" << o << " TXT 3600 {" << kTxt << "}\n"
    ;
  // Many static names go into a zone file given last, with the zone declared again:
  // each fail::dns command copies the declarations made so far (dns-tcl, at this
  // writing), so 100,000 records one by one would take hours.
  bool file = z.statics.size() > 1000;
  if (!file)
    s << "for {set i 0} {$i < " << z.statics.size() << "} {incr i} {\n"
      << "    fail::dns record s$i" << o << " A 3600 " << kStaticAddr << "\n}\n";
  for (const auto& p : z.pools) {
    s << "fail::dns pool " << p.name << o << " -select " << (p.priority ? "priority" : "all") << " -ttl 30s -members {";
    for (size_t k = 0; k < p.v4.size(); ++k) s << "{" << p.v4[k] << " -check " << p.checks[k] << "} ";
    for (size_t k = 0; k < p.v6.size(); ++k) s << "{" << p.v6[k] << " -check " << p.checks[k] << "} ";
    s << "}\n";
  }
  if (file) {
    std::ostringstream f;
    f << "$ORIGIN " << z.origin << ".\n";
    for (const auto& n : z.statics) f << n << " 3600 IN A " << kStaticAddr << "\n";
    writeFile(dir + "/statics.zone", f.str());
    s << "fail::dns zone " << z.origin << " -ns {ns1" << o << " ns2" << o << "} -soa-minimum 30s -file {" << dir
      << "/statics.zone}\n";
  }
  s << extra << "fail::dns serve -listen 127.0.0.1:" << port << " " << threadsOption << " " << threads << "\n";
  std::string path = dir + "/policy.tcl";
  writeFile(path, s.str());
  return path;
}

std::string writeGdnsdConfig(const ZoneModel& z, const std::string& dir, int port, int threads) {
  std::string conf = dir + "/gdnsd";
  fs::create_directories(conf + "/zones");
  std::ostringstream c;
  c << "options => {\n  listen => [ 127.0.0.1 ]\n  dns_port => " << port << "\n  udp_threads => " << threads
    << "\n  tcp_threads => 1\n  run_dir => " << conf << "/run\n  state_dir => " << conf << "/state\n}\n"
    << "plugins => {\n  simplefo => {\n    service_types => up\n";
  for (const auto& p : z.pools)
    if (p.priority)
      c << "    " << p.name << " => { addrs_v4 => { primary => " << p.v4[0] << ", secondary => " << p.v4[1]
        << " }, addrs_v6 => { primary => " << p.v6[0] << ", secondary => " << p.v6[1] << " } }\n";
  c << "  }\n  multifo => {\n    service_types => up\n";
  for (const auto& p : z.pools) {
    if (p.priority) continue;
    c << "    " << p.name << " => { addrs_v4 => { ";
    for (size_t k = 0; k < p.v4.size(); ++k) c << "m" << k << " => " << p.v4[k] << ", ";
    c << "}, addrs_v6 => { ";
    for (size_t k = 0; k < p.v6.size(); ++k) c << "m" << k << " => " << p.v6[k] << ", ";
    c << "} }\n";
  }
  c << "  }\n}\n";
  writeFile(conf + "/config", c.str());
  writeFile(conf + "/zones/" + z.origin, zoneFileText(z, true));
  return conf;
}

std::string writeKnotConfig(const ZoneModel& z, const std::string& dir, int port, int threads) {
  std::string k = dir + "/knot";
  fs::create_directories(k + "/db");
  std::ostringstream c;
  c << "server:\n    rundir: \"" << k << "\"\n    listen: 127.0.0.1@" << port << "\n    udp-workers: " << threads
    << "\n    tcp-workers: 1\n    background-workers: 1\n"
    << "log:\n  - target: stderr\n    any: warning\n"
    << "database:\n    storage: \"" << k << "/db\"\n"
    << "control:\n    listen: \"" << k << "/knot.sock\"\n"
    << "template:\n  - id: default\n    storage: \"" << k << "\"\n    file: \"%s.zone\"\n"
    << "    semantic-checks: off\n    journal-content: none\n    zonefile-sync: -1\n"
    << "zone:\n  - domain: " << z.origin << "\n";
  writeFile(k + "/knot.conf", c.str());
  writeFile(k + "/" + z.origin + ".zone", "$ORIGIN " + z.origin + ".\n" + zoneFileText(z, false));
  return k + "/knot.conf";
}

bool waitAnswers(const std::string& host, int port, const Question& q, double timeout, pid_t pid) {
  auto start = std::chrono::steady_clock::now();
  Prober p(host, port);
  while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < timeout) {
    int st;
    if (pid > 0 && ::waitpid(pid, &st, WNOHANG) == pid) return false;
    Answer a;
    if (p.ask(q, a, 200) && a.rcode == 0 && a.ancount > 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int threadCount(pid_t pid) {
  int n = 0;
  std::error_code ec;
  for (auto it = fs::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec); !ec && it != fs::directory_iterator();
       it.increment(ec))
    ++n;
  return n;
}

std::string pinAllThreads(pid_t pid, int cpu) {
  std::string bad;
  for (int attempt = 0; attempt < 2; ++attempt) {
    runCommand("taskset -a -p -c " + std::to_string(cpu) + " " + std::to_string(pid) + " >/dev/null 2>&1");
    bad.clear();
    std::error_code ec;
    for (auto it = fs::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec);
         !ec && it != fs::directory_iterator(); it.increment(ec)) {
      std::ifstream f(it->path() / "status");
      for (std::string line; std::getline(f, line);)
        if (line.rfind("Cpus_allowed_list:", 0) == 0) {
          std::string v = line.substr(line.find(':') + 1);
          v.erase(0, v.find_first_not_of(" \t"));
          if (v != std::to_string(cpu)) bad += it->path().filename().string() + "=" + v + " ";
        }
    }
    if (bad.empty()) return "";
  }
  return bad;
}

}  // namespace bench::dns
