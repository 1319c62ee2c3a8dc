// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// notify_bench: failsh's notifications (issue 17) against their speed goals, on loopback.
//
// (a) A record's change (SET on faild) to the webhook's arrival at a local receiver, with
//     `-after 0`: p99 <= 50 ms. The anchor, in the same failsh and for the very same SET:
//     a Tcl callback (fail::on change) writing the record's name to a TCP socket of this
//     benchmark. Both paths share faild -> WATCH -> failsh's engine, so the difference is
//     the notification's own cost (rules, template, the durable SQLite queue, libcurl, HTTP)
//     and nothing else; a curl POST from here would measure curl's start-up instead.
// (b) A storm: 10,000 records failing within a second. Meanwhile a probe record changes
//     50 times a second and failsh's Tcl callback for it is timed (failsh_bench.md's
//     loopback goal: 5 ms p99), against the same storm in a failsh without notifications;
//     the storm channel's arrivals show the rate limit (-rate 50/10s: 50 alerts, then one
//     digest naming the rest); failsh's RSS before, after and at its peak.
//
// The receiver is this program's own HTTP/1.1 server (a thread per connection, 200 with
// no body), so that its arrival time is taken when the request's last byte is read.
// Every time is std::chrono::steady_clock in this process.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/loadgen.hh"
#include "bench/report.hh"

namespace {

using namespace bench;
namespace fs = std::filesystem;

struct Options {
  std::string failsh, faild;
  int changes = 500;
  double rate = 20;
  int storm = 10000;
  double observe = 25;   // seconds of probes and arrivals after the storm starts
  double probeRate = 50;
  std::string tmpBase;
  bool keep = false;
};

void usage() {
  std::cout << "Usage: notify_bench [OPTION]...\n"
               "Benchmarks failsh's notifications: SET -> webhook arrival (anchor: a Tcl callback of the same\n"
               "failsh), and a storm of failures (anchor: the same storm in a failsh without notifications).\n\n"
               "  --quick          200 changes, a storm of 10,000, 15 s observed\n"
               "  --changes N      changes of the latency measure (default 500)\n"
               "  --rate N         their rate per second (default 20)\n"
               "  --storm N        records of the storm (default 10000)\n"
               "  --observe S      seconds observed from the storm's start (default 25)\n"
               "  --failsh PATH, --faild PATH   programs (default: beside this one, as in a build)\n"
               "  --tmp DIR        where the temporary directory goes (default $TMPDIR or /tmp)\n"
               "  --keep           keep the temporary directory (policies, logs, the queue)\n";
}

// ---- sockets ----

int listenLoopback(int& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 || ::listen(fd, 64) < 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) < 0)
    throw std::runtime_error(std::string("listen: ") + std::strerror(errno));
  port = ntohs(a.sin_port);
  return fd;
}

// A server of threads: one accepting, one per connection running `serve(fd)`; stop()
// shuts every socket down and joins them all.
class Threads {
 public:
  explicit Threads(std::function<void(int)> serve) : serve_(std::move(serve)) {
    listen_ = listenLoopback(port_);
    accepter_ = std::thread([this] {
      for (;;) {
        int fd = ::accept4(listen_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
          if (errno == EINTR || errno == ECONNABORTED) continue;
          return;  // shut down
        }
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        std::lock_guard<std::mutex> lock(mu_);
        fds_.push_back(fd);
        workers_.emplace_back([this, fd] { serve_(fd); });
      }
    });
  }
  ~Threads() { stop(); }
  void stop() {
    if (listen_ < 0) return;
    ::shutdown(listen_, SHUT_RDWR);
    accepter_.join();
    ::close(listen_);
    listen_ = -1;
    std::lock_guard<std::mutex> lock(mu_);
    for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
    for (auto& t : workers_) t.join();
    for (int fd : fds_) ::close(fd);
  }
  int port() const { return port_; }

 private:
  std::function<void(int)> serve_;
  int listen_ = -1, port_ = 0;
  std::thread accepter_;
  std::mutex mu_;
  std::vector<int> fds_;
  std::vector<std::thread> workers_;
};

// ---- what arrives ----

struct Arrival {
  std::string path, record, kind, count;
  Clock::time_point at;
};

class Arrivals {
 public:
  void add(Arrival a) {
    std::lock_guard<std::mutex> lock(mu_);
    all_.push_back(std::move(a));
  }
  std::vector<Arrival> snapshot() {
    std::lock_guard<std::mutex> lock(mu_);
    return all_;
  }
  void clear() {
    std::lock_guard<std::mutex> lock(mu_);
    all_.clear();
  }

