// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "base/log.hh"

#include <fcntl.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <stdexcept>

namespace fail::log {
namespace {

struct Levels {
  const char* name;
  Level level;
};
constexpr Levels kLevels[] = {{"err", Level::Err},       {"warning", Level::Warning},
                              {"notice", Level::Notice}, {"info", Level::Info},
                              {"debug", Level::Debug}};

struct State {
  std::mutex mu;
  std::deque<Facility> facilities;  // deque: references stay valid
  Sink sink = Sink::Stderr;
  bool journal = false;  // stderr is connected to the systemd journal
  std::string path;
  int fd = 2;
  std::vector<std::string> secrets;  // redact(): never shown in a line
};

State& state() {
  static State* s = new State;  // never destroyed: loggers may run during exit
  return *s;
}

// systemd.exec(5): JOURNAL_STREAM holds "DEV:INODE" of the stream stderr is.
bool stderrIsJournal() {
  const char* js = std::getenv("JOURNAL_STREAM");
  if (!js) return false;
  struct stat st;
  if (fstat(2, &st) != 0) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(js, "%llu:%llu", &dev, &ino) != 2) return false;
  return dev == st.st_dev && ino == st.st_ino;
}

}  // namespace

bool parseLevel(std::string_view word, Level& out) {
  for (const auto& l : kLevels)
    if (word == l.name) {
      out = l.level;
      return true;
    }
  if (word == "error") {
    out = Level::Err;
    return true;
  }
  return false;
}

const char* levelName(Level level) {
  for (const auto& l : kLevels)
    if (l.level == level) return l.name;
  return "?";
}

Facility& facility(std::string_view name) {
  State& s = state();
  std::lock_guard lock(s.mu);
  for (auto& f : s.facilities)
    if (f.name == name) return f;
  s.facilities.push_back(Facility{std::string(name), Level::Notice});
  return s.facilities.back();
}

std::vector<std::pair<std::string, Level>> facilities() {
  State& s = state();
  std::lock_guard lock(s.mu);
  std::vector<std::pair<std::string, Level>> out;
  for (const auto& f : s.facilities) out.emplace_back(f.name, f.level);
  return out;
}

bool setLevel(std::string_view name, Level level) {
  State& s = state();
  std::lock_guard lock(s.mu);
  bool found = false;
  for (auto& f : s.facilities)
    if (name == "all" || f.name == name) {
      f.level = level;
      found = true;
    }
  return found;
}

void openSink(Sink sink, const std::string& ident, const std::string& path) {
  State& s = state();
  std::lock_guard lock(s.mu);
  if (sink == Sink::File) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0) throw std::runtime_error("cannot open log file " + path);
    if (s.fd > 2) ::close(s.fd);
    s.fd = fd;
    s.path = path;
  } else if (sink == Sink::Syslog) {
    static std::string kept;  // openlog keeps the pointer
    kept = ident;
    openlog(kept.c_str(), LOG_PID | LOG_NDELAY, LOG_DAEMON);
  }
  s.sink = sink;
  s.journal = sink == Sink::Stderr && stderrIsJournal();
}

bool reopen() {
  State& s = state();
  std::lock_guard lock(s.mu);
  if (s.sink != Sink::File) return true;
  int fd = ::open(s.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return false;
  ::close(s.fd);
  s.fd = fd;
  return true;
}

namespace {

std::string redactLocked(const State& s, std::string_view text) {
  std::string out(text);
  for (const std::string& secret : s.secrets)
    for (size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at + 3))
      out.replace(at, secret.size(), "***");
  return out;
}

}  // namespace

std::string redacted(std::string_view text) {
  State& s = state();
  std::lock_guard lock(s.mu);
  return redactLocked(s, text);
}

void redact(std::string_view secret) {
  if (secret.size() < kMinRedacted) return;
  State& s = state();
  std::lock_guard lock(s.mu);
  for (const std::string& known : s.secrets)
    if (known == secret) return;
  s.secrets.emplace_back(secret);
}

void write(const Facility& fac, Level level, std::string_view msg) {
  State& s = state();
  std::lock_guard lock(s.mu);
  std::string clean;
  if (!s.secrets.empty()) {
    clean = redactLocked(s, msg);
    msg = clean;
  }
  if (s.sink == Sink::Syslog) {
    syslog(static_cast<int>(level), "%s: %.*s", fac.name.c_str(), static_cast<int>(msg.size()),
           msg.data());
    return;
  }
  std::string line;
  if (s.journal) {
    line = "<" + std::to_string(static_cast<int>(level)) + ">";
  } else {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    localtime_r(&ts.tv_sec, &tm);
    char buf[64];
    size_t n = strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    std::snprintf(buf + n, sizeof buf - n, ".%03ld ", ts.tv_nsec / 1000000);
    line = buf;
    line += levelName(level);
    line += ' ';
  }
  line += fac.name;
  line += ": ";
  line.append(msg);
  line += '\n';
  ssize_t off = 0;
  while (off < static_cast<ssize_t>(line.size())) {
    ssize_t w = ::write(s.fd, line.data() + off, line.size() - off);
    if (w <= 0) break;
    off += w;
  }
}

}  // namespace fail::log
