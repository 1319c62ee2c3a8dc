// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "shell/shell.hh"

#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <tcl.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <set>

#include "base/daemon.hh"
#include "base/log.hh"
#include "base/time.hh"
#include "base/version.hh"
#include "ev/loop.hh"
#include "http/metrics_route.hh"
#include "shell/api.hh"
#include "shell/bridge.hh"
#include "shell/dns_host.hh"
#include "shell/engine.hh"
#include "shell/metrics.hh"
#include "shell/notify.hh"
#include "shell/policy_check.hh"
#include "shell/policy_reader.hh"
#include "shell/sandbox.hh"
#include "shell/stop_watchdog.hh"
#include "tcl/notifier.hh"

namespace fail::shell {
namespace {

log::Facility& fac() {
  static log::Facility& f = log::facility("main");
  return f;
}

// libevent's handlers for SIGTERM and SIGINT, which onStopSignal calls after telling
// the StopWatchdog (it ends a process whose loop is stuck).
struct sigaction libeventAction[NSIG];

void onStopSignal(int sig, siginfo_t* info, void* ctx) {
  StopWatchdog::noteSignal(sig);
  const struct sigaction& a = libeventAction[sig];
  if (a.sa_flags & SA_SIGINFO) {
    if (a.sa_sigaction) a.sa_sigaction(sig, info, ctx);
  } else if (a.sa_handler != SIG_DFL && a.sa_handler != SIG_IGN && a.sa_handler) {
    a.sa_handler(sig);
  }
}

void chainStopSignal(int sig) {
  struct sigaction sa{};
  sa.sa_sigaction = onStopSignal;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  ::sigaction(sig, &sa, &libeventAction[sig]);
}

}  // namespace

// One reading of the policy: its interpreter, its commands (Api) and, until it is
// swapped in, the staging engine it declared its services and hosts to.
struct Policy {
  Tcl_Interp* interp = nullptr;
  bool ownsInterp = true;  // false: the master (the interactive prompt)
  std::unique_ptr<Api> api;
  std::unique_ptr<Engine> staging;
  ~Policy() {
    api.reset();
    staging.reset();
    if (ownsInterp && interp) Tcl_DeleteInterp(interp);
  }
};

struct Shell::Impl {
  ShellOptions opts;
  Tcl_Interp* master = nullptr;
  SameThreadBridge bridge;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<DnsHost> dns;  // the DNS front-end: lives across reloads
  std::unique_ptr<ShellMetrics> metrics;  // every policy's Guard counts into it
  std::unique_ptr<Policy> live;                    // the policy that runs
  std::vector<std::unique_ptr<Policy>> retiring;  // replaced, until their removed services are released
  std::atomic<Api*> liveApi{nullptr};              // for the StopWatchdog's thread
  int generation = 0;
  std::unique_ptr<ev::Loop> loop;  // on the Tcl notifier's event_base
  std::unique_ptr<server::Server> monitor, debug;
  std::unique_ptr<http::Server> web;  // --metrics
  std::unique_ptr<spawn::Child> reader;
  std::unique_ptr<StopWatchdog> stopWatchdog;  // SIGHUP: the child reading the new policy first
  bool stop = false;
  int dumpFd = -1;  // kept open when the dump file is a FIFO
  // interactive
  Tcl_Channel in = nullptr;
  std::string pending;

  // The loop's signals (ev::Loop::handleSignals) as Tcl events: a libevent callback
  // never evaluates Tcl.
  void handleSignals() {
    loop->handleSignals({[this] { tcl::post([this] { reload(); }); },
                         [this] { tcl::post([this] { dump(); }); },
                         [this] {
                           daemon::notify("STOPPING=1");
                           stop = true;
                           // A Tcl event, so that Tcl_DoOneEvent returns now and the main
                           // loop sees `stop` (a libevent callback alone queues none).
                           tcl::post([] {});
                         }});
  }

