// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Logging with per-facility levels, changeable at run time (faildebug, DEBUG).
//
// A facility is a named subsystem ("store", "watch"); each has its own threshold.
// Messages go to one sink: stderr (with sd-daemon "<N>" prefixes when stderr is the
// journal), syslog(3), or a file reopened on SIGHUP. Single-threaded except where a
// function says otherwise: write() may be called from any thread.
#pragma once

#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fail::log {

enum class Level { Err = 3, Warning = 4, Notice = 5, Info = 6, Debug = 7 };

// "err", "warning", ... ; nullopt-like false on an unknown word.
bool parseLevel(std::string_view word, Level& out);
const char* levelName(Level level);

struct Facility {
  std::string name;
  Level level = Level::Notice;
};

// Registers (or finds) a facility. The reference stays valid for the process's life.
Facility& facility(std::string_view name);
// All facilities, in registration order.
std::vector<std::pair<std::string, Level>> facilities();
// Sets one facility ("all" sets every one). Returns false for an unknown facility.
bool setLevel(std::string_view name, Level level);

enum class Sink { Stderr, Syslog, File };
// Chooses the sink. For Syslog, `ident` names the program; for File, `path` the file
// (opened at once; throws std::runtime_error if it cannot be opened).
void openSink(Sink sink, const std::string& ident, const std::string& path = {});
// Reopens a File sink (logrotate); no-op for the others. Returns false on failure.
bool reopen();

void write(const Facility& fac, Level level, std::string_view msg);

// Registers a secret (a password, an AUTH secret, a key) that no log line may show:
// write() replaces every occurrence with "***", whatever wrote the line (an errorInfo
// quoting a command, a protocol trace). Secrets shorter than kMinRedacted bytes are
// not registered (they would mangle every line). Any thread.
inline constexpr size_t kMinRedacted = 4;
void redact(std::string_view secret);
// `text` with every registered secret replaced by "***" (for what a program prints
// itself, outside the log).
std::string redacted(std::string_view text);

inline bool enabled(const Facility& fac, Level level) {
  return static_cast<int>(level) <= static_cast<int>(fac.level);
}

// Builds one message and writes it when it goes out of scope.
class Line {
 public:
  Line(const Facility& fac, Level level) : fac_(fac), level_(level) {}
  ~Line() { write(fac_, level_, out_.str()); }
  template <typename T>
  Line& operator<<(const T& v) {
    out_ << v;
    return *this;
  }

 private:
  const Facility& fac_;
  Level level_;
  std::ostringstream out_;
};

}  // namespace fail::log

// FAIL_LOG(fac, Notice) << "text " << value;  — builds nothing when the level is off.
#define FAIL_LOG(fac, lvl)                                                        \
  for (bool fail_log_once_ = ::fail::log::enabled((fac), ::fail::log::Level::lvl); \
       fail_log_once_; fail_log_once_ = false)                                    \
  ::fail::log::Line((fac), ::fail::log::Level::lvl)
