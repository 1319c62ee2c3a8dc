// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// faild: the passive state daemon. Parses options and wires library parts together;
// the behaviour lives in lib/ (state/store, state/journal, server/).
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include "api/api.hh"
#include "api/metrics.hh"
#include "api/status_page.hh"
#include "base/cli.hh"
#include "base/daemon.hh"
#include "base/daemon_main.hh"
#include "base/log.hh"
#include "base/time.hh"
#include "base/version.hh"
#include "ev/loop.hh"
#include "history/preflight.hh"
#include "history/reader.hh"
#include "history/writer.hh"
#include "http/metrics_route.hh"
#include "http/server.hh"
#include "server/server.hh"
#include "state/compact_on_stop.hh"
#include "state/journal.hh"
#include "state/preflight.hh"
#include "state/store.hh"

namespace {

using namespace fail;

struct Settings {
  daemon::Common common;  // --daemon, -t, --pidfile, -u, -d, -L: base/daemon_main
  server::ServerConfig server;
  http::ServerConfig http;  // its deadlines and per-address limits are the protocol's
  bool noHttp = false;
  std::string stateFile = "/var/lib/failover/faild.state";
  bool memory = false;
  size_t history = 20000;
  std::string historyDb;              // "": STATE.history
  bool noHistoryDb = false;
  std::int64_t historyKeepMs = 400LL * 86400 * 1000;  // 0: for ever
  std::uint64_t historyRows = 0;                      // 0: no limit
  bool maxClientsGiven = false;
  int unixMode = 0660;    // of unix: listeners
  std::string unixGroup;  // "": the daemon's (-u USER's primary group, or the process's)
};

size_t number(const std::string& opt, const std::string& v) {
  auto n = parseInt(v);
  if (!n || *n <= 0) throw cli::UsageError("--" + opt + " " + v + ": a positive number is needed");
  return static_cast<size_t>(*n);
}

// A duration option ("10s", "500ms"); 0 turns the deadline off where `zeroOk`.
int millis(const std::string& opt, const std::string& v, bool zeroOk = true) {
  auto ms = parseDurationMs(v);
  if (!ms || *ms < 0 || (!zeroOk && *ms == 0) || *ms > 24LL * 3600 * 1000)
    throw cli::UsageError("--" + opt + " " + v + ": a duration such as 10s or 500ms (at most 1d) is needed");
  return static_cast<int>(*ms);
}

size_t count(const std::string& opt, const std::string& v) {
  auto n = parseInt(v);
  if (!n || *n < 0) throw cli::UsageError("--" + opt + " " + v + ": a number (0: no limit) is needed");
  return static_cast<size_t>(*n);
}

size_t bytes(const std::string& opt, const std::string& v) {
  std::string digits = v;
  size_t mul = 1;
  if (!digits.empty() && (digits.back() == 'k' || digits.back() == 'K')) mul = 1024;
  if (!digits.empty() && (digits.back() == 'm' || digits.back() == 'M')) mul = 1024 * 1024;
  if (mul > 1) digits.pop_back();
  return number(opt, digits) * mul;
}

const daemon::Program kFaild = {
    "faild",
    "[OPTION]...",
    "The failover state daemon: holds service states, keeps them durable, streams changes.",
    "See faild(8) and failover-access(5).",
    {"main", "proto", "store", "access", "watch", "tls", "http"},
    "check the configuration (and that the state files can be written) and exit",
    'r',
    true,
};

// faild's own rows; the shared ones follow (daemon::commonOptions).
std::vector<cli::Option> options(Settings& s) {
  auto& c = s.server;
  return {
      {"state", 's', "FILE", "state file (default /var/lib/failover/faild.state)",
       [&](const std::string& v) { s.stateFile = v; }},
      {"memory", 0, nullptr, "keep the state in memory only: nothing survives a restart",
       [&](const std::string&) { s.memory = true; }},
      {"access", 'c', "FILE", "access file (failover-access(5)); required for non-loopback listeners",
       [&](const std::string& v) { c.accessFile = v; }},
      {"listen", 'l', "ADDRESS:PORT", "listen there; also unix:PATH and tls:ADDRESS:PORT; repeatable "
                                      "(default 127.0.0.1:1847)",
       [&](const std::string& v) {
         std::string err;
         auto spec = net::parseListen(v, err);
         if (!spec) throw cli::UsageError("--listen " + err);
         c.listens.push_back(*spec);
       }},
      {"unix-mode", 0, "MODE", "permissions of unix: listeners, in octal (default 0660)",
       [&](const std::string& v) {
         if (v.empty() || v.size() > 4 || v.find_first_not_of("01234567") != std::string::npos)
           throw cli::UsageError("--unix-mode " + v + ": an octal mode such as 0660 is needed");
         s.unixMode = static_cast<int>(std::stoul(v, nullptr, 8)) & 0777;
       }},
      {"unix-group", 0, "GROUP", "group of unix: listeners (default the group faild runs as)",
       [&](const std::string& v) { s.unixGroup = v; }},
      {"insecure-auth", 0, nullptr, "accept AUTH on plain non-loopback TCP (the secret travels in clear)",
       [&](const std::string&) { c.insecureAuth = true; }},
      {"tls-cert", 0, "FILE", "certificate chain (PEM) for tls: listeners",
       [&](const std::string& v) { c.tls.cert = v; }},
      {"tls-key", 0, "FILE", "private key (PEM) for tls: listeners", [&](const std::string& v) { c.tls.key = v; }},
      {"tls-ca", 0, "FILE", "CA bundle to verify client certificates (optional)",
       [&](const std::string& v) { c.tls.ca = v; }},
      {"max-line", 0, "BYTES", "longest request line (default 65536)",
       [&](const std::string& v) { c.maxLine = bytes("max-line", v); }},
      {"max-clients", 0, "N", "most clients at once (default 1024, or less to stay below the open-file limit)",
       [&](const std::string& v) {
         c.maxClients = number("max-clients", v);
         s.maxClientsGiven = true;
       }},
      {"max-per-address", 0, "N", "most connections from one address that is not loopback (default 64; 0: no limit)",
       [&](const std::string& v) { c.maxPerAddress = count("max-per-address", v); }},
      {"max-per-loopback", 0, "N", "most connections from one loopback address (default 0: no limit)",
       [&](const std::string& v) { c.maxPerLoopback = count("max-per-loopback", v); }},
      {"handshake-timeout", 0, "DURATION", "TLS handshake deadline (default 10s; 0: none)",
       [&](const std::string& v) { c.handshakeTimeoutMs = millis("handshake-timeout", v); }},
      {"request-timeout", 0, "DURATION", "deadline for a started request line (default 10s; 0: none)",
       [&](const std::string& v) { c.requestTimeoutMs = millis("request-timeout", v); }},
      {"idle-timeout", 0, "DURATION", "idle time allowed a client that has not authenticated (default 60s; 0: none)",
       [&](const std::string& v) { c.idleTimeoutMs = millis("idle-timeout", v); }},
      {"send-timeout", 0, "DURATION", "time a client may leave its replies unread (default 60s; 0: none)",
       [&](const std::string& v) { c.sendTimeoutMs = millis("send-timeout", v); }},
      {"auth-delay", 0, "DURATION", "delay after a wrong secret, doubling per failure of an address (default 200ms)",
       [&](const std::string& v) { c.authDelayMs = millis("auth-delay", v, false); }},
      {"watch-buffer", 0, "BYTES", "output a watcher may fall behind before it is cut off (default 4M)",
       [&](const std::string& v) { c.watchBuffer = bytes("watch-buffer", v); }},
      {"http", 0, "PORT|ADDRESS:PORT", "serve the HTTP API there; also tls:ADDRESS:PORT; repeatable "
                                  "(default 127.0.0.1:1849)",
       [&](const std::string& v) {
         std::string err;
         auto spec = net::parseHttpListen(v, err);
         if (!spec) throw cli::UsageError("--http " + err);
         s.http.listens.push_back(*spec);
       }},
      {"no-http", 0, nullptr, "serve no HTTP API", [&](const std::string&) { s.noHttp = true; }},
      {"http-max-body", 0, "BYTES", "largest HTTP request body (default 1M)",
       [&](const std::string& v) { s.http.maxBody = bytes("http-max-body", v); }},
      {"http-max-streams", 0, "N", "most HTTP event streams at once (default 1000)",
       [&](const std::string& v) { s.http.maxStreams = number("http-max-streams", v); }},
      {"history", 0, "N", "changes kept in memory for WATCH since= (default 20000)",
       [&](const std::string& v) { s.history = number("history", v); }},
      {"history-db", 0, "FILE", "history database of every change (default STATE.history)",
       [&](const std::string& v) { s.historyDb = v; }},
      {"no-history-db", 0, nullptr, "keep no history database",
       [&](const std::string&) { s.noHistoryDb = true; }},
      {"history-keep", 0, "DURATION", "drop history older than this (default 400d; 0: keep all)",
       [&](const std::string& v) {
         auto ms = parseDurationMs(v);
         if (!ms || *ms < 0) throw cli::UsageError("--history-keep " + v + ": a duration is needed");
         s.historyKeepMs = *ms;
       }},
      {"history-rows", 0, "N", "keep at most N changes in the history (default: no limit)",
       [&](const std::string& v) { s.historyRows = number("history-rows", v); }},
  };
}

// Gives every unix: listener the mode of --unix-mode and the group of --unix-group, or
// the group faild runs as (-u USER's primary group). Throws naming a group or user that
// does not exist.
void setUnixAccess(Settings& s) {
  long gid = -1;  // bind's: the process's own group
  if (!s.unixGroup.empty()) {
    try {
      gid = daemon::lookUpGroup(s.unixGroup);
    } catch (const std::exception& e) {
      throw cli::UsageError(std::string("--unix-group ") + e.what());
    }
  } else if (!s.common.user.empty()) {
    gid = daemon::lookUpUser(s.common.user).gid;
  }
  for (auto& l : s.server.listens) {
    if (l.kind != net::ListenSpec::Kind::Unix) continue;
    l.mode = s.unixMode;
    l.gid = gid;
  }
}

// Raises the soft open-file limit to the hard one, and keeps --max-clients below it:
// descriptors beyond the clients are needed for the listeners, the state file, its
// compaction, the journal's pipe and the log. An explicit --max-clients is kept (with a
// warning); faild then pauses accepting when it runs out (see Server).
void fitClientsToFileLimit(Settings& s) {
  daemon::raiseFileLimit();
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur == RLIM_INFINITY) return;
  const size_t reserve = 32 + s.server.listens.size() + s.http.listens.size() + 1;
  size_t fit = r.rlim_cur > reserve + 1 ? static_cast<size_t>(r.rlim_cur) - reserve : 1;
  if (s.server.maxClients <= fit) return;
  auto& mainLog = log::facility("main");
  if (s.maxClientsGiven) {
    FAIL_LOG(mainLog, Warning) << "--max-clients " << s.server.maxClients << " is more than the open-file limit ("
                               << r.rlim_cur << ") leaves room for; past " << fit
                               << " clients faild will pause accepting";
    return;
  }
  FAIL_LOG(mainLog, Notice) << "at most " << fit << " clients: the open-file limit is " << r.rlim_cur;
  s.server.maxClients = fit;
}