  void reload() {  // the loop reopened the log file
    daemon::notify("RELOADING=1");
    if (monitor)
      if (std::string e = monitor->reloadAccess(); !e.empty())
        FAIL_LOG(fac(), Err) << "monitor access file: " << e << " (keeping the old rules)";
    if (opts.file.empty()) {
      daemon::notify("READY=1");
      return;
    }
    if (!opts.safe) {  // a trusted policy's top level runs once, in the live interpreter
      reread("");
      return;
    }
    // A child reads a safe policy first; the live interpreter only if that went well.
    reader = std::make_unique<spawn::Child>(tcl::base(), policyReader(opts), [this](spawn::Result r) {
      tcl::post([this, r] { reader.reset(); reread(readerError(r, opts)); });
    });
  }

  // A fresh interpreter with the commands, bound to a staging engine.
  std::unique_ptr<Policy> makePolicy() {
    auto p = std::make_unique<Policy>();
    std::string name = "policy" + (generation++ ? std::to_string(generation) : std::string());
    p->interp = Tcl_CreateSlave(master, name.c_str(), opts.safe ? 1 : 0);
    if (!p->interp) throw std::runtime_error("cannot create the policy interpreter");
    p->api = std::make_unique<Api>(p->interp, opts.limit, bridge);
    p->api->guard().setMetrics(metrics->guard());
    EngineOptions eo;
    eo.localName = opts.localName;
    eo.notifyDb = opts.notifyDb;
    p->staging = std::make_unique<Engine>(tcl::base(), eo, *p->api);
    for (const HostSpec& h : opts.hosts) p->staging->hostSpec(h.name) = h;
    if (opts.safe) {
      std::set<std::string> allowed = {opts.localName, "localhost"};
      for (const HostSpec& h : opts.hosts) allowed.insert(h.name);
      p->api->restrictTo(std::move(allowed));
    }
    p->api->attach(*p->staging, false);
    hardenPolicy(p->interp, *p->api, opts.safe);
    Tcl_PkgProvide(p->interp, "failover", kVersion);
    Tcl_SetVar2(p->interp, "fail::version", nullptr, kVersion, TCL_GLOBAL_ONLY);
    return p;
  }

  // Reads the policy file into `p` under the callbacks' limit; "" or why it failed.
  std::string load(Policy& p, bool atStart) {
    int code = TCL_OK;
    std::string result;
    allowExit(p.interp, atStart && !opts.safe);
    p.api->guard().source(opts.file, (atStart ? "reading " : "reload of ") + opts.file,
                          [&](int c, const std::string& r) { code = c, result = r; }, {}, true);
    allowExit(p.interp, false);
    // Every error in one report: the read's, then what checkPolicy finds in what was read.
    std::vector<std::string> errors;
    if (code != TCL_OK) errors.push_back(whereIn(opts.file, result) + ": " + result);
    for (std::string& e : checkPolicy(p.interp, *p.staging, opts.file)) errors.push_back(std::move(e));
    return join(errors);
  }

  // "FILE:LINE" when the error's trace names the line of `file` it came from (the last
  // "(file "FILE" line N)": the top-level command), else "FILE".
  static std::string whereIn(const std::string& file, const std::string& result) {
    std::string needle = "(file \"" + file + "\" line ";
    size_t at = result.rfind(needle);
    if (at == std::string::npos) return file;
    size_t from = at + needle.size(), to = result.find(')', from);
    std::string n = result.substr(from, to == std::string::npos ? std::string::npos : to - from);
    if (n.empty() || n.size() > 9 || n.find_first_not_of("0123456789") != std::string::npos) return file;
    return file + ":" + n;
  }

  static std::string join(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += (out.empty() ? "" : "\n") + l;
    return out;
  }

