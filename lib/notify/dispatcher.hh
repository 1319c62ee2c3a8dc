// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The dispatcher: per channel, sends the queue's due messages through the channel's
// Sender and writes each outcome back to the queue.
//
// - At most Sender::parallel() sends out per channel; the queue is read in pages (a
//   storm of 10,000 waiting messages is never all in memory).
// - A Retry outcome: tried again after a backoff of 1 s doubling to maxBackoff, each
//   ±20 % at random (so that many messages held back by one outage do not all come back
//   in the same second); once a message is older than giveUpAfter it is failed (the last
//   attempt is made at that age). Every message gets at least one attempt, however old it
//   is when failsh starts. A Failed outcome is final.
// - Outcomes are written in one transaction per loop turn (Queue::batch), one statement
//   each, without waiting for an fsync (Queue::relaxed: a crash of the machine may send
//   a message again, with its key; a crash of failsh loses nothing).
// - A wheel timer per channel wakes it when its next message falls due (Queue::nextDue).
// - Replacing a channel's sender (a reload) while sends are out: the old Sender is kept
//   until its sends end and their outcomes are written as any other. Counting them as
//   retried instead would send again messages that may have arrived, and a mail server
//   does not drop a repeated Message-ID; the old sender's timeout bounds how long it
//   lives.
// - remove(): the channel's waiting messages stay in the queue, for a later channel of
//   that name (or the next start); the sends out end as above, without status callbacks.
// - Logs (facility "notify"): a retry at info, a failure or give-up at error, naming the
//   channel, the message's key and record, and the outcome's detail (which holds no
//   secret: message.hh).
// - An outcome the queue cannot write (a full disk) leaves the message "waiting" in the
//   file: it is not sent again before failsh restarts (else it would go out again at
//   once, and again, while the disk stays full).
// - Sent and failed rows older than kKeep are pruned from the queue, at construction
//   and every hour.
//
// Wall-clock times (Message::created, nextAttempt) come from wallNow(), or, when the
// loop's clock is a ManualClock (tests), from a wall clock that moves with it (or from
// setWallClock's): messages a test adds are made at now(), else the dispatcher's clock
// and theirs disagree (a message "created" after now is not due yet).
//
// Loop thread only. Everything made on the loop (the senders) must go before the loop.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "ev/loop.hh"
#include "notify/message.hh"
#include "notify/queue.hh"

namespace fail::notify {

using namespace std::chrono_literals;

struct ChannelStatus {
  std::uint64_t waiting = 0, sent = 0, failed = 0;  // the queue's rows (Queue::counts)
  std::uint64_t retries = 0;  // Retry outcomes since the channel was first set
  std::string lastError;      // "" after a success
  Micros lastSent = 0, lastAttempt = 0;
  bool failing = false;       // the last attempt did not succeed
};

struct DispatchOptions {
  std::chrono::milliseconds giveUpAfter{24h};
  std::chrono::milliseconds maxBackoff{5min};
};

class Dispatcher {
 public:
  static constexpr size_t kPage = 64;                   // messages read from the queue at once
  static constexpr Micros kKeep = 7LL * 86400'000'000;  // sent and failed rows kept this long
  static constexpr Micros kFirstBackoff = 1'000'000;

  Dispatcher(ev::Loop& loop, Queue& queue);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // (Re)places a channel's sender; messages already waiting for it are sent with it
  // (starting now: those due are sent at once). A null sender: as remove().
  void channel(const std::string& name, std::unique_ptr<Sender> sender, DispatchOptions o = {});
  void remove(const std::string& name);  // its waiting messages stay in the queue
  void wake(const std::string& name);    // messages were added
  // After outcomes are written: once per loop turn for each channel that had one (not
  // for a removed channel). The callback may set or remove channels.
  void onStatus(std::function<void(const std::string& channel, const ChannelStatus&)> fn);
  const ChannelStatus* status(const std::string& name) const;

  // The delay before attempt `attempts` + 1 after `attempts` attempts (>= 1), without the
  // jitter.
  static Micros backoff(int attempts, std::chrono::milliseconds maxBackoff);
  // The wall clock the dispatcher reads (see above).
  Micros now() const;
  // Tests: another wall clock (the Center's), which must move with the loop's clock
  // (the timers wait for its times on the loop's).
  void setWallClock(std::function<Micros()> fn) { wall_ = std::move(fn); }

 private:
  struct Held;     // a Sender, with the sends it has out
  struct Channel;  // one channel's sender, options, status, pages and timer
  struct Ended;    // an outcome not written yet

  void pump(Channel& ch);
  void start(Channel& ch, Message m);
  void ended(Ended e);
  void flush();  // writes the outcomes of this loop turn, then pumps their channels
  void retire(Held* h);
  static void onTimer(void* arg);
  static void onPrune(void* arg);

  ev::Loop& loop_;
  Queue& queue_;
  std::map<std::string, std::unique_ptr<Channel>> channels_;
  std::list<Held> held_;  // stable addresses: the send callbacks point at theirs
  std::unordered_set<std::int64_t> busy_;  // ids out, or with an outcome not written yet
  std::map<std::string, size_t> out_;       // per channel name, beyond remove() and re-adding
  std::map<std::string, size_t> parked_;    // ids left in busy_: their outcome could not be written
  std::map<std::string, ChannelStatus> status_;  // kept across a remove() and re-adding
  std::vector<Ended> ended_;
  bool flushing_ = false;  // a flush is deferred
  std::shared_ptr<bool> alive_;  // false once destroyed: a deferred flush then does nothing
  std::function<void(const std::string&, const ChannelStatus&)> onStatus_;
  std::mt19937_64 random_;
  std::unique_ptr<ev::WheelTimer> prune_;
  std::function<Micros()> wall_;  // setWallClock's
  // A ManualClock's wall clock: wall0_ at steady0_.
  Micros wall0_;
  ev::Clock::time_point steady0_;
};

}  // namespace fail::notify