 private:
  std::mutex mu_;
  std::vector<Arrival> all_;
};

std::string headerValue(const std::string& head, const std::string& name) {
  std::string lower = head;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  std::string key = "\r\n" + name + ":";
  size_t at = lower.find(key);
  if (at == std::string::npos) return "";
  size_t start = head.find_first_not_of(' ', at + key.size()), end = head.find("\r\n", at + key.size());
  return head.substr(start, end - start);
}

// The webhook receiver: each request timed when its body is whole, answered 200 at once.
void serveHttp(int fd, Arrivals& out) {
  std::string buf;
  char tmp[65536];
  for (;;) {
    size_t headEnd = buf.find("\r\n\r\n");
    if (headEnd != std::string::npos) {
      std::string head = buf.substr(0, headEnd);
      size_t length = std::strtoul(headerValue(head, "content-length").c_str(), nullptr, 10);
      if (buf.size() >= headEnd + 4 + length) {
        Arrival a;
        a.at = Clock::now();
        a.path = head.substr(head.find(' ') + 1, head.find(' ', head.find(' ') + 1) - head.find(' ') - 1);
        a.kind = headerValue(head, "x-failover-event");
        auto j = nlohmann::json::parse(buf.substr(headEnd + 4, length), nullptr, false);
        if (j.is_object()) {
          a.record = j.value("record", "");
          if (j.contains("count")) a.count = j["count"].is_string() ? j["count"].get<std::string>() : j["count"].dump();
        }
        buf.erase(0, headEnd + 4 + length);
        static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
        if (::send(fd, ok, sizeof ok - 1, MSG_NOSIGNAL) < 0) return;
        out.add(std::move(a));
        continue;
      }
    }
    ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) return;
    buf.append(tmp, static_cast<size_t>(n));
  }
}

// The anchor: lines (record names) written by the policy's Tcl callback.
void serveLines(int fd, Arrivals& out) {
  std::string buf;
  char tmp[65536];
  for (;;) {
    ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) return;
    Clock::time_point at = Clock::now();
    buf.append(tmp, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = buf.find('\n', start)) != std::string::npos; start = nl + 1)
      out.add({"tcl", buf.substr(start, nl - start), "", "", at});
    buf.erase(0, start);
  }
}

// ---- processes ----

struct Rig {
  pid_t faild = -1, failsh = -1;
  int faildPort = 0;
  ~Rig() {
    if (failsh > 0) stopProcess(failsh, 10);
    if (faild > 0) stopProcess(faild, 10);
  }
};

// The policy: the anchor's callback always; the channels and rules with `notify`.
std::string policy(int faildPort, int anchorPort, int hookPort, bool notify) {
  std::string p = "failhost localhost port " + std::to_string(faildPort) + "\n" +
                  "set ::out [socket 127.0.0.1 " + std::to_string(anchorPort) + "]\n"
                  "fconfigure $::out -buffering line -translation lf\n"
                  "proc on_change {what rec} {\n"
                  "    if {[dict get $rec state] eq \"FAIL\"} { puts $::out [dict get $rec name] }\n"
                  "}\n"
                  "fail::on change lat* on_change\n"
                  "fail::on change probe* on_change\n";
  if (notify) {
    std::string url = "http://127.0.0.1:" + std::to_string(hookPort);
    p += "fail::notify channel hook -webhook " + url + "/hook -rate 1000000/1s\n"
         "fail::notify on lat* -to hook -after 0s -resolved no\n"
         "fail::notify channel storm -webhook " + url + "/storm -rate 50/10s\n"
         "fail::notify on storm* -to storm -after 0s -resolved no\n";
  }
  return p;
}

// Starts faild, then failsh with the policy `text` makes for faild's port.
void startRig(Rig& rig, const Options& o, const std::string& dir, const std::string& tag,
              const std::function<std::string(int faildPort)>& text) {
  rig.faildPort = freePort();
  rig.faild = spawn({o.faild, "--memory", "--no-http", "--listen", "127.0.0.1:" + std::to_string(rig.faildPort)},
                    dir + "/" + tag + "-faild.log");
  auto good = [](const Reply& r) { return r.ok; };
  if (timeToFirstAnswer(Proto::Line, rig.faildPort, rig.faild, "PING\n", good, Clock::now(), 10) < 0)
    throw std::runtime_error("faild did not start: " + readFile(dir + "/" + tag + "-faild.log"));
  writeFile(dir + "/" + tag + ".tcl", text(rig.faildPort));
  rig.failsh = spawn({o.failsh, "-f", dir + "/" + tag + ".tcl", "-m", "none", "-l", dir + "/" + tag + ".dump",
                      "--notify-db", dir + "/" + tag + "-notify.db"},
                     dir + "/" + tag + "-failsh.log");
}

