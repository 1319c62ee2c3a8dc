// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// dns_update_bench: fail::dns follow against the speed goals of its issue
// (bench/README.md, "dns_update_bench"):
//
//   "A change in faild to an UPDATE acknowledged by BIND on loopback: p99 <= 20 ms (and
//    the same against Knot), over 200 changes; for comparison, the same change pushed by
//    a shell script with nsupdate: its median."
//   "A whole site fails: 1,000 followed names in one zone change at once; every name
//    correct in the primary within 2 s, with the number of UPDATE messages it took and
//    named's CPU."
//
// latency  A primary (named, then knotd) holding www.example.test A {127.0.0.11
//          127.0.0.12}; a faild (--memory) holding web1 and web2 UP; a failsh following
//          www.example.test with members {127.0.0.11 -check web1} {127.0.0.12 -check
//          web2}. This program sets web1 FAIL and UP in turn, on its own connection to
//          faild, and times each change from just before its SET to the moment the
//          primary answers the new RRset (it asks the primary over UDP in a tight loop,
//          ~0.1 ms a question). Anchor, same run, same primary: a shell script running
//          nsupdate for the same change, from its start to its exit (nsupdate returns
//          once the primary acknowledged).
// site     1,000 names www<N>.example.test in one zone of a named primary, each
//          following {127.0.0.11 -check siteA} {127.0.0.12 -check siteB}; siteA turns
//          FAIL: the time until a zone transfer (AXFR, polled) shows every name without
//          127.0.0.11, the UPDATE messages named logged for it, and named's CPU
//          (utime+stime, /proc/PID/stat) over that time.
//
// Reuses the integration tests' harness (Daemon, TempDir) and tests/common/dns_servers.hh.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "../tests/common/dns_servers.hh"
#include "../tests/integration/harness.hh"

namespace {

using namespace fail::test;
using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// A question for NAME A (RD clear), id 0x4242.
std::vector<unsigned char> question(const std::string& name) {
  std::vector<unsigned char> q = {0x42, 0x42, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  std::stringstream s(name);
  for (std::string label; std::getline(s, label, '.');) {
    q.push_back(static_cast<unsigned char>(label.size()));
    q.insert(q.end(), label.begin(), label.end());
  }
  q.insert(q.end(), {0, 0, 1, 0, 1});
  return q;
}

// The number of A records in the answer of a reply to `question` (-1: no reply in 200 ms).
int answerCount(int fd, const std::vector<unsigned char>& q) {
  if (::send(fd, q.data(), q.size(), 0) < 0) return -1;
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 200) != 1) return -1;
  unsigned char buf[1500];
  ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  if (n < 12) return -1;
  return buf[6] << 8 | buf[7];
}

int udpTo(int port) {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  return fd;
}

long cpuTicks(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  size_t close = s.rfind(')');
  std::istringstream in(s.substr(close + 2));
  std::string w;
  long utime = 0, stime = 0;
  for (int field = 3; in >> w; ++field) {
    if (field == 14) utime = std::stol(w);
    if (field == 15) { stime = std::stol(w); break; }
  }
  return utime + stime;
}

std::string set(LineClient& c, const std::string& name, const char* state) {
  return c.request("SET " + name + " " + state);
}

std::string followLine(const std::string& name, int port, const std::string& key, const std::string& a,
                       const std::string& b) {
  return "fail::dns follow " + name + " -zone example.test -server 127.0.0.1:" + std::to_string(port) +
         " -key-file " + key + " -select all -ttl 30s -all-down all -reconcile 1h -members {{127.0.0.11 -check " +
         a + "} {127.0.0.12 -check " + b + "}}\n";
}

// One latency run against a primary on `port`; returns the times (ms).
std::vector<double> latency(const std::string& server, TempDir& dir, int port, const std::string& keyFile, int changes) {
  Daemon faild("faild/faild", {"--memory", "--listen", "127.0.0.1:0"}, dir, "faild-" + server);
  if (!faild.start()) throw std::runtime_error("faild: " + faild.log());
  LineClient c(faild.address());
  set(c, "web1", "UP");
  set(c, "web2", "UP");
  writeFile(dir.file("lat-" + server + ".tcl"), "failhost localhost port " + portOf(faild) + "\n" +
                                                    followLine("www.example.test", port, keyFile, "web1", "web2"));
  Daemon sh("failsh/failsh", {"-f", dir.file("lat-" + server + ".tcl"), "-m", "none"}, dir, "failsh-" + server);
  if (!sh.start()) throw std::runtime_error("failsh: " + sh.log());
  int fd = udpTo(port);
  auto q = question("www.example.test");
  if (!eventually([&] { return answerCount(fd, q) == 2; })) throw std::runtime_error("the RRset never had 2 records");
  std::vector<double> lat;
  for (int i = 0; i < changes; ++i) {
    bool fail = i % 2 == 0;
    auto t0 = Clock::now();
    set(c, "web1", fail ? "FAIL" : "UP");
    int want = fail ? 1 : 2;
    while (answerCount(fd, q) != want)
      if (msSince(t0) > 5000) throw std::runtime_error("change " + std::to_string(i) + " not seen within 5 s");
    lat.push_back(msSince(t0));
  }
  ::close(fd);
  return lat;
}

