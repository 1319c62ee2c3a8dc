// Command-line options from one table: the table drives getopt_long, --help and the
// checks, so the three cannot drift apart (doc/design.md, "Code layout and rules").
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace fail::cli {

struct Option {
  const char* name;     // long name, without "--"
  char shortName;       // 0: none
  const char* argName;  // nullptr: a flag
  const char* help;
  // Called with the argument ("" for a flag). Throws UsageError for a bad value.
  std::function<void(const std::string&)> apply;
};

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parses argv. Returns the operands (words that are not options), in order. Throws
// UsageError with a message naming the option on an unknown option or missing argument.
std::vector<std::string> parse(int argc, char** argv, const std::vector<Option>& options);

// "  -s, --state FILE      state file ..." lines, aligned.
std::string help(const std::vector<Option>& options);

// What every daemon's -L, --daemon and -d options say about logging.
struct LogSettings {
  std::string logTo;  // "", "stderr", "syslog" or a file
  bool daemon = false;
  std::vector<std::pair<std::string, std::string>> levels;  // -d FACILITY[=LEVEL]
};
// Registers `facilities`, opens the sink (syslog for a daemon without -L) under the name
// `program`, applies the levels. Throws UsageError naming a bad level or facility.
void setUpLogging(const char* program, const std::vector<const char*>& facilities, const LogSettings& s);

}  // namespace fail::cli
