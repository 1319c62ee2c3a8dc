// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failsh_bench: measures failsh against the loopback goals of its issue (bench/failsh_bench.md):
//
//   "A change in faild reaches the policy callback and its action starts within 5 ms
//    (p99) on loopback."
//   "1,000 services at a 1 s interval cost at most 10% of one core."
//
// latency  One faild (--memory) and one failsh whose policy subscribes
//          `fail::on change bench* on_change`. The callback's action is either a line
//          written to a TCP connection this program listens on (names bench<N>, benchb<N>)
//          or `fail::exec` of bench/failsh_bench_notify (names benchx<N>), which sends a
//          datagram carrying its own start time (CLOCK_MONOTONIC) to a Unix socket here.
//          This program sends `SET NAME UP|FAIL note=s<SEQ>` on its own connection to
//          faild and times, per change, from just before the send (and from reading its
//          OK) to the action arriving. The anchor, in the same run and for the very same
//          changes: a plain `WATCH bench*` connection of this program on that faild (time
//          from the SET to its CHANGE line), so action - CHANGE is failsh's own share.
//          Runs: steady (a fixed rate), bursts (N SETs written at once), exec.
// cpu      Peers on loopback: a master faild holding svc<N> UP, a slave faild holding them
//          RECOVER, a witness faild holding host:peer UP; a local faild; a failsh with
//          1,000 `failsvc svc<N> interval 1s masters {peer}` (variants add `slaves {low}`
//          and `witness {wit}`). After a warm-up: CPU (utime+stime, /proc/PID/stat) of
//          failsh and of every faild over the window; runs and skipped runs from two
//          SIGUSR1 dumps (-l FILE) at the window's ends.
//
// All times are std::chrono::steady_clock (CLOCK_MONOTONIC) in this process, except the
// start time the exec'd program reads itself from the same clock.
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "loadgen.hh"
#include "report.hh"
#include "proto/list.hh"

namespace {

using namespace bench;
namespace fs = std::filesystem;
using std::chrono::duration;

struct Options {
  std::string failsh, faild, notify;
  int steadyRounds = 3, steadyChanges = 1000;
  double steadyRate = 200;
  int bursts = 20, burstSize = 100;
  int execChanges = 1000;
  double execRate = 100;
  int services = 1000;
  double warmup = 10, window = 30;
  std::vector<std::string> variants = {"M", "MS", "MSW"};
  std::set<std::string> only;
  bool keep = false;
  std::string tmpBase;
};

void usage() {
  std::cout <<
      "Usage: failsh_bench [OPTION]...\n"
      "Benchmarks failsh against its loopback goals (callback latency, CPU of 1,000 services).\n\n"
      "  --quick              about one minute: 1 steady round, 5 bursts, 300 execs, variants M and MSW,\n"
      "                       5 s warm-up and 15 s windows\n"
      "  --rounds N           steady rounds (default 3)\n"
      "  --changes N          changes per steady round (default 1000)\n"
      "  --rate N             changes per second in the steady rounds (default 200)\n"
      "  --bursts N, --burst-size N   bursts of N SETs written at once (default 20 x 100)\n"
      "  --exec-changes N, --exec-rate N   the fail::exec measure (default 1000 at 100/s)\n"
      "  --services N         services of the CPU measure (default 1000)\n"
      "  --warmup S, --window S   CPU measure: seconds of warm-up and of the window (10, 30)\n"
      "  --variants LIST      CPU variants, comma-separated: M (masters), MS (+slaves), MSW (+witness)\n"
      "  --only LIST          latency,exec,cpu (comma-separated)\n"
      "  --failsh PATH, --faild PATH, --notify PATH   programs (default: beside this one, as in a build)\n"
      "  --tmp DIR            where the temporary directory goes (default $TMPDIR or /tmp)\n"
      "  --keep               keep the temporary directory (logs, policies, dumps)\n";
}

// ---- processes ----

struct Proc {
  std::string tag;
  pid_t pid = -1;
  int port = 0;
  std::string log;
};

bool answersPing(const Proc& p, double timeout) {
  auto good = [](const Reply& r) { return r.ok; };
  return timeToFirstAnswer(Proto::Line, p.port, p.pid, "PING\n", good, Clock::now(), timeout) >= 0;
}

Proc startFaild(const Options& o, const std::string& dir, const std::string& tag) {
  Proc p;
  p.tag = tag;
  p.port = freePort();
  p.log = dir + "/" + tag + ".log";
  p.pid = spawn({o.faild, "--memory", "--no-http", "--listen", "127.0.0.1:" + std::to_string(p.port)}, p.log);
  if (!answersPing(p, 10)) throw std::runtime_error(tag + " did not start: " + readFile(p.log));
  return p;
}

void stop(Proc& p) {
  if (p.pid > 0) stopProcess(p.pid, 10);
  p.pid = -1;
}

// ---- sockets ----

int listenTcp(int& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 || ::listen(fd, 4) < 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) < 0)
    throw std::runtime_error(std::string("listen: ") + std::strerror(errno));
  port = ntohs(a.sin_port);
  return fd;
}

