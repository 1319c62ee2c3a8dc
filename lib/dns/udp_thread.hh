// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// One UDP thread of the front-end (dns/frontend.hh): blocks in recvmmsg on its own
// SO_REUSEPORT socket (a batch of up to kBatch queries), answers each with respond()
// into its own buffers from its own copy of the current snapshot, and sends the batch
// with sendmmsg. After each receive it compares the slot's generation with its own and
// takes the new snapshot when it moved. A name outside our zones (Outcome::Forward) is
// queued for the control thread when the client is allowed and a forwarder exists, else
// answered REFUSED. No libevent, no Tcl, no allocation per query except a forwarded one.
//
// Before the first snapshot is published the thread waits (queries wait in the socket's
// buffer). stop() (owner's thread) sets the flag, shuts the socket's reading side down,
// which wakes recvmmsg, and joins.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <memory>
#include <thread>

#include "base/unique_fd.hh"
#include "dns/answer.hh"
#include "dns/forward_queue.hh"
#include "dns/udp_slot.hh"

namespace fail::dns {

// Copies counters field by field with atomic stores (publish) or loads (read), so that
// one thread may read what another keeps.
void storeCounters(Counters& shared, const Counters& mine);
Counters loadCounters(const Counters& shared);
void addCounters(Counters& sum, const Counters& more);

class UdpThread {
 public:
  static constexpr unsigned kBatch = 32;

  UdpThread(std::shared_ptr<UniqueFd> socket, SnapshotSlot& slot, ForwardQueue& forward);
  ~UdpThread();  // stop()
  UdpThread(const UdpThread&) = delete;
  UdpThread& operator=(const UdpThread&) = delete;

  void start();
  void stop();
  // Any thread: the counters as of the last batch.
  Counters counters() const { return loadCounters(shared_); }
  // Any thread: adds the queries per pool, as of the last second or so, to `byName`.
  void poolQueries(std::map<std::string, std::uint64_t>& byName) const;

 private:
  struct Reader;
  void run() noexcept;
  void refresh(Reader& r);
  unsigned answerBatch(Reader& r, int n);
  void copyPools(const Reader& r);

  std::shared_ptr<UniqueFd> socket_;
  SnapshotSlot& slot_;
  ForwardQueue& forward_;
  std::atomic<bool> stopping_{false};
  Counters shared_;  // written with storeCounters after each batch
  mutable std::mutex poolMu_;
  PoolCounts pools_;  // a copy of the thread's own, made about once a second
  std::thread thread_;
};

}  // namespace fail::dns