// Waits until `done` holds (polling every millisecond); false after `seconds`.
bool await(const std::function<bool()>& done, double seconds) {
  auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  while (Clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return done();
}

bool arrived(Arrivals& a, const std::string& path, const std::string& record) {
  auto s = a.snapshot();
  return std::any_of(s.begin(), s.end(), [&](const Arrival& x) { return x.path == path && x.record == record; });
}

// First arrival per record on `path`.
std::map<std::string, Clock::time_point> firstBy(Arrivals& a, const std::string& path) {
  std::map<std::string, Clock::time_point> out;
  for (auto& x : a.snapshot())
    if (x.path == path) out.emplace(x.record, x.at);
  return out;
}

long vmHwmKiB(pid_t pid) {
  std::string s = readFile("/proc/" + std::to_string(pid) + "/status");
  size_t at = s.find("VmHWM:");
  return at == std::string::npos ? -1 : std::atol(s.c_str() + at + 6);
}

std::vector<double> micros(const std::vector<std::pair<Clock::time_point, Clock::time_point>>& pairs) {
  std::vector<double> out;
  for (auto& [a, b] : pairs) out.push_back(std::chrono::duration<double, std::micro>(b - a).count());
  return out;
}

std::string msOf(double us) { return fmt("%.2f ms", us / 1000); }

void printDist(const std::string& what, std::vector<double> us) {
  Percentiles p = percentiles(us);
  std::printf("# %-52s n=%zu p50 %.2f ms  p99 %.2f ms  max %.2f ms\n", what.c_str(), p.count, p.p50 / 1000,
              p.p99 / 1000, p.max / 1000);
}

std::vector<GoalRow> table;

// ---- (a) latency ----

void latency(const Options& o, Rig& rig, Arrivals& hooks, Arrivals& lines) {
  SyncClient set(Proto::Line, rig.faildPort);
  // Warm-up, not counted: failsh connected, its queue open, libcurl's connection made.
  for (int i = 0; i < 5; ++i) {
    set.call("SET latw" + std::to_string(i) + " FAIL\n");
    if (!await([&] { return arrived(hooks, "/hook", "latw" + std::to_string(i)) &&
                            arrived(lines, "tcl", "latw" + std::to_string(i)); }, 30))
      throw std::runtime_error("warm-up change latw" + std::to_string(i) + " did not arrive");
  }
  std::vector<Clock::time_point> sent(static_cast<size_t>(o.changes));
  auto gap = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / o.rate));
  auto next = Clock::now();
  for (int i = 0; i < o.changes; ++i) {
    std::this_thread::sleep_until(next);
    next += gap;
    sent[static_cast<size_t>(i)] = Clock::now();
    Reply r = set.call("SET lat" + std::to_string(i) + " FAIL\n");
    if (!r.ok) throw std::runtime_error("SET: " + set.lastText());
  }
  std::string last = "lat" + std::to_string(o.changes - 1);
  await([&] { return arrived(hooks, "/hook", last) && arrived(lines, "tcl", last); }, 30);
  auto hook = firstBy(hooks, "/hook"), tcl = firstBy(lines, "tcl");
  std::vector<std::pair<Clock::time_point, Clock::time_point>> toHook, toTcl, tclToHook;
  size_t missing = 0;
  for (int i = 0; i < o.changes; ++i) {
    std::string name = "lat" + std::to_string(i);
    auto h = hook.find(name), t = tcl.find(name);
    if (h == hook.end() || t == tcl.end()) {
      ++missing;
      continue;
    }
    toHook.emplace_back(sent[static_cast<size_t>(i)], h->second);
    toTcl.emplace_back(sent[static_cast<size_t>(i)], t->second);
    tclToHook.emplace_back(t->second, h->second);
  }
  std::vector<double> a = micros(toHook), b = micros(toTcl), c = micros(tclToHook);
  printDist("(a) SET sent -> webhook arrived", a);
  printDist("(a) SET sent -> Tcl callback's line (anchor)", b);
  printDist("(a) Tcl callback's line -> webhook (notify's own)", c);
  if (missing) std::printf("# (a) %zu of %d changes did not arrive on both paths\n", missing, o.changes);
  Percentiles pa = percentiles(a), pb = percentiles(b), pc = percentiles(c);
  table.push_back({"(a) SET -> webhook arrival, p99 (-after 0, " + fmt("%.0f", o.rate) + "/s)", "<= 50 ms",
                   msOf(pa.p99), msOf(pb.p99) + " (Tcl callback)", ratio(pa.p99, pb.p99),
                   pa.p99 <= 50000 && missing == 0 ? "yes" : "no"});
  table.push_back({"(a) SET -> webhook arrival, p50", "", msOf(pa.p50), msOf(pb.p50), ratio(pa.p50, pb.p50), ""});
  table.push_back({"(a) notify's own share (callback -> webhook), p99", "", msOf(pc.p99), "", "", ""});
}

