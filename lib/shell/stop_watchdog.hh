// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// After a stop signal (SIGTERM, SIGINT), the loop normally ends failsh at once. When it
// cannot (a callback stuck in one long command, a blocking exec, a script that Tcl's
// notifier runs outside the Guard), this thread logs what holds the loop and ends the
// process with _exit(1) once `grace` has passed since the signal.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <thread>

namespace fail::shell {

class StopWatchdog {
 public:
  // `holder` names what holds the loop ("" if unknown); called on the watchdog thread.
  StopWatchdog(std::chrono::milliseconds grace, std::function<std::string()> holder);
  ~StopWatchdog();
  StopWatchdog(const StopWatchdog&) = delete;
  StopWatchdog& operator=(const StopWatchdog&) = delete;

  // Async-signal-safe: a stop signal arrived. Only one StopWatchdog at a time.
  static void noteSignal(int sig) noexcept;

 private:
  void run();
  std::chrono::milliseconds grace_;
  std::function<std::string()> holder_;
  int pipe_[2] = {-1, -1};
  std::thread thread_;
};

}  // namespace fail::shell
