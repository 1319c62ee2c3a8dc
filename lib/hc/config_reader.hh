// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Reading the Hcfile in a child process. The Hcfile is a Tcl script, and Tcl can crash
// (a regexp of 200,000 nested groups overflows the stack), abort (out of memory) or run
// on inside one command past its time limit (expr {3**1000000}); none of that may touch
// hc. So hc runs itself (`/proc/self/exe --internal-read-config`, see hc(8)) under
// resource limits; the child runs loadConfig() and writes the validated configuration to
// its stdout (config_wire.hh) or the error to its stderr; the parent reads that answer
// without running Tcl. Start-up, `hc -t` and `hc --once` wait for it (readConfig);
// SIGHUP reads on the loop (ConfigReader) while probes, reports and the monitor go on.
//
// The child is hc itself, the same user: it reads the files the Hcfile names (secret
// files, CA files) as hc would. The reports' secrets come back through the pipe and are
// never written to a log or put in a message.
#pragma once

#include <event2/event.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "base/spawn.hh"
#include "hc/config.hh"

namespace fail::hc {

// The hidden option that makes hc the reader: `hc --internal-read-config FILE TIME_MS`.
inline constexpr const char* kReadConfigOption = "--internal-read-config";

struct ReaderOptions {
  std::string exe = "/proc/self/exe";  // the hc to run (tests name the built one)
  Limits tcl;                          // the script's own time and command limits
  std::uint64_t memory = 1ull << 30;   // RLIMIT_AS of the child (0: none, as under ASan)
  std::uint64_t stack = 8u << 20;      // RLIMIT_STACK of the child
  // The child is killed after three times tcl.time (the rest is for starting,
  // validating and building every probe: 200 https checks take 9 s here), and has as
  // many seconds of CPU.
  std::chrono::milliseconds wall() const { return tcl.time * 3; }
};

// What the parent runs.
spawn::Options readerSpawnOptions(const std::string& path, const ReaderOptions& opts);

// The child's answer as a Config (decoded, every check validated again against its kind,
// every report's address parsed), or a ConfigError: the child's own message ("FILE:LINE:
// ..."), or "FILE: ..." saying how the reader ended (crashed, out of memory, timed out).
Config configFromChild(const std::string& path, const ReaderOptions& opts, const spawn::Result& r);

// Blocking: start-up, -t, --once. Throws ConfigError.
Config readConfig(const std::string& path, const ReaderOptions& opts = {});

// The child's side (hc's main with kReadConfigOption): loadConfig, the answer to `out`
// and 0, or the error to `err` and 1.
int readConfigChild(const std::string& path, const Limits& limits, std::ostream& out, std::ostream& err);

// Reads the Hcfile on a loop. start() while a read runs asks for one more read after it
// (the file may have changed since the running one opened it). `done` runs on the loop
// with the Config or the error, once per read. Destroying the reader kills a running
// child. Loop thread only.
class ConfigReader {
 public:
  using Done = std::function<void(std::optional<Config> cfg, const std::string& error)>;
  ConfigReader(event_base* base, std::string path, ReaderOptions opts, Done done);
  ~ConfigReader();
  ConfigReader(const ConfigReader&) = delete;
  ConfigReader& operator=(const ConfigReader&) = delete;

  // Starts a read. Returns false when one is running already (another follows it).
  bool start();
  bool busy() const { return child_ != nullptr; }

 private:
  void finished(spawn::Result r);

  event_base* base_;
  std::string path_;
  ReaderOptions opts_;
  Done done_;
  std::unique_ptr<spawn::Child> child_;
  bool again_ = false;
};

}  // namespace fail::hc