// ---- (b) the storm ----

struct StormResult {
  std::vector<double> probe;  // µs, SET -> Tcl line
  long rssBefore = -1, rssAfter = -1, hwm = -1;
  size_t alerts = 0, digests = 0, alertsFirstWindow = 0;
  std::string digestCount;
  double digestAt = -1, lastAlertAt = -1, stormSeconds = 0;
};

StormResult storm(const Options& o, Rig& rig, Arrivals& hooks, Arrivals& lines) {
  StormResult res;
  hooks.clear();
  lines.clear();
  res.rssBefore = vmRssKiB(rig.failsh);
  // The storm: one connection, 10 pipelined batches 100 ms apart (all within a second).
  auto start = Clock::now();
  std::string stormError;
  std::thread stormer([&] {
    SyncClient c(Proto::Line, rig.faildPort);
    int batches = 10, per = (o.storm + batches - 1) / batches, done = 0;
    for (int b = 0; b < batches && done < o.storm; ++b) {
      std::this_thread::sleep_until(start + std::chrono::milliseconds(100 * b));
      std::string batch;
      int n = std::min(per, o.storm - done);
      for (int i = 0; i < n; ++i) batch += "SET storm-" + std::to_string(done + i) + " FAIL\n";
      Reply r = c.call(batch);  // the first reply; the rest are read below
      for (int i = 1; i < n && r.ok; ++i) r = c.call("");
      if (!r.ok) return void(stormError = "storm SET: " + c.lastText());
      done += n;
    }
    res.stormSeconds = secondsSince(start);
  });
  // The probes, meanwhile: a new name each time, so each is a change to FAIL.
  SyncClient set(Proto::Line, rig.faildPort);
  std::vector<std::pair<std::string, Clock::time_point>> probes;
  auto gap = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / o.probeRate));
  auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.observe));
  for (auto next = start; next < end; next += gap) {
    std::this_thread::sleep_until(next);
    std::string name = "probe" + std::to_string(probes.size());
    probes.emplace_back(name, Clock::now());
    set.call("SET " + name + " FAIL\n");
  }
  stormer.join();
  if (!stormError.empty()) throw std::runtime_error(stormError);
  await([&] { return arrived(lines, "tcl", probes.back().first); }, 10);
  res.rssAfter = vmRssKiB(rig.failsh);
  res.hwm = vmHwmKiB(rig.failsh);
  auto tcl = firstBy(lines, "tcl");
  for (auto& [name, at] : probes)
    if (auto t = tcl.find(name); t != tcl.end())
      res.probe.push_back(std::chrono::duration<double, std::micro>(t->second - at).count());
  for (auto& a : hooks.snapshot()) {
    if (a.path != "/storm") continue;
    double t = std::chrono::duration<double>(a.at - start).count();
    if (a.kind == "digest") {
      ++res.digests;
      res.digestCount = a.count;
      if (res.digestAt < 0) res.digestAt = t;
    } else {
      ++res.alerts;
      res.lastAlertAt = std::max(res.lastAlertAt, t);
      if (t < 10) ++res.alertsFirstWindow;
    }
  }
  return res;
}

