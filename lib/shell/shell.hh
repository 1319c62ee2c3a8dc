// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failsh as a whole (failsh(8)): Tcl with the libevent notifier, the policy in a child
// interpreter (trusted, or safe with --safe), the engine, the monitor port (and the
// optional -D debug port) serving the engine's hosts and services in the line protocol,
// signals (TERM and INT stop, HUP reloads the policy as a transaction, failsh(8)
// RELOAD, and rereads the access file, USR1 dumps to the -l file or FIFO), and without
// a policy file an interactive prompt.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "http/server.hh"
#include "net/listen.hh"
#include "server/server.hh"
#include "shell/engine.hh"

namespace fail::shell {

struct ShellOptions {
  std::string file;  // the policy; "" : interactive
  bool safe = false;
  // Hosts named by the administrator (--allow-host, --hosts): set before the policy
  // runs; with `safe`, the only hosts (with the local faild) a policy may reach.
  std::vector<HostSpec> hosts;
  bool checkOnly = false;  // -t: load the policy, report, exit
  std::chrono::milliseconds limit{10000};  // each callback's, and reading the policy's
  server::ServerConfig monitor;  // program "failsh"; listens empty: no monitor port
  std::vector<net::ListenSpec> debug;  // -D
  http::ServerConfig metrics;  // --metrics: GET /metrics (doc/metrics.md); listens empty: none
  std::string dumpFile;  // "" : defaultDumpFile()
  std::string notifyDb;  // --notify-db; "" : defaultNotifyDb() (shell/notify.hh)
  std::string localName = "localhost";
};

// Where SIGUSR1 dumps without -l: failsh.dump in the first directory of
// $RUNTIME_DIRECTORY (set by systemd for RuntimeDirectory=), else /run/failsh/failsh.dump.
std::string defaultDumpFile();

// Call tcl::install() and Tcl_FindExecutable() before constructing.
class Shell {
 public:
  explicit Shell(ShellOptions opts);
  ~Shell();
  Shell(const Shell&) = delete;
  Shell& operator=(const Shell&) = delete;

  // Loads the policy, binds the ports, runs until a stop signal; the exit status.
  int run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fail::shell
