// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// dns_bench: measures failsh's DNS front-end (issue 13, "Speed") over loopback against
// a trivial reflector (the floor), gdnsd and knotd in the same run (bench/dns_bench.md).
//
//   qps     the same zone and query mix for each server, one UDP thread each, the
//           server bound to one CPU and dnsperf to the other, alternating A B C D for
//           N rounds of fixed-length runs: answers per CPU-second of the server
//           (utime + stime of all its threads from /proc/PID/stat), the ratio to the
//           reflector; latency percentiles one query at a time.
//   change  from a SET at faild (state file: its OK follows the fsync) to the first
//           answer that reflects it, a client querying in a tight loop; also with
//           10,000 pools of 4 members and 100,000 static names, and failsh's RSS then.
//   e2e     a backend (nginx) killed at t0, hc (1 s, fall 2) feeding faild, until the
//           front-end's answer no longer holds it; gdnsd's own http_status monitoring
//           (interval 2, down 1) of the same backend, in the same trials.
#include "dns_bench.hh"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "dns_peers.hh"
#include "dns_query.hh"
#include "hc_targets.hh"
#include "loadgen.hh"

namespace bench::dns {

namespace fs = std::filesystem;

namespace {

std::vector<Row> gRows;
std::vector<std::string> gInfo;
std::vector<pid_t> gLive;

}  // namespace

void row(Row r) { gRows.push_back(std::move(r)); }
void info(const std::string& s) { gInfo.push_back(s); }
void note(const std::string& s) { std::cout << "# " << s << std::endl; }
void sleepFor(double s) { std::this_thread::sleep_for(std::chrono::duration<double>(s)); }

std::string fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

pid_t track(pid_t p) {
  gLive.push_back(p);
  return p;
}

void stop(pid_t& p) {
  if (p <= 0) return;
  stopProcess(p, 10);
  gLive.erase(std::remove(gLive.begin(), gLive.end(), p), gLive.end());
  p = -1;
}

void stopAll() {
  for (pid_t p : std::vector<pid_t>(gLive)) stop(p);
}

bool exited(pid_t p) {
  int st;
  return ::waitpid(p, &st, WNOHANG) == p;
}

void printTable() {
  const char* head[] = {"measure", "value", "floor / anchor", "ratio", "goal", "met"};
  std::vector<size_t> w(6);
  for (int i = 0; i < 6; ++i) w[i] = std::strlen(head[i]);
  auto fields = [](const Row& r) { return std::vector<const std::string*>{&r.measure, &r.value, &r.floor, &r.ratio, &r.goal, &r.met}; };
  for (const Row& r : gRows) {
    auto f = fields(r);
    for (int i = 0; i < 6; ++i) w[i] = std::max(w[i], f[i]->size());
  }
  auto line = [&](const std::vector<std::string>& f) {
    std::cout << "|";
    for (int i = 0; i < 6; ++i) std::cout << " " << f[i] << std::string(w[i] - f[i].size(), ' ') << " |";
    std::cout << "\n";
  };
  std::cout << "\n";
  line({head, head + 6});
  std::vector<std::string> dash;
  for (size_t x : w) dash.emplace_back(x, '-');
  line(dash);
  for (const Row& r : gRows) line({r.measure, r.value, r.floor, r.ratio, r.goal, r.met});
  for (const std::string& s : gInfo) std::cout << "* " << s << "\n";
  std::cout << "* load average at the end: " << loadAverage() << std::endl;
}

// ---- the qps measure ----

namespace {

struct Server {
  std::string name;
  pid_t pid = -1;
  int port = 0;
  std::vector<double> apc, qps, cpuShare;  // per round: answers per CPU-second, dnsperf's qps, server CPU %
  std::vector<PerfResult> runs;
  Percentiles lat;
};

int readReflectorPort(const std::string& log, pid_t pid) {
  auto start = Clock::now();
  while (secondsSince(start) < 10) {
    std::string t = runCommand("cat " + log + " 2>/dev/null");
    auto at = t.find("port ");
    if (at != std::string::npos && t.find('\n', at) != std::string::npos) return std::atoi(t.c_str() + at + 5);
    if (exited(pid)) break;
    sleepFor(0.02);
  }
  throw std::runtime_error("dns_reflector did not start; see " + log);
}

void startServer(const Options& o, const std::string& tmp, const ZoneModel& z, Server& s) {
  std::string dir = tmp + "/" + s.name;
  fs::create_directories(dir);
  Question probe{z.pools[0].name + "." + z.origin, kA};
  if (s.name == "reflector") {
    s.pid = track(spawn({o.reflector, "--threads", std::to_string(o.threads), "--batch", std::to_string(o.batch)},
                        dir + "/reflector.log", o.serverCpu));
    s.port = readReflectorPort(dir + "/reflector.log", s.pid);
    return;  // it answers with the query itself (no answer records)
  }
  s.port = freePort();
  if (s.name == "failsh") {
    int faildPort = 0;
    track(startFaild(o, dir, faildPort));
    std::vector<std::string> checks;
    for (const auto& p : z.pools) checks.insert(checks.end(), p.checks.begin(), p.checks.end());
    setMany(faildPort, checks, "UP");
    std::string policy = writeFailshPolicy(z, dir, faildPort, s.port, o.threads, o.threadsOption);
    s.pid = startFailsh(o, dir, policy, s.port, probe, 60);
  } else if (s.name == "gdnsd") {
    std::string conf = writeGdnsdConfig(z, dir, s.port, o.threads);
    s.pid = track(spawn({o.gdnsd, "-c", conf, "-f", "start"}, dir + "/gdnsd.log", o.serverCpu));
  } else if (s.name == "knotd") {
    std::string conf = writeKnotConfig(z, dir, s.port, o.threads);
    s.pid = track(spawn({o.knotd, "-c", conf}, dir + "/knotd.log", o.serverCpu));
  } else {
    throw std::runtime_error("unknown server " + s.name);
  }
  if (!waitAnswers("127.0.0.1", s.port, probe, 30, s.pid))
    throw std::runtime_error(s.name + " does not answer on port " + std::to_string(s.port) + "; see " + dir);
  // knotd pins its workers itself; failsh's and gdnsd's threads inherit the mask. Re-pin
  // all and check.
  std::string bad = pinAllThreads(s.pid, o.serverCpu);
  if (!bad.empty()) throw std::runtime_error(s.name + ": threads not on CPU " + std::to_string(o.serverCpu) + ": " + bad);
  note(s.name + " (pid " + std::to_string(s.pid) + ", " + std::to_string(threadCount(s.pid)) +
       " threads, all on CPU " + std::to_string(o.serverCpu) + ") on 127.0.0.1:" + std::to_string(s.port));
}

// One query at a time from the mix: the latency of an unloaded server.
// The client runs on its own thread bound to the client CPU.
Percentiles probeLatency(const Options& o, const Server& s, const std::vector<Question>& mix) {
  std::vector<double> us;
  std::thread t([&] {
    pinSelf(o.clientCpu);
    Prober p("127.0.0.1", s.port);
    us.reserve(o.latencyQueries);
    for (int i = 0; i < o.latencyQueries; ++i) {
      Answer a;
      auto t0 = Clock::now();
      if (p.ask(mix[i % mix.size()], a, 1000)) us.push_back(secondsSince(t0) * 1e6);
    }
  });
  t.join();
  return percentiles(us);
}

void runRound(const Options& o, const std::string& file, Server& s, int round) {
  pinAllThreads(s.pid, o.serverCpu);  // a thread started since (TCP, control) is pinned too
  MachineCpu m0 = machineCpu();
  double c0 = cpuSeconds(s.pid);
  PerfResult r = runDnsperf(o.dnsperf, file, "127.0.0.1", s.port, o.duration, o.clientCpu, o.outstanding, o.rate);
  double cpu = cpuSeconds(s.pid) - c0;
  MachineCpu m1 = machineCpu();
  if (exited(s.pid)) throw std::runtime_error(s.name + " died during the run");
  double apc = cpu > 0 ? static_cast<double>(r.completed) / cpu : NAN;
  s.apc.push_back(apc);
  s.qps.push_back(r.qps);
  s.cpuShare.push_back(100 * cpu / r.seconds);
  s.runs.push_back(r);
  double steal = m1.total > m0.total ? 100 * (m1.steal - m0.steal) / (m1.total - m0.total) : 0;
  double busy = m1.total > m0.total ? 100 * (m1.busy - m0.busy) / (m1.total - m0.total) : 0;
  note("round " + std::to_string(round + 1) + " " + s.name + ": " + std::to_string(r.completed) + " answers (" +
       std::to_string(r.lost) + " lost) in " + fmt("%.2f", r.seconds) + " s, " + fmt("%.0f", r.qps) + " qps, server cpu " +
       fmt("%.2f", cpu) + " s (" + fmt("%.0f", 100 * cpu / r.seconds) + "% of a core): " + fmt("%.0f", apc) +
       " answers/cpu-s; latency avg " + fmt("%.0f", r.latAvg * 1e6) + " us, sd " + fmt("%.0f", r.latStd * 1e6) +
       " us, max " + fmt("%.1f", r.latMax * 1e3) + " ms; response " + std::to_string(r.responseSize) + " B; rcodes " +
       r.rcodes + "; machine busy " + fmt("%.0f", busy) + "%, steal " + fmt("%.1f", steal) + "%");
}

// An extra run (not counted) under `perf record -e cpu-clock -g` of the server; the
// report goes to tmp/profile-NAME.txt and its top lines to the output.
void profileRun(const Options& o, const std::string& tmp, const std::string& file, Server& s) {
  std::string data = tmp + "/perf-" + s.name + ".data", report = tmp + "/profile-" + s.name + ".txt";
  pid_t perf = spawn({"/usr/bin/perf", "record", "-q", "-e", "cpu-clock", "-g", "-o", data, "-p", std::to_string(s.pid),
                      "--", "sleep", fmt("%.0f", o.duration)},
                     tmp + "/perf-" + s.name + ".log", o.clientCpu);
  sleepFor(0.3);
  runDnsperf(o.dnsperf, file, "127.0.0.1", s.port, o.duration - 1, o.clientCpu, o.outstanding, o.rate);
  waitExit(perf, o.duration + 30);
  runCommand("perf report -i " + data + " --stdio --no-children --percent-limit 0.5 --sort dso,sym -g none > " + report +
             " 2>/dev/null");
  std::string dsos = runCommand("perf report -i " + data + " --stdio --no-children --sort dso -g none 2>/dev/null | "
                                "grep -E '^ +[0-9]' | head -6");
  std::string top = runCommand("grep -E '^ +[0-9]' " + report + " | grep -v kernel.kallsyms | head -15");
  note("profile of " + s.name + " (perf cpu-clock, " + report + "), by object:\n" + dsos + "outside the kernel:\n" + top);
}

}  // namespace

void measureQps(const Options& o, const std::string& tmp) {
  ZoneModel z = benchZone(o.pools, o.statics);
  auto mix = queryMix(z, 10000);
  std::string file = tmp + "/queries.bin";
  writeDnsperfBinary(file, mix);
  std::vector<Server> servers;
  for (const auto& n : o.servers) {
    if (n != "reflector" && n != "failsh" && access((n == "gdnsd" ? o.gdnsd : o.knotd).c_str(), X_OK) != 0) {
      info(n + " skipped: " + (n == "gdnsd" ? o.gdnsd : o.knotd) + " is missing");
      continue;
    }
    servers.emplace_back();
    servers.back().name = n;
  }
  for (auto& s : servers) startServer(o, tmp, z, s);
  for (int r = 0; r < o.rounds; ++r)
    for (auto& s : servers) runRound(o, file, s, r);
  for (auto& s : servers)
    if (std::find(o.profile.begin(), o.profile.end(), s.name) != o.profile.end()) profileRun(o, tmp, file, s);
  for (auto& s : servers) {
    s.lat = probeLatency(o, s, mix);
    note(s.name + " one query at a time: " + std::to_string(s.lat.count) + " answers, p50 " + fmt("%.0f", s.lat.p50) +
         " us, p99 " + fmt("%.0f", s.lat.p99) + " us, max " + fmt("%.0f", s.lat.max) + " us");
  }
  double floor = NAN;
  for (auto& s : servers)
    if (s.name == "reflector") floor = median(s.apc);
  // The ratio of the medians, and the median of each round's ratio to the reflector's
  // run of the same round (neighbours in time, so less moved by the machine's drift).
  const Server* reflector = nullptr;
  for (auto& s : servers)
    if (s.name == "reflector") reflector = &s;
  std::map<std::string, double> ratio;
  for (auto& s : servers) {
    double m = median(s.apc);
    ratio[s.name] = m / floor;
    std::string rounds;
    std::vector<double> paired;
    for (size_t r = 0; r < s.apc.size(); ++r) {
      rounds += (rounds.empty() ? "" : ", ") + fmt("%.0f", s.apc[r]);
      if (reflector) paired.push_back(s.apc[r] / reflector->apc[r]);
    }
    double pm = median(paired);
    std::string goal = s.name == "failsh" ? "≥ 0.97 × floor" : "";
    std::string met = s.name == "failsh" && reflector ? (m / floor >= 0.97 && pm >= 0.97 ? "met" : "NOT met") : "";
    row({"answers per cpu-second: " + s.name + " (rounds: " + rounds + ")", fmt("%.0f", m),
         s.name == "reflector" ? "" : fmt("%.0f", floor),
         fmt("%.3f", m / floor) + (reflector ? " (per round: " + fmt("%.3f", pm) + ")" : ""), goal, met});
  }
  for (auto& s : servers) {
    const PerfResult& r = s.runs.back();
    row({"latency " + s.name + ": one at a time p50 / p99 / max (µs); under dnsperf avg / sd (µs)",
         fmt("%.0f", s.lat.p50) + " / " + fmt("%.0f", s.lat.p99) + " / " + fmt("%.0f", s.lat.max) + "; " +
             fmt("%.0f", r.latAvg * 1e6) + " / " + fmt("%.0f", r.latStd * 1e6),
         "", "", "", ""});
  }
  if (ratio.count("failsh") && ratio.count("gdnsd"))
    row({"failsh ahead of gdnsd (answers/cpu-s)", fmt("%.3f", ratio["failsh"]), fmt("%.3f", ratio["gdnsd"]),
         fmt("%.3f", ratio["failsh"] / ratio["gdnsd"]), "> 1", ratio["failsh"] > ratio["gdnsd"] ? "met" : "NOT met"});
  if (ratio.count("failsh") && ratio.count("knotd"))
    row({"failsh ahead of knotd (answers/cpu-s)", fmt("%.3f", ratio["failsh"]), fmt("%.3f", ratio["knotd"]),
         fmt("%.3f", ratio["failsh"] / ratio["knotd"]), "> 1", ratio["failsh"] > ratio["knotd"] ? "met" : "NOT met"});
  info("qps: " + std::to_string(o.rounds) + " rounds of " + fmt("%.0f", o.duration) + " s per server, " +
       std::to_string(o.threads) + " UDP thread(s) each, server on CPU " + std::to_string(o.serverCpu) +
       ", dnsperf (1 thread, 1 client, " + std::to_string(o.outstanding) + " outstanding" +
       (o.rate ? ", " + std::to_string(o.rate) + " qps offered" : "") + ") on CPU " +
       std::to_string(o.clientCpu) + "; zone: " + std::to_string(o.pools) + " pools, " + std::to_string(o.statics) +
       " static names; the reflector answers with the query itself");
  for (auto& s : servers) stop(s.pid);
}

std::string selfDir() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? "." : p.parent_path().string();
}

}  // namespace bench::dns