// Refuses to start (throws) when the user faild runs as cannot keep the state file:
// checked in a child switched to -u USER when one is given (state/preflight.hh).
void checkStateFiles(const Settings& s) {
  if (s.memory) return;
  const std::string& user = s.common.user;
  std::string who = user.empty() ? daemon::currentUserName() : user;
  auto check = [&] { return state::checkStateFiles(s.stateFile, who); };
  std::string err = user.empty() ? check() : daemon::runAs(user, check);
  if (!err.empty()) throw std::runtime_error(err);
}

std::string historyPath(const Settings& s) {
  return s.historyDb.empty() ? s.stateFile + ".history" : s.historyDb;
}

// -t: refuses (throws) when the user faild runs as cannot open or create the history
// database and write it (history/preflight.hh). At a real start faild opens it before it
// switches user and gives the files to USER.
void checkHistoryDb(const Settings& s) {
  if (s.memory || s.noHistoryDb) return;
  const std::string& user = s.common.user;
  std::string who = user.empty() ? daemon::currentUserName() : user;
  auto check = [&] { return history::checkDb(historyPath(s), who); };
  std::string err = user.empty() ? check() : daemon::runAs(user, check);
  if (!err.empty()) throw std::runtime_error(err);
}

// Opens the history database and queues what the journal holds that it lacks.
std::unique_ptr<history::Writer> openHistory(const Settings& s, const state::Recovery& rec) {
  auto& log = log::facility("history");
  std::string path = historyPath(s);
  std::string movedTo;
  auto db = history::Db::open(path, &movedTo);
  if (!movedTo.empty())
    FAIL_LOG(log, Err) << "history " << path << " was damaged: moved aside to " << movedTo
                       << "; a new one is filled from the state file";
  if (!s.common.user.empty()) {
    auto ids = daemon::lookUpUser(s.common.user);
    if (std::string e = state::giveFiles({path, path + "-wal", path + "-shm"}, ids.uid, ids.gid);
        !e.empty())
      FAIL_LOG(log, Warning) << e;
  }
  std::uint64_t written = db->lastSerial();
  history::Writer::Options o;
  o.maxAge = s.historyKeepMs * 1000;
  o.maxRows = s.historyRows;
  auto w = std::make_unique<history::Writer>(std::move(db), o, [&log](log::Level level, const std::string& m) {
    if (log::enabled(log, level)) log::write(log, level, m);
  });
  history::CatchUp c = history::catchUp(*w, written, rec);
  if (c.gap && written == 0) {
    FAIL_LOG(log, Notice) << "history " << path << " is new: it starts from the " << rec.records.size()
                          << " records' states (the state file holds no changes before serial " << rec.base << ")";
  } else if (c.gap) {
    FAIL_LOG(log, Warning) << "history " << path << " ends at serial " << written
                           << ": the changes after it up to serial " << rec.base
                           << " are no longer in the state file; their records' states are written instead";
  }
  if (c.pushed) {
    FAIL_LOG(log, Notice) << "history " << path << ": catching up " << c.pushed << " changes from the state file";
    w->noticeWhenWritten(c.last, "history " + path + ": caught up to serial " + std::to_string(c.last));
  }
  return w;
}

