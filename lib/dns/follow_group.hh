// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Followers::Group (dns/follow.hh), private to follow*.cc: the names of one zone on one
// primary with one key. Its rounds of reads and UPDATEs, retries and reconciles are in
// follow_group.cc, its verifications in follow_verify.cc. Loop thread only.
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

#include "base/log.hh"
#include "dns/follow.hh"
#include "ev/ev.hh"

namespace fail::dns {

log::Facility& followLog();  // the "dns" facility
std::string joinedRecords(const std::vector<std::string>& v);  // "a b", "{}" when empty

class Followers::Group {
 public:
  Group(Followers& owner, const FollowSpec& first);
  ~Group();  // cancels the exchanges in flight

  bool empty() const { return names_.empty(); }

  void add(FollowSpec spec);
  void remove(const std::string& name) { names_.erase(name); }

  // A record's state changed: names whose wanted RRset moved become dirty.
  void health(const std::string& record);

  // Reads every name again and puts right what differs (the reconcile timer, start).
  void reconcileAll();

 private:
  struct Name {
    FollowSpec spec;
    std::uint16_t type = kTypeA;
    std::optional<std::vector<std::string>> known;       // in the primary, as last read or written
    std::optional<std::vector<std::string>> lastWanted;  // as last computed
    bool dirty = false;
    int races = 0;
  };
  using Batch = std::vector<std::string>;

  std::optional<std::vector<std::string>> wanted(const Name& n) const;

  // Marks `n` dirty when forced or when its wanted RRset changed; starts a round soon.
  void touch(Name& n, bool force);

  void armReconcile();

  // Sends through the client, remembering the exchange so that the group's end cancels it.
  void send(const net::Address& to, Request req, std::function<void(const Result&)> done);

  // One round: read what is unknown, then one UPDATE for the dirty names that differ.
  void round();

  FollowOutcome failure(Name& n, const Result& r, const std::string& error);

  // The changes of `batch` (InSync names go to `outcomes`).
  std::vector<RrsetChange> changesOf(const Batch& batch, std::vector<FollowOutcome>& outcomes);

  // Splits changes into UPDATEs that fit a TCP message, by an upper bound of their size
  // (every name written in full, as if ldns did not compress).
  static std::vector<std::vector<RrsetChange>> chunked(std::vector<RrsetChange> changes);

  // Sends the UPDATEs of a round (one unless too large for one message); ends the round
  // when every one has its reply.
  void update(const Batch& batch, std::vector<FollowOutcome> outcomes);

  // One UPDATE's reply: names updated, lost races marked for a re-read, failures.
  void updated(const std::vector<RrsetChange>& changes, const Result& r, std::vector<FollowOutcome>& outcomes);

  // One line per name changed or failed (Info when the UPDATE held over ten names, with
  // one line for the whole UPDATE at the event's level).
  void logUpdate(const std::vector<RrsetChange>& changes, const Result& r, bool race) const;

  void endRound(std::vector<FollowOutcome> outcomes);

  // Reads back the names and the SOA serial from the primary, then from each secondary
  // until they match or the deadline passes.
  struct Verify;
  void verify(const Batch& names);
  void resolveNs(std::uint16_t port, std::function<void()> then);
  void verifyServer(std::shared_ptr<Verify> v, std::size_t index);
  void verifyDone(Verify& v);

  Followers& owner_;
  std::string zone_;
  net::Address server_;
  std::optional<TsigKey> key_;
  std::map<std::string, Name> names_;
  std::set<UpdateClient::Id> inflight_;
  bool busy_ = false;
  ev::Timer batch_, retry_, reconcile_;
  std::chrono::milliseconds retryDelay_;
  std::vector<std::shared_ptr<Verify>> verifies_;
  std::optional<std::vector<net::Address>> nsServers_;  // secondariesFromNs, once read
  std::vector<std::function<void()>> nsWaiters_;
};

}  // namespace fail::dns
