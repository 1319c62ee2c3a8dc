// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The logic of `fail::dns follow` (failover(n)), on the loop and independent of Tcl: keep
// a name's RRset in a primary name server equal to the healthy members chosen from a
// list, by RFC 2136 updates guarded by compare-and-swap prerequisites.
//
// Followers holds one group per zone, primary and key. A member's health comes from the
// caller (setHealth, from the local faild's records); the wanted RRset is a pure function
// of the spec and the states (wantedRecords). When it changes, the name is marked dirty;
// dirty names of one group within batchWindow go out in one UPDATE (at most maxBatch
// names a round; a round too large for one 64 KiB message is split in as few as fit). The prerequisite of a name is the RRset last known in the primary: read
// from it when unknown (at start, at each reconcile, after a lost race), or as our last
// successful update left it. A YXRRSET/NXRRSET reply means somebody else changed a name:
// every name of that UPDATE is read again and the update retried (up to kMaxRaces
// times in a row). A failure (timeout, REFUSED, NOTAUTH...) is reported and retried with
// backoff. Every reconcile interval all names are read again and put right.
//
// After each successful UPDATE, verification reads the names' RRsets and the SOA serial
// back from the primary and each secondary until they match, or verifyDeadline passes;
// the lag is reported.
//
// Loop thread only. Outcomes go to the callback from the loop; it may call setHealth or
// follow, but must not destroy the Followers.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dns/tsig_key.hh"
#include "dns/update_client.hh"
#include "ev/loop.hh"
#include "net/address.hh"
#include "proto/values.hh"

namespace fail::dns {

enum class FollowSelect { All, Priority };      // all healthy members / the first healthy one
enum class FollowAllDown { All, None, Keep };   // no member healthy: all members / none / leave it

struct FollowMember {
  std::string address;  // an IPv4 or IPv6 address as written (all members one family)
  std::string check;    // the local faild record whose UP lets it in; "" : always in
};

struct FollowSpec {
  std::string name;  // canonical, inside `zone`
  std::string zone;  // canonical
  net::Address server;  // the primary
  std::optional<TsigKey> key;  // nothing goes out unsigned when set
  FollowSelect select = FollowSelect::All;
  std::uint32_t ttl = 60;
  std::vector<FollowMember> members;
  FollowAllDown allDown = FollowAllDown::All;
  std::chrono::milliseconds reconcile{std::chrono::minutes(5)};  // of the group (the smallest wins); 0: never
  std::vector<net::Address> secondaries;  // verified after each update
  // Also verify at the zone's name servers: the NS set and the servers' addresses read
  // from the primary (once, again after each reconcile), at port nsPort; the primary's
  // own address and port are left out.
  bool secondariesFromNs = false;
  std::uint16_t nsPort = 53;
};

// The RRset a name should have given its members' states (`stateOf(check)`; a member
// without a check is always in), or nullopt when it must be left as it is (-all-down
// keep with no member in). The addresses are those of the spec, in its order.
std::optional<std::vector<std::string>> wantedRecords(
    const FollowSpec& spec, const std::function<proto::State(const std::string&)>& stateOf);

// Checks a spec before it is followed: name inside the zone, at least one member, all
// members of one family, valid addresses, a server. *err names the member or option at
// fault.
bool validFollowSpec(const FollowSpec& spec, std::string* err);

// What happened to one name.
struct FollowOutcome {
  enum class Kind {
    Updated,   // the primary acknowledged our UPDATE: records is now its RRset
    InSync,    // a read found the RRset already right (start, reconcile): nothing sent
    Failed,    // the update could not be made (error says why); it will be retried
    Verified,  // read back from the primary and every secondary (lag, serial)
    Lagging,   // verification deadline passed: `lagging` lists who did not match
  } kind = Kind::Updated;
  std::string name;
  std::vector<std::string> records;  // the RRset wanted (and, after Updated, in the primary)
  Result result;                     // the exchange behind this outcome (rcode, server, ms...)
  int races = 0;                     // YXRRSET/NXRRSET lost and re-read before this outcome
  std::optional<std::uint32_t> serial;     // Verified: the primary's SOA serial after the update
  std::chrono::milliseconds lag{0};        // Verified: ack to the last server matching
  std::vector<std::string> servers;        // Verified, Lagging: every server read back, the primary first
  std::vector<std::string> lagging;        // Lagging: servers ("127.0.0.1:5301") not matching
  std::string error;                       // Failed, Lagging
};
const char* outcomeName(FollowOutcome::Kind kind);  // "updated", "in-sync", "failed"...

using FollowCallback = std::function<void(const FollowOutcome&)>;

struct FollowTiming {
  std::chrono::milliseconds batchWindow{5};      // dirty names gathered this long
  std::size_t maxBatch = 1000;                   // names per round
  ExchangeOptions exchange{};                    // each read and update
  std::chrono::milliseconds retryFirst{500};     // after a failure; doubled up to retryMax
  std::chrono::milliseconds retryMax{30000};
  std::chrono::milliseconds verifyDeadline{10000};
  std::chrono::milliseconds verifyPoll{50};      // between read-backs of a lagging server
};

class Followers {
 public:
  Followers(ev::Loop& loop, FollowCallback callback, FollowTiming timing = {});
  ~Followers();
  Followers(const Followers&) = delete;
  Followers& operator=(const Followers&) = delete;

  // Follows spec.name (replacing an earlier spec for that name). Checked with
  // validFollowSpec; false with *err otherwise. Acts only once start() was called.
  bool follow(FollowSpec spec, std::string* err);
  bool unfollow(const std::string& name);
  // A record's state changed (UP lets members checked by it in). Unknown records are not
  // UP until told.
  void setHealth(const std::string& record, proto::State state);
  // From now on names are put right (first a read of every name, then updates); call it
  // once the initial states were given.
  void start();
  // Reads every name again now, as the reconcile timer does.
  void reconcileNow();

  // The last outcome of a name (nullptr when none yet).
  const FollowOutcome* last(const std::string& name) const;
  // Counters: UPDATE exchanges started (one message each, unless retried on a timeout),
  // reads (queries), lost compare-and-swaps, rounds that failed.
  struct Stats {
    std::uint64_t updates = 0, reads = 0, races = 0, failures = 0;
  };
  Stats stats() const;

  class Group;  // follow.cc: the names of one zone on one primary

 private:
  proto::State stateOf(const std::string& record) const;
  void report(const FollowOutcome& outcome);

  ev::Loop& loop_;
  FollowCallback callback_;
  FollowTiming timing_;
  UpdateClient client_;
  std::map<std::string, proto::State> health_;
  std::map<std::string, std::unique_ptr<Group>> groups_;  // by "zone@server/key"
  std::map<std::string, std::string> groupOf_;            // name -> group key
  std::map<std::string, FollowOutcome> last_;
  bool started_ = false;
  std::uint64_t reads_ = 0, races_ = 0, failures_ = 0;
};

}  // namespace fail::dns