int run(const Options& o) {
  std::string base = o.tmpBase.empty() ? (std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") : o.tmpBase;
  std::string tmpl = base + "/notify_bench-XXXXXX";
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp in " + base);
  std::string dir = tmpl;
  std::cout << "# notify_bench in " << dir << ", load average " << loadavg() << "\n" << std::flush;

  Arrivals hooks, lines;
  Threads receiver([&](int fd) { serveHttp(fd, hooks); });
  Threads anchor([&](int fd) { serveLines(fd, lines); });

  StormResult with, without;
  {
    Rig rig;
    startRig(rig, o, dir, "notify", [&](int port) { return policy(port, anchor.port(), receiver.port(), true); });
    latency(o, rig, hooks, lines);
    std::cout << "# (a) done, load average " << loadavg() << "\n" << std::flush;
    with = storm(o, rig, hooks, lines);
    std::cout << "# (b) with notifications done, load average " << loadavg() << "\n" << std::flush;
  }
  {
    Rig rig;
    startRig(rig, o, dir, "plain", [&](int port) { return policy(port, anchor.port(), receiver.port(), false); });
    SyncClient set(Proto::Line, rig.faildPort);
    set.call("SET latw0 FAIL\n");
    if (!await([&] { return arrived(lines, "tcl", "latw0"); }, 30))
      throw std::runtime_error("the plain failsh did not start: " + readFile(dir + "/plain-failsh.log"));
    without = storm(o, rig, hooks, lines);
    std::cout << "# (b) without notifications done, load average " << loadavg() << "\n" << std::flush;
  }
  printDist("(b) probe SET -> Tcl callback, storm + notifications", with.probe);
  printDist("(b) probe SET -> Tcl callback, storm, no notifications", without.probe);
  std::printf("# (b) without notifications: the storm sent in %.2f s\n", without.stormSeconds);
  std::printf("# (b) storm of %d sent in %.2f s; storm channel: %zu alerts (%zu in the first 10 s, last at %.1f s), "
              "%zu digest(s), the first at %.1f s naming %s\n",
              o.storm, with.stormSeconds, with.alerts, with.alertsFirstWindow, with.lastAlertAt, with.digests,
              with.digestAt, with.digestCount.c_str());
  std::printf("# (b) failsh RSS: with notifications %ld -> %ld KiB (peak %ld); without %ld -> %ld KiB (peak %ld)\n",
              with.rssBefore, with.rssAfter, with.hwm, without.rssBefore, without.rssAfter, without.hwm);
  Percentiles pw = percentiles(with.probe), po = percentiles(without.probe);
  table.push_back({"(b) storm of " + std::to_string(o.storm) + ": probe callback p99", "<= 5 ms (failsh_bench)",
                   msOf(pw.p99), msOf(po.p99) + " (no notifications)", ratio(pw.p99, po.p99),
                   pw.p99 <= 5000 ? "yes" : "no"});
  table.push_back({"(b) storm: probe callback p50", "", msOf(pw.p50), msOf(po.p50), ratio(pw.p50, po.p50), ""});
  bool drained = with.alertsFirstWindow <= 50 && with.alerts <= 50 && with.digests == 1 &&
                 with.digestCount == std::to_string(o.storm - static_cast<int>(with.alerts));
  table.push_back({"(b) storm: messages (-rate 50/10s)", "<= 50, then 1 digest",
                   std::to_string(with.alerts) + " alerts, " + std::to_string(with.digests) + " digest (" +
                       with.digestCount + " records) at " + fmt("%.1f s", with.digestAt),
                   "", "", drained ? "yes" : "no"});
  table.push_back({"(b) storm: failsh RSS before -> after (peak)", "bounded",
                   fmt("%.1f", with.rssBefore / 1024.0) + " -> " + fmt("%.1f MiB", with.rssAfter / 1024.0) + " (" +
                       fmt("%.1f", with.hwm / 1024.0) + ")",
                   fmt("%.1f", without.rssBefore / 1024.0) + " -> " + fmt("%.1f MiB", without.rssAfter / 1024.0) +
                       " (" + fmt("%.1f", without.hwm / 1024.0) + ")",
                   ratio(static_cast<double>(with.rssAfter), static_cast<double>(without.rssAfter)), ""});
  printGoalTable("failsh", table);
  std::cout << "# load average " << loadavg() << "\n";
  receiver.stop();
  anchor.stop();
  if (!o.keep) fs::remove_all(dir);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  Options o;
  o.failsh = selfDir() + "/../failsh/failsh";
  o.faild = selfDir() + "/../faild/faild";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return argv[++i];
    };
    try {
      if (a == "--help" || a == "-h") return usage(), 0;
      if (a == "--quick") o.changes = 200, o.observe = 15;
      else if (a == "--changes") o.changes = std::stoi(value());
      else if (a == "--rate") o.rate = std::stod(value());
      else if (a == "--storm") o.storm = std::stoi(value());
      else if (a == "--observe") o.observe = std::stod(value());
      else if (a == "--failsh") o.failsh = value();
      else if (a == "--faild") o.faild = value();
      else if (a == "--tmp") o.tmpBase = value();
      else if (a == "--keep") o.keep = true;
      else throw std::runtime_error("unknown option " + a);
    } catch (const std::exception& e) {
      std::cerr << "notify_bench: " << e.what() << " (--help lists the options)\n";
      return 2;
    }
  }
  if (o.changes < 1 || o.rate <= 0 || o.storm < 1 || o.observe < 12) {
    std::cerr << "notify_bench: --changes and --storm need at least 1, --rate more than 0, --observe 12 s or more\n";
    return 2;
  }
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::cerr << "notify_bench: " << e.what() << "\n";
    return 1;
  }
}