void printFollow(const std::string& server, const std::vector<double>& lat) {
  std::printf("%-6s follow: %zu changes, faild SET -> new RRset served: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
              server.c_str(), lat.size(), percentile(lat, 50), percentile(lat, 90), percentile(lat, 99),
              percentile(lat, 100));
}

std::string zoneWith(const std::string& extra) {
  return "$ORIGIN example.test.\n$TTL 60\n@ IN SOA ns1 hostmaster 1 3600 600 86400 60\n@ IN NS ns1\n"
         "ns1 IN A 127.0.0.1\n" + extra;
}

// The anchor: a shell script with nsupdate, the same change, `runs` times (ms each).
std::vector<double> nsupdateAnchor(TempDir& dir, int port, const std::string& keyFile, int runs) {
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    std::string script = dir.file("nsupdate.sh");
    std::string rrset = i % 2 ? "update add www.example.test. 30 A 127.0.0.11\n" : "";
    writeFile(script, "#!/bin/sh\nnsupdate -k " + keyFile + " <<EOF\nserver 127.0.0.1 " + std::to_string(port) +
                          "\nzone example.test\nupdate delete www.example.test. A\n" + rrset +
                          "update add www.example.test. 30 A 127.0.0.12\nsend\nEOF\n",
              0755);
    auto t0 = Clock::now();
    RunResult r = runProgram("/bin/sh", {script});
    if (r.status != 0) throw std::runtime_error("nsupdate: " + r.err);
    t.push_back(msSince(t0));
  }
  return t;
}

// 1,000 names follow siteA/siteB; siteA fails.
void site(TempDir& dir, const TestKey& key, const std::string& keyFile, int names) {
  std::string zone = zoneWith("");
  for (int i = 0; i < names; ++i)
    zone += "www" + std::to_string(i) + " IN A 127.0.0.11\nwww" + std::to_string(i) + " IN A 127.0.0.12\n";
  std::string d = dir.file("named-site");
  ::mkdir(d.c_str(), 0755);
  NamedSpec spec;
  spec.key = &key;
  spec.zoneText = zone;
  std::string why;
  DnsServer ns = startNamed(d, freeLoopbackPort(), spec, &why);
  if (!ns.child) throw std::runtime_error(why);
  Daemon faild("faild/faild", {"--memory", "--listen", "127.0.0.1:0"}, dir, "faild-site");
  if (!faild.start()) throw std::runtime_error("faild: " + faild.log());
  LineClient c(faild.address());
  set(c, "siteA", "UP");
  set(c, "siteB", "UP");
  std::string policy = "failhost localhost port " + portOf(faild) + "\n" + "for {set i 0} {$i < " +
                       std::to_string(names) + "} {incr i} {\n  " +
                       followLine("www$i.example.test", ns.port, keyFile, "siteA", "siteB") + "}\n";
  writeFile(dir.file("site.tcl"), policy);
  Daemon sh("failsh/failsh", {"-f", dir.file("site.tcl"), "-m", "none"}, dir, "failsh-site");
  if (!sh.start()) throw std::runtime_error("failsh: " + sh.log());
  // Every name read once at start (in sync): wait until they are all in faild.
  if (!eventually([&] {
        auto w = words(LineClient(faild.address()).request("LIST dns:*"));
        return w.size() == static_cast<size_t>(names) + 2;
      }, std::chrono::seconds(60)))
    throw std::runtime_error("failsh did not publish every dns: record");
  auto axfrGone = [&] {  // no name holds 127.0.0.11 any more
    RunResult r = runProgram("/usr/bin/dig", {"+tcp", "@127.0.0.1", "-p", std::to_string(ns.port), "example.test",
                                              "AXFR", "+nocmd", "+nostats"});
    return r.status == 0 && r.out.find("127.0.0.12") != std::string::npos &&
           r.out.find("127.0.0.11") == std::string::npos;
  };
  // Each UPDATE named applies raises the zone's serial by one.
  auto serial = [&] {
    RunResult r = runProgram("/usr/bin/dig", {"+short", "@127.0.0.1", "-p", std::to_string(ns.port), "example.test",
                                              "SOA"});
    std::istringstream in(r.out);
    std::string w;
    for (int i = 0; i < 3 && in >> w; ++i) {}
    return std::atol(w.c_str());
  };
  long serialBefore = serial();
  long cpu0 = cpuTicks(ns.pid());
  auto t0 = Clock::now();
  set(c, "siteA", "FAIL");
  bool ok = eventually(axfrGone, std::chrono::seconds(30));
  double took = msSince(t0);
  long cpu1 = cpuTicks(ns.pid());
  long updates = serial() - serialBefore;
  double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
  std::printf("named  site: %d names changed at once: every name right in the primary after %.0f ms%s (AXFR polled), "
              "%ld UPDATE messages applied (SOA serial), named CPU %.0f ms\n",
              names, took, ok ? "" : " (NOT within 30 s)", updates,
              1000.0 * static_cast<double>(cpu1 - cpu0) / hz);
}

}  // namespace

