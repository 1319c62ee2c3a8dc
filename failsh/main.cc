// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failsh: the failover shell. Parses options and hands over to lib/shell (Shell).
#include <stdlib.h>
#include <tcl.h>
#include <unistd.h>

#include <fstream>
#include <iostream>

#include "base/cli.hh"
#include "base/daemon.hh"
#include "base/daemon_main.hh"
#include "base/log.hh"
#include "base/time.hh"
#include "base/version.hh"
#include "notify/curl.hh"
#include "shell/allowed_hosts.hh"
#include "shell/shell.hh"
#include "tcl/notifier.hh"

namespace {

using namespace fail;

struct Settings {
  daemon::Common common;  // --daemon, -t, --pidfile, -d, -L: base/daemon_main
  shell::ShellOptions shell;
  bool noMonitor = false;
  std::string community;
};

net::ListenSpec listenArg(const std::string& opt, std::string v) {
  if (!v.empty() && v.find_first_not_of("0123456789") == std::string::npos) v = "127.0.0.1:" + v;  // a bare port
  std::string err;
  auto spec = net::parseListen(v, err);
  if (!spec) throw cli::UsageError(opt + " " + err);
  return *spec;
}

const daemon::Program kFailsh = {
    "failsh",
    "[OPTION]... [-f POLICY.tcl]",
    "The failover shell: runs a Tcl policy that decides where services run.",
    "Signals: TERM and INT stop, HUP reloads the policy (all or nothing) and reopens the log, USR1 dumps state to the -l "
    "file.\nSee failsh(8) and failover(n).",
    {"main", "service", "policy", "link", "proto", "store", "access", "watch", "tls", "http", "notify"},
    "load the policy (in a child process under limits), report what it defines, and exit",
    'i',
};

// failsh's own rows; the shared ones follow (daemon::commonOptions).
std::vector<cli::Option> options(Settings& s) {
  return {
      {"file", 'f', "FILE", "the policy script to run (without it, on a terminal: an interactive prompt)",
       [&](const std::string& v) { s.shell.file = v; }},
      {"safe", 0, nullptr,
       "run the policy in a safe interpreter: no programs, files, fail::exec or fail::ip, and only the hosts "
       "named by --allow-host or --hosts (see failover(n), SAFE POLICIES)",
       [&](const std::string&) { s.shell.safe = true; }},
      {"allow-host", 0, "NAME=ADDR:PORT[,...]",
       "a peer host of the policy, set before it runs (with --safe: one the policy may reach); after the port: "
       ",secret-file=FILE ,tls ,ca=FILE ,cert=FILE ,key=FILE; repeatable",
       [&](const std::string& v) {
         shell::HostSpec h;
         std::string err;
         if (!shell::parseAllowedHost(v, h, err)) throw cli::UsageError("--allow-host: " + err);
         s.shell.hosts.push_back(std::move(h));
       }},
      {"hosts", 0, "FILE", "--allow-host's values, one per line (# comments)",
       [&](const std::string& v) {
         std::string err;
         if (!shell::readAllowedHosts(v, s.shell.hosts, err)) throw cli::UsageError("--hosts: " + err);
       }},
      {"limit", 0, "DURATION", "time limit of each policy callback and of reading the policy (default 10s)",
       [&](const std::string& v) {
         auto ms = parseDurationMs(v);
         if (!ms || *ms < 10) throw cli::UsageError("--limit: a duration of at least 10ms, e.g. 10s");
         s.shell.limit = std::chrono::milliseconds(*ms);
       }},
      {"monitor", 'm', "PORT|ADDRESS:PORT",
       "serve hosts and services there for failmon (default 127.0.0.1:1848); also unix:PATH, "
       "tls:ADDRESS:PORT or none; repeatable",
       [&](const std::string& v) {
         if (v == "none") s.noMonitor = true;
         else s.shell.monitor.listens.push_back(listenArg("--monitor", v));
       }},
      {"metrics", 0, "PORT|ADDRESS:PORT",
       "serve Prometheus metrics (GET /metrics) over HTTP there; also tls:ADDRESS:PORT; repeatable (default: none)",
       [&](const std::string& v) {
         std::string err;
         auto spec = net::parseHttpListen(v, err);
         if (!spec) throw cli::UsageError("--metrics " + err);
         s.shell.metrics.listens.push_back(*spec);
       }},
      {"debug-port", 'D', "PORT|ADDRESS:PORT", "a separate listener for faildebug (DEBUG) only",
       [&](const std::string& v) { s.shell.debug.push_back(listenArg("--debug-port", v)); }},
      {"community", 'c', "SECRET", "shorthand for an access file with the one entry '* SECRET RW'",
       [&](const std::string& v) { s.community = v; }},
      {"access", 0, "FILE", "access file for the monitor and debug ports, failover-access(5)",
       [&](const std::string& v) { s.shell.monitor.accessFile = v; }},
      {"tls-cert", 0, "FILE", "certificate chain (PEM) for tls: listeners",
       [&](const std::string& v) { s.shell.monitor.tls.cert = v; }},
      {"tls-key", 0, "FILE", "private key (PEM) for tls: listeners",
       [&](const std::string& v) { s.shell.monitor.tls.key = v; }},
      {"notify-db", 0, "FILE",
       "the durable queue of notifications (fail::notify), opened at the policy's first channel (default "
       "$STATE_DIRECTORY/notify.db, else /var/lib/failsh/notify.db)",
       [&](const std::string& v) {
         if (v.empty()) throw cli::UsageError("--notify-db: a file name is needed");
         s.shell.notifyDb = v;
       }},
      {"dump-file", 'l', "FILE", "where SIGUSR1 dumps state (default $RUNTIME_DIRECTORY/failsh.dump, else /run/failsh/failsh.dump; a FIFO stays open)",
       [&](const std::string& v) { s.shell.dumpFile = v; }},
  };
}

// -c SECRET: a private access file holding '* SECRET RW', removed at exit.
std::string communityFile(const std::string& secret) {
  char path[] = "/tmp/failsh-access.XXXXXX";
  int fd = ::mkstemp(path);
  if (fd < 0) throw std::runtime_error("-c: cannot create a temporary access file");
  std::string line = "* " + secret + " RW\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!ok) throw std::runtime_error("-c: cannot write the temporary access file");
  return path;
}

// Removes the -c access file when failsh ends.
struct TempFile {
  std::string path;
  ~TempFile() {
    if (!path.empty()) ::unlink(path.c_str());
  }
};

}  // namespace

