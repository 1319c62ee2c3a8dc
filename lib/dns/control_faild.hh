// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The control thread's two links to the local faild (dns/frontend.hh): a WATCH that
// reports every record's state (the control thread keeps them, so that a reload that
// follows a new record knows its state at once), and a request link that SETs each
// pool's outcome as the record dns:NAME (state UP while members are in, FAIL when all
// are down; note: why, see note(); attributes answer (the addresses answered),
// answer_ttl (not ttl=, which would be the record's own expiry), members
// ("203.0.113.10=in 203.0.113.20=out") and changes). No ttl: a stopped failsh leaves the
// last outcome, as its service records do.
//
// The watch is one `WATCH *` (client::Link resumes it with since= after a reconnect, so
// no change is missed); after an ERR GONE the records not listed again are reported as
// deleted (Unknown). Runs on the control
// thread's loop; every callback comes from that loop.
#pragma once

#include <event2/event.h>

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "client/link.hh"
#include "dns/snapshot.hh"

namespace fail::dns {

class FaildFeed {
 public:
  struct Events {
    std::function<void(const std::string& record, State state)> health;  // a record's state (deleted: Unknown)
    std::function<void()> synced;                                        // each listing complete
    std::function<void()> requestsUp;  // the request link (re)connected: SET everything again
  };

  // Throws when the link cannot be made (TLS files).
  FaildFeed(event_base* base, const client::LinkSpec& faild, Events events);
  void start();
  // SET dns:NAME from the pool's view; a failure is logged.
  void publish(const PoolView& view);
  // DEL dns:NAME for a pool that is gone.
  void remove(const std::string& pool);

  static std::string recordName(const std::string& pool) { return "dns:" + pool; }
  static std::string note(const PoolView& view);

 private:
  void onWatch(const client::WatchEvent& ev);

  Events events_;
  std::set<std::string> known_;  // records reported and not deleted
  bool relisting_ = false;
  std::set<std::string> seen_;  // records listed since an ERR GONE
  std::unique_ptr<client::Link> watch_, requests_;
};

}  // namespace fail::dns
