// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failmon_bench: failmon against the speed goals of issue 15 (bench/failmon_bench.md):
//
//   "A state change at faild is on the curses screen within 100 ms (p99, measured
//    through tmux), also while 10,000 records are shown and 1,000 changes a second
//    arrive; a frame is rendered in <= 16 ms and failmon stays under 10% of a core at
//    that rate."                                     (failmon_bench_screen.cc)
//   "failmon.cgi renders a page of 10,000 records in <= 200 ms."  (failmon_bench_cgi.cc)
//
// Anchors in the same run: `failc watch` on the same faild (CPU per change of a plain
// stream client) and `failc list` of the same records (the floor of the page's time).
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "failmon_bench.hh"

namespace bench::mon {
namespace {

std::vector<Row> rows;

void usage() {
  std::cout <<
      "Usage: failmon_bench [OPTION]...\n"
      "Benchmarks failmon against the speed goals of issue 15 (bench/failmon_bench.md).\n\n"
      "  --quick            about a minute: a 12 s window, 30 runs of each CGI measure (still 200 samples)\n"
      "  --records N        records in faild (default 10000)\n"
      "  --rate N           changes a second on them during the screen measure (default 1000)\n"
      "  --samples N        marker changes timed on the screen (default 200)\n"
      "  --window S         seconds the samples are spread over, at least (default 30)\n"
      "  --warmup S         seconds of load before the window (default 3)\n"
      "  --size WxH         the tmux pane (default 160x50)\n"
      "  --poll-ms MS       pause between two captures while a marker is awaited (default 1)\n"
      "  --cgi-runs N       runs of each CGI measure and of failc list (default 100; ?format=json: the first 20)\n"
      "  --only LIST        screen,cgi (comma-separated)\n"
      "  --failmon PATH, --faild PATH, --failc PATH   programs (default: beside this one, as in a build)\n"
      "  --tmux PATH, --lighttpd PATH, --curl PATH    peers (default: from PATH)\n"
      "  --lighttpd-conf FILE   the lighttpd snippet to include (samples/lighttpd-failmon/lighttpd.conf;\n"
      "                     default: a minimal configuration of mod_cgi and mod_setenv)\n"
      "  --tmp DIR          where the temporary directory goes (default $TMPDIR or /tmp)\n"
      "  --keep             keep the temporary directory (logs, screens, the page)\n";
}

// `name` as an absolute path: itself when it holds a '/', else found in $PATH or
// /usr/sbin (lighttpd's home); "" when not found.
std::string which(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin";
  std::stringstream ss(path + ":/usr/sbin");
  for (std::string d; std::getline(ss, d, ':');)
    if (!d.empty() && ::access((d + "/" + name).c_str(), X_OK) == 0) return d + "/" + name;
  return "";
}

// Parses the command line into `o`; returns false after --help.
bool parse(const std::vector<std::string>& args, Options& o) {
  if (std::find(args.begin(), args.end(), "--quick") != args.end()) {
    o.quick = true;
    o.window = 12;
    o.warmup = 2;
    o.cgiRuns = 30;
  }
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) throw std::runtime_error(a + " needs a value");
      return args[++i];
    };
    if (a == "--quick") continue;
    else if (a == "--records") o.records = std::stoi(value());
    else if (a == "--rate") o.rate = std::stod(value());
    else if (a == "--samples") o.samples = std::stoi(value());
    else if (a == "--window") o.window = std::stod(value());
    else if (a == "--warmup") o.warmup = std::stod(value());
    else if (a == "--poll-ms") o.pollMs = std::stod(value());
    else if (a == "--cgi-runs") o.cgiRuns = std::stoi(value());
    else if (a == "--size") {
      std::string v = value();
      if (std::sscanf(v.c_str(), "%dx%d", &o.width, &o.height) != 2) throw std::runtime_error("--size: not WxH: " + v);
    } else if (a == "--only") {
      std::stringstream ss(value());
      for (std::string m; std::getline(ss, m, ',');) {
        if (m != "screen" && m != "cgi") throw std::runtime_error("--only: unknown measure " + m);
        o.only.push_back(m);
      }
    }
    else if (a == "--failmon") o.failmon = value();
    else if (a == "--faild") o.faild = value();
    else if (a == "--failc") o.failc = value();
    else if (a == "--tmux") o.tmux = value();
    else if (a == "--lighttpd") o.lighttpd = value();
    else if (a == "--curl") o.curl = value();
    else if (a == "--lighttpd-conf") o.lighttpdSnippet = value();
    else if (a == "--tmp") o.dir = value();
    else if (a == "--keep") o.keep = true;
    else if (a == "--help" || a == "-h") {
      usage();
      return false;
    } else {
      throw std::runtime_error("unknown option " + a);
    }
  }
  if (o.records < 1 || o.rate <= 0 || o.samples < 1 || o.cgiRuns < 1 || o.width < 20 || o.height < 5 || o.pollMs < 0)
    throw std::runtime_error("a size or rate out of range");
  return true;
}

}  // namespace