int connectTcp(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0)
    throw std::runtime_error("connect to port " + std::to_string(port) + ": " + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

int bindUnixDgram(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (path.size() >= sizeof a.sun_path) throw std::runtime_error("socket path too long: " + path);
  std::strcpy(a.sun_path, path.c_str());
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0)
    throw std::runtime_error("bind " + path + ": " + std::strerror(errno));
  return fd;
}

void setNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

void writeAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n > 0) {
      off += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, 100);
    } else {
      throw std::runtime_error(std::string("send: ") + std::strerror(errno));
    }
  }
}

// ---- latency ----

enum class Phase { Steady, Burst, Exec };

struct Sample {
  Phase phase;
  Clock::time_point send{}, ok{}, watch{}, action{}, child{};
};

bool set(Clock::time_point t) { return t.time_since_epoch().count() != 0; }

// Reads what is there; calls `line` for each complete line, all with the same read time.
bool readLines(int fd, std::string& buf, const std::function<void(std::string_view, Clock::time_point)>& line) {
  char tmp[65536];
  for (;;) {
    ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
    if (n == 0) return false;
    if (n < 0) return errno == EAGAIN || errno == EINTR;
    Clock::time_point at = Clock::now();
    buf.append(tmp, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = buf.find('\n', start)) != std::string::npos; start = nl + 1)
      line(std::string_view(buf).substr(start, nl - start), at);
    buf.erase(0, start);
  }
}

// "s123" -> 123 (a change), "p7" -> probe 7.
bool parseToken(std::string_view t, char kind, std::uint64_t& out) {
  if (t.size() < 2 || t[0] != kind) return false;
  std::uint64_t v = 0;
  for (char c : t.substr(1)) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  out = v;
  return true;
}

class LatencyRig {
 public:
  LatencyRig(const Options& o, const std::string& dir) : o_(o), dir_(dir) {}
  ~LatencyRig() {
    for (int fd : {setFd_, watchFd_, actFd_, listenFd_, dgramFd_, ep_})
      if (fd >= 0) ::close(fd);
    stop(failsh_);
    stop(faild_);
  }

