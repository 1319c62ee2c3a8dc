// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "mon/run.hh"

#include <event2/event.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>

#include "base/log.hh"
#include "base/time.hh"
#include "ev/ev.hh"
#include "mon/cgi.hh"
#include "mon/curses.hh"
#include "mon/render.hh"
#include "mon/target.hh"

namespace fail::mon {

namespace {

using BasePtr = std::unique_ptr<event_base, void (*)(event_base*)>;

// The connect timeout of a live Watcher: a target is marked Down within a few seconds.
WatcherOptions liveOptions(const Options& o) {
  WatcherOptions w;
  w.connectTimeout = std::min(w.connectTimeout, o.timeout);
  return w;
}

bool anyDown(const Model& m) {
  for (const Target& t : m.targets())
    if (t.reach == Reach::Down) return true;
  return false;
}

std::string render(const Options& o, const Model& m, Micros now) {
  if (o.json) return renderJson(m, now) + "\n";
  if (o.mode == Mode::Html) return renderHtml(m, HtmlOptions{}, now);
  return renderLines(m, now);
}

// A base that can watch any stdin: poll(2) says a regular file is readable, epoll
// refuses it.
BasePtr pollBase() {
  event_config* cfg = event_config_new();
  event_config_avoid_method(cfg, "epoll");
  event_base* b = event_base_new_with_config(cfg);
  event_config_free(cfg);
  if (!b) b = event_base_new();
  return BasePtr(b, event_base_free);
}

// Reads lines from a fd on the loop: `line` for each complete one, `end` at EOF.
struct LineReader {
  int fd;
  std::string buf;
  std::function<bool(const std::string&)> line;  // false: stop
  std::function<void()> end;

  // Reads what is there; false once reading should stop.
  bool pump() {
    char chunk[4096];
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    if (n <= 0) {
      if (!buf.empty() && !line(buf)) return false;
      end();
      return false;
    }
    buf.append(chunk, static_cast<std::size_t>(n));
    std::size_t at;
    while ((at = buf.find('\n')) != std::string::npos) {
      std::string l = buf.substr(0, at);
      buf.erase(0, at + 1);
      if (!l.empty() && l.back() == '\r') l.pop_back();
      if (!line(l)) return false;
    }
    return true;
  }
};

}  // namespace

int runOnce(const Options& o, std::ostream& out) {
  Model m = collect(o.targets, o.timeout);
  out << render(o, m, wallNow()) << std::flush;
  return anyDown(m) ? kExitUnreachable : kExitOk;
}

int runLines(const Options& o, int inFd, std::ostream& out) {
  BasePtr base = pollBase();
  Model model;
  Watcher watcher(base.get(), model, o.targets, liveOptions(o));
  LineReader reader{inFd, {}, {}, {}};
  reader.line = [&](const std::string& l) {
    if (l == "q") {
      event_base_loopbreak(base.get());
      return false;
    }
    out << render(o, model, wallNow()) << std::flush;
    return true;
  };
  reader.end = [&] { event_base_loopbreak(base.get()); };
  event* ev = event_new(
      base.get(), inFd, EV_READ | EV_PERSIST,
      [](evutil_socket_t, short, void* arg) {
        auto* r = static_cast<LineReader*>(arg);
        try {
          if (!r->pump()) r->end();
        } catch (const std::exception& e) {
          std::cerr << "failmon: " << e.what() << "\n";
          r->end();
        }
      },
      &reader);
  event_add(ev, nullptr);
  watcher.start();
  event_base_dispatch(base.get());
  event_free(ev);
  watcher.stop();
  return kExitOk;
}

int runCursesMode(const Options& o) {
  BasePtr base(event_base_new(), event_base_free);
  Model model;
  Watcher watcher(base.get(), model, o.targets, liveOptions(o));
  watcher.start();
  int rc = runCurses(base.get(), model, watcher);
  watcher.stop();
  return rc;
}

namespace {

std::string basename(const char* argv0) {
  std::string s = argv0 ? argv0 : "";
  auto slash = s.rfind('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
}

// Logging goes to stderr, quiet but for errors unless -d asks: the output (and the
// curses screen) shows what is down and why.
void setUpLogging(const Options& o) {
  cli::LogSettings s;
  s.logTo = "stderr";
  s.levels.emplace_back("all", "err");
  for (const auto& l : o.levels) s.levels.push_back(l);
  cli::setUpLogging("failmon", logFacilities(), s);
}

int runMode(const Options& o) {
  if (o.mode == Mode::Lines) return runLines(o, STDIN_FILENO, std::cout);
  if (o.json || o.mode == Mode::Once || o.mode == Mode::Html) return runOnce(o, std::cout);
  return runCursesMode(o);
}

}  // namespace

int failmonMain(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  std::string self = basename(argc > 0 ? argv[0] : nullptr);
  if (self == "failmon.cgi") return runCgi(CgiFlavour::Failmon, std::cout);
  if (self == "hcmon.cgi") return runCgi(CgiFlavour::Hcmon, std::cout);
  Options o;
  try {
    o = parseOptions(argc, argv, std::getenv("FAIL_SECRET"));
    if (o.help) return std::cout << usage(), kExitOk;
    if (o.version) return std::cout << versionLine() << "\n", kExitOk;
    setUpLogging(o);
  } catch (const cli::UsageError& e) {
    std::cerr << "failmon: " << e.what() << "\nTry 'failmon --help' for more information.\n";
    return kExitUsage;
  }
  for (const auto& t : o.targets)
    if (!t.link.secret.empty()) log::redact(t.link.secret);
  try {
    return runMode(o);
  } catch (const std::exception& e) {
    std::cerr << "failmon: " << e.what() << "\n";
    return kExitFailed;
  }
}

}  // namespace fail::mon