// The HTTP server's settings: its own listeners and limits, the protocol's deadlines,
// per-address limits, TLS files and watch buffer (the same clients, the same rules).
void completeHttp(Settings& s) {
  auto& h = s.http;
  const auto& c = s.server;
  if (h.listens.empty()) {
    std::string err;
    h.listens.push_back(*net::parseListen("127.0.0.1:1849", err));
  }
  h.tls = c.tls;
  h.maxConnections = c.maxClients;
  h.maxPerAddress = c.maxPerAddress;
  h.maxPerLoopback = c.maxPerLoopback;
  h.streamBuffer = c.watchBuffer;
  h.idleTimeoutMs = c.idleTimeoutMs;
  h.requestTimeoutMs = c.requestTimeoutMs;
  h.sendTimeoutMs = c.sendTimeoutMs;
  h.acceptPauseMs = c.acceptPauseMs;
}

int run(Settings& s) {
  auto& mainLog = log::facility("main");
  if (s.server.listens.empty()) {
    std::string err;
    s.server.listens.push_back(*net::parseListen("127.0.0.1:1847", err));
  }
  const auto& common = s.common;
  if (common.checkOnly) {
    ev::Loop loop;
    state::Store store(nullptr, {}, {}, steadyNow());
    server::Server srv(loop, s.server, store);  // checks access file, TLS, listeners
    if (!s.noHttp) {
      completeHttp(s);
      http::Server web(loop, s.http);  // checks the HTTP listeners and TLS files
      api::checkListeners(s.http, srv.accessFile());
    }
    checkStateFiles(s);
    checkHistoryDb(s);
    std::cout << "faild: configuration OK\n";
    return 0;
  }
  daemon::start(common, "faild");
  fitClientsToFileLimit(s);
  if (!s.noHttp) completeHttp(s);

  state::Recovery rec;
  std::unique_ptr<state::Journal> journal;
  if (s.memory) {
    FAIL_LOG(mainLog, Warning) << "--memory: the state is kept in memory only; nothing survives a restart";
  } else {
    checkStateFiles(s);
    journal = state::Journal::open(s.stateFile, rec);
    if (!common.user.empty()) {  // opened as root: USER must open them at the next start
      auto ids = daemon::lookUpUser(common.user);
      if (std::string e = state::giveStateFiles(s.stateFile, ids.uid, ids.gid); !e.empty())
        FAIL_LOG(mainLog, Warning) << e;
    }
    for (const auto& p : rec.problems) FAIL_LOG(mainLog, Err) << "state file damaged: " << p;
    if (!rec.movedTo.empty())
      FAIL_LOG(mainLog, Err) << "the damaged state file was moved to " << rec.movedTo << "; recovered "
                             << rec.records.size() << " records";
  }
  std::unique_ptr<history::Writer> hist;
  if (!s.memory && !s.noHistoryDb) hist = openHistory(s, rec);
  size_t nrec = rec.records.size();
  state::Store::Options so;
  so.historyMax = s.history;
  ev::Loop loop;
  loop.handleSignals({});  // from here on; the handlers are given once they exist
  state::Store store(std::move(journal), std::move(rec), so, steadyNow());
  if (hist) store.addListener(hist.get());
  malloc_trim(0);  // what recovery read and let go of goes back to the system
  // HISTORY, REPORT and the HTTP API's history read the database on a thread of their
  // own (history/reader.hh).
  std::unique_ptr<history::Reader> reader;
  if (hist) reader = std::make_unique<history::Reader>(loop, historyPath(s));
  server::Server srv(loop, s.server, store);
  srv.setHistory(reader.get(), hist.get());
  srv.start();
  std::unique_ptr<http::Server> web;
  std::unique_ptr<api::Api> httpApi;
  metrics::Registry reg;  // GET /metrics (doc/metrics.md)
  if (!s.noHttp) {
    web = std::make_unique<http::Server>(loop, s.http);
    httpApi = std::make_unique<api::Api>(loop, *web, store, srv, reader.get());
    api::addFaildMetrics(reg, {&srv, &store, hist.get(), reader.get(), web.get(), httpApi.get()});
    http::serveMetrics(*web, reg, "faild");
    api::addStatusPage(loop, *web, store, srv);  // GET /
    web->start();
  }
  if (!common.user.empty()) daemon::dropPrivileges(common.user);

  loop.handleSignals({[&] { srv.reloadAccess(); },
                      [&] {
                        std::string d = srv.dump();
                        FAIL_LOG(mainLog, Notice) << "SIGUSR1 dump:\n" << d;
                      },
                      [&] { daemon::notify("STOPPING=1"); }});
  std::string listening = daemon::joinSpaced(srv.boundAddresses());
  std::string httpAt = web ? daemon::joinSpaced(web->boundAddresses()) : "";
  FAIL_LOG(mainLog, Notice) << "faild " << kVersion << " serving " << nrec << " records from "
                            << (s.memory ? std::string("memory") : s.stateFile) << " on " << listening
                            << (web ? ", HTTP on " + httpAt : "");
  daemon::notifyReady("serving " + std::to_string(nrec) + " records on " + listening, listening, httpAt);
  loop.run();
  if (web) web->stop();
  httpApi.reset();
  srv.setHistory(nullptr, nullptr);  // before the Reader goes
  reader.reset();
  srv.stop();  // every change durable or undone
  if (hist) {  // written before a compaction could drop what it still needs
    store.removeListener(hist.get());
    hist.reset();
  }
  state::StopCompaction sc = state::compactOnStop(store);
  if (!sc.error.empty()) {
    FAIL_LOG(mainLog, Err) << "compaction on stop failed: " << sc.error;
  } else if (sc.compacted) {
    FAIL_LOG(mainLog, Notice) << "compacted " << s.stateFile << " on stop: " << sc.records
                              << " records, " << sc.before << " -> " << sc.after << " bytes";
  }
  FAIL_LOG(mainLog, Notice) << "stopped";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Settings s;
  auto prepare = [&](const std::vector<std::string>& operands) {
    if (!operands.empty()) throw cli::UsageError("unexpected argument '" + operands[0] + "'");
    setUnixAccess(s);
    if (s.noHttp && !s.http.listens.empty()) throw cli::UsageError("--http and --no-http exclude each other");
  };
  return daemon::run(kFaild, argc, argv, options(s), s.common, prepare, [&] { return run(s); });
}
