// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The front-end's control thread (dns/frontend.hh): its own ev::Loop, the only writer of
// snapshots. It owns the SnapshotBuilder, follows the local faild (dns/control_faild.hh),
// publishes a new snapshot to the UDP threads (dns/udp_slot.hh) after each batch of
// health changes (the changes read in one turn of the loop), SETs dns:NAME and calls
// FrontEndOptions::published for each pool whose answer changed, answers TCP
// (dns/tcp_server.hh) and forwards (dns/forward.hh) what the UDP threads queue
// (dns/forward_queue.hh) and what TCP clients ask.
//
// Answering begins (TCP accepted, the first snapshot published, `ready` called) when the
// first listing of the local faild is complete or start timeout passed, whichever first.
//
// Threads: start(), stop() and call() are for the owner's thread. call() runs a function
// on the control thread and waits for it (directly when the thread does not run, or when
// called from the control thread itself), so the builder is only ever touched by one
// thread at a time. FrontEndOptions::published runs on the control thread; it must not
// block, and may call FrontEnd's methods (they run directly there).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/unique_fd.hh"
#include "dns/frontend.hh"
#include "dns/forward_queue.hh"
#include "dns/udp_slot.hh"

namespace fail::ev {
class Loop;
class Timer;
}  // namespace fail::ev

namespace fail::dns {

class FaildFeed;
class Forwarder;
class TcpServer;

class Control {
 public:
  Control(FrontEndOptions opts, SnapshotSlot& slot, ForwardQueue& forward);
  ~Control();  // stop()
  Control(const Control&) = delete;
  Control& operator=(const Control&) = delete;

  // Starts the thread with `config` (shared, never changed: the builder keeps pointers
  // into it), listening for TCP on `tcpFds` once answering.
  void start(std::shared_ptr<const Config> config, std::vector<int> tcpFds, std::function<void()> ready);
  void stop();
  bool running() const { return thread_.joinable(); }
  // Runs `fn` on the control thread and waits for it (see above). Exceptions propagate.
  void call(const std::function<void()>& fn);

  // The rest runs on the control thread (through call(), or from its own callbacks).
  // A reload: the new builder (the records' health carried over; members as the new
  // configuration declares them, `fail::dns member` changes undone), new TCP
  // listeners (`add`) and old ones dropped (`remove`, closed by the caller afterwards).
  void reconfigure(std::shared_ptr<const Config> config, const std::vector<int>& add, const std::vector<int>& remove);
  bool setMember(const std::string& pool, const std::string& address, Force force, unsigned weight, std::string* err);
  bool explain(const std::string& name, PoolView& out) const;
  std::vector<PoolView> pools() const;
  // TCP's counters and the control thread's figures, into `s` (UDP threads' are added by
  // the caller).
  void stats(Stats& s, std::map<std::string, std::uint64_t>& poolQueries) const;

 private:
  friend struct ControlEvents;
  void run(std::shared_ptr<const Config> config, std::vector<int> tcpFds) noexcept;
  void setUp(std::shared_ptr<const Config> config, const std::vector<int>& tcpFds);
  void tearDown();
  void onMail();
  void onForwardQueue();
  void onHealth(const std::string& record, State state);
  void beginAnswering();
  void publishBatch();
  void publishSnapshot();
  void publishPool(const std::string& pool);
  void publishAllPools();
  void makeBuilder(std::shared_ptr<const Config> config);
  void makeForwarder(const Serve& serve);
  std::shared_ptr<const Published> makePublished() const;

  FrontEndOptions opts_;
  SnapshotSlot& slot_;
  ForwardQueue& forwardQueue_;
  std::thread thread_;
  std::atomic<std::thread::id> threadId_{};
  std::function<void()> ready_;

  // The mailbox: functions posted by call(), run by the loop.
  std::mutex mailMu_;
  std::vector<std::function<void()>> mail_;
  UniqueFd mailFd_;
  bool alive_ = false;  // the thread takes mail (under mailMu_)

  // Control thread only (or while it does not run).
  std::unique_ptr<ev::Loop> loop_;
  std::shared_ptr<const Config> config_ = std::make_shared<const Config>();  // the builder's too; never null
  std::unique_ptr<SnapshotBuilder> builder_;
  std::map<std::string, State> health_;  // the followed records' last known states
  std::vector<net::Prefix> allow_;  // config_.serve.allow parsed
  std::set<std::string> dirty_;                                          // pools to publish
  std::vector<int> tcpFds_;
  bool answering_ = false;
  std::uint32_t serial_ = 0;  // at least the SOA serial of the current builder
  std::shared_ptr<const Published> current_;
  Cursor cursor_;
  Counters counters_;  // TCP's
  PoolCounts tcpPools_;  // TCP's queries per pool from earlier configurations
  std::uint64_t epoch_ = 0;
  std::unique_ptr<FaildFeed> feed_;
  std::unique_ptr<Forwarder> forwarder_;
  std::unique_ptr<TcpServer> tcp_;
  std::unique_ptr<ev::Timer> startTimer_, batchTimer_;
  std::unique_ptr<ev::Timer> settleTimer_;  // publishes again when a -settle window ends
  struct event* mailEv_ = nullptr;
  struct event* queueEv_ = nullptr;
  std::uint64_t generation_ = 0, forwardTimeoutsBefore_ = 0;
};

}  // namespace fail::dns
