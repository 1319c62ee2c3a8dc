#include "shell/shell.hh"

#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <tcl.h>
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <set>

#include "base/daemon.hh"
#include "base/log.hh"
#include "base/version.hh"
#include "ev/loop.hh"
#include "shell/api.hh"
#include "shell/bridge.hh"
#include "shell/engine.hh"
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

struct Shell::Impl {
  ShellOptions opts;
  Tcl_Interp* master = nullptr;
  Tcl_Interp* policy = nullptr;
  SameThreadBridge bridge;
  std::unique_ptr<Api> api;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<ev::Loop> loop;  // on the Tcl notifier's event_base
  std::unique_ptr<server::Server> monitor, debug;
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

  // Sources the policy again unless the child's read failed (`e` says why).
  void reread(const std::string& e) {
    if (!e.empty()) {
      FAIL_LOG(fac(), Err) << "reload refused, the running policy stays: " << e;
    } else {
      api->guard().source(opts.file, "reload of " + opts.file, [this](int code, const std::string&) {
        if (code == TCL_OK) FAIL_LOG(fac(), Notice) << "reloaded " << opts.file;
      });
    }
    daemon::notify("READY=1");
  }

  void dump() {
    std::string text = "failsh " + std::string(kVersion) + " pid " + std::to_string(::getpid()) + "\n" +
                       engine->dump() + "policy calls=" + std::to_string(api->guard().counters().calls) +
                       " errors=" + std::to_string(api->guard().counters().errors) +
                       " overruns=" + std::to_string(api->guard().counters().overruns) + "\n\n";
    struct stat st{};
    bool fifo = ::stat(opts.dumpFile.c_str(), &st) == 0 && S_ISFIFO(st.st_mode);
    int fd = dumpFd;
    if (fd < 0) fd = ::open(opts.dumpFile.c_str(), fifo ? (O_WRONLY | O_NONBLOCK) : (O_WRONLY | O_CREAT | O_TRUNC), 0644);
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

Shell::Shell(ShellOptions opts) : impl_(std::make_unique<Impl>()) {
  impl_->opts = std::move(opts);
  impl_->opts.monitor.program = "failsh";
}

Shell::~Shell() {
  Impl& s = *impl_;
  s.reader.reset();
  s.stopWatchdog.reset();
  s.debug.reset();
  s.monitor.reset();
  s.engine.reset();
  s.api.reset();
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
    if (std::string e = readerError(r, s.opts); !e.empty()) throw std::runtime_error(e);
    if (s.opts.checkOnly) {
      std::cout << r.out << std::flush;
      return 0;
    }
  }
  s.master = Tcl_CreateInterp();
  if (Tcl_Init(s.master) != TCL_OK)
    FAIL_LOG(fac(), Warning) << "Tcl's library was not found: " << Tcl_GetStringResult(s.master);
  if (interactive) {
    s.policy = s.master;
  } else {
    s.policy = Tcl_CreateSlave(s.master, "policy", s.opts.safe ? 1 : 0);
    if (!s.policy) throw std::runtime_error("cannot create the policy interpreter");
  }
  logTclPanics();
  event_base* base = tcl::base();
  s.loop = std::make_unique<ev::Loop>(base);
  s.api = std::make_unique<Api>(s.policy, s.opts.limit, s.bridge);
  EngineOptions eo;
  eo.localName = s.opts.localName;
  s.engine = std::make_unique<Engine>(base, eo, *s.api);
  for (const HostSpec& h : s.opts.hosts) s.engine->hostSpec(h.name) = h;
  if (s.opts.safe) {
    std::set<std::string> allowed = {s.opts.localName, "localhost"};
    for (const HostSpec& h : s.opts.hosts) allowed.insert(h.name);
    s.api->restrictTo(std::move(allowed));
  }
  s.api->attach(*s.engine);
  if (!interactive) hardenPolicy(s.policy, *s.api, s.opts.safe);
  Tcl_PkgProvide(s.policy, "failover", kVersion);
  Tcl_SetVar2(s.policy, "fail::version", nullptr, kVersion, TCL_GLOBAL_ONLY);

  if (!interactive) {
    // Read under the same limit as every callback; a pause that outlasts it is an error.
    int code = TCL_OK;
    std::string result;
    allowExit(s.policy, !s.opts.safe);
    s.api->guard().source(s.opts.file, "reading " + s.opts.file,
                        [&](int c, const std::string& r) { code = c, result = r; }, {}, true);
    allowExit(s.policy, false);
    if (code != TCL_OK) throw std::runtime_error(s.opts.file + ": " + result);
  }
  if (s.opts.checkOnly) {
    std::cout << "failsh: " << s.opts.file << ": policy OK (" << s.engine->services().size() << " services, "
              << s.engine->hosts().size() << " hosts)\n";
    return 0;
  }
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
  s.handleSignals();
  // A stop signal ends failsh within a callback's limit and a second, stuck or not.
  s.stopWatchdog = std::make_unique<StopWatchdog>(s.opts.limit + std::chrono::seconds(1),
                                                  [api = s.api.get()] { return api->guard().current(); });
  chainStopSignal(SIGTERM);  // after handleSignals: wraps libevent's handlers
  chainStopSignal(SIGINT);
  s.engine->start();
  std::string listening = s.monitor ? daemon::joinSpaced(s.monitor->boundAddresses()) : "";
  std::string status = "running " + std::to_string(s.engine->services().size()) + " services";
  FAIL_LOG(fac(), Notice) << "failsh " << kVersion << " " << status
                          << (s.opts.file.empty() ? "" : " from " + s.opts.file)
                          << (listening.empty() ? ", no monitor port" : ", monitor on " + listening);
  daemon::notifyReady(status, listening);
  if (interactive) {
    s.in = Tcl_GetStdChannel(TCL_STDIN);
    if (s.in) {
      Tcl_SetChannelOption(nullptr, s.in, "-blocking", "0");
      Tcl_CreateChannelHandler(s.in, TCL_READABLE, Impl::onInput, &s);
      std::cout << "failsh% " << std::flush;
    }
  }
  while (!s.stop) Tcl_DoOneEvent(TCL_ALL_EVENTS);
  s.engine->stop();
  if (s.monitor) s.monitor->stop();
  if (s.debug) s.debug->stop();
  FAIL_LOG(fac(), Notice) << "stopped";
  return 0;
}

}  // namespace fail::shell
