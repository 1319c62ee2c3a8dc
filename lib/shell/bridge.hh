// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Where the Tcl side and the loop side of the failover commands meet (doc/design.md,
// "failsh"). In failsh both are one thread (Tcl's notifier is libevent), so work
// for the loop runs at once and work for Tcl is queued as a Tcl event. Loaded into a
// stock tclsh (`package require failover`), libevent runs in a worker thread: work for
// the loop is queued to it, work for Tcl goes back with Tcl_ThreadQueueEvent. The
// engine and the links run on the loop side only; interpreters and Tcl_Objs stay on the
// Tcl side; what crosses is plain C++ data.
#pragma once

#include <event2/event.h>
#include <tcl.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <type_traits>

namespace fail::shell {

class Bridge {
 public:
  virtual ~Bridge() = default;
  virtual event_base* base() = 0;
  virtual void toTcl(std::function<void()> fn) = 0;
  virtual void toLoop(std::function<void()> fn) = 0;
  virtual bool onLoopThread() const = 0;

  // Runs `fn` on the loop side and returns its result, waiting for it when the loop is
  // another thread (loop-side work is short and never waits for Tcl).
  template <class F>
  auto onLoop(F&& fn) -> std::invoke_result_t<F> {
    if (onLoopThread()) return fn();
    std::packaged_task<std::invoke_result_t<F>()> task(std::forward<F>(fn));
    auto result = task.get_future();
    toLoop([&task] { task(); });
    return result.get();
  }
};

// failsh: one thread.
class SameThreadBridge : public Bridge {
 public:
  event_base* base() override;
  void toTcl(std::function<void()> fn) override;
  void toLoop(std::function<void()> fn) override { fn(); }
  bool onLoopThread() const override { return true; }
};

// The loadable extension: libevent in a worker thread.
class WorkerBridge : public Bridge {
 public:
  WorkerBridge();  // starts the thread; the calling thread is the Tcl thread
  ~WorkerBridge() override;  // stops and joins it
  event_base* base() override { return base_; }
  void toTcl(std::function<void()> fn) override;
  void toLoop(std::function<void()> fn) override;
  bool onLoopThread() const override { return std::this_thread::get_id() == thread_.get_id(); }

 private:
  static void wake(evutil_socket_t, short, void* arg) noexcept;
  event_base* base_;
  event* wake_;
  Tcl_ThreadId tcl_;
  std::mutex mu_;
  std::deque<std::function<void()>> queue_;
  bool quit_ = false;
  std::thread thread_;
};

}  // namespace fail::shell
