// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// bench/failmon_bench, goals 1-3 in one run: failmon in a tmux pane of a fixed size
// watches a faild holding 10,000 records while 1,000 changes a second arrive on them; the
// marker record (sorted before them, so on the first screen) is set to a unique note and
// timed until capture-pane shows it. Over the same window: failmon's frame times from
// its `-d screen` log, its CPU, and the anchor's: `failc watch` on the same faild.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <cstdio>
#include <iostream>
#include <random>
#include <stdexcept>

#include "failmon_bench.hh"
#include "failmon_bench_tmux.hh"

namespace bench::mon {
namespace {

struct Sample {
  Clock::time_point set{}, ok{}, prevSent{}, seenSent{}, seenRecv{};
  bool seen = false;
  int captures = 0;
};

bool isSet(Clock::time_point t) { return t.time_since_epoch().count() != 0; }

// One frame of failmon's `-d screen` log (lib/mon/curses.cc logs, per frame at debug
// level, "frame build_us=N draw_us=M generation=G size=WxH"): the view's build and the
// ncurses draw (doupdate included), in microseconds. False when `line` is not one.
bool frameMicros(std::string_view line, double& build, double& draw) {
  size_t at = line.find("frame build_us=");
  size_t d = line.find(" draw_us=");
  if (at == std::string_view::npos || d == std::string_view::npos) return false;
  build = std::atof(std::string(line.substr(at + 15, 20)).c_str());
  draw = std::atof(std::string(line.substr(d + 9, 20)).c_str());
  return true;
}

// Whether a row of `screen` holds both `token` (the marker's note) and `state`.
bool shows(const std::string& screen, const std::string& token, const char* state) {
  size_t at = screen.find(token);
  if (at == std::string::npos) return false;
  size_t begin = screen.rfind('\n', at), end = screen.find('\n', at);
  std::string row = screen.substr(begin == std::string::npos ? 0 : begin, end == std::string::npos ? end : end - begin);
  return row.find(state) != std::string::npos;
}

struct Cpu {
  double failmon = 0, failc = 0, lines = 0, faild = 0, tmux = 0, self = 0;
  std::uint64_t changes = 0;
  Clock::time_point at;
};

class Rig {
 public:
  explicit Rig(const Options& o) : o_(o) {}
  ~Rig() {
    if (markerFd_ >= 0) ::close(markerFd_);
    if (failc_ > 0) stopProcess(failc_, 5);
    if (lines_ > 0) stopProcess(lines_, 5);
    if (linesIn_ >= 0) ::close(linesIn_);
    pane_.reset();
    stopFaild(faild_);
  }

  void start() {
    faild_ = startFaild(o_, "faild");
    fillRecords(faild_.port, o_.records);
    markerFd_ = connectLoopback(faild_.port);
    setMarker(0);
    waitOk();
    failmonLog_ = o_.dir + "/failmon.log";
    pane_ = std::make_unique<TmuxPane>(o_.tmux, o_.dir);
    std::string cmd = "exec '" + o_.failmon + "' -d screen 127.0.0.1:" + std::to_string(faild_.port) + " 2>>'" +
                      failmonLog_ + "'";
    pane_->start(o_.width, o_.height, cmd, {"LANG=C.UTF-8", "LC_ALL=C.UTF-8"});
    failmon_ = pane_->panePid();
    tmuxServer_ = pane_->serverPid();
    // The records of the (only) target are on the services screen.
    waitScreen("failmon's first screen", [](const std::string& s) { return s.find("faild") != std::string::npos; });
    pane_->command("send-keys -t bench l");
    waitScreen("the marker on the services screen", [](const std::string& s) { return s.find("m0x") != std::string::npos; });
    writeFile(o_.dir + "/screen-start.txt", pane_->capture());
    failc_ = spawn({o_.failc, "-h", "127.0.0.1", "-p", std::to_string(faild_.port), "watch"}, o_.dir + "/failc-watch.out");
    startLines();
  }

