// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The DNS front-end (failsh(8), "DNS front-end"; failover(n), `fail::dns serve`): its own
// threads, never Tcl. UDP threads, one SO_REUSEPORT socket each, answer with recvmmsg
// and sendmmsg from their copy of the current Snapshot (dns/snapshot.hh, dns/answer.hh),
// picking up a new one when a shared generation number moves (checked after each
// receive). One control thread with its own libevent loop runs TCP (RFC 7766), the
// forwarding of other names for allowed clients, and its own WATCH of the local faild
// (client::Link), and is the only writer of snapshots.
//
// Every method is called from the owner's thread (failsh's loop, or the Tcl thread of a
// stock tclsh) and is thread-safe against the front-end's own threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "client/transport.hh"
#include "dns/answer.hh"
#include "dns/config.hh"
#include "dns/snapshot.hh"

namespace fail::dns {

struct FrontEndOptions {
  client::LinkSpec faild;  // the local faild, watched for the pools' -check records
  // Called on the control thread each time a pool's answer changed (and once per pool
  // at start): the owner publishes it as the record dns:NAME in its monitor store. The
  // front-end itself SETs dns:NAME in the local faild.
  std::function<void(const PoolView&)> published;
  // Log lines go through base/log as usual (facility "dns").
};

struct Stats {
  Counters total;
  struct PerPool {
    std::string name;
    std::uint64_t queries = 0;
  };
  std::vector<PerPool> pools;
  std::uint64_t tcpOpen = 0, tcpRefused = 0, forwardTimeouts = 0;
  std::uint64_t generation = 0;  // snapshots published
};

class FrontEnd {
 public:
  explicit FrontEnd(FrontEndOptions opts);
  ~FrontEnd();  // stop()
  FrontEnd(const FrontEnd&) = delete;
  FrontEnd& operator=(const FrontEnd&) = delete;

  // Binds every config.serve.listen address (UDP and TCP on the same port; PORT 0 picks
  // one), after probing each with a plain bind (no SO_REUSEPORT) so that a second
  // process can never silently join the group. Nothing runs yet. False with *err naming
  // the address when one cannot be bound; then nothing stays bound.
  bool bind(const Config& config, std::string* err);
  // The addresses bound, with the real port ("127.0.0.1:5353").
  std::vector<std::string> bound() const;
  // Starts the threads. Queries are answered once the local faild's records are listed
  // (synced) or config.serve.startTimeout passed (then with health Unknown: the
  // -all-down rule). `ready` runs on the control thread when answering begins.
  // `config` is shared, never copied: the front-end keeps it (and pointers into it)
  // until the next reconfigure or stop, and nobody may change it meanwhile.
  void start(std::shared_ptr<const Config> config, std::function<void()> ready = {});
  // A reload: new declarations swapped in whole (shared as for start). The sockets stay
  // when the listen addresses are unchanged; otherwise they are rebound (false with
  // *err, and the old configuration keeps running, when the new ones cannot be bound).
  bool reconfigure(std::shared_ptr<const Config> config, std::string* err);
  // The same with a copy of `config` (tests, tools).
  void start(const Config& config, std::function<void()> ready = {}) {
    start(std::make_shared<const Config>(config), std::move(ready));
  }
  bool reconfigure(const Config& config, std::string* err) {
    return reconfigure(std::make_shared<const Config>(config), err);
  }
  // Stops every thread (shutdown(SHUT_RD) wakes the UDP ones) and closes the sockets.
  void stop();

  // `fail::dns member`: false with *err for an unknown pool or member.
  bool setMember(const std::string& pool, const std::string& address, Force force, unsigned weight, std::string* err);
  // `fail::dns explain`: false when NAME is no pool.
  bool explain(const std::string& name, PoolView& out) const;
  std::vector<PoolView> pools() const;
  Stats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fail::dns
