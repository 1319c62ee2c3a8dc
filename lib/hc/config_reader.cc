// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "hc/config_reader.hh"

#include <signal.h>

#include <cstdlib>
#include <ostream>

#include "base/log.hh"
#include "base/text.hh"
#include "check/registry.hh"
#include "hc/config_wire.hh"

namespace fail::hc {
namespace {

std::string mib(std::uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

std::string seconds(std::chrono::milliseconds ms) {
  auto n = ms.count();
  return n % 1000 == 0 ? std::to_string(n / 1000) + " s" : std::to_string(n) + " ms";
}

// The last non-empty line the child wrote to stderr (Tcl's panic message, say), for
// people: cut, control bytes shown.
std::string lastLine(const std::string& err) {
  size_t end = err.find_last_not_of("\r\n \t");
  if (end == std::string::npos) return "";
  size_t start = err.rfind('\n', end);
  start = start == std::string::npos ? 0 : start + 1;
  return printable(std::string_view(err).substr(start, end + 1 - start), 200);
}

// The child's message for a configuration error: its stderr, trimmed and bounded.
std::string childMessage(const std::string& err) {
  size_t end = err.find_last_not_of("\r\n \t");
  if (end == std::string::npos) return "";
  return err.substr(0, std::min<size_t>(end + 1, 64 * 1024));
}

// check::validate fills the resolved fields from the options; parseTarget the target.
void revalidate(const std::string& path, Config& cfg) {
  for (check::CheckSpec& c : cfg.checks) {
    const check::KindDesc* kind = check::findKind(c.kind);
    if (!kind) throw ConfigError(c.where() + "unknown kind \"" + printable(c.kind) + "\"");
    check::validate(c, *kind);
  }
  for (ReportSpec& r : cfg.reports) {
    log::redact(r.secret);  // never in hc's log, whatever line would quote it
    std::string err;
    if (!client::parseTarget(r.address, client::kDefaultPort, r.target, err))
      throw ConfigError(r.file + ":" + std::to_string(r.line) + ": report " + printable(r.address) + ": " + err);
  }
  if (cfg.file.empty()) cfg.file = path;
}

}  // namespace

spawn::Options readerSpawnOptions(const std::string& path, const ReaderOptions& opts) {
  spawn::Options o;
  o.argv = {opts.exe, kReadConfigOption, path, std::to_string(opts.tcl.time.count())};
  o.timeout = opts.wall();
  o.limits.addressSpace = opts.memory;  // under ASan spawn turns it into ASAN_OPTIONS
  o.limits.stack = opts.stack;
  o.limits.cpuSeconds = static_cast<std::uint64_t>((o.timeout.count() + 999) / 1000);
  o.maxOutput = 64u << 20;  // 10,000 checks take about 2 MB
  return o;
}

Config configFromChild(const std::string& path, const ReaderOptions& opts, const spawn::Result& r) {
  using End = spawn::Result::End;
  if (r.ok()) {
    Config cfg;
    std::string err;
    if (!decodeConfig(r.out, cfg, err))
      throw ConfigError(path + ": internal error: the Hcfile reader's answer is malformed: " + err);
    revalidate(path, cfg);
    return cfg;
  }
  if (r.end == End::Exited && r.code == 1) {
    std::string msg = childMessage(r.err);
    if (!msg.empty()) throw ConfigError(msg);
  }
  std::string why;
  std::string limits = "stack " + mib(opts.stack) + (opts.memory ? ", memory " + mib(opts.memory) : "");
  switch (r.end) {
    case End::Signaled:
      if (r.code == SIGSEGV || r.code == SIGBUS)
        why = "the Tcl interpreter crashed (" + r.describe() + "): a limit (" + limits +
              ") was hit, by deep recursion such as a deeply nested regexp?";
      else if (r.code == SIGABRT)
        why = "the Tcl interpreter aborted (" + r.describe() + "), out of memory? (" + limits + ")";
      else if (r.code == SIGALRM)
        why = "the script ran past its time limit of " + seconds(opts.tcl.time) +
              " inside one command (arithmetic on huge numbers?) and was stopped";
      else if (r.code == SIGXCPU)
        why = "reading used more than " + seconds(opts.wall()) + " of CPU and was stopped";
      else
        why = "the reader was " + r.describe();
      break;
    case End::TimedOut:
      why = "reading took longer than " + seconds(opts.wall()) + " and was stopped (an Hcfile may run for " +
            seconds(opts.tcl.time) + ")";
      break;
    case End::TooMuchOutput: why = "the reader " + r.describe(); break;
    case End::SpawnFailed: why = "cannot run the reader " + opts.exe + ": " + r.describe(); break;
    case End::Exited: why = "the reader " + r.describe(); break;
  }
  std::string line = r.end == End::Signaled || r.end == End::Exited ? lastLine(r.err) : "";
  throw ConfigError(path + ": " + why + (line.empty() ? "" : ": " + line));
}

Config readConfig(const std::string& path, const ReaderOptions& opts) {
  return configFromChild(path, opts, spawn::run(readerSpawnOptions(path, opts)));
}

int readConfigChild(const std::string& path, const Limits& limits, std::ostream& out, std::ostream& err) {
  try {
    Limits withAlarm = limits;
    withAlarm.alarm = true;
    std::string text = encodeConfig(loadConfig(path, withAlarm));
    out << text << std::flush;
    return out ? 0 : 1;
  } catch (const std::exception& e) {
    err << e.what() << "\n" << std::flush;
    return 1;
  }
}

ConfigReader::ConfigReader(event_base* base, std::string path, ReaderOptions opts, Done done)
    : base_(base), path_(std::move(path)), opts_(std::move(opts)), done_(std::move(done)) {}

ConfigReader::~ConfigReader() = default;

bool ConfigReader::start() {
  if (child_) {
    again_ = true;
    return false;
  }
  child_ = std::make_unique<spawn::Child>(base_, readerSpawnOptions(path_, opts_),
                                          [this](spawn::Result r) { finished(std::move(r)); });
  return true;
}

void ConfigReader::finished(spawn::Result r) {
  child_.reset();  // from its own `done`: allowed (spawn.hh)
  std::optional<Config> cfg;
  std::string err;
  try {
    cfg = configFromChild(path_, opts_, r);
  } catch (const std::exception& e) {
    err = e.what();
  }
  done_(std::move(cfg), err);
  if (again_) {
    again_ = false;
    start();
  }
}

}  // namespace fail::hc