  void start() {
    faild_ = startFaild(o_, dir_, "lat-faild");
    int actPort = 0;
    listenFd_ = listenTcp(actPort);
    std::string sock = dir_ + "/notify.sock";
    dgramFd_ = bindUnixDgram(sock);
    std::string policy = dir_ + "/latency.tcl";
    writeFile(policy,
              "# failsh_bench latency policy: every change of bench* starts an action.\n"
              "failhost localhost port " + std::to_string(faild_.port) + "\n" +
              "set ::out [socket 127.0.0.1 " + std::to_string(actPort) + "]\n" +
              "fconfigure $::out -buffering line -translation lf\n"
              "proc on_change {what rec} {\n"
              "    set note [dict get $rec note]\n"
              "    if {[string match benchx* [dict get $rec name]]} {\n"
              "        fail::exec {" + o_.notify + "} {" + sock + "} $note\n" +
              "    } else {\n"
              "        puts $::out $note\n"
              "    }\n"
              "}\n"
              "fail::on change bench* on_change\n");
    failsh_.tag = "lat-failsh";
    failsh_.log = dir_ + "/lat-failsh.log";
    failsh_.pid = spawn({o_.failsh, "-f", policy, "-m", "none", "-l", dir_ + "/lat-failsh.dump"}, failsh_.log);
    pollfd p{listenFd_, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) throw std::runtime_error("failsh did not connect: " + readFile(failsh_.log));
    actFd_ = ::accept4(listenFd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (actFd_ < 0) throw std::runtime_error(std::string("accept: ") + std::strerror(errno));

    setFd_ = connectTcp(faild_.port);
    watchFd_ = connectTcp(faild_.port);
    writeAll(watchFd_, "WATCH bench*\n");
    // Blocking until SYNCED, then non-blocking.
    std::string buf;
    bool synced = false;
    while (!synced) {
      char tmp[4096];
      ssize_t n = ::recv(watchFd_, tmp, sizeof tmp, 0);
      if (n <= 0) throw std::runtime_error("WATCH failed");
      buf.append(tmp, static_cast<size_t>(n));
      if (buf.find("ERR") == 0) throw std::runtime_error("WATCH: " + buf);
      synced = buf.find("SYNCED") != std::string::npos;
    }
    setNonBlocking(setFd_);
    setNonBlocking(watchFd_);
    ep_ = ::epoll_create1(EPOLL_CLOEXEC);
    for (int fd : {setFd_, watchFd_, actFd_, dgramFd_}) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.fd = fd;
      ::epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev);
    }
    // failsh is ready once a change reaches its callback.
    Clock::time_point deadline = Clock::now() + std::chrono::seconds(15);
    for (std::uint64_t k = 1; probe_ == 0; ++k) {
      if (Clock::now() > deadline) throw std::runtime_error("failsh's callback never ran: " + readFile(failsh_.log));
      pendingOk_.push_back(UINT64_MAX);
      writeAll(setFd_, "SET benchprobe " + std::string(k % 2 ? "UP" : "FAIL") + " note=p" + std::to_string(k) + "\n");
      for (int i = 0; i < 10 && probe_ == 0; ++i) poll(10);
    }
    for (int i = 0; i < 20; ++i) poll(5);  // let the probes' echoes drain
  }

  // `count` changes at `rate` per second on names PREFIX0..PREFIX15.
  void steady(Phase phase, const std::string& prefix, int count, double rate) {
    size_t first = samples_.size();
    Clock::time_point t0 = Clock::now();
    for (int i = 0; i < count; ++i) {
      Clock::time_point due = t0 + std::chrono::duration_cast<Clock::duration>(duration<double>(i / rate));
      for (Clock::time_point now; (now = Clock::now()) < due;)
        poll(static_cast<int>(std::ceil(ms(due - now))));
      std::string name = prefix + std::to_string(i % 16);
      sendOne(phase, name, (i / 16) % 2 ? "FAIL" : "UP");
    }
    drain(first, std::chrono::seconds(phase == Phase::Exec ? 15 : 5));
  }

  // `bursts` times: `size` SETs (names benchb0..) written at once, then wait for them.
  void burst(int bursts, int size) {
    for (int b = 0; b < bursts; ++b) {
      size_t first = samples_.size();
      std::string out;
      for (int i = 0; i < size; ++i) {
        std::uint64_t seq = samples_.size();
        samples_.push_back(Sample{Phase::Burst});
        pendingOk_.push_back(seq);
        out += "SET benchb" + std::to_string(i) + (b % 2 ? " FAIL" : " UP") + " note=s" + std::to_string(seq) + "\n";
      }
      Clock::time_point now = Clock::now();
      for (size_t i = first; i < samples_.size(); ++i) samples_[i].send = now;
      writeAll(setFd_, out);
      drain(first, std::chrono::seconds(5));
      for (Clock::time_point until = Clock::now() + std::chrono::milliseconds(100); Clock::now() < until;) poll(20);
    }
  }

  const std::vector<Sample>& samples() const { return samples_; }
  std::uint64_t errors() const { return errors_; }
  const std::string& firstError() const { return firstError_; }
  pid_t failshPid() const { return failsh_.pid; }
  pid_t faildPid() const { return faild_.pid; }

 private:
  void sendOne(Phase phase, const std::string& name, const char* state) {
    std::uint64_t seq = samples_.size();
    samples_.push_back(Sample{phase});
    pendingOk_.push_back(seq);
    std::string line = "SET " + name + " " + state + " note=s" + std::to_string(seq) + "\n";
    samples_[seq].send = Clock::now();
    writeAll(setFd_, line);
  }

  bool complete(size_t first) const {
    for (size_t i = first; i < samples_.size(); ++i) {
      const Sample& s = samples_[i];
      if (!set(s.action) || !set(s.watch) || !set(s.ok)) return false;
    }
    return true;
  }

  void drain(size_t first, Clock::duration limit) {
    Clock::time_point until = Clock::now() + limit;
    while (!complete(first) && Clock::now() < until) poll(20);
  }

  void error(const std::string& what) {
    if (errors_++ == 0) firstError_ = what;
  }

  void poll(int timeoutMs) {
    epoll_event evs[8];
    int n = ::epoll_wait(ep_, evs, 8, std::max(0, timeoutMs));
    for (int i = 0; i < n; ++i) {
      int fd = evs[i].data.fd;
      bool alive = true;
      if (fd == setFd_) {
        alive = readLines(fd, setIn_, [this](std::string_view l, Clock::time_point at) { onOk(l, at); });
      } else if (fd == watchFd_) {
        alive = readLines(fd, watchIn_, [this](std::string_view l, Clock::time_point at) { onWatch(l, at); });
      } else if (fd == actFd_) {
        alive = readLines(fd, actIn_, [this](std::string_view l, Clock::time_point at) { onAction(l, at); });
      } else if (fd == dgramFd_) {
        onDatagrams();
      }
      if (!alive) throw std::runtime_error("a connection closed during the latency measure; failsh log:\n" +
                                           readFile(failsh_.log) + "\nfaild log:\n" + readFile(faild_.log));
    }
  }

  void onOk(std::string_view l, Clock::time_point at) {
    if (pendingOk_.empty()) return error("unexpected reply " + std::string(l));
    std::uint64_t seq = pendingOk_.front();
    pendingOk_.pop_front();
    if (l.rfind("OK CHANGE", 0) != 0) error("SET answered " + std::string(l));
    if (seq != UINT64_MAX) samples_[seq].ok = at;
  }

  void onWatch(std::string_view l, Clock::time_point at) {
    std::vector<std::string> w, rec;
    if (!fail::proto::splitList(l, w) || w.size() < 3 || w[0] != "CHANGE") return;
    if (!fail::proto::splitList(w[2], rec)) return;
    for (size_t i = 0; i + 1 < rec.size(); i += 2)
      if (rec[i] == "note") {
        std::uint64_t seq;
        if (parseToken(rec[i + 1], 's', seq) && seq < samples_.size() && !set(samples_[seq].watch))
          samples_[seq].watch = at;
      }
  }

  void onAction(std::string_view l, Clock::time_point at) {
    std::uint64_t seq;
    if (parseToken(l, 'p', seq)) {
      probe_ = seq;
    } else if (parseToken(l, 's', seq) && seq < samples_.size()) {
      if (!set(samples_[seq].action)) samples_[seq].action = at;
    } else {
      error("unexpected action line " + std::string(l));
    }
  }

  void onDatagrams() {
    char buf[256];
    for (;;) {
      ssize_t n = ::recv(dgramFd_, buf, sizeof buf - 1, 0);
      if (n <= 0) return;
      Clock::time_point at = Clock::now();
      std::string_view d(buf, static_cast<size_t>(n));
      size_t sp = d.find(' ');
      std::uint64_t seq;
      if (sp == std::string_view::npos || !parseToken(d.substr(0, sp), 's', seq) || seq >= samples_.size()) {
        error("unexpected datagram " + std::string(d));
        continue;
      }
      long long ns = std::atoll(std::string(d.substr(sp + 1)).c_str());
      Sample& s = samples_[seq];
      if (set(s.action)) continue;
      s.action = at;
      s.child = Clock::time_point(std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(ns)));
    }
  }

  const Options& o_;
  std::string dir_;
  Proc faild_, failsh_;
  int setFd_ = -1, watchFd_ = -1, actFd_ = -1, listenFd_ = -1, dgramFd_ = -1, ep_ = -1;
  std::string setIn_, watchIn_, actIn_;
  std::deque<std::uint64_t> pendingOk_;  // UINT64_MAX: a probe
  std::vector<Sample> samples_;
  std::uint64_t probe_ = 0;
  std::uint64_t errors_ = 0;
  std::string firstError_;
};

