// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "base/daemon_main.hh"

#include <unistd.h>

#include <iostream>
#include <list>

#include "base/daemon.hh"
#include "base/log.hh"
#include "base/version.hh"

namespace fail::daemon {

namespace {

// The pid file this process wrote, removed when the run ends ("" : none).
std::string writtenPidFile;

// "-d FACILITY[=LEVEL]" of every daemon.
std::string facilitiesHelp(const Program& p) {
  std::string names;
  for (const char* f : p.facilities) names += std::string(names.empty() ? "" : " ") + f;
  return "raise a log facility (" + names + ", or all) to debug or LEVEL; repeatable";
}

// Says what `message` is, as run()'s contract describes. Returns the exit status.
int failed(const Program& p, const Common& c, const std::string& message) {
  if (reportFailed(message)) return 1;
  if (c.checkOnly) {
    std::cerr << p.name << ": " << message << "\n";
    return 1;
  }
  FAIL_LOG(log::facility("main"), Err) << message;
  bool logOnStderr = c.logTo == "stderr" || (c.logTo.empty() && !c.daemon);
  if (!logOnStderr) std::cerr << p.name << ": " << message << "\n";
  return 1;
}

}  // namespace

std::vector<cli::Option> commonOptions(const Program& p, Common& c) {
  // The help texts must outlive the table: kept with the program's static lifetime.
  static std::list<std::string> helps;  // a list: its strings never move
  helps.push_back(facilitiesHelp(p));
  const char* debugHelp = helps.back().c_str();
  std::vector<cli::Option> rows = {
      {"foreground", 'F', nullptr, "stay in the foreground (the default)", [&c](const std::string&) { c.daemon = false; }},
      {"daemon", 0, nullptr, "detach into the background, returning once ready (logs go to syslog unless --log)",
       [&c](const std::string&) { c.daemon = true; }},
      {"pidfile", p.pidFileShort, "FILE", "write the process id there", [&c](const std::string& v) { c.pidFile = v; }},
  };
  if (p.user)
    rows.push_back({"user", 'u', "USER", "run as USER once the listeners are bound",
                    [&c](const std::string& v) { c.user = v; }});
  rows.push_back({"debug", 'd', "FACILITY[=LEVEL]", debugHelp, [&c](const std::string& v) {
                    size_t eq = v.find('=');
                    c.levels.emplace_back(v.substr(0, eq), eq == std::string::npos ? "debug" : v.substr(eq + 1));
                  }});
  rows.push_back({"log", 'L', "stderr|syslog|FILE", "where log lines go (default stderr; syslog with --daemon)",
                  [&c](const std::string& v) { c.logTo = v; }});
  rows.push_back({"check-config", 't', nullptr, p.checkHelp, [&c](const std::string&) { c.checkOnly = true; }});
  rows.push_back({"version", 'V', nullptr, "print the version and exit", [&c](const std::string&) { c.version = true; }});
  rows.push_back({"help", 'h', nullptr, "print this help and exit", [&c](const std::string&) { c.help = true; }});
  return rows;
}

std::string helpText(const Program& p, const std::vector<cli::Option>& table) {
  return std::string("Usage: ") + p.name + " " + p.synopsis + "\n" + p.summary + "\n\n" + cli::help(table) + "\n" +
         p.epilogue + "\n";
}

void start(const Common& c, const std::string& program) {
  if (c.daemon) detach(program);
  if (!c.pidFile.empty()) {
    writePidFile(c.pidFile);
    writtenPidFile = c.pidFile;
  }
}

int run(const Program& p, int argc, char** argv, std::vector<cli::Option> own, Common& c,
        const std::function<void(const std::vector<std::string>& operands)>& prepare,
        const std::function<int()>& body) {
  auto table = std::move(own);
  for (auto& o : commonOptions(p, c)) table.push_back(std::move(o));
  try {
    auto operands = cli::parse(argc, argv, table);
    if (c.help) {
      std::cout << helpText(p, table);
      return 0;
    }
    if (c.version) {
      std::cout << p.name << " (failover) " << kVersion << "\n";
      return 0;
    }
    prepare(operands);
    cli::setUpLogging(p.name, p.facilities, {c.logTo, c.daemon, c.levels});
  } catch (const cli::UsageError& e) {
    std::cerr << p.name << ": " << e.what() << "\nTry '" << p.name << " --help'.\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << p.name << ": " << log::redacted(e.what()) << "\n";
    return 2;
  }
  int rc;
  try {
    rc = body();
  } catch (const std::exception& e) {
    rc = failed(p, c, log::redacted(e.what()));
  }
  if (!writtenPidFile.empty()) ::unlink(writtenPidFile.c_str());
  return rc;
}

}  // namespace fail::daemon
