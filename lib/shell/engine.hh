// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failsh's engine: the hosts it polls, the services it runs (failhost, failsvc), its
// local faild, and the monitor store that failmon reads. Everything here runs on the
// loop and never evaluates Tcl: the start, stop and reclaim procs are run through a
// ProcRunner (the Tcl layer), trap and change subscribers are plain callbacks that the
// Tcl layer turns into queued script calls.
//
// A service run (every interval, staggered): poll the service on every master and slave
// (GET NAME on their faild, within the poll timeout; unreachable counts as FAIL), ask
// each witness for host:MASTER, decide (shell/rule.hh), run a proc if the rule says so,
// and SET the new state in the local faild. A run in progress makes the next tick skip.
#pragma once

#include <event2/event.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "client/link.hh"
#include "ev/ev.hh"
#include "shell/rule.hh"
#include "state/record.hh"
#include "state/store.hh"

namespace fail::shell {

class DnsFollows;     // shell/dns_follow.hh
class Notifications;  // shell/notify.hh

using Millis = std::chrono::milliseconds;

struct HostSpec {
  std::string name;
  std::string address;  // "" : the name itself
  std::string port = "1847";
  std::string secret;
  client::TlsOptions tls;
  bool operator==(const HostSpec& o) const {
    return name == o.name && address == o.address && port == o.port && secret == o.secret &&
           tls.enabled == o.tls.enabled && tls.ca == o.tls.ca && tls.cert == o.tls.cert && tls.key == o.tls.key;
  }
};

struct ServiceSpec {
  std::string name;
  Millis interval{5000};
  std::vector<std::string> masters, slaves, witnesses;
  std::string start, stop, reclaim;  // Tcl scripts (usually a proc name); "" : none
  std::string reassert;              // run when a peer that also held it let it go; "" : none
  Millis fenceAfter{0};              // 0: two intervals
  Millis pollTimeout{0};             // 0: the smaller of half the interval and 2 s
  Millis fence() const { return fenceAfter.count() ? fenceAfter : 2 * interval; }
  const std::string& script(Action a) const {  // the proc of a Start, Stop, Reclaim or Reassert
    return a == Action::Start ? start : a == Action::Stop ? stop : a == Action::Reclaim ? reclaim : reassert;
  }
  Millis timeout() const {
    if (pollTimeout.count()) return pollTimeout;
    return std::min(interval / 2, Millis{2000});
  }
  bool operator==(const ServiceSpec&) const = default;
};

// Runs a service's proc; calls `done` (on the loop) with the state it returned, or FAIL
// and a note when it failed or overran.
class ProcRunner {
 public:
  virtual ~ProcRunner() = default;
  virtual void run(const std::string& service, Action which, const std::string& script,
                   std::function<void(State, const std::string& note)> done) = 0;
};

struct EngineOptions {
  std::string localName = "localhost";  // the host name meaning the local faild
  Millis hostInterval{1000};            // PING of every host (at most this, at least the shortest service interval)
  std::string notifyDb;                 // the notification queue (failsh --notify-db); "": defaultNotifyDb()
};

struct ServiceStatus {  // what the monitor shows
  State local = State::Unknown;
  std::string lastAction, lastNote;
  std::map<std::string, std::string> seen;  // "master.B" -> "UP", "witness.C" -> "yes"
  std::int64_t runs = 0, skipped = 0;
  Micros nextRun = 0;
};

// How a record reaches a subscriber: Sync, part of the listing of the local faild's
// records when failsh (re)connects to it (the state as it is, not a change); Change, it
// changed (or was created) since; Delete, it was deleted.
enum class ChangeKind { Sync, Change, Delete };
const char* changeKindName(ChangeKind k);  // "sync", "change", "delete"

// What a reload changed (Engine::adopt), by name.
struct Adopted {
  std::vector<std::string> added, changed, removed, hostsRemoved;
};

class Engine {
 public:
  Engine(event_base* base, EngineOptions opts, ProcRunner& runner);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Configuration (failhost, failsvc): may change at any time; a service's schedule
  // restarts when its interval changes.
  HostSpec& hostSpec(const std::string& name);  // created with defaults when new
  void hostChanged(const std::string& name);    // reconnects with the new settings
  ServiceSpec& serviceSpec(const std::string& name);
  void serviceChanged(const std::string& name);
  bool hasService(const std::string& name) const { return services_.count(name) != 0; }
  std::vector<std::string> services() const;
  std::vector<ServiceSpec> serviceSpecs() const;
  std::vector<std::string> hosts() const;

  void start();  // connects to the local faild, starts every schedule
  void stop();
  bool started() const { return started_; }

  // The local faild's records, kept current by a WATCH.
  const std::map<std::string, state::Record>& local() const { return local_; }
  bool localSynced() const { return synced_; }
  // Subscribers and traps are called on the loop; each returns an id for unsubscribe().
  using ChangeFn = std::function<void(const state::Record& rec, ChangeKind kind)>;
  int subscribe(ChangeFn fn);
  using TrapFn = std::function<void(const std::string& service, State from, State to, const std::string& note)>;
  int onTrap(TrapFn fn);
  // Called each time the listing of the local faild's records is complete (SYNCED).
  int onSynced(std::function<void()> fn);
  void unsubscribe(int id);

