// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "shell/bridge.hh"

#include <event2/thread.h>

#include <stdexcept>

#include "base/log.hh"
#include "ev/base.hh"
#include "tcl/notifier.hh"

namespace fail::shell {
namespace {

log::Facility& fac() {
  static log::Facility& f = log::facility("policy");
  return f;
}

void loopError(const char* what) noexcept {
  try {
    FAIL_LOG(fac(), Err) << "internal error on the loop thread: " << what;
  } catch (...) {
  }
}

}  // namespace

event_base* SameThreadBridge::base() { return tcl::base(); }

void SameThreadBridge::toTcl(std::function<void()> fn) { tcl::post(std::move(fn)); }

WorkerBridge::WorkerBridge() : tcl_(Tcl_GetCurrentThread()) {
  evthread_use_pthreads();
  base_ = ev::newBase();
  if (!base_) throw std::runtime_error("cannot create an event loop");
  wake_ = event_new(base_, -1, EV_PERSIST, wake, this);
  timeval forever{365 * 86400, 0};
  event_add(wake_, &forever);  // keeps the loop from running out of events
  thread_ = std::thread([this] {
    while (true) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (quit_) break;
      }
      event_base_loop(base_, EVLOOP_ONCE);
    }
    // Work queued after the quit runs here, so nobody waits for ever on onLoop().
    wake(-1, 0, this);
  });
}

WorkerBridge::~WorkerBridge() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    quit_ = true;
  }
  event_active(wake_, EV_TIMEOUT, 0);
  thread_.join();
  event_free(wake_);
  event_base_free(base_);
}

// Runs the queued work on the loop thread; an exception out of one item is logged and the
// rest still run (onLoop's callers get theirs through the packaged_task, not here).
void WorkerBridge::wake(evutil_socket_t, short, void* arg) noexcept {
  auto* self = static_cast<WorkerBridge*>(arg);
  std::deque<std::function<void()>> work;
  {
    std::lock_guard<std::mutex> lock(self->mu_);
    work.swap(self->queue_);
  }
  for (auto& fn : work) {
    try {
      fn();
    } catch (const std::exception& e) {  // a libevent callback: nothing may escape
      loopError(e.what());
    } catch (...) {
      loopError("unknown exception");
    }
  }
}

void WorkerBridge::toLoop(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(fn));
  }
  event_active(wake_, EV_TIMEOUT, 0);
}

void WorkerBridge::toTcl(std::function<void()> fn) { tcl::postTo(tcl_, std::move(fn)); }

}  // namespace fail::shell
