// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The protocol server of faild (doc/protocol.md), usable by any daemon that serves a
// Store: faild's own port, and later failsh's and hc's monitor ports.
//
// Owns the listeners and every client session; runs on one libevent loop; reacts to
// the Store's published changes by streaming them to watchers.
#pragma once

#include <event2/event.h>

#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "access/access.hh"
#include "base/log.hh"
#include "ev/loop.hh"
#include "net/listen.hh"
#include "net/tls.hh"
#include "server/auth_throttle.hh"
#include "server/log_budget.hh"
#include "state/store.hh"

namespace fail::history {
class Reader;
class Writer;
}  // namespace fail::history

namespace fail::server {

class Session;

struct ServerConfig {
  std::string program = "faild";  // what HELLO answers
  std::vector<net::ListenSpec> listens;
  std::string accessFile;  // "" : none
  bool insecureAuth = false;
  net::TlsFiles tls;
  size_t maxLine = 65536;
  size_t maxClients = 1024;
  // Connections at once from one client address: `maxPerAddress` for addresses that
  // are not loopback, `maxPerLoopback` for loopback ones (0: no limit but maxClients).
  // Unix socket clients are counted by maxClients only.
  size_t maxPerAddress = 64;
  size_t maxPerLoopback = 0;
  size_t watchBuffer = 4u << 20;
  int authDelayMs = 200;  // before answering a wrong secret; doubles per failure
  int authMaxDelayMs = 5000;
  // Deadlines (0: none). See Session.
  int handshakeTimeoutMs = 10'000;
  int requestTimeoutMs = 10'000;
  int idleTimeoutMs = 60'000;
  int sendTimeoutMs = 60'000;
  int acceptPauseMs = 250;  // after EMFILE/ENFILE, accept nothing for this long
  int logIntervalMs = 10'000;  // of the lines an attacker can cause (LogBudget)
};

struct ServerCounters {
  std::uint64_t connections = 0, requests = 0, errors = 0, slowWatchers = 0, refused = 0;
  std::uint64_t slowClients = 0, timeouts = 0, wrongSecrets = 0, authThrottled = 0;
  std::uint64_t acceptPauses = 0;
};

struct EventDeleter {
  void operator()(event* e) const { event_free(e); }
};
using EventPtr = std::unique_ptr<event, EventDeleter>;

class Server : public state::ChangeListener {
 public:
  // Checks the configuration (access rules for non-loopback listeners, TLS files) and
  // reads the access file. Throws std::runtime_error saying what is wrong.
  Server(ev::Loop& loop, ServerConfig config, state::Store& store);
  ~Server() override;
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every listener and starts the timers. Throws std::runtime_error.
  void start();
  // Stops accepting, closes every session, waits for the journal.
  void stop();
  // Rereads the access file (SIGHUP). On error keeps the old rules; returns the message.
  std::string reloadAccess();

  std::vector<std::string> boundAddresses() const;
  // The history database (faild): HISTORY and REPORT ask `reader`, STATS shows the
  // `writer`'s progress. Without them (--no-history-db, --memory, hc, failsh) HISTORY
  // and REPORT are answered ERR UNAVAILABLE. Both outlive the Server's sessions.
  void setHistory(history::Reader* reader, const history::Writer* writer) {
    historyReader_ = reader;
    historyWriter_ = writer;
  }
  history::Reader* historyReader() const { return historyReader_; }
  std::string stats() const;  // the STATS dict
  std::string dump() const;   // for SIGUSR1: stats and every record, one per line

  // --- for sessions ---
  event_base* base() const { return base_; }
  state::Store& store() { return store_; }
  const ServerConfig& config() const { return config_; }
  const access::AccessFile* accessFile() const { return access_ ? &*access_ : nullptr; }
  ServerCounters& counters() { return counters_; }
  void addWatcher(Session* s) { watchers_.push_back(s); }
  void removeWatcher(Session* s) { watchers_.remove(s); }
  // Releases a session after the running callback (Loop::deleteLater: never from inside
  // its own callback); a session still waiting when the Server goes is deleted by the Loop.
  void retire(Session* s);
  AuthThrottle& authThrottle() { return authThrottle_; }
  // A session whose changes were answered: woken (Session::wake) at once, or once every
  // journal completion of this batch has run, so that its replies go out in one write.
  void wake(Session* s);
  // Lines a client can cause at will are written at a bounded rate: per kind, the first
  // of an interval in full, the others summed up in one line after it.
  enum class Noise { Refused, Accept, Denied, Slow, History };
  void logLimited(Noise kind, log::Facility& fac, log::Level level, const std::string& line);

  void onPublished(const state::Published& p) override;

 private:
  struct Bound {
    Server* server = nullptr;
    net::Listener listener;
    EventPtr ev;
  };
  static void onAcceptCb(evutil_socket_t fd, short what, void* arg) noexcept;
  static void onTimerCb(evutil_socket_t fd, short what, void* arg) noexcept;
  static void onJournalCb(evutil_socket_t fd, short what, void* arg) noexcept;
  static void onResumeAcceptCb(evutil_socket_t fd, short what, void* arg) noexcept;
  void accept(Bound& b);
  // Refuses `fd` with ERR BUSY `why` (the connection is closed).
  void refuse(int fd, const std::string& why);
  void pauseAccepting(const Bound& b, int err);
  void tick();
  void flushLogBudgets(Micros now);

  ev::Loop& loop_;
  event_base* base_;
  ServerConfig config_;
  state::Store& store_;
  std::optional<access::AccessFile> access_;
  net::SslCtxPtr tlsCtx_;
  std::vector<std::unique_ptr<Bound>> listeners_;
  std::list<std::unique_ptr<Session>> sessions_;
  std::list<Session*> watchers_;
  std::string line_, name_;         // onPublished's line and name, kept for their capacity
  std::vector<Session*> targets_;   // onPublished's copy of watchers_
  EventPtr timer_, journalEv_, resumeAcceptEv_;
  bool acceptPaused_ = false;
  bool completing_ = false;        // inside the journal's completions
  std::vector<Session*> woken_;    // sessions to wake after them
  std::unordered_map<std::string, size_t> perAddress_;  // open connections per limit key
  AuthThrottle authThrottle_;
  struct Budget {
    LogBudget budget;
    log::Facility* fac = nullptr;
    log::Level level = log::Level::Notice;
    const char* what = "";
  };
  Budget budgets_[5];
  ServerCounters counters_;
  history::Reader* historyReader_ = nullptr;
  const history::Writer* historyWriter_ = nullptr;
  Micros started_ = 0;
  Micros lastHousekeeping_ = 0;
};

}  // namespace fail::server