  // What the monitor and debug ports' start would refuse (a listener off loopback
  // without an access file, an access or TLS file that does not load), for -t.
  std::vector<std::string> checkListeners() {
    std::vector<std::string> errors;
    state::Store scratch(nullptr, state::Recovery{}, state::Store::Options{}, steadyNow());
    auto check = [&](const char* what, server::ServerConfig c) {
      try {
        ev::Loop scratchLoop(tcl::base());
        server::Server probe(scratchLoop, std::move(c), scratch);
      } catch (const std::exception& e) {
        errors.push_back(std::string(what) + ": " + e.what());
      }
    };
    if (!opts.monitor.listens.empty()) check("--monitor", opts.monitor);
    if (!opts.debug.empty()) {
      server::ServerConfig dc = opts.monitor;
      dc.listens = opts.debug;
      check("--debug-port", dc);
    }
    if (!opts.metrics.listens.empty()) {
      try {
        ev::Loop scratchLoop(tcl::base());
        http::Server probe(scratchLoop, opts.metrics);
      } catch (const std::exception& e) {
        errors.push_back(std::string("--metrics: ") + e.what());
      }
    }
    return errors;
  }

  // `next` becomes the running policy: the engine takes over its services and hosts by
  // name, the old one's callbacks end, and it is deleted once its removed services are
  // released (failsh(8), RELOAD).
  Adopted swapIn(std::unique_ptr<Policy> next, std::vector<std::string>* quorumsRemoved = nullptr) {
    std::unique_ptr<Policy> old = std::move(live);
    live = std::move(next);
    if (old) {  // a quorum no longer declared leaves the local faild, as a service does
      std::set<std::string> kept = live->api->quorumNames();
      for (const std::string& q : old->api->quorumNames())
        if (!kept.count(q)) {
          FAIL_LOG(fac(), Notice) << "-quorum " << q << ": removed from the policy";
          engine->deleteLocal(q);
          if (quorumsRemoved) quorumsRemoved->push_back(q);
        }
      old->api->dnsHost = nullptr;
      old->api->retire();
    }
    engine->setRunner(*live->api);
    Policy* oldp = old.get();
    if (old) retiring.push_back(std::move(old));
    Adopted a = engine->adopt(*live->staging, oldp ? *oldp->api : *live->api, [this, oldp] {
      if (oldp) tcl::post([this, oldp] { bury(oldp); });
    });
    live->api->rebind(*engine);
    live->api->dnsHost = dns.get();
    live->staging.reset();
    liveApi = live->api.get();
    return a;
  }

  // Deletes a replaced policy once none of its callbacks is running.
  void bury(Policy* p) {
    if (p->api->guard().busy()) {  // a callback of it waits in the event loop: later
      struct Later {
        Impl* self;
        Policy* p;
      };
      Tcl_CreateTimerHandler(50, [](ClientData cd) {
        std::unique_ptr<Later> l(static_cast<Later*>(cd));
        l->self->bury(l->p);
      }, new Later{this, p});
      return;
    }
    for (auto it = retiring.begin(); it != retiring.end(); ++it)
      if (it->get() == p) {
        retiring.erase(it);
        return;
      }
  }

  // Reads the policy again into a fresh interpreter unless the child's read failed (`e`
  // says why), and swaps it in only when it loaded completely.
  void reread(std::string e) {
    std::unique_ptr<Policy> next;
    if (e.empty()) {
      try {
        next = makePolicy();
        e = load(*next, false);
      } catch (const std::exception& x) {
        e = x.what();
      }
    }
    // The new declarations reach the front-end first: addresses it cannot bind refuse
    // the whole reload.
    if (e.empty() && dns && !dns->apply(next->api->dns.share(dns->shared()), &e)) e = "dns: " + e;
    if (!e.empty()) {
      next.reset();
      FAIL_LOG(fac(), Err) << "reload refused, the running policy stays: " << e;
    } else {
      std::vector<std::string> quorums;
      Adopted a = swapIn(std::move(next), &quorums);
      auto words = [](const std::vector<std::string>& v) {
        std::string out;
        for (const auto& w : v) out += (out.empty() ? "" : " ") + w;
        return "{" + out + "}";
      };
      FAIL_LOG(fac(), Notice) << "reloaded " << opts.file << ": services added " << words(a.added) << " changed "
                              << words(a.changed) << " removed " << words(a.removed) << ", hosts removed "
                              << words(a.hostsRemoved) << ", quorums removed " << words(quorums);
    }
    daemon::notify("READY=1");
  }

