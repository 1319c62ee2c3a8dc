// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The measures of bench/dns_bench that follow health: change to answer (a SET at faild
// until the front-end's first answer that reflects it), failsh's RSS with a large
// zone, and end to end (a backend killed until the answer no longer holds it), with
// gdnsd's own monitoring in the same trials.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <cmath>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <thread>

#include "dns_bench.hh"
#include "dns_peers.hh"
#include "dns_query.hh"
#include "hc_targets.hh"
#include "loadgen.hh"

namespace bench::dns {

namespace fs = std::filesystem;

pid_t startFaild(const Options& o, const std::string& dir, int& port) {
  port = freePort();
  auto t = Clock::now();
  pid_t p = track(spawn({o.faild, "--no-http", "--state", dir + "/faild.state", "--listen", "127.0.0.1:" + std::to_string(port)},
                        dir + "/faild.log"));
  if (timeToFirstAnswer(Proto::Line, port, p, "PING\n", [](const Reply& r) { return r.ok; }, t, 10) < 0)
    throw std::runtime_error("faild did not start; see " + dir + "/faild.log");
  return p;
}

void setMany(int faildPort, const std::vector<std::string>& names, const std::string& state) {
  // faild answers one connection's SETs one after the other, each once durable: many
  // connections in parallel let its group commit share the fsyncs.
  constexpr size_t kConnections = 32;
  std::vector<std::thread> threads;
  std::mutex m;
  std::string error;
  for (size_t c = 0; c < std::min(kConnections, names.size()); ++c)
    threads.emplace_back([&, c] {
      try {
        SyncClient client(Proto::Line, faildPort);
        for (size_t i = c; i < names.size(); i += kConnections) {
          Reply r = client.call("SET " + names[i] + " " + state + "\n");
          if (!r.ok) throw std::runtime_error("faild refused SET " + names[i] + ": " + client.lastText());
        }
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> l(m);
        error = e.what();
      }
    });
  for (auto& t : threads) t.join();
  if (!error.empty()) throw std::runtime_error(error);
}

pid_t startFailsh(const Options& o, const std::string& dir, const std::string& policy, int port,
                  const Question& probe, double timeout) {
  std::string log = dir + "/failsh.log";
  // A large policy takes longer to read than the default limit of 10 s.
  pid_t p = track(spawn({o.failsh, "-f", policy, "-m", "none", "-l", dir + "/failsh.dump", "--limit",
                         std::to_string(static_cast<int>(timeout)) + "s"},
                        log, o.serverCpu));
  if (!waitAnswers("127.0.0.1", port, probe, timeout, p))
    throw std::runtime_error("failsh does not answer on port " + std::to_string(port) + "; see " + log);
  return p;
}

namespace {

// A thread asking `q` of 127.0.0.1:port again and again (`pause` between answers).
// While armed, the first answer whose first address is `want` ends the wait: its time
// since `t0` is kept.
class Watch {
 public:
  Watch(int port, Question q, std::chrono::microseconds pause) : port_(port), q_(std::move(q)), pause_(pause) {
    thread_ = std::thread([this] { run(); });
  }
  ~Watch() {
    stop_ = true;
    thread_.join();
  }
  void arm(const std::string& want, Clock::time_point t0) {
    std::lock_guard<std::mutex> l(m_);
    want_ = want;
    t0_ = t0;
    result_ = -1;
    armed_ = true;
  }
  // Seconds from t0 to the first answer with `want` first, or -1 after `timeout`.
  double wait(double timeout) {
    auto start = Clock::now();
    while (secondsSince(start) < timeout) {
      {
        std::lock_guard<std::mutex> l(m_);
        if (!armed_) return result_;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    std::lock_guard<std::mutex> l(m_);
    armed_ = false;
    return -1;
  }
  std::uint64_t answers() const { return answers_; }

 private:
  void run() {
    Prober p("127.0.0.1", port_);
    while (!stop_) {
      Answer a;
      if (!p.ask(q_, a, 500)) continue;
      auto now = Clock::now();
      ++answers_;
      {
        std::lock_guard<std::mutex> l(m_);
        if (armed_ && !a.addresses.empty() && a.addresses[0] == want_) {
          result_ = std::chrono::duration<double>(now - t0_).count();
          armed_ = false;
        }
      }
      if (pause_.count() > 0) std::this_thread::sleep_for(pause_);
    }
  }
  int port_;
  Question q_;
  std::chrono::microseconds pause_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> answers_{0};
  std::mutex m_;
  bool armed_ = false;
  std::string want_;
  Clock::time_point t0_;
  double result_ = -1;
};

std::string pctRow(const Percentiles& p, double scale, const char* f) {
  return fmt(f, p.p50 * scale) + " / " + fmt(f, p.p99 * scale) + " / " + fmt(f, p.max * scale);
}

void changeRun(const Options& o, const std::string& tmp, const std::string& tag, const std::string& label, int pools,
               int statics) {
  std::string dir = tmp + "/change-" + tag;
  fs::create_directories(dir);
  ZoneModel z = benchZone(pools, statics);
  int faildPort = 0;
  pid_t faild = track(startFaild(o, dir, faildPort));
  std::vector<std::string> checks{"chg-a", "chg-b"};
  for (const auto& p : z.pools) checks.insert(checks.end(), p.checks.begin(), p.checks.end());
  auto t = Clock::now();
  setMany(faildPort, checks, "UP");
  note("change " + label + ": " + std::to_string(checks.size()) + " check records UP in faild in " +
       fmt("%.1f", secondsSince(t)) + " s");
  int port = freePort();
  std::string policy = writeFailshPolicy(
      z, dir, faildPort, port, o.threads, o.threadsOption,
      "fail::dns pool chg." + z.origin +
          " -select priority -ttl 30s -members {{203.0.113.101 -check chg-a} {203.0.113.102 -check chg-b}}\n");
  t = Clock::now();
  pid_t sh = startFailsh(o, dir, policy, port, {"chg." + z.origin, kA}, 900);
  double startSecs = secondsSince(t);
  // Once answering, failsh still publishes every pool's dns:NAME in faild: the changes
  // are measured once it is idle (under 2% of a core over a second).
  double settle = 0;
  for (auto t1 = Clock::now(); secondsSince(t1) < 600;) {
    double c0 = cpuSeconds(sh);
    sleepFor(1);
    if (cpuSeconds(sh) - c0 < 0.02) {
      settle = secondsSince(t1);
      break;
    }
  }
  long rss = vmRssKiB(sh);
  note("change " + label + ": failsh answers " + fmt("%.1f", startSecs) + " s after its start, idle " +
       fmt("%.1f", settle) + " s later; VmRSS " + std::to_string(rss / 1024) + " MiB");

  std::vector<double> lat, ok, after;  // µs: SET → answer, SET → OK, OK → answer
  int missed = 0;
  // --profile change: failsh under perf record during the large zone's changes.
  pid_t perf = -1;
  bool profile = tag == "big" && std::find(o.profile.begin(), o.profile.end(), "change") != o.profile.end();
  if (profile)
    perf = spawn({"/usr/bin/perf", "record", "-q", "-e", "cpu-clock", "-g", "-o", dir + "/perf.data", "-p",
                  std::to_string(sh)},
                 dir + "/perf.log");
  std::string trace;  // one line per change: SET → OK and SET → answer, µs
  {
    Watch w(port, {"chg." + z.origin, kA}, std::chrono::microseconds(0));
    SyncClient c(Proto::Line, faildPort);
    std::mt19937 rng(7);
    for (int i = 0; i < o.changes; ++i) {
      bool fail = i % 2 == 0;
      auto t0 = Clock::now();
      w.arm(fail ? "203.0.113.102" : "203.0.113.101", t0);
      Reply r = c.call(std::string("SET chg-a ") + (fail ? "FAIL" : "UP") + "\n");
      if (!r.ok) throw std::runtime_error("faild refused SET chg-a: " + c.lastText());
      double okAt = secondsSince(t0);
      ok.push_back(okAt * 1e6);
      double s = w.wait(5);
      if (s < 0) {
        ++missed;
      } else {
        lat.push_back(s * 1e6);
        after.push_back(std::max(0.0, s - okAt) * 1e6);
      }
      trace += std::to_string(i) + " " + fmt("%.0f", okAt * 1e6) + " " + fmt("%.0f", s * 1e6) + "\n";
      sleepFor(0.02 + std::uniform_real_distribution<double>(0, 0.03)(rng));
    }
  }
  writeFile(dir + "/changes.txt", "# change  set-to-ok-us  set-to-answer-us\n" + trace);
  if (perf > 0) {
    ::kill(perf, SIGINT);
    waitExit(perf, 30);
    std::string report = dir + "/profile.txt";
    runCommand("perf report -i " + dir + "/perf.data --stdio --no-children --percent-limit 0.5 --sort dso,sym -g none > " +
               report + " 2>/dev/null");
    note("profile of failsh during the changes (" + report + "):\n" +
         runCommand("grep -E '^ +[0-9]' " + report + " | head -20"));
  }
  long rssAfter = vmRssKiB(sh);
  stop(sh);
  stop(faild);
  Percentiles p = percentiles(lat), pk = percentiles(ok), pa = percentiles(after);
  row({"change to answer, " + label + ": p50 / p99 / max (ms), " + std::to_string(p.count) + " changes" +
           (missed ? ", " + std::to_string(missed) + " missed" : ""),
       pctRow(p, 1e-3, "%.2f"), "", "", "p99 ≤ 10 ms", p.count > 0 && missed == 0 && p.p99 <= 10000 ? "met" : "NOT met"});
  row({"  SET → OK at faild (its fsync), " + label, pctRow(pk, 1e-3, "%.2f"), "", "", "", ""});
  row({"  OK → first answer (0 when the answer came first), " + label, pctRow(pa, 1e-3, "%.2f"), "", "", "", ""});
  if (pools >= 10000 || statics >= 100000)
    row({"failsh VmRSS, " + label + " (MiB, after start / after the changes)",
         std::to_string(rss / 1024) + " / " + std::to_string(rssAfter / 1024), "", "", "≤ 150 MB",
         rssAfter * 1024 <= 150'000'000L && rss * 1024 <= 150'000'000L ? "met" : "NOT met"});
  info("change " + label + ": failsh answered " + fmt("%.1f", startSecs) + " s after its start and was idle " +
       fmt("%.1f", settle) + " s later; VmRSS " +
       std::to_string(rss) + " KiB then, " + std::to_string(rssAfter) + " KiB after the changes");
}

}  // namespace

void measureChange(const Options& o, const std::string& tmp) {
  changeRun(o, tmp, "small", std::to_string(o.pools) + " pools", o.pools, o.statics);
  changeRun(o, tmp, "big", std::to_string(o.bigPools) + " pools + " + std::to_string(o.bigStatics) + " names", o.bigPools,
            o.bigStatics);
}

// ---- end to end ----

namespace {

bool tcpAnswers(const std::string& addr, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  inet_pton(AF_INET, addr.c_str(), &sa.sin_addr);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  ::close(fd);
  return ok;
}

// nginx as one process (master_process off: kill -9 takes the listener with it)
// answering 200 on addr:port.
pid_t startBackend(const Options& o, const std::string& dir, const std::string& addr, int port) {
  fs::create_directories(dir);
  writeFile(dir + "/nginx.conf", "master_process off;\ndaemon off;\npid " + dir + "/nginx.pid;\nerror_log " + dir +
                                     "/error.log warn;\nevents { worker_connections 256; }\nhttp {\n  access_log off;\n"
                                     "  server {\n    listen " + addr + ":" + std::to_string(port) +
                                     ";\n    location / { return 200 \"ok\"; }\n  }\n}\n");
  pid_t p = track(spawn({o.nginx, "-p", dir, "-c", dir + "/nginx.conf"}, dir + "/nginx.out"));
  auto t = Clock::now();
  while (secondsSince(t) < 20) {
    if (tcpAnswers(addr, port)) return p;
    if (exited(p)) break;
    sleepFor(0.02);
  }
  throw std::runtime_error("nginx does not answer on " + addr + ":" + std::to_string(port) + "; see " + dir);
}

std::string gdnsdHealthConfig(const std::string& dir, int dnsPort, int httpPort) {
  std::string conf = dir + "/gdnsd";
  fs::create_directories(conf + "/zones");
  writeFile(conf + "/config",
            "options => {\n  listen => [ 127.0.0.1 ]\n  dns_port => " + std::to_string(dnsPort) +
                "\n  udp_threads => 1\n  tcp_threads => 1\n  run_dir => " + conf + "/run\n  state_dir => " + conf +
                "/state\n}\nservice_types => {\n  web => { plugin => http_status, port => " + std::to_string(httpPort) +
                ", url_path => /, interval => 2, timeout => 1, up_thresh => 1, ok_thresh => 1, down_thresh => 1 }\n}\n"
                "plugins => {\n  simplefo => {\n    www => { service_types => web, primary => 127.0.0.1, secondary => "
                "127.0.0.2 }\n  }\n}\n");
  writeFile(conf + "/zones/example.com",
            "$TTL 3600\n@ SOA ns1 hostmaster 1 3600 600 86400 30\n@ NS ns1\nns1 A 203.0.113.253\n"
            "www 30 DYNA simplefo!www\n");
  return conf;
}

}  // namespace

void measureEndToEnd(const Options& o, const std::string& tmp) {
  std::string dir = tmp + "/e2e";
  fs::create_directories(dir);
  int httpPort = freePort();
  pid_t primary = startBackend(o, dir + "/primary", "127.0.0.1", httpPort);
  pid_t standby = startBackend(o, dir + "/standby", "127.0.0.2", httpPort);
  int faildPort = 0;
  pid_t faild = track(startFaild(o, dir, faildPort));
  std::string url = ":" + std::to_string(httpPort) + "/";
  writeFile(dir + "/Hcfile", "report 127.0.0.1:" + std::to_string(faildPort) + "\n" +
                                 "check web1 http -url http://127.0.0.1" + url + " -interval 1s -fall 2 -rise 1\n" +
                                 "check web2 http -url http://127.0.0.2" + url + " -interval 1s -fall 2 -rise 1\n");
  pid_t hc = track(spawn({o.hc, "-f", dir + "/Hcfile", "-m", "none", "--log", dir + "/hc.log"}, dir + "/hc.out"));
  bool withFailsh = std::find(o.servers.begin(), o.servers.end(), "failsh") != o.servers.end();
  bool withGdnsd = std::find(o.servers.begin(), o.servers.end(), "gdnsd") != o.servers.end();
  int port = freePort(), gport = freePort();
  pid_t sh = -1, gd = -1;
  Question www{"www.example.com", kA};
  if (withFailsh) {
    ZoneModel z = benchZone(2, 1);
    std::string policy = writeFailshPolicy(
        z, dir, faildPort, port, o.threads, o.threadsOption,
        "fail::dns pool www.example.com -select priority -ttl 30s -members {{127.0.0.1 -check web1} {127.0.0.2 -check web2}}\n");
    sh = startFailsh(o, dir, policy, port, www, 60);
  }
  if (withGdnsd && access(o.gdnsd.c_str(), X_OK) != 0) {
    info("e2e: gdnsd skipped: " + o.gdnsd + " is missing");
    withGdnsd = false;
  }
  if (withGdnsd) {
    gd = track(spawn({o.gdnsd, "-c", gdnsdHealthConfig(dir, gport, httpPort), "-f", "start"}, dir + "/gdnsd.log"));
    if (!waitAnswers("127.0.0.1", gport, www, 30, gd))
      throw std::runtime_error("gdnsd does not answer; see " + dir + "/gdnsd.log");
  }
  // Each server is asked every millisecond (the resolution of the measure), from its
  // own thread.
  std::unique_ptr<Watch> wf, wg;
  if (sh > 0) wf = std::make_unique<Watch>(port, www, std::chrono::microseconds(1000));
  if (gd > 0) wg = std::make_unique<Watch>(gport, www, std::chrono::microseconds(1000));
  auto arm = [&](const std::string& want) {
    auto t0 = Clock::now();
    if (wf) wf->arm(want, t0);
    if (wg) wg->arm(want, t0);
  };
  auto waitBoth = [&](const std::string& want, double timeout, const char* what) {
    arm(want);
    if (wf && wf->wait(timeout) < 0) throw std::runtime_error("failsh's answer did not become " + want + " " + what);
    if (wg && wg->wait(timeout) < 0) throw std::runtime_error("gdnsd's answer did not become " + want + " " + what);
  };
  waitBoth("127.0.0.1", 60, "at start");
  std::vector<double> tf, tg;
  std::mt19937 rng(11);
  for (int i = 0; i < o.trials; ++i) {
    sleepFor(0.3 + std::uniform_real_distribution<double>(0, 2)(rng));  // a random phase against both grids
    arm("127.0.0.2");
    ::kill(primary, SIGKILL);
    stop(primary);
    double f = wf ? wf->wait(20) : NAN, g = wg ? wg->wait(20) : NAN;
    if (wf && f < 0) throw std::runtime_error("trial " + std::to_string(i + 1) + ": failsh's answer kept the dead backend");
    if (wg && g < 0) throw std::runtime_error("trial " + std::to_string(i + 1) + ": gdnsd's answer kept the dead backend");
    if (wf) tf.push_back(f * 1e6);
    if (wg) tg.push_back(g * 1e6);
    note("e2e trial " + std::to_string(i + 1) + ": failsh " + fmt("%.3f", f) + " s, gdnsd " + fmt("%.3f", g) + " s");
    primary = startBackend(o, dir + "/primary", "127.0.0.1", httpPort);
    waitBoth("127.0.0.1", 60, "after the backend's return");
  }
  wf.reset();
  wg.reset();
  Percentiles pf = percentiles(tf), pg = percentiles(tg);
  if (!tf.empty())
    row({"end to end: kill → answer without it, failsh (hc 1 s, fall 2): min / median / p99 / max (s)",
         fmt("%.2f", tf.front() / 1e6) + " / " + pctRow(pf, 1e-6, "%.2f"), "", "", "p99 ≤ 2.1 s",
         pf.p99 <= 2.1e6 ? "met" : "NOT met"});
  if (!tg.empty())
    row({"end to end: gdnsd http_status (interval 2, down 1), same trials: min / median / p99 / max (s)",
         fmt("%.2f", tg.front() / 1e6) + " / " + pctRow(pg, 1e-6, "%.2f"), "",
         tf.empty() ? "" : fmt("%.2f", pf.p50 / pg.p50) + " (failsh/gdnsd medians)", "", ""});
  info("e2e: " + std::to_string(o.trials) + " trials; nginx (one process) killed with SIGKILL at t0 after a random "
       "0.3-2.3 s; both servers asked every ms; p99 is nearest rank (with 20 trials, the largest)");
  if (sh > 0) stop(sh);
  stop(hc);
  stop(faild);
  stop(primary);
  stop(standby);
  if (gd > 0) stop(gd);
}

}  // namespace bench::dns
