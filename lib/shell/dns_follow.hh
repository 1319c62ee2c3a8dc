// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failsh's followed names (`fail::dns follow`, failover(n) "DNS UPDATES"), on the loop
// side: the declarations keyed by name, the library's Followers (dns/follow.hh) fed with
// the local faild's records straight from the engine (Engine::subscribe, no Tcl
// callback), and each name's outcome published as the record dns:NAME in the monitor
// store and the local faild: state UP while the primary holds the wanted RRset, FAIL
// while an update fails; note the RRset or the error; attributes rrset, result, rcode,
// server, ms, serial, lag, verified (the servers read back), lagging, error.
//
// Owned by an Engine (Engine::dnsFollows). A staging engine's set only keeps
// declarations; the live engine's set follows them, from its first adopt() (failsh) or
// at once when its engine is started (the Tcl package). Loop side only.
#pragma once

#include <event2/event.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dns/follow.hh"
#include "dns/tsig_key.hh"
#include "ev/loop.hh"
#include "shell/dns_update_args.hh"

namespace fail::shell {

class Engine;

// One declaration: what the policy wrote, with the key and addresses it resolved to.
struct DnsFollowDecl {
  DnsFollowArgs args;
  dns::TsigKey key;
  dns::FollowSpec spec;
  // Unchanged across a reload: same options and same key material.
  bool sameAs(const DnsFollowDecl& o) const;
};

class DnsFollows {
 public:
  DnsFollows(Engine& engine, event_base* base);
  ~DnsFollows();
  DnsFollows(const DnsFollows&) = delete;
  DnsFollows& operator=(const DnsFollows&) = delete;

  // fail::dns follow: replaces a declaration of the same name; followed at once when
  // active. False with *err when the library refuses the spec.
  bool declare(DnsFollowDecl decl, std::string* err);
  // A reload (Engine::adopt): takes over `next`'s declarations by name: an unchanged one
  // keeps running (its last RRset and timers), a changed one is followed anew, one that
  // `next` lacks is no longer followed and its dns:NAME record is deleted. Activates
  // this set. Returns the names no longer followed.
  std::vector<std::string> adopt(const DnsFollows* next);
  // Follows the declarations from now on (idempotent).
  void activate();
  bool active() const { return followers_ != nullptr; }
  std::vector<std::string> names() const;
  const dns::Followers* followers() const { return followers_.get(); }

 private:
  struct Status;  // what dns:NAME shows
  void onRecord(const std::string& name, proto::State state);
  void outcome(const dns::FollowOutcome& o);
  void publish(const std::string& name);
  void forget(const std::string& name);

  Engine& engine_;
  event_base* base_;
  std::map<std::string, DnsFollowDecl> decls_;
  std::map<std::string, std::unique_ptr<Status>> status_;
  std::unique_ptr<ev::Loop> loop_;
  std::unique_ptr<dns::Followers> followers_;
  int subId_ = -1, syncId_ = -1;
  bool started_ = false;
};

}  // namespace fail::shell