// ---- the table ----

using Line = GoalRow;
std::vector<Line> table;

void printTable() { printGoalTable("failsh", table); }

struct Dist {
  Percentiles p;
  size_t missing = 0;
};

// Milliseconds from `a` to `b` over the samples of `phase` that have both.
Dist dist(const std::vector<Sample>& s, Phase phase, Clock::time_point Sample::*a, Clock::time_point Sample::*b) {
  std::vector<double> v;
  Dist d;
  for (const Sample& x : s) {
    if (x.phase != phase) continue;
    if (!set(x.*a) || !set(x.*b)) {
      ++d.missing;
      continue;
    }
    v.push_back(ms(x.*b - x.*a));
  }
  d.p = percentiles(v);
  return d;
}

void reportDist(const std::string& what, const Dist& d) {
  std::printf("# %-44s n=%zu missing=%zu p50=%.3f ms p99=%.3f ms max=%.3f ms\n", what.c_str(), d.p.count, d.missing,
              d.p.p50, d.p.p99, d.p.max);
}

// Three rows (p50, p99, max) of a failsh path against its WATCH anchor; the goal on p99.
void latencyRows(const std::string& label, const Dist& f, const Dist& a, const std::string& anchorLabel, bool goal) {
  auto add = [&](const char* which, double fv, double av, bool withGoal) {
    Line l;
    l.measure = label + ", " + which + (anchorLabel.empty() ? "" : " (anchor: " + anchorLabel + ")");
    l.goal = withGoal ? "<= 5 ms" : "(info)";
    l.value = fmt("%.3f ms", fv);
    if (f.missing) l.value += " (" + std::to_string(f.missing) + " missing)";
    l.anchor = anchorLabel.empty() ? "-" : fmt("%.3f ms", av);
    l.ratio = anchorLabel.empty() ? "-" : ratio(fv, av);
    l.met = withGoal ? (f.missing == 0 && fv <= 5 ? "yes" : "NO") : "-";
    table.push_back(l);
  };
  add("p50", f.p.p50, a.p.p50, false);
  add("p99", f.p.p99, a.p.p99, goal);
  add("max", f.p.max, a.p.max, false);
}