int main(int argc, char** argv) {
  Settings s;
  TempFile tempAccess;
  auto prepare = [&](const std::vector<std::string>& operands) {
    s.shell.checkOnly = s.common.checkOnly;
    if (!operands.empty()) throw cli::UsageError("unexpected argument '" + operands[0] + "'");
    if (s.shell.file.empty() && !s.shell.checkOnly && !::isatty(0))
      throw cli::UsageError("no policy: give -f FILE (the interactive prompt needs a terminal)");
    if (s.shell.file.empty() && s.shell.checkOnly) throw cli::UsageError("-t needs -f FILE");
    if (s.noMonitor) {
      s.shell.monitor.listens.clear();
    } else if (s.shell.monitor.listens.empty()) {
      s.shell.monitor.listens.push_back(listenArg("--monitor", "127.0.0.1:1848"));
    }
    s.shell.metrics.tls = s.shell.monitor.tls;  // tls: metrics listeners use the monitor's files
    if (!s.community.empty()) {
      if (!s.shell.monitor.accessFile.empty()) throw cli::UsageError("give -c or --access, not both");
      s.shell.monitor.accessFile = tempAccess.path = communityFile(s.community);
    }
  };
  auto body = [&] {
    daemon::start(s.common, "failsh");
    notify::curlGlobalInit();  // libcurl's global state, before any thread starts
    tcl::install();
    Tcl_FindExecutable(argv[0]);
    shell::Shell sh(s.shell);
    return sh.run();
  };
  return daemon::run(kFailsh, argc, argv, options(s), s.common, prepare, body);
}