  // The policy's DNS front-end, after the policy loaded and before READY=1: bound (an
  // address that cannot be bound is a start-up error), started, and answering (the
  // local faild synced, or its -start-timeout passed).
  void startDns() {
    if (opts.file.empty()) return;  // the prompt: fail::dns serve starts it
    std::shared_ptr<const dns::Config> config = live->api->dns.share();
    if (!config->serving) return;
    std::string err;
    if (!dns->apply(config, &err)) throw std::runtime_error("dns: " + err);
    if (!dns->waitReady(config->serve.startTimeout + std::chrono::seconds(5)))
      FAIL_LOG(fac(), Warning) << "dns: the front-end did not report answering within "
                               << formatDurationMs(config->serve.startTimeout.count() + 5000);
  }

  void dump() {
    std::string text = "failsh " + std::string(kVersion) + " pid " + std::to_string(::getpid()) + "\n" +
                       engine->dump() + (dns ? dns->dump() : std::string()) + "policy calls=" + std::to_string(live->api->guard().counters().calls) +
                       " errors=" + std::to_string(live->api->guard().counters().errors) +
                       " overruns=" + std::to_string(live->api->guard().counters().overruns) + "\n\n";
    struct stat st{};
    bool fifo = ::stat(opts.dumpFile.c_str(), &st) == 0 && S_ISFIFO(st.st_mode);
    int fd = dumpFd;
    int flags = fifo ? (O_WRONLY | O_NONBLOCK) : (O_WRONLY | O_CREAT | O_TRUNC);
    if (fd < 0) fd = ::open(opts.dumpFile.c_str(), flags, 0644);
    if (fd < 0 && errno == ENOENT && opts.dumpFile == "/run/failsh/failsh.dump" && ::mkdir("/run/failsh", 0755) == 0)
      fd = ::open(opts.dumpFile.c_str(), flags, 0644);  // the default's directory, without systemd to make it
    if (fd < 0) {
      FAIL_LOG(fac(), Err) << "cannot write the dump to " << opts.dumpFile << ": " << std::strerror(errno);
      return;
    }
    ssize_t n = ::write(fd, text.data(), text.size());
    (void)n;
    if (fifo)
      dumpFd = fd;  // a FIFO stays open, so a reader can follow dump after dump
    else
      ::close(fd);
  }

