// faild: the passive state daemon. Parses options and wires library parts together;
// the behaviour lives in lib/ (state/store, state/journal, server/).
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include "base/cli.hh"
#include "base/daemon.hh"
#include "base/log.hh"
#include "base/time.hh"
#include "base/version.hh"
#include "ev/loop.hh"
#include "server/server.hh"
#include "state/journal.hh"
#include "state/store.hh"

namespace {

using namespace fail;

struct Settings {
  server::ServerConfig server;
  std::string stateFile = "/var/lib/failover/faild.state";
  bool memory = false;
  bool daemon = false;
  bool checkOnly = false;
  std::string pidFile, user, logTo;
  std::vector<std::pair<std::string, std::string>> levels;
  size_t history = 20000;
  bool maxClientsGiven = false;
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

std::vector<cli::Option> options(Settings& s, bool& wantHelp, bool& wantVersion) {
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
      {"history", 0, "N", "changes kept in memory for WATCH since= (default 20000)",
       [&](const std::string& v) { s.history = number("history", v); }},
      {"foreground", 'F', nullptr, "stay in the foreground (the default)", [&](const std::string&) { s.daemon = false; }},
      {"daemon", 0, nullptr, "detach into the background (logs go to syslog unless --log)",
       [&](const std::string&) { s.daemon = true; }},
      {"pidfile", 'r', "FILE", "write the process id there", [&](const std::string& v) { s.pidFile = v; }},
      {"user", 'u', "USER", "run as USER once the listeners are bound", [&](const std::string& v) { s.user = v; }},
      {"debug", 'd', "FACILITY[=LEVEL]",
       "raise a log facility (main proto store access watch tls, or all) to debug or LEVEL; repeatable",
       [&](const std::string& v) {
         size_t eq = v.find('=');
         s.levels.emplace_back(v.substr(0, eq), eq == std::string::npos ? "debug" : v.substr(eq + 1));
       }},
      {"log", 'L', "stderr|syslog|FILE", "where log lines go (default stderr; syslog with --daemon)",
       [&](const std::string& v) { s.logTo = v; }},
      {"check-config", 't', nullptr, "check the configuration and exit",
       [&](const std::string&) { s.checkOnly = true; }},
      {"version", 'V', nullptr, "print the version and exit", [&](const std::string&) { wantVersion = true; }},
      {"help", 'h', nullptr, "print this help and exit", [&](const std::string&) { wantHelp = true; }},
  };
}

void setUpLogging(const Settings& s) {
  cli::setUpLogging("faild", {"main", "proto", "store", "access", "watch", "tls"}, {s.logTo, s.daemon, s.levels});
}

// Raises the soft open-file limit to the hard one, and keeps --max-clients below it:
// descriptors beyond the clients are needed for the listeners, the state file, its
// compaction, the journal's pipe and the log. An explicit --max-clients is kept (with a
// warning); faild then pauses accepting when it runs out (see Server).
void fitClientsToFileLimit(Settings& s) {
  daemon::raiseFileLimit();
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur == RLIM_INFINITY) return;
  const size_t reserve = 32 + s.server.listens.size();
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

int run(Settings& s) {
  auto& mainLog = log::facility("main");
  if (s.server.listens.empty()) {
    std::string err;
    s.server.listens.push_back(*net::parseListen("127.0.0.1:1847", err));
  }
  if (s.checkOnly) {
    ev::Loop loop;
    state::Store store(nullptr, {}, {}, steadyNow());
    server::Server srv(loop, s.server, store);  // checks access file, TLS, listeners
    std::cout << "faild: configuration OK\n";
    return 0;
  }
  if (s.daemon) daemon::detach();
  fitClientsToFileLimit(s);
  if (!s.pidFile.empty()) daemon::writePidFile(s.pidFile);

  state::Recovery rec;
  std::unique_ptr<state::Journal> journal;
  if (s.memory) {
    FAIL_LOG(mainLog, Warning) << "--memory: the state is kept in memory only; nothing survives a restart";
  } else {
    journal = state::Journal::open(s.stateFile, rec);
    for (const auto& p : rec.problems) FAIL_LOG(mainLog, Err) << "state file damaged: " << p;
    if (!rec.movedTo.empty())
      FAIL_LOG(mainLog, Err) << "the damaged state file was moved to " << rec.movedTo << "; recovered "
                             << rec.records.size() << " records";
  }
  size_t nrec = rec.records.size();
  state::Store::Options so;
  so.historyMax = s.history;
  ev::Loop loop;
  loop.handleSignals({});  // from here on; the handlers are given once they exist
  state::Store store(std::move(journal), std::move(rec), so, steadyNow());
  malloc_trim(0);  // what recovery read and let go of goes back to the system
  server::Server srv(loop, s.server, store);
  srv.start();
  if (!s.user.empty()) daemon::dropPrivileges(s.user);

  loop.handleSignals({[&] { srv.reloadAccess(); },
                      [&] {
                        std::string d = srv.dump();
                        FAIL_LOG(mainLog, Notice) << "SIGUSR1 dump:\n" << d;
                      },
                      [&] { daemon::notify("STOPPING=1"); }});
  std::string listening = daemon::joinSpaced(srv.boundAddresses());
  FAIL_LOG(mainLog, Notice) << "faild " << kVersion << " serving " << nrec << " records from "
                            << (s.memory ? std::string("memory") : s.stateFile) << " on " << listening;
  daemon::notifyReady("serving " + std::to_string(nrec) + " records on " + listening, listening);
  loop.run();
  srv.stop();
  if (!s.pidFile.empty()) ::unlink(s.pidFile.c_str());
  FAIL_LOG(mainLog, Notice) << "stopped";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Settings s;
  bool wantHelp = false, wantVersion = false;
  auto table = options(s, wantHelp, wantVersion);
  try {
    auto operands = cli::parse(argc, argv, table);
    if (wantHelp) {
      std::cout << "Usage: faild [OPTION]...\nThe failover state daemon: holds service states, "
                   "keeps them durable, streams changes.\n\n"
                << cli::help(table) << "\nSee faild(8) and failover-access(5).\n";
      return 0;
    }
    if (wantVersion) {
      std::cout << "faild (failover) " << kVersion << "\n";
      return 0;
    }
    if (!operands.empty()) throw cli::UsageError("unexpected argument '" + operands[0] + "'");
    setUpLogging(s);
  } catch (const cli::UsageError& e) {
    std::cerr << "faild: " << e.what() << "\nTry 'faild --help'.\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "faild: " << e.what() << "\n";
    return 2;
  }
  try {
    return run(s);
  } catch (const std::exception& e) {
    FAIL_LOG(fail::log::facility("main"), Err) << e.what();
    if (fail::log::enabled(fail::log::facility("main"), fail::log::Level::Err) && s.daemon == false &&
        !s.logTo.empty() && s.logTo != "stderr")
      std::cerr << "faild: " << e.what() << "\n";
    return 1;
  }
}