  void measure() {
    load_ = std::make_unique<ChangeLoad>(faild_.port, o_.records, o_.rate);
    // The warm-up has the load but no captures: the tmux server's CPU then is what
    // failmon's output costs it, the rest in the window is what the polling costs.
    Cpu w0 = cpuNow();
    std::this_thread::sleep_for(std::chrono::duration<double>(o_.warmup));
    Cpu w1 = cpuNow();
    tmuxIdlePct_ = 100 * (w1.tmux - w0.tmux) / std::chrono::duration<double>(w1.at - w0.at).count();
    failmonWarmPct_ = 100 * (w1.failmon - w0.failmon) / std::chrono::duration<double>(w1.at - w0.at).count();
    logStart_ = readFile(failmonLog_).size();
    Cpu c0 = cpuNow();
    std::mt19937 rng(12345);
    double meanGap = std::max(0.01, o_.window / o_.samples);
    std::uniform_real_distribution<double> gap(0.5 * meanGap, 1.5 * meanGap);
    for (int k = 1; k <= o_.samples; ++k) {
      sample(k);
      if (pane_->paneDead()) throw std::runtime_error("failmon exited: " + readFile(failmonLog_));
      std::this_thread::sleep_for(std::chrono::duration<double>(gap(rng)));
    }
    Cpu c1 = cpuNow();
    logEnd_ = readFile(failmonLog_).size();
    // For comparison, after the window (the load still on): a capture as a process of
    // its own, as a shell script would poll.
    for (int i = 0; i < 20; ++i) {
      std::string out;
      double t = timeRun({o_.tmux, "-S", pane_->socket(), "capture-pane", "-p", "-t", "bench"}, {}, false, out);
      if (t >= 0) captureProcess_.push_back(t);
    }
    load_->stop();
    writeFile(o_.dir + "/screen-end.txt", pane_->capture());
    report(c0, c1);
  }

 private:
  void setMarker(int k) {
    // A state change (UP and FAIL in turn) with a note never shown before.
    std::string line = std::string("SET ") + kMarker + (k % 2 ? " FAIL" : " UP") + " note=m" + std::to_string(k) + "x\n";
    if (::send(markerFd_, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size()))
      throw std::runtime_error("marker SET: send failed");
  }

  // Reads the marker connection's OK if it is there; `wait`: until it is.
  bool readOk(bool wait) {
    Clock::time_point deadline = Clock::now() + std::chrono::seconds(10);
    do {
      char buf[512];
      ssize_t n = ::recv(markerFd_, buf, sizeof buf, 0);
      if (n > 0) {
        okIn_.append(buf, static_cast<size_t>(n));
        size_t nl = okIn_.find('\n');
        if (nl != std::string::npos) {
          bool good = okIn_.compare(0, 9, "OK CHANGE") == 0;
          if (!good) throw std::runtime_error("marker SET answered " + okIn_.substr(0, nl));
          okIn_.erase(0, nl + 1);
          return true;
        }
      } else if (n == 0) {
        throw std::runtime_error("faild closed the marker connection");
      }
      if (wait) std::this_thread::sleep_for(std::chrono::microseconds(100));
    } while (wait && Clock::now() < deadline);
    if (wait) throw std::runtime_error("marker SET: no OK within 10 s");
    return false;
  }
  void waitOk() { readOk(true); }

  void waitScreen(const std::string& what, const std::function<bool(const std::string&)>& good) {
    Clock::time_point deadline = Clock::now() + std::chrono::seconds(30);
    std::string screen;
    while (Clock::now() < deadline) {
      screen = pane_->capture();
      if (good(screen)) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("no " + what + " within 30 s; the screen:\n" + screen + "\nfailmon's log:\n" +
                             readFile(failmonLog_));
  }

  void sample(int k) {
    Sample s;
    std::string token = "m" + std::to_string(k) + "x";
    s.set = Clock::now();
    setMarker(k);
    bool okRead = false;
    Clock::time_point deadline = s.set + std::chrono::seconds(5);
    Clock::time_point prev{};
    while (Clock::now() < deadline) {
      Clock::time_point sent, recv;
      std::string screen = pane_->capture(&sent, &recv);
      captureRtt_.push_back(ms(recv - sent) * 1000);
      ++s.captures;
      if (!okRead && readOk(false)) {
        okRead = true;
        s.ok = Clock::now();
      }
      if (shows(screen, token, k % 2 ? " FAIL " : " UP ")) {
        s.seen = true;
        s.seenSent = sent;
        s.seenRecv = recv;
        s.prevSent = isSet(prev) ? prev : s.set;
        break;
      }
      prev = sent;
      std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(o_.pollMs));
    }
    if (!okRead) waitOk();
    samples_.push_back(s);
  }