void runLatency(const Options& o, const std::string& dir, bool steadyOn, bool execOn) {
  std::cout << "# latency: load average " << loadavg() << "\n" << std::flush;
  LatencyRig rig(o, dir);
  rig.start();
  double cpu0 = cpuSeconds(rig.failshPid()), fcpu0 = cpuSeconds(rig.faildPid());
  if (steadyOn) {
    for (int r = 0; r < o.steadyRounds; ++r) {
      rig.steady(Phase::Steady, "bench", o.steadyChanges, o.steadyRate);
      std::cout << "# steady round " << r + 1 << " done (" << o.steadyChanges << " changes at " << o.steadyRate
                << "/s)\n" << std::flush;
    }
    rig.burst(o.bursts, o.burstSize);
    std::cout << "# bursts done (" << o.bursts << " x " << o.burstSize << ")\n" << std::flush;
  }
  if (execOn) rig.steady(Phase::Exec, "benchx", o.execChanges, o.execRate);
  double cpu1 = cpuSeconds(rig.failshPid()), fcpu1 = cpuSeconds(rig.faildPid());
  const auto& s = rig.samples();
  if (rig.errors()) std::cout << "# errors: " << rig.errors() << ", first: " << rig.firstError() << "\n";
  std::printf("# latency phase CPU: failsh %.2f s, faild %.2f s for %zu changes (%.1f us, %.1f us per change)\n",
              cpu1 - cpu0, fcpu1 - fcpu0, s.size(), (cpu1 - cpu0) * 1e6 / std::max<size_t>(1, s.size()),
              (fcpu1 - fcpu0) * 1e6 / std::max<size_t>(1, s.size()));

  using S = Sample;
  if (steadyOn) {
    std::string rate = fmt("%.0f", o.steadyRate) + "/s";
    Dist act = dist(s, Phase::Steady, &S::send, &S::action), watch = dist(s, Phase::Steady, &S::send, &S::watch);
    Dist okAct = dist(s, Phase::Steady, &S::ok, &S::action), okWatch = dist(s, Phase::Steady, &S::ok, &S::watch);
    Dist own = dist(s, Phase::Steady, &S::watch, &S::action);
    Dist bAct = dist(s, Phase::Burst, &S::send, &S::action), bWatch = dist(s, Phase::Burst, &S::send, &S::watch);
    Dist bOwn = dist(s, Phase::Burst, &S::watch, &S::action);
    reportDist("steady: SET sent -> action line", act);
    reportDist("steady: SET sent -> WATCH CHANGE (anchor)", watch);
    reportDist("steady: OK read -> action line", okAct);
    reportDist("steady: OK read -> WATCH CHANGE (anchor)", okWatch);
    reportDist("steady: WATCH CHANGE -> action line", own);
    reportDist("burst: SET sent -> action line", bAct);
    reportDist("burst: SET sent -> WATCH CHANGE (anchor)", bWatch);
    reportDist("burst: WATCH CHANGE -> action line", bOwn);
    latencyRows("steady " + rate + ": SET sent -> action (TCP line)", act, watch, "SET -> WATCH CHANGE", true);
    latencyRows("steady " + rate + ": OK read -> action (TCP line)", okAct, okWatch, "OK -> WATCH CHANGE", true);
    latencyRows("steady: failsh's share (action - CHANGE, per change)", own, own, "", false);
    latencyRows("burst of " + std::to_string(o.burstSize) + ": SET sent -> action", bAct, bWatch,
                "SET -> WATCH CHANGE", true);
  }
  if (execOn) {
    std::string rate = fmt("%.0f", o.execRate) + "/s";
    Dist start = dist(s, Phase::Exec, &S::send, &S::child), heard = dist(s, Phase::Exec, &S::send, &S::action);
    Dist okStart = dist(s, Phase::Exec, &S::ok, &S::child), watch = dist(s, Phase::Exec, &S::send, &S::watch);
    Dist own = dist(s, Phase::Exec, &S::watch, &S::child);
    reportDist("exec: SET sent -> program running", start);
    reportDist("exec: SET sent -> its datagram", heard);
    reportDist("exec: OK read -> program running", okStart);
    reportDist("exec: SET sent -> WATCH CHANGE (anchor)", watch);
    reportDist("exec: WATCH CHANGE -> program running", own);
    latencyRows("exec " + rate + ": SET sent -> fail::exec'd program running", start, watch, "SET -> WATCH CHANGE",
                true);
    latencyRows("exec " + rate + ": OK read -> program running", okStart, okStart, "", true);
  }
  std::cout << "# latency: load average " << loadavg() << "\n" << std::flush;
}

