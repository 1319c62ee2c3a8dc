// The event loop of a daemon with the signals every daemon of the suite handles
// (doc/design.md, "Options every daemon shares"): SIGTERM and SIGINT stop, SIGHUP reloads,
// SIGUSR1 dumps; SIGPIPE is ignored.
#pragma once

#include <event2/event.h>

#include <functional>
#include <memory>
#include <vector>

namespace fail::server {

class Runtime {
 public:
  struct Handlers {
    std::function<void()> reload;  // SIGHUP
    std::function<void()> dump;    // SIGUSR1
    std::function<void()> stop;    // SIGTERM, SIGINT: called before the loop ends
  };
  Runtime();
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  event_base* base() const { return base_; }
  void setHandlers(Handlers h) { handlers_ = std::move(h); }
  // Runs until a stop signal or stop(). Returns the signal number that stopped it (0
  // when stop() did).
  int run();
  void stop();

 private:
  static void onSignal(evutil_socket_t sig, short, void* arg) noexcept;
  event_base* base_;
  std::vector<event*> signals_;
  Handlers handlers_;
  int stoppedBy_ = 0;
};

}  // namespace fail::server