namespace {

using namespace bench::dns;

void onSignal(int) {
  stopAll();
  _exit(130);
}

void usage() {
  std::cout <<
      "Usage: dns_bench [OPTION]...\n"
      "Measures failsh's DNS front-end against a reflector (the floor), gdnsd and knotd.\n\n"
      "  --quick               about five minutes: 5 s runs, 2 rounds, 50 changes, 5 trials\n"
      "  --only LIST           qps,change,e2e (comma-separated)\n"
      "  --servers LIST        qps servers, in the order run (default reflector,failsh,gdnsd,knotd)\n"
      "  --profile LIST        qps servers to profile with perf in an extra run (not counted)\n"
      "  --duration S          seconds per dnsperf run (default 10)\n"
      "  --rounds N            dnsperf runs per server (default 2)\n"
      "  --threads N           UDP threads of every server (default 1)\n"
      "  --batch N             the reflector's recvmmsg/sendmmsg width (default 32)\n"
      "  --pools N, --statics N   the qps zone (default 10 pools, 100 static names)\n"
      "  --outstanding N       dnsperf -q (default 100)\n"
      "  --rate N              dnsperf -Q: the same offered load for every server (default 0: as fast as it can)\n"
      "  --latency-queries N   queries one at a time per server for percentiles (default 20000)\n"
      "  --changes N           change-to-answer: changes per zone size (default 200)\n"
      "  --big-pools N, --big-statics N   the large zone (default 10000 pools of 4, 100000 names)\n"
      "  --trials N            end-to-end trials (default 20)\n"
      "  --server-cpu N, --client-cpu N   CPUs (default 1 and 0)\n"
      "  --threads-option OPT  fail::dns serve's UDP threads option (default -threads)\n"
      "  --failsh, --faild, --hc, --reflector, --gdnsd, --knotd, --dnsperf, --nginx PATH   programs\n"
      "  --tmp DIR, --keep     where the temporary directory goes; keep it\n";
}

std::vector<std::string> list(const std::string& v) {
  std::vector<std::string> out;
  std::stringstream s(v);
  for (std::string w; std::getline(s, w, ',');) out.push_back(w);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::string here = selfDir();
  o.failsh = here + "/../failsh/failsh";
  o.faild = here + "/../faild/faild";
  o.hc = here + "/../hc/hc";
  o.reflector = here + "/dns_reflector";
  bool setRounds = false, setTrials = false, setChanges = false, setDuration = false;
  try {
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      auto val = [&]() -> std::string {
        if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
        return argv[++i];
      };
      if (a == "--help" || a == "-h") { usage(); return 0; }
      else if (a == "--quick") o.quick = true;
      else if (a == "--keep") o.keep = true;
      else if (a == "--only") for (auto& w : list(val())) o.only.insert(w);
      else if (a == "--servers") o.servers = list(val());
      else if (a == "--profile") o.profile = list(val());
      else if (a == "--duration") { o.duration = std::stod(val()); setDuration = true; }
      else if (a == "--rounds") { o.rounds = std::stoi(val()); setRounds = true; }
      else if (a == "--threads") o.threads = std::stoi(val());
      else if (a == "--batch") o.batch = std::stoi(val());
      else if (a == "--pools") o.pools = std::stoi(val());
      else if (a == "--statics") o.statics = std::stoi(val());
      else if (a == "--outstanding") o.outstanding = std::stoi(val());
      else if (a == "--rate") o.rate = std::stoi(val());
      else if (a == "--latency-queries") o.latencyQueries = std::stoi(val());
      else if (a == "--changes") { o.changes = std::stoi(val()); setChanges = true; }
      else if (a == "--big-pools") o.bigPools = std::stoi(val());
      else if (a == "--big-statics") o.bigStatics = std::stoi(val());
      else if (a == "--trials") { o.trials = std::stoi(val()); setTrials = true; }
      else if (a == "--server-cpu") o.serverCpu = std::stoi(val());
      else if (a == "--client-cpu") o.clientCpu = std::stoi(val());
      else if (a == "--threads-option") o.threadsOption = val();
      else if (a == "--failsh") o.failsh = val();
      else if (a == "--faild") o.faild = val();
      else if (a == "--hc") o.hc = val();
      else if (a == "--reflector") o.reflector = val();
      else if (a == "--gdnsd") o.gdnsd = val();
      else if (a == "--knotd") o.knotd = val();
      else if (a == "--dnsperf") o.dnsperf = val();
      else if (a == "--nginx") o.nginx = val();
      else if (a == "--tmp") o.tmp = val();
      else throw std::invalid_argument("unknown option " + a);
    }
    if (o.rounds < 1 || o.threads < 1 || o.pools < 2 || o.statics < 1 || o.trials < 1 || o.changes < 1)
      throw std::invalid_argument("--rounds, --threads, --trials, --changes, --statics at least 1; --pools at least 2");
  } catch (const std::exception& e) {
    std::cerr << "dns_bench: " << e.what() << "\nTry 'dns_bench --help'.\n";
    return 2;
  }
  if (o.quick) {
    if (!setDuration) o.duration = 5;
    if (!setRounds) o.rounds = 2;
    if (!setChanges) o.changes = 50;
    if (!setTrials) o.trials = 5;
    o.latencyQueries = std::min(o.latencyQueries, 5000);
  }
  auto want = [&](const char* m) { return o.only.empty() || o.only.count(m) > 0; };
  ::signal(SIGINT, onSignal);
  ::signal(SIGTERM, onSignal);
  std::string tmp = o.tmp + "/dns_bench.XXXXXX";
  if (!::mkdtemp(tmp.data())) {
    std::perror("mkdtemp");
    return 2;
  }
  int rc = 0;
  try {
    note("dns_bench in " + tmp + "; load average " + bench::loadAverage());
    if (want("qps")) measureQps(o, tmp);
    if (want("change")) measureChange(o, tmp);
    if (want("e2e")) measureEndToEnd(o, tmp);
  } catch (const std::exception& e) {
    std::cerr << "dns_bench: " << e.what() << "\n";
    rc = 1;
  }
  stopAll();
  printTable();
  if (!o.keep && rc == 0) fs::remove_all(tmp);
  else std::cout << "* files kept in " << tmp << "\n";
  return rc;
}