// ---- CPU of many services ----

struct DumpTotals {
  long long runs = 0, skipped = 0, services = 0;
  bool ok = false;
};

DumpTotals parseDump(const std::string& text) {
  DumpTotals t;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("policy calls=", 0) == 0) t.ok = true;
    if (line.rfind("service ", 0) != 0) continue;
    ++t.services;
    auto num = [&](const char* key) -> long long {
      size_t at = line.find(key);
      return at == std::string::npos ? 0 : std::atoll(line.c_str() + at + std::strlen(key));
    };
    t.runs += num(" runs=");
    t.skipped += num(" skipped=");
  }
  return t;
}

DumpTotals dumpNow(pid_t pid, const std::string& path) {
  ::unlink(path.c_str());
  ::kill(pid, SIGUSR1);
  for (int i = 0; i < 1000; ++i) {
    DumpTotals t = parseDump(readFile(path));
    if (t.ok) return t;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  throw std::runtime_error("no dump in " + path);
}

struct Peers {
  Proc master, slave, witness;
};

void fill(const Proc& p, const std::string& prefix, int n, const char* state) {
  SyncClient c(Proto::Line, p.port);
  for (int i = 0; i < n; ++i) {
    Reply r = c.call("SET " + prefix + std::to_string(i) + " " + state + " note=bench\n");
    if (!r.ok) throw std::runtime_error(p.tag + ": SET failed: " + c.lastText());
  }
}

void runCpuVariant(const Options& o, const std::string& dir, Peers& peers, const std::string& variant) {
  bool slaves = variant.find('S') != std::string::npos, witness = variant.find('W') != std::string::npos;
  std::string v = "cpu-" + variant;
  std::cout << "# cpu " << variant << ": load average " << loadavg() << "\n" << std::flush;
  Proc local = startFaild(o, dir, v + "-local-faild");
  std::string policy = dir + "/" + v + ".tcl";
  {
    std::ostringstream p;
    p << "# failsh_bench CPU policy, variant " << variant << "\n"
      << "failhost localhost port " << local.port << "\n"
      << "failhost peer address 127.0.0.1 port " << peers.master.port << "\n"
      << "failhost low address 127.0.0.1 port " << peers.slave.port << "\n"
      << "failhost wit address 127.0.0.1 port " << peers.witness.port << "\n";
    for (int i = 0; i < o.services; ++i)
      p << "failsvc svc" << i << " interval 1s masters {peer}" << (slaves ? " slaves {low}" : "")
        << (witness ? " witness {wit}" : "") << "\n";
    writeFile(policy, p.str());
  }
  Proc sh;
  sh.tag = v + "-failsh";
  sh.log = dir + "/" + sh.tag + ".log";
  sh.port = freePort();
  std::string dumpPath = dir + "/" + sh.tag + ".dump";
  sh.pid = spawn({o.failsh, "-f", policy, "-m", "127.0.0.1:" + std::to_string(sh.port), "-l", dumpPath}, sh.log);
  // Ready: the last service holds a state in the local faild.
  std::string last = "GET svc" + std::to_string(o.services - 1) + "\n";
  if (timeToFirstAnswer(Proto::Line, local.port, sh.pid, last, [](const Reply& r) { return r.ok; }, Clock::now(),
                        30) < 0)
    throw std::runtime_error("failsh did not start its services: " + readFile(sh.log));
  std::this_thread::sleep_for(duration<double>(o.warmup));

  std::vector<Proc*> servers = {&local, &peers.master};
  if (slaves) servers.push_back(&peers.slave);
  if (witness) servers.push_back(&peers.witness);
  auto cpuOf = [&](std::vector<double>& out) {
    out.clear();
    for (Proc* p : servers) out.push_back(cpuSeconds(p->pid));
  };
  std::vector<double> srv0, srv1;
  DumpTotals d0 = dumpNow(sh.pid, dumpPath);
  Clock::time_point t0 = Clock::now();
  double c0 = cpuSeconds(sh.pid);
  cpuOf(srv0);
  std::string load0 = loadavg();
  std::this_thread::sleep_for(duration<double>(o.window));
  double c1 = cpuSeconds(sh.pid);
  cpuOf(srv1);
  double wall = duration<double>(Clock::now() - t0).count();
  DumpTotals d1 = dumpNow(sh.pid, dumpPath);
  long rss = vmRssKiB(sh.pid);
  std::string load1 = loadavg();
  std::string errs;
  {
    // Log lines read "DATE TIME LEVEL FACILITY: ..."; count the err and warning ones.
    std::istringstream log(readFile(sh.log));
    size_t n = 0;
    for (std::string line; std::getline(log, line);)
      if (line.find(" err ") != std::string::npos || line.find(" warning ") != std::string::npos) ++n;
    if (n) errs = std::to_string(n);
  }
  stop(sh);
  stop(local);

  double cpu = c1 - c0;
  long long runs = d1.runs - d0.runs, skipped = d1.skipped - d0.skipped;
  double expected = o.services * wall / 1.0;
  double pct = 100 * cpu / wall, perRun = runs > 0 ? cpu * 1e6 / static_cast<double>(runs) : NAN;
  double masterCpu = srv1[1] - srv0[1];
  double masterPct = 100 * masterCpu / wall, perGet = runs > 0 ? masterCpu * 1e6 / static_cast<double>(runs) : NAN;
  std::printf("# cpu %s: window %.1f s, failsh CPU %.2f s = %.1f%% of one core, runs %lld of %.0f expected, "
              "skipped %lld, %.1f us per run, RSS %.1f MB, load %s -> %s%s\n",
              variant.c_str(), wall, cpu, pct, runs, expected, skipped, perRun, rss / 1024.0, load0.c_str(),
              load1.c_str(), errs.empty() ? "" : (", failsh log lines at err/warning: " + errs).c_str());
  const char* names[] = {"local faild", "master faild", "slave faild", "witness faild"};
  std::vector<std::string> serverNames = {names[0], names[1]};
  if (slaves) serverNames.push_back(names[2]);
  if (witness) serverNames.push_back(names[3]);
  for (size_t i = 0; i < servers.size(); ++i)
    std::printf("# cpu %s: %s CPU %.2f s = %.1f%% of one core\n", variant.c_str(), serverNames[i].c_str(),
                srv1[i] - srv0[i], 100 * (srv1[i] - srv0[i]) / wall);

  std::string polls = std::string("1 GET") + (slaves ? " +1 GET" : "") + (witness ? " +1 GET" : "");
  std::string label = "cpu " + variant + " (" + std::to_string(o.services) + " svc, 1s, " + polls + "/run)";
  Line l;
  l.measure = label + ": failsh % of one core (anchor: master faild)";
  l.goal = "<= 10%";
  l.value = fmt("%.1f%%", pct);
  l.anchor = fmt("%.1f%%", masterPct);
  l.ratio = ratio(pct, masterPct);
  l.met = pct <= 10 ? "yes" : "NO";
  table.push_back(l);
  l = Line{};
  l.measure = "  failsh CPU per service run (anchor: master faild per GET)";
  l.goal = "(info)";
  l.value = fmt("%.1f us", perRun);
  l.anchor = fmt("%.1f us", perGet);
  l.ratio = ratio(perRun, perGet);
  l.met = "-";
  table.push_back(l);
  l = Line{};
  l.measure = "  runs done / expected (skipped)";
  l.goal = "(info)";
  l.value = std::to_string(runs) + " / " + fmt("%.0f", expected) + " (" + std::to_string(skipped) + ")";
  l.anchor = "-";
  l.ratio = fmt("%.3f", runs / expected);
  l.met = "-";
  table.push_back(l);
  double all = 0;
  for (size_t i = 0; i < servers.size(); ++i) all += srv1[i] - srv0[i];
  l = Line{};
  l.measure = "  all faild CPU (local + peers), % of one core";
  l.goal = "(info)";
  l.value = fmt("%.1f%%", 100 * all / wall);
  l.anchor = "-";
  l.ratio = "-";
  l.met = "-";
  table.push_back(l);
}

void runCpu(const Options& o, const std::string& dir) {
  Peers peers;
  peers.master = startFaild(o, dir, "peer-master-faild");
  peers.slave = startFaild(o, dir, "peer-slave-faild");
  peers.witness = startFaild(o, dir, "peer-witness-faild");
  try {
    fill(peers.master, "svc", o.services, "UP");
    fill(peers.slave, "svc", o.services, "RECOVER");
    SyncClient w(Proto::Line, peers.witness.port);  // the witness's view of the master
    if (!w.call("SET host:peer UP note=bench\n").ok) throw std::runtime_error("witness: SET failed: " + w.lastText());
    for (const auto& v : o.variants) runCpuVariant(o, dir, peers, v);
  } catch (...) {
    stop(peers.master);
    stop(peers.slave);
    stop(peers.witness);
    throw;
  }
  stop(peers.master);
  stop(peers.slave);
  stop(peers.witness);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (std::find(args.begin(), args.end(), "--quick") != args.end()) {
    o.steadyRounds = 1;
    o.bursts = 5;
    o.execChanges = 300;
    o.variants = {"M", "MSW"};
    o.warmup = 5;
    o.window = 15;
  }
  try {
    for (size_t i = 0; i < args.size(); ++i) {
      const std::string& a = args[i];
      auto value = [&]() -> std::string {
        if (i + 1 >= args.size()) throw std::runtime_error(a + " needs a value");
        return args[++i];
      };
      auto list = [&](const std::string& text) {
        std::vector<std::string> out;
        std::stringstream ss(text);
        for (std::string m; std::getline(ss, m, ',');) out.push_back(m);
        return out;
      };
      if (a == "--quick") continue;
      else if (a == "--rounds") o.steadyRounds = std::stoi(value());
      else if (a == "--changes") o.steadyChanges = std::stoi(value());
      else if (a == "--rate") o.steadyRate = std::stod(value());
      else if (a == "--bursts") o.bursts = std::stoi(value());
      else if (a == "--burst-size") o.burstSize = std::stoi(value());
      else if (a == "--exec-changes") o.execChanges = std::stoi(value());
      else if (a == "--exec-rate") o.execRate = std::stod(value());
      else if (a == "--services") o.services = std::stoi(value());
      else if (a == "--warmup") o.warmup = std::stod(value());
      else if (a == "--window") o.window = std::stod(value());
      else if (a == "--variants") o.variants = list(value());
      else if (a == "--only") for (auto& m : list(value())) o.only.insert(m);
      else if (a == "--failsh") o.failsh = value();
      else if (a == "--faild") o.faild = value();
      else if (a == "--notify") o.notify = value();
      else if (a == "--tmp") o.tmpBase = value();
      else if (a == "--keep") o.keep = true;
      else if (a == "--help" || a == "-h") {
        usage();
        return 0;
      } else {
        throw std::runtime_error("unknown option " + a);
      }
    }
    for (const auto& v : o.variants)
      if (v != "M" && v != "MS" && v != "MW" && v != "MSW") throw std::runtime_error("unknown variant " + v);
    if (o.steadyRate <= 0 || o.execRate <= 0 || o.services < 1) throw std::runtime_error("bad sizes");
  } catch (const std::exception& e) {
    std::cerr << "failsh_bench: " << e.what() << "\nTry 'failsh_bench --help'.\n";
    return 2;
  }
  std::string here = selfDir();
  if (o.failsh.empty()) o.failsh = here + "/../failsh/failsh";
  if (o.faild.empty()) o.faild = here + "/../faild/faild";
  if (o.notify.empty()) o.notify = here + "/failsh_bench_notify";
  for (const std::string& p : {o.failsh, o.faild, o.notify})
    if (::access(p.c_str(), X_OK) != 0) {
      std::cerr << "failsh_bench: " << p << " is not an executable program\n";
      return 2;
    }
  o.failsh = fs::absolute(o.failsh).lexically_normal().string();
  o.faild = fs::absolute(o.faild).lexically_normal().string();
  o.notify = fs::absolute(o.notify).lexically_normal().string();
  ::signal(SIGPIPE, SIG_IGN);

  std::string base = o.tmpBase;
  if (base.empty()) base = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp";
  std::string tmpl = base + "/failsh-bench.XXXXXX";
  if (!::mkdtemp(tmpl.data())) {
    std::cerr << "failsh_bench: mkdtemp " << tmpl << ": " << std::strerror(errno) << "\n";
    return 1;
  }
  std::string dir = tmpl;
  auto wanted = [&](const char* m) { return o.only.empty() || o.only.count(m); };
  std::string loadStart = loadavg();
  Clock::time_point started = Clock::now();
  int rc = 0;
  try {
    if (wanted("latency") || wanted("exec")) runLatency(o, dir, wanted("latency"), wanted("exec"));
    if (wanted("cpu")) runCpu(o, dir);
  } catch (const std::exception& e) {
    std::cerr << "failsh_bench: " << e.what() << "\n(logs kept in " << dir << ")\n";
    o.keep = true;
    rc = 1;
  }
  std::cout << "\nfailsh_bench: " << fmt("%.0f", duration<double>(Clock::now() - started).count())
            << " s; load average at start " << loadStart << ", at end " << loadavg() << "; "
            << std::thread::hardware_concurrency() << " CPUs\n\n";
  printTable();
  if (o.keep) {
    std::cout << "\ntemporary directory kept: " << dir << "\n";
  } else {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  return rc;
}
