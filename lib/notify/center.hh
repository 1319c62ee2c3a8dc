// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The notification center: ties the rules (notify/rules.hh), the templates
// (notify/template.hh), the per-channel rate limit, the durable queue (notify/queue.hh)
// and the dispatcher (notify/dispatcher.hh) together for one failsh.
//
// A record change goes to the Rules; each Event they emit becomes one Message per
// channel it names, rendered with that channel's templates (a webhook's body with JSON
// escaping, by default a JSON object with every field). The channel's rate limit lets at
// most N messages through per window and drops duplicates (notify/limiter.hh); the rest
// are counted, and at the window's end one Digest message says how many and which records. The messages of one loop turn are
// stored in the queue in one transaction, then the dispatcher is woken: nothing is sent
// before it is durable.
//
// A configuration is applied whole, by name: an unchanged channel keeps its sender,
// its status and its waiting messages; a changed one gets a new sender; a removed one
// stops sending, and its waiting messages stay in the queue, sent if it comes back.
//
// Records named notify:CHANNEL (what failsh publishes for each channel) go only to the
// rules whose pattern starts with "notify:", so `*` never alerts about a channel's own
// delivery, and a channel never notifies about its own record (no loop). Loop thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ev/loop.hh"
#include "notify/dispatcher.hh"
#include "notify/limiter.hh"
#include "notify/message.hh"
#include "notify/queue.hh"
#include "notify/rules.hh"
#include "notify/senders.hh"
#include "notify/template.hh"
#include "state/record.hh"

namespace fail::notify {

// One `fail::notify channel`: how it sends, what it says, how often.
struct ChannelConfig {
  ChannelSpec spec;
  std::optional<Template> subject, body;  // nullopt: the defaults (a webhook's body: defaultJson())
  Rate rate;                              // -rate N/PERIOD (notify/limiter.hh)
  DispatchOptions dispatch;
  // The same sender would do (the spec and the dispatch options are equal).
  bool sameSender(const ChannelConfig& o) const;
};

struct NotifyConfig {
  std::vector<ChannelConfig> channels;
  std::vector<RuleSpec> rules;
  std::vector<QuietSpec> quiet;
  std::string link;  // faild's status page URL; a record's ${link} is link + "#" + record
  std::string host;  // failsh's host name (${host}, the mail's Message-ID domain)
};

// What the Center counts per channel (since it started; kept across a reload and a
// removal of the channel).
struct ChannelCounts {
  std::uint64_t queued = 0;      // stored in the queue (digests included)
  std::uint64_t suppressed = 0;  // quiet windows + flap damping + duplicates (the limiter's)
  std::uint64_t digests = 0;     // digest messages made
  std::uint64_t limited = 0;     // messages the rate limit held back (told in a digest)
  std::uint64_t dropped = 0;     // could not be stored (the queue refused them)
};

// What `fail::notify status` and the notify:CHANNEL record show.
struct ChannelView {
  std::string name;
  bool declared = false;  // in the configuration now
  ChannelStatus status;   // the dispatcher's (waiting, sent, failed, retries, last error)
  ChannelCounts counts;
};

class Center {
 public:
  // A channel's Sender. The default makes the real one (notify/senders.hh) on a
  // Transfers the Center owns; tests give a fake.
  using MakeSender = std::function<std::unique_ptr<Sender>(const ChannelSpec&)>;
  Center(ev::Loop& loop, Queue& queue, MakeSender make = {});
  ~Center();
  Center(const Center&) = delete;
  Center& operator=(const Center&) = delete;

  // A (re)load of the policy's declarations, by name (see above).
  void apply(NotifyConfig config);
  const NotifyConfig& config() const { return config_; }

  // A record of the local faild, as failsh's engine reports it.
  void record(const state::Record& rec, Seen how);
  // The end of a listing of the local faild: the records for which `exists` is false
  // were deleted meanwhile (their tracks end, their alerts are forgotten; no message).
  void listed(const std::function<bool(const std::string& record)>& exists);

  // fail::notify send: a Send message to `channel`, stored before this returns (not rate
  // limited: the policy decided). False with *err when there is no such channel or the
  // queue cannot store it.
  bool send(const std::string& channel, const std::string& subject, const std::string& body, std::string* err);

  // The declared channels' names, sorted.
  std::vector<std::string> channels() const;
  // nullopt: never declared.
  std::optional<ChannelView> view(const std::string& channel) const;
  // Called (on the loop) when a channel's view changed: an attempt ended, messages were
  // queued, suppressed or summarised.
  void onStatus(std::function<void(const ChannelView&)> fn) { onStatus_ = std::move(fn); }

  struct Totals {
    std::uint64_t events = 0;      // emitted by the rules
    std::uint64_t damped = 0, quieted = 0;
    std::uint64_t unknownChannel = 0;  // an event for a channel not declared
    std::uint64_t queueErrors = 0;     // Queue::add refused a batch
  };
  Totals totals() const;
  // The SIGUSR1 dump's part: channels, rules, quiet windows, counts.
  std::string dump() const;

  // Tests: the wall clock the messages and fields read (default wallNow).
  void setWallClock(std::function<Micros()> fn) { wall_ = std::move(fn); }

 private:
  struct Channel;
  Channel* find(const std::string& name) const;
  void emit(const Event& e);
  // A message for `c` from `f` (the record's or the digest's fields): subject and body
  // rendered with its templates. `given`: fail::notify send's subject and body.
  Message render(Channel& c, Kind kind, std::string record, Fields f,
                 const std::pair<std::string, std::string>* given = nullptr);
  void digest(const Limiter::Digest& d);  // what the limit held back in a window
  void enqueue(Message m);
  bool flush(std::string* err);       // the batch into the queue, then wake the dispatcher
  void dirty(const std::string& channel);  // its view changed: flush and publish this turn
  void publish(const std::string& channel);
  void attribute(const std::string& record, std::uint64_t suppressed);
  Rules& rulesFor(const std::string& record);

  ev::Loop& loop_;
  Queue& queue_;
  MakeSender make_;
  std::unique_ptr<Transfers> transfers_;  // the real senders' (made at the first)
  Dispatcher dispatcher_;
  Limiter limiter_;
  std::unique_ptr<Rules> rules_, ownRules_;  // records of faild; notify: records
  NotifyConfig config_;
  std::map<std::string, std::unique_ptr<Channel>> channels_;  // declared or once declared
  std::vector<Message> batch_;          // this turn's, stored together
  std::set<std::string> dirty_;         // channels whose view changed this turn
  bool turnPending_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for the deferred turn
  Totals totals_;
  std::function<void(const ChannelView&)> onStatus_;
  std::function<Micros()> wall_;
};

}  // namespace fail::notify