  // A second failmon in line mode (-l) on the same faild: its Watcher and Model without
  // a screen (it prints only when a line arrives on its stdin, and none does), to tell
  // the Watcher's share of failmon's CPU from the frames'.
  void startLines() {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) < 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    std::string out = o_.dir + "/failmon-lines.out", target = "127.0.0.1:" + std::to_string(faild_.port);
    lines_ = ::fork();
    if (lines_ == 0) {
      int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(p[0], 0);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::execl(o_.failmon.c_str(), o_.failmon.c_str(), "-l", target.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(p[0]);
    linesIn_ = p[1];
    if (lines_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }

  Cpu cpuNow() {
    Cpu c;
    c.at = Clock::now();
    c.failmon = cpuSeconds(failmon_);
    c.failc = cpuSeconds(failc_);
    c.lines = cpuSeconds(lines_);
    c.faild = cpuSeconds(faild_.pid);
    c.tmux = cpuSeconds(tmuxServer_);
    c.self = selfCpuSeconds();
    c.changes = load_->acked() + samples_.size();
    return c;
  }

  void report(const Cpu& c0, const Cpu& c1);

  const Options& o_;
  Faild faild_;
  std::unique_ptr<TmuxPane> pane_;
  std::unique_ptr<ChangeLoad> load_;
  pid_t failmon_ = -1, failc_ = -1, lines_ = -1, tmuxServer_ = -1;
  int linesIn_ = -1;  // the write end of `failmon -l`'s stdin, kept open and silent
  int markerFd_ = -1;
  std::string okIn_, failmonLog_;
  size_t logStart_ = 0, logEnd_ = 0;
  double tmuxIdlePct_ = 0, failmonWarmPct_ = 0;  // over the warm-up
  std::vector<Sample> samples_;
  std::vector<double> captureRtt_;  // microseconds
  std::vector<double> captureProcess_;  // ms: `tmux capture-pane` as a process
};

// The frame lines of failmon's log between byte offsets `from` and `to`, in ms.
struct Frames {
  std::vector<double> total, build, draw;
};
Frames readFrames(const std::string& log, size_t from, size_t to) {
  Frames f;
  for (size_t at = from, nl; at < log.size() && at < to; at = nl + 1) {
    nl = log.find('\n', at);
    if (nl == std::string::npos) nl = log.size();
    double build, draw;
    if (frameMicros(std::string_view(log).substr(at, nl - at), build, draw)) {
      f.total.push_back((build + draw) / 1000);
      f.build.push_back(build / 1000);
      f.draw.push_back(draw / 1000);
    }
  }
  return f;
}

void printDist(const std::string& what, std::vector<double> v, const char* unit) {
  Percentiles p = percentiles(v);
  std::printf("# %-58s n=%zu p50=%.2f %s p99=%.2f %s max=%.2f %s\n", what.c_str(), p.count, p.p50, unit, p.p99, unit,
              p.max, unit);
}

void Rig::report(const Cpu& c0, const Cpu& c1) {
  double wall = std::chrono::duration<double>(c1.at - c0.at).count();
  double changes = static_cast<double>(c1.changes - c0.changes);
  std::vector<double> seen, lower, ok, resolution, captures;
  size_t missing = 0;
  for (const Sample& s : samples_) {
    captures.push_back(s.captures);
    if (!s.seen) {
      ++missing;
      continue;
    }
    seen.push_back(ms(s.seenRecv - s.set));
    lower.push_back(ms(s.prevSent - s.set));
    resolution.push_back(ms(s.seenRecv - s.prevSent));
    if (isSet(s.ok)) ok.push_back(ms(s.ok - s.set));
  }
  Frames fr = readFrames(readFile(failmonLog_), logStart_, logEnd_);
  std::vector<double>&frames = fr.total, &builds = fr.build, &draws = fr.draw;
  size_t frameLines = frames.size();
  std::printf("# screen: %d x %d pane, %d records + marker, load %.0f changes/s (%.0f acked in the window, "
              "%llu errors, at most %llu SETs unanswered), window %.1f s, load average %s\n",
              o_.width, o_.height, o_.records, o_.rate, changes / wall, static_cast<unsigned long long>(load_->errors()),
              static_cast<unsigned long long>(load_->behind()), wall, loadavg().c_str());
  printDist("marker SET -> on screen (capture that showed it, read)", seen, "ms");
  printDist("marker SET -> last capture not showing it (lower bound)", lower, "ms");
  printDist("marker SET -> its OK read (faild)", ok, "ms");
  printDist("polling resolution (showing capture read - previous sent)", resolution, "ms");
  printDist("capture-pane round trip (control client)", captureRtt_, "us");
  printDist("captures per sample", captures, "");
  printDist("frame time, build + draw (failmon -d screen)", frames, "ms");
  printDist("frame time: the view's build", builds, "ms");
  printDist("frame time: the ncurses draw", draws, "ms");
  double pctFailmon = 100 * (c1.failmon - c0.failmon) / wall, pctFailc = 100 * (c1.failc - c0.failc) / wall;
  double pctTmux = 100 * (c1.tmux - c0.tmux) / wall, pctFaild = 100 * (c1.faild - c0.faild) / wall;
  double perFailmon = (c1.failmon - c0.failmon) * 1e6 / changes, perFailc = (c1.failc - c0.failc) * 1e6 / changes;
  double perLines = (c1.lines - c0.lines) * 1e6 / changes, pctLines = 100 * (c1.lines - c0.lines) / wall;
  std::printf("# CPU over the window: failmon %.2f s (%.1f%%), failc watch %.2f s (%.1f%%), failmon -l %.2f s (%.1f%%), "
              "faild %.2f s (%.1f%%), tmux server %.2f s (%.1f%%), this program %.2f s; %zu frames logged (%.1f/s)\n",
              c1.failmon - c0.failmon, pctFailmon, c1.failc - c0.failc, pctFailc, c1.lines - c0.lines, pctLines,
              c1.faild - c0.faild, pctFaild,
              c1.tmux - c0.tmux, pctTmux, c1.self - c0.self, frameLines, frameLines / wall);
  std::printf("# CPU over the warm-up (load, no captures): tmux server %.1f%%, failmon %.1f%%\n", tmuxIdlePct_,
              failmonWarmPct_);

  std::vector<double> s2 = seen, f2 = frames, r2 = captureRtt_;
  Percentiles ps = percentiles(s2), pf = percentiles(f2), pr = percentiles(r2);
  std::string sampleNote = missing ? " (" + std::to_string(missing) + " of " + std::to_string(samples_.size()) +
                                         " never seen)"
                                   : "";
  std::string n = " (n=" + std::to_string(seen.size()) + ")";
  addRow({"change -> curses screen via tmux, p50" + n, "(info)", fmt("%.1f ms", ps.p50), "-", "-", "-"});
  addRow({"change -> curses screen via tmux, p99" + n, "<= 100 ms", fmt("%.1f ms", ps.p99) + sampleNote, "-", "-",
          (missing == 0 && ps.count >= 200 && ps.p99 <= 100) ? "yes" : (ps.count < 200 ? "NO (< 200 samples)" : "NO")});
  addRow({"change -> curses screen via tmux, max", "(info)", fmt("%.1f ms", ps.max), "-", "-", "-"});
  std::vector<double> res2 = resolution;
  Percentiles pres = percentiles(res2);
  addRow({"  polling adds: capture round trip p50/p99 (+ pause)", "(info)",
          fmt("%.2f", pr.p50 / 1000) + "/" + fmt("%.2f ms", pr.p99 / 1000) + " (+ " + fmt("%.1f ms", o_.pollMs) + ")",
          "-", "-", "-"});
  std::vector<double> cp = captureProcess_;
  Percentiles pcp = percentiles(cp);
  addRow({"  (a capture as its own tmux process instead, p50/p99)", "(info)",
          fmt("%.2f", pcp.p50) + "/" + fmt("%.2f ms", pcp.p99), "-", "-", "-"});
  addRow({"  polling resolution (seen read - last unseen sent) p50/p99", "(info)",
          fmt("%.2f", pres.p50) + "/" + fmt("%.2f ms", pres.p99), "-", "-", "-"});
  addRow({"  polling costs: tmux server CPU while polling (anchor: no polling)", "(info)", fmt("%.1f%%", pctTmux),
          fmt("%.1f%%", tmuxIdlePct_), ratio(pctTmux, tmuxIdlePct_), "-"});
  std::string nf = " (n=" + std::to_string(frames.size()) + ")";
  Percentiles pb = percentiles(builds), pd = percentiles(draws);
  addRow({"frame time (build + draw) p50" + nf, "(info)", fmt("%.2f ms", pf.p50), "-", "-", "-"});
  addRow({"frame time (build + draw) p99" + nf, "<= 16 ms", fmt("%.2f ms", pf.p99), "-", "-",
          frames.empty() ? "NO (no frame lines)" : (pf.p99 <= 16 ? "yes" : "NO")});
  addRow({"frame time (build + draw) max", "(info)", fmt("%.2f ms", pf.max), "-", "-", "-"});
  addRow({"  view build p50/p99, ncurses draw p50/p99", "(info)",
          fmt("%.2f", pb.p50) + "/" + fmt("%.2f", pb.p99) + ", " + fmt("%.2f", pd.p50) + "/" + fmt("%.2f ms", pd.p99),
          "-", "-", "-"});
  addRow({"  frames a second", "(info)", fmt("%.1f", frameLines / wall), "-", "-", "-"});
  addRow({"failmon CPU, % of a core (anchor: failc watch)", "<= 10%", fmt("%.1f%%", pctFailmon),
          fmt("%.1f%%", pctFailc), ratio(pctFailmon, pctFailc), pctFailmon <= 10 ? "yes" : "NO"});
  addRow({"  CPU per change (anchor: failc watch)", "(info)", fmt("%.1f us", perFailmon), fmt("%.1f us", perFailc),
          ratio(perFailmon, perFailc), "-"});
  addRow({"  the Watcher alone: failmon -l, CPU per change (anchor: failc watch)", "(info)", fmt("%.1f us", perLines),
          fmt("%.1f us", perFailc), ratio(perLines, perFailc), "-"});
}

}  // namespace

void runScreen(const Options& o) {
  std::cout << "# screen: load average " << loadavg() << "\n" << std::flush;
  Rig rig(o);
  rig.start();
  rig.measure();
}

}  // namespace bench::mon