void addRow(Row row) { rows.push_back(std::move(row)); }

void printTable() { printGoalTable("failmon", rows); }

}  // namespace bench::mon

int main(int argc, char** argv) {
  using namespace bench;
  using namespace bench::mon;
  namespace fs = std::filesystem;
  Options o;
  try {
    if (!parse(std::vector<std::string>(argv + 1, argv + argc), o)) return 0;
  } catch (const std::exception& e) {
    std::cerr << "failmon_bench: " << e.what() << "\nTry 'failmon_bench --help'.\n";
    return 2;
  }
  std::string here = selfDir();
  if (o.failmon.empty()) o.failmon = here + "/../failmon/failmon";
  if (o.faild.empty()) o.faild = here + "/../faild/faild";
  if (o.failc.empty()) o.failc = here + "/../failc/failc";
  for (std::string* p : {&o.tmux, &o.lighttpd, &o.curl}) {
    std::string found = which(*p);
    if (found.empty()) {
      std::cerr << "failmon_bench: " << *p << " is not installed (./bootstrap --test installs it)\n";
      return 2;
    }
    *p = found;
  }
  for (std::string* p : {&o.failmon, &o.faild, &o.failc}) {
    if (::access(p->c_str(), X_OK) != 0) {
      std::cerr << "failmon_bench: " << *p << " is not an executable program\n";
      return 2;
    }
    *p = fs::absolute(*p).lexically_normal().string();
  }
  ::signal(SIGPIPE, SIG_IGN);
  std::string base = o.dir.empty() ? (std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") : o.dir;
  std::string tmpl = base + "/failmon-bench.XXXXXX";
  if (!::mkdtemp(tmpl.data())) {
    std::cerr << "failmon_bench: mkdtemp " << tmpl << ": " << std::strerror(errno) << "\n";
    return 1;
  }
  o.dir = tmpl;
  auto wanted = [&](const char* m) { return o.only.empty() || std::count(o.only.begin(), o.only.end(), m); };
  std::string loadStart = loadavg();
  bench::Clock::time_point started = bench::Clock::now();
  int rc = 0;
  try {
    if (wanted("screen")) runScreen(o);
    if (wanted("cgi")) runCgi(o);
  } catch (const std::exception& e) {
    std::cerr << "failmon_bench: " << e.what() << "\n(logs kept in " << o.dir << ")\n";
    o.keep = true;
    rc = 1;
  }
  std::cout << "\nfailmon_bench: " << fmt("%.0f", std::chrono::duration<double>(bench::Clock::now() - started).count())
            << " s; load average at start " << loadStart << ", at end " << loadavg() << "; "
            << std::thread::hardware_concurrency() << " CPUs\n\n";
  printTable();
  if (o.keep) {
    std::cout << "\ntemporary directory kept: " << o.dir << "\n";
  } else {
    std::error_code ec;
    fs::remove_all(o.dir, ec);
  }
  return rc;
}