  // Interactive prompt: complete commands are evaluated in the master interpreter.
  static void onInput(ClientData cd, int) {
    auto* self = static_cast<Impl*>(cd);
    Tcl_Obj* line = Tcl_NewObj();
    Tcl_IncrRefCount(line);
    int n = Tcl_GetsObj(self->in, line);
    if (n < 0) {
      Tcl_DecrRefCount(line);
      if (Tcl_Eof(self->in)) {
        Tcl_DeleteChannelHandler(self->in, onInput, self);
        self->stop = true;
      }
      return;
    }
    self->pending += Tcl_GetString(line);
    self->pending += "\n";
    Tcl_DecrRefCount(line);
    if (!Tcl_CommandComplete(self->pending.c_str())) {
      std::cout << "> " << std::flush;
      return;
    }
    std::string script;
    script.swap(self->pending);
    int code = Tcl_Eval(self->master, script.c_str());
    const char* result = Tcl_GetStringResult(self->master);
    if (code != TCL_OK)
      std::cout << "error: " << result << "\n";
    else if (*result)
      std::cout << result << "\n";
    Tcl_ResetResult(self->master);
    std::cout << "failsh% " << std::flush;
  }
};

// ", 1 zones, 2 pools, serving on 127.0.0.1:53" for -t; "" without fail::dns.
static std::string dnsSummary(const DnsDecls& decls) {
  const dns::Config& c = decls.view();
  if (c.zones.empty() && c.pools.empty() && !c.serving) return "";
  std::string out = ", " + std::to_string(c.zones.size()) + " zones, " + std::to_string(c.pools.size()) + " pools";
  if (c.serving) {
    out += ", serving on";
    for (const auto& a : c.serve.listen) out += " " + a;
  }
  return out;
}

// ", 2 channels, 3 rules" for -t (and whether the queue can be opened: "error: ...");
// "" without fail::notify.
static std::string notifySummary(Engine& staging) {
  if (!staging.hasNotifications()) return "";
  const Notifications& n = staging.notifications();
  const notify::NotifyConfig& d = n.declared();
  if (d.channels.empty()) return "";
  if (std::string e = checkNotifyDb(n.db()); !e.empty()) return "error: notification queue (--notify-db): " + e;
  return ", " + std::to_string(d.channels.size()) + " channels, " + std::to_string(d.rules.size()) + " rules";
}

std::string defaultDumpFile() {
  const char* rd = std::getenv("RUNTIME_DIRECTORY");
  std::string dir = rd ? std::string(rd).substr(0, std::string(rd).find(':')) : "";
  return (dir.empty() ? std::string("/run/failsh") : dir) + "/failsh.dump";
}

Shell::Shell(ShellOptions opts) : impl_(std::make_unique<Impl>()) {
  impl_->opts = std::move(opts);
  if (impl_->opts.dumpFile.empty()) impl_->opts.dumpFile = defaultDumpFile();
  impl_->opts.monitor.program = "failsh";
}

Shell::~Shell() {
  Impl& s = *impl_;
  s.reader.reset();
  s.stopWatchdog.reset();
  s.dns.reset();
  s.web.reset();
  s.debug.reset();
  s.monitor.reset();
  if (s.live && s.live->api && s.engine) s.live->api->retire();
  s.retiring.clear();
  s.live.reset();
  s.engine.reset();
  s.loop.reset();
  if (s.dumpFd >= 0) ::close(s.dumpFd);
  if (s.master) Tcl_DeleteInterp(s.master);
}

int Shell::run() {
  Impl& s = *impl_;
  bool interactive = s.opts.file.empty();
  // A safe policy (and any policy for -t) is read first in a child under limits; a
  // trusted one is the administrator's own code, and its top level runs once.
  if (!interactive && !isPolicyReader() && (s.opts.safe || s.opts.checkOnly)) {
    spawn::Result r = spawn::run(policyReader(s.opts));
    std::vector<std::string> errors;
    if (std::string e = readerError(r, s.opts); !e.empty()) errors.push_back(e);
    if (s.opts.checkOnly)  // -t refuses what start would: the ports' settings too
      for (std::string& e : s.checkListeners()) errors.push_back(std::move(e));
    if (!errors.empty()) throw std::runtime_error(Impl::join(errors));
    if (s.opts.checkOnly) {
      std::cout << r.out << std::flush;
      return 0;
    }
  }
  s.master = Tcl_CreateInterp();
  if (Tcl_Init(s.master) != TCL_OK)
    FAIL_LOG(fac(), Warning) << "Tcl's library was not found: " << Tcl_GetStringResult(s.master);
  logTclPanics();
  event_base* base = tcl::base();
  s.loop = std::make_unique<ev::Loop>(base);
  s.metrics = std::make_unique<ShellMetrics>(s.bridge.base());
  if (interactive) {  // the prompt is the policy, bound to the engine itself
    s.live = std::make_unique<Policy>();
    s.live->interp = s.master;
    s.live->ownsInterp = false;
    s.live->api = std::make_unique<Api>(s.master, s.opts.limit, s.bridge);
    s.live->api->guard().setMetrics(s.metrics->guard());
    EngineOptions eo;
    eo.localName = s.opts.localName;
    eo.notifyDb = s.opts.notifyDb;
    s.engine = std::make_unique<Engine>(base, eo, *s.live->api);
    for (const HostSpec& h : s.opts.hosts) s.engine->hostSpec(h.name) = h;
    s.dns = std::make_unique<DnsHost>(s.bridge, *s.engine, s.opts.localName);
    s.live->api->attach(*s.engine);
    s.live->api->dnsHost = s.dns.get();
    Tcl_PkgProvide(s.master, "failover", kVersion);
    Tcl_SetVar2(s.master, "fail::version", nullptr, kVersion, TCL_GLOBAL_ONLY);
    s.liveApi = s.live->api.get();
  } else {
    // Read as a reload is: into a staging engine, then taken over by the live one.
    std::unique_ptr<Policy> first = s.makePolicy();
    if (std::string e = s.load(*first, true); !e.empty()) throw std::runtime_error(e);
    if (s.opts.checkOnly) {
      std::string notes = notifySummary(*first->staging);
      if (notes.rfind("error: ", 0) == 0) throw std::runtime_error(notes.substr(7));
      std::cout << "failsh: " << s.opts.file << ": policy OK (" << first->staging->services().size()
                << " services, " << first->staging->hosts().size() << " hosts" << dnsSummary(first->api->dns)
                << notes << ")\n";
      return 0;
    }
    EngineOptions eo;
    eo.localName = s.opts.localName;
    eo.notifyDb = s.opts.notifyDb;
    s.engine = std::make_unique<Engine>(base, eo, *first->api);
    s.dns = std::make_unique<DnsHost>(s.bridge, *s.engine, s.opts.localName);
    s.swapIn(std::move(first));
    // The policy's channels need their queue: failsh does not start without it.
    if (s.engine->hasNotifications() && !s.engine->notifications().error().empty())
      throw std::runtime_error(s.engine->notifications().error());
  }
  s.metrics->watch(&s.engine->monitor(), s.dns.get());
  s.metrics->watchNotifications(s.engine.get());
  if (!s.opts.monitor.listens.empty()) {
    s.monitor = std::make_unique<server::Server>(*s.loop, s.opts.monitor, s.engine->monitor());
    s.monitor->start();
  }
  if (!s.opts.debug.empty()) {
    server::ServerConfig dc = s.opts.monitor;
    dc.listens = s.opts.debug;
    s.debug = std::make_unique<server::Server>(*s.loop, dc, s.engine->monitor());
    s.debug->start();
  }
  if (!s.opts.metrics.listens.empty()) {
    s.web = std::make_unique<http::Server>(*s.loop, s.opts.metrics);
    http::serveMetrics(*s.web, s.metrics->registry(), "failsh");
    s.web->start();
  }
  s.handleSignals();
  // A stop signal ends failsh within a callback's limit and a second, stuck or not.
  s.stopWatchdog = std::make_unique<StopWatchdog>(s.opts.limit + std::chrono::seconds(1),
                                                  [&s] {
                                                    Api* api = s.liveApi;
                                                    return api ? api->guard().current() : std::string();
                                                  });
  chainStopSignal(SIGTERM);  // after handleSignals: wraps libevent's handlers
  chainStopSignal(SIGINT);
  s.engine->start();
  s.startDns();
  std::string listening = s.monitor ? daemon::joinSpaced(s.monitor->boundAddresses()) : "";
  std::string metricsAt = s.web ? daemon::joinSpaced(s.web->boundAddresses()) : "";
  std::string status = "running " + std::to_string(s.engine->services().size()) + " services";
  FAIL_LOG(fac(), Notice) << "failsh " << kVersion << " " << status
                          << (s.opts.file.empty() ? "" : " from " + s.opts.file)
                          << (listening.empty() ? ", no monitor port" : ", monitor on " + listening)
                          << (s.web ? ", metrics on " + metricsAt : "");
  daemon::notifyReady(status, listening, metricsAt);
  if (interactive) {
    s.in = Tcl_GetStdChannel(TCL_STDIN);
    if (s.in) {
      Tcl_SetChannelOption(nullptr, s.in, "-blocking", "0");
      Tcl_CreateChannelHandler(s.in, TCL_READABLE, Impl::onInput, &s);
      std::cout << "failsh% " << std::flush;
    }
  }
  while (!s.stop) Tcl_DoOneEvent(TCL_ALL_EVENTS);
  s.dns->stop();
  s.engine->stop();
  if (s.monitor) s.monitor->stop();
  if (s.debug) s.debug->stop();
  if (s.web) s.web->stop();
  FAIL_LOG(fac(), Notice) << "stopped";
  return 0;
}

}  // namespace fail::shell
