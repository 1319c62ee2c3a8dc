// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// hc: the health checker. Parses options and wires library parts together; the
// behaviour lives in lib/hc (config, checker, reporter) and lib/check (probes).
#include <unistd.h>

#include <iostream>
#include <memory>

#include "base/cli.hh"
#include "base/daemon.hh"
#include "base/daemon_main.hh"
#include "base/log.hh"
#include "base/time.hh"
#include "base/version.hh"
#include "check/registry.hh"
#include "hc/checker.hh"
#include "hc/config.hh"
#include "hc/config_reader.hh"
#include "ev/loop.hh"
#include "http/server.hh"
#include "http/metrics_route.hh"

namespace {

using namespace fail;

struct Settings {
  daemon::Common common;  // --daemon, -t, --pidfile, -d, -L: base/daemon_main
  std::string file = "Hcfile";
  server::ServerConfig monitor;
  http::ServerConfig metrics;  // --metrics: GET /metrics (doc/metrics.md); none by default
  bool once = false, listKinds = false, noMonitor = false;
  hc::ReaderOptions reader;  // how the Hcfile is read (in a child hc, under limits)
};

const daemon::Program kHc = {
    "hc",
    "[OPTION]... [--once [CHECK]...]",
    "The health checker: probes servers, judges them with rise/fall, reports to faild.",
    "Signals: HUP reloads the Hcfile, USR1 dumps state to the log, TERM and INT stop.\nSee hc(8) and Hcfile(5).",
    {"main", "check", "report", "proto", "store", "access", "watch", "tls", "http"},
    "check the configuration and exit (0: good, 1: not)",
};

// hc's own rows; the shared ones follow (daemon::commonOptions).
std::vector<cli::Option> options(Settings& s) {
  return {
      {"file", 'f', "FILE", "the configuration, Hcfile(5) (default ./Hcfile)", [&](const std::string& v) { s.file = v; }},
      {"config-timeout", 0, "DURATION",
       "how long the Hcfile's Tcl script may run when it is read (default 10s); the reader, a child "
       "process, is stopped at three times that",
       [&](const std::string& v) {
         auto ms = parseDurationMs(v);
         if (!ms || *ms <= 0 || *ms > 3'600'000)
           throw cli::UsageError("--config-timeout: expected a duration from 1ms to 1h, got '" + v + "'");
         s.reader.tcl.time = std::chrono::milliseconds(*ms);
       }},
      {"config-memory", 0, "MIB",
       "the address space, in MiB, of the process that reads the Hcfile (default 1024; 0: no limit)",
       [&](const std::string& v) {
         auto n = parseInt(v);
         if (!n || *n > 1'048'576)
           throw cli::UsageError("--config-memory: expected a number of MiB from 0 to 1048576, got '" + v + "'");
         s.reader.memory = static_cast<std::uint64_t>(*n) << 20;
       }},
      {"once", 0, nullptr, "run the checks named as arguments (default: all) once, print each result, exit",
       [&](const std::string&) { s.once = true; }},
      {"monitor", 'm', "ADDRESS:PORT",
       "serve hc's own checks there (LIST, WATCH); also unix:PATH, tls:ADDRESS:PORT, or none; "
       "repeatable (default 127.0.0.1:1850)",
       [&](const std::string& v) {
         if (v == "none") {
           s.noMonitor = true;
           return;
         }
         std::string err;
         auto spec = net::parseListen(v, err);
         if (!spec) throw cli::UsageError("--monitor " + err);
         s.monitor.listens.push_back(*spec);
       }},
      {"metrics", 0, "PORT|ADDRESS:PORT",
       "serve Prometheus metrics (GET /metrics) over HTTP there; also tls:ADDRESS:PORT; repeatable "
       "(default: none)",
       [&](const std::string& v) {
         std::string err;
         auto spec = net::parseHttpListen(v, err);
         if (!spec) throw cli::UsageError("--metrics " + err);
         s.metrics.listens.push_back(*spec);
       }},
      {"access", 'c', "FILE", "access file for the monitor port, failover-access(5)",
       [&](const std::string& v) { s.monitor.accessFile = v; }},
      {"tls-cert", 0, "FILE", "certificate chain (PEM) for tls: monitor listeners",
       [&](const std::string& v) { s.monitor.tls.cert = v; }},
      {"tls-key", 0, "FILE", "private key (PEM) for tls: monitor listeners",
       [&](const std::string& v) { s.monitor.tls.key = v; }},
      {"list-kinds", 0, nullptr, "list the probe kinds and their options, and exit",
       [&](const std::string&) { s.listKinds = true; }},
  };
}

const char* placeholder(check::OptType t) {
  switch (t) {
    case check::OptType::String: return "TEXT";
    case check::OptType::Int: return "N";
    case check::OptType::Duration: return "DURATION";
    case check::OptType::Bool: return "BOOL";
    case check::OptType::List: return "LIST";
  }
  return "VALUE";
}

// The schema tables, for people (and for Hcfile(5), whose option lists follow them).
void listKinds(std::ostream& out) {
  auto table = [&](const std::vector<check::OptionDesc>& opts) {
    for (const auto& o : opts) {
      out << "  -" << o.name << " " << placeholder(o.type);
      if (o.required) out << " (required)";
      else if (o.defaultValue && *o.defaultValue) out << " (default " << o.defaultValue << ")";
      out << ": " << o.help << "\n";
    }
  };
  out << "options of every check:\n";
  table(check::commonOptions());
  for (const check::KindDesc* k : check::kinds()) {
    out << "\n" << k->kind << ": " << k->summary << "\n";
    table(k->options);
  }
}

int run(Settings& s, const std::vector<std::string>& names) {
  auto& mainLog = log::facility("main");
  if (s.common.checkOnly) {
    hc::Config cfg = hc::readConfig(s.file, s.reader);
    for (const auto& w : cfg.warnings) std::cerr << "hc: warning: " << w << "\n";
    ev::Loop loop;
    hc::Checker checker(loop, std::move(cfg), {s.monitor, {}, 2000});  // builds probes, TLS, access
    if (!s.metrics.listens.empty()) http::Server web(loop, s.metrics);  // checks the addresses and TLS files
    std::cout << "hc: " << s.file << ": configuration OK (" << checker.size() << " checks, "
              << checker.reporters().size() << " reports)\n";
    return 0;
  }
  daemon::raiseFileLimit();  // every probe in flight holds a socket
  if (s.once) {
    try {
      hc::Config cfg = hc::readConfig(s.file, s.reader);
      return hc::runOnce(cfg, names, std::cout);
    } catch (const hc::ConfigError& e) {
      std::cerr << e.what() << "\n";
    } catch (const std::exception& e) {
      std::cerr << "hc: " << e.what() << "\n";
    }
    return 1;
  }
  hc::Config cfg = hc::readConfig(s.file, s.reader);
  for (const auto& w : cfg.warnings) FAIL_LOG(mainLog, Warning) << w;
  daemon::start(s.common, "hc");
  ev::Loop loop;
  loop.handleSignals({});  // from here on; the handlers are given once they exist
  hc::Checker checker(loop, std::move(cfg), {s.monitor, {}, 2000});
  checker.start();
  std::unique_ptr<http::Server> web;
  if (!s.metrics.listens.empty()) {
    web = std::make_unique<http::Server>(loop, s.metrics);
    http::serveMetrics(*web, checker.metrics(), "hc");
    web->start();
  }
  auto status = [&] {
    return "checking " + std::to_string(checker.size()) + " checks, reporting to " +
           std::to_string(checker.reporters().size()) + " faild";
  };
  // SIGHUP reads the Hcfile in a child while the loop goes on, then swaps it in.
  hc::ConfigReader reader(loop.base(), s.file, s.reader, [&](std::optional<hc::Config> next, const std::string& err) {
    std::string why = err;
    if (next) {
      for (const auto& w : next->warnings) FAIL_LOG(mainLog, Warning) << w;
      try {
        why = checker.reload(std::move(*next));
      } catch (const std::exception& e) {
        why = e.what();
      }
    }
    if (!why.empty()) FAIL_LOG(mainLog, Err) << "reload failed, the old configuration stays: " << why;
    daemon::notify("READY=1\nSTATUS=" + status());
  });
  loop.handleSignals({[&] {
                        daemon::notify("RELOADING=1");
                        if (std::string e = checker.reloadAccess(); !e.empty())
                          FAIL_LOG(mainLog, Err) << "monitor access file: " << e << " (keeping the old rules)";
                        if (!reader.start())
                          FAIL_LOG(mainLog, Notice) << "SIGHUP while the Hcfile is being read: it is read again after that";
                      },
                      [&] { FAIL_LOG(mainLog, Notice) << "SIGUSR1 dump:\n" << checker.dump(); },
                      [&] { daemon::notify("STOPPING=1"); }});
  std::string listening = daemon::joinSpaced(checker.monitorAddresses());
  std::string metricsAt = web ? daemon::joinSpaced(web->boundAddresses()) : "";
  FAIL_LOG(mainLog, Notice) << "hc " << kVersion << " " << status() << " from " << s.file
                            << (listening.empty() ? std::string(", no monitor port") : ", monitor on " + listening)
                            << (web ? ", metrics on " + metricsAt : "");
  daemon::notifyReady(status(), listening, metricsAt);
  loop.run();
  if (web) web->stop();
  checker.stop();
  FAIL_LOG(mainLog, Notice) << "stopped";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // hc as the Hcfile reader of another hc (hc/config_reader.hh): hidden from --help,
  // described in hc(8).
  if (argc >= 2 && std::string(argv[1]) == hc::kReadConfigOption) {
    auto ms = argc == 4 ? parseDurationMs(std::string(argv[3]) + "ms") : std::nullopt;
    if (!ms) {
      std::cerr << "hc: usage: hc " << hc::kReadConfigOption << " FILE MILLISECONDS\n";
      return 2;
    }
    hc::Limits limits;
    limits.time = std::chrono::milliseconds(*ms);
    return hc::readConfigChild(argv[2], limits, std::cout, std::cerr);
  }
  Settings s;
  std::vector<std::string> names;
  auto prepare = [&](const std::vector<std::string>& operands) {
    if (!operands.empty() && !s.once) throw cli::UsageError("unexpected argument '" + operands[0] + "'");
    names = operands;
    if (s.noMonitor) {
      s.monitor.listens.clear();
    } else if (s.monitor.listens.empty()) {
      std::string err;
      s.monitor.listens.push_back(*net::parseListen("127.0.0.1:1850", err));
    }
    s.metrics.tls = s.monitor.tls;  // tls: metrics listeners use the monitor's files
  };
  auto body = [&] {
    if (s.listKinds) {
      listKinds(std::cout);
      return 0;
    }
    try {
      return run(s, names);
    } catch (const hc::ConfigError& e) {  // "FILE:LINE: ..." says where: no "hc: " before it
      if (!s.common.checkOnly) throw;
      std::cerr << e.what() << "\n";
      return 1;
    }
  };
  return daemon::run(kHc, argc, argv, options(s), s.common, prepare, body);
}