  // The procs run through `runner` from now on (a reload's new policy).
  void setRunner(ProcRunner& runner) { runner_ = &runner; }
  // Reload (failsh(8), RELOAD): takes over the services and hosts that `next` (a staging
  // engine the new policy was read against, never started) declares, by name. An
  // unchanged service keeps its state and timers; a changed one takes its new settings
  // and its schedule restarts; a removed one is released: its stop proc runs through
  // `old` (the retiring policy, which defines it) if this host holds it, then its record
  // is deleted from the local faild. A host no longer named by `next` is dropped and its
  // host:NAME record deleted. `released` runs (on the loop) once every removed service
  // is released; at once when none needed its stop proc.
  Adopted adopt(const Engine& next, ProcRunner& old, std::function<void()> released);

  // A request to a host's faild ("localhost" is the local one); `fn` always runs.
  void request(const std::string& host, const std::string& line, client::Link::ReplyFn fn, Millis timeout);
  // SET in the local faild (used for service states, host records, quorum results).
  void setLocal(const std::string& name, State s, const std::string& note, const state::Attrs& attrs = {},
                std::int64_t ttlMs = 0, client::Link::ReplyFn fn = {});
  // DEL in the local faild (a record failsh no longer keeps).
  void deleteLocal(const std::string& name);

  state::Store& monitor() { return monitor_; }
  // A record of the monitor store (what failmon reads: service:, host:, dns:) set whole
  // or removed; loop side.
  void showMonitor(state::SetInput in);
  void hideMonitor(const std::string& name);
  // The names this engine keeps in other name servers (fail::dns follow), made at first
  // use; adopt() takes them over by name as it does services.
  DnsFollows& dnsFollows();
  // The notifications it sends (fail::notify), made at first use; adopt() takes the
  // next policy's declarations whole.
  Notifications& notifications();
  bool hasNotifications() const { return notifications_ != nullptr; }
  const ServiceStatus* status(const std::string& service) const;
  bool hostReachable(const std::string& host) const;
  std::string dump() const;

 private:
  struct Host;
  struct Service;
  struct Run;
  Host& host(const std::string& name);
  void schedule(Service& s, ev::Micros delay);
  using PollDone = std::function<void()>;
  void tick(Service& s);
  bool mayRun(Service& s);  // false (counted, logged) when a run is out or the local faild is not reachable
  void pollPeers(Service& s, std::vector<PeerView>& views, const std::vector<std::string>& hosts, std::uint64_t gen,
                 const PollDone& done);
  void pollWitnesses(Service& s, std::uint64_t gen, const PollDone& done);
  void polled(Service& s);  // the run's polls are in: decideRun (shell/takeover.hh), then act
  void recordSeen(Service& s, State local);  // the polls' results into the status and the log
  void fenceAt(Service& s, Micros delay);    // arms the fence timer unless it is armed
  void act(Service& s, Action a);
  void fenceNow(Service& s);  // runs the stop proc of a holder cut off from the majority
  void fenceDue(Service& s);  // the fence timer fired
  void startLater(Service& s, Micros at);  // a start whose only obstacle is the fencing wait
  void startDue(Service& s);               // its timer fired
  bool takeTurn(Service& s);               // for a timer: abandons a polling run; false if a proc is out
  void finish(Service& s, State next, const std::string& note, Action a);
  void onWatch(const client::WatchEvent& e);
  void localChanged(const state::Record& rec, const state::Record* before);
  void reachability(Host& h, bool ok, const std::string& why);
  void pingHosts();
  void publishService(const Service& s);
  void publishHost(const Host& h);
  void notify(const state::Record& rec, ChangeKind kind);
  void removeService(const std::string& name, ProcRunner& old, std::function<void()> done);
  void release(Service& s);     // a removed service: stop it if held, then forget it
  void dropHost(const std::string& name);

  event_base* base_;
  EngineOptions opts_;
  ProcRunner* runner_;
  std::map<std::string, std::unique_ptr<Host>> hosts_;
  std::map<std::string, std::unique_ptr<Service>> services_;
  std::unique_ptr<client::Link> watch_;
  std::map<std::string, state::Record> local_;
  bool synced_ = false, started_ = false;
  std::map<int, ChangeFn> subscribers_;
  std::map<int, TrapFn> traps_;
  std::map<int, std::function<void()>> syncedFns_;
  int nextId_ = 0;
  // Services removed by a reload, kept until released (their stop proc may be out).
  std::map<Service*, std::unique_ptr<Service>> retired_;
  state::Store monitor_;
  ev::Timer pinger_;
  std::unique_ptr<DnsFollows> dnsFollows_;
  std::unique_ptr<Notifications> notifications_;
};

}  // namespace fail::shell
