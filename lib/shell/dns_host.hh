// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The owner of the DNS front-end (dns/frontend.hh) in failsh and in the loadable package:
// it outlives policies (failsh keeps it across reloads), applies what a policy declared
// (bind and start, reconfigure, stop), and publishes each pool's current answer as the
// record dns:NAME in the engine's monitor store (failmon, the monitor port).
//
// Threads: every method runs on the Tcl thread (failsh's one thread, or a stock tclsh's
// interpreter thread). The front-end calls back on its control thread; those calls are
// posted to the Tcl thread (tcl::postTo), then to the engine's loop side (Bridge).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "dns/config.hh"
#include "dns/frontend.hh"
#include "shell/bridge.hh"
#include "shell/engine.hh"

namespace fail::shell {

class DnsHost {
 public:
  // `engine` (loop side, through `bridge`) holds the local faild's settings (host
  // `localName`) and the monitor store; both outlive this object.
  DnsHost(Bridge& bridge, Engine& engine, std::string localName);
  ~DnsHost();  // stops the front-end
  DnsHost(const DnsHost&) = delete;
  DnsHost& operator=(const DnsHost&) = delete;

  // Makes `config` the running declarations: nothing runs and it serves: bind, then
  // start; something runs: reconfigure (the sockets kept when -listen is unchanged);
  // it no longer serves: stop. Logs each address bound ("dns: serving on A:P udp+tcp").
  // False with *err naming the address when one cannot be bound; then nothing changed.
  // `config` is shared with the front-end, never copied (DnsDecls::share()).
  bool apply(std::shared_ptr<const dns::Config> config, std::string* err);
  // After a start: waits in Tcl's event loop (other events served) until the front-end
  // answers (the local faild synced, or -start-timeout passed). False on timeout.
  bool waitReady(std::chrono::milliseconds timeout);
  bool running() const { return fe_ != nullptr; }
  dns::FrontEnd* frontEnd() { return fe_.get(); }
  const dns::Config& config() const { return *config_; }
  // The running declarations, for DnsDecls::share(): an equal new one is dropped for it.
  const std::shared_ptr<const dns::Config>& shared() const { return config_; }
  // The SIGUSR1 dump's part: addresses, counters, each pool's current answer.
  std::string dump() const;
  void stop();

 private:
  struct Shared;
  client::LinkSpec localFaild();
  void published(const dns::PoolView& view);  // on the Tcl thread
  void forget(const std::string& pool);       // dns:POOL leaves the monitor store

  Bridge& bridge_;
  Engine& engine_;
  std::string localName_;
  std::shared_ptr<const dns::Config> config_ = std::make_shared<const dns::Config>();  // never null
  std::unique_ptr<dns::FrontEnd> fe_;
  std::shared_ptr<Shared> shared_;
};

}  // namespace fail::shell