int main(int argc, char** argv) {
  int changes = 200, runs = 50, names = 1000;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") changes = 50, runs = 10, names = 200;
    else if (a == "--changes" && i + 1 < argc) changes = std::atoi(argv[++i]);
    else if (a == "--names" && i + 1 < argc) names = std::atoi(argv[++i]);
    else {
      std::cerr << "usage: dns_update_bench [--quick] [--changes N] [--names N]\n";
      return 2;
    }
  }
  if (!std::getenv("top_builddir")) {  // the harness finds the programs there: above bench/
    char exe[4096];
    ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    std::string p(exe, n > 0 ? static_cast<size_t>(n) : 0);
    for (int i = 0; i < 2; ++i) p = p.substr(0, p.rfind('/'));
    ::setenv("top_builddir", p.c_str(), 1);
  }
  try {
    TempDir dir;
    ::chmod(dir.path().c_str(), 0711);  // named runs as bind
    TestKey key = makeTestKey();
    std::string keyFile = dir.file("tsig.key");
    writeFile(keyFile, key.keyFileText());
    std::printf("dns_update_bench: load %s\n", [] {
      std::ifstream f("/proc/loadavg");
      std::string l;
      std::getline(f, l);
      return l;
    }().c_str());
    std::string nd = dir.file("named");
    ::mkdir(nd.c_str(), 0755);
    NamedSpec spec;
    spec.key = &key;
    spec.zoneText = zoneWith("www IN A 127.0.0.11\nwww IN A 127.0.0.12\n");
    std::string why;
    DnsServer ns = startNamed(nd, freeLoopbackPort(), spec, &why);
    if (!ns.child) throw std::runtime_error(why);
    // A B A B: nsupdate, follow, nsupdate, follow on the same named.
    std::vector<double> ns1 = nsupdateAnchor(dir, ns.port, keyFile, runs / 2);
    std::vector<double> f1 = latency("named", dir, ns.port, keyFile, changes / 2);
    std::vector<double> ns2 = nsupdateAnchor(dir, ns.port, keyFile, runs - runs / 2);
    std::vector<double> f2 = latency("named2", dir, ns.port, keyFile, changes - changes / 2);
    printFollow("named", f1);
    printFollow("named", f2);
    f1.insert(f1.end(), f2.begin(), f2.end());
    printFollow("named", f1);
    ns1.insert(ns1.end(), ns2.begin(), ns2.end());
    std::printf("named  nsupdate script: %zu runs, start -> exit (acknowledged): median %.2f ms, p99 %.2f ms\n",
                ns1.size(), percentile(ns1, 50), percentile(ns1, 99));
    std::printf("ratio  nsupdate median / follow median: %.1f\n", percentile(ns1, 50) / percentile(f1, 50));
    ns.stop();
    std::string kd = dir.file("knot");
    ::mkdir(kd.c_str(), 0755);
    DnsServer kn = startKnot(kd, freeLoopbackPort(), "example.test", key, &why,
                             zoneWith("www IN A 127.0.0.11\nwww IN A 127.0.0.12\n"));
    if (kn.child) printFollow("knotd", latency("knotd", dir, kn.port, keyFile, changes));
    else std::printf("knotd: skipped (%s)\n", why.c_str());
    kn.stop();
    site(dir, key, keyFile, names);
  } catch (const std::exception& e) {
    std::cerr << "dns_update_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
