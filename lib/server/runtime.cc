#include "server/runtime.hh"

#include <csignal>
#include <stdexcept>

#include "base/log.hh"
#include "ev/base.hh"

namespace fail::server {

Runtime::Runtime() : base_(ev::newBase()) {
  if (!base_) throw std::runtime_error("cannot create the event loop");
  std::signal(SIGPIPE, SIG_IGN);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) {
    event* ev = evsignal_new(base_, sig, onSignal, this);
    evsignal_add(ev, nullptr);
    signals_.push_back(ev);
  }
}

Runtime::~Runtime() {
  for (event* ev : signals_) event_free(ev);
  event_base_free(base_);
}

void Runtime::onSignal(evutil_socket_t sig, short, void* arg) noexcept {
  auto* self = static_cast<Runtime*>(arg);
  auto& main = log::facility("main");
  try {
    switch (sig) {
      case SIGHUP:
        FAIL_LOG(main, Notice) << "SIGHUP: reloading";
        if (!log::reopen()) FAIL_LOG(main, Err) << "cannot reopen the log file";
        if (self->handlers_.reload) self->handlers_.reload();
        break;
      case SIGUSR1:
        if (self->handlers_.dump) self->handlers_.dump();
        break;
      default:
        FAIL_LOG(main, Notice) << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ": stopping";
        self->stoppedBy_ = static_cast<int>(sig);
        self->stop();
    }
  } catch (const std::exception& e) {
    FAIL_LOG(main, Err) << "signal " << sig << ": " << e.what();
  }
}

int Runtime::run() {
  event_base_dispatch(base_);
  return stoppedBy_;
}

void Runtime::stop() {
  if (handlers_.stop) handlers_.stop();
  event_base_loopbreak(base_);
}

}  // namespace fail::server
