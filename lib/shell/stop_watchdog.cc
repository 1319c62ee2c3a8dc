// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "shell/stop_watchdog.hh"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <stdexcept>

#include "base/log.hh"
#include "base/time.hh"

namespace fail::shell {
namespace {

std::atomic<int> writeEnd{-1};

}  // namespace

StopWatchdog::StopWatchdog(std::chrono::milliseconds grace, std::function<std::string()> holder)
    : grace_(grace), holder_(std::move(holder)) {
  if (::pipe2(pipe_, O_CLOEXEC) != 0) throw std::runtime_error("stop watchdog: pipe");
  writeEnd = pipe_[1];
  thread_ = std::thread([this] { run(); });
}

StopWatchdog::~StopWatchdog() {
  writeEnd = -1;
  ::close(pipe_[1]);  // ends run()
  thread_.join();
  ::close(pipe_[0]);
}

void StopWatchdog::noteSignal(int sig) noexcept {
  int fd = writeEnd.load();
  unsigned char b = static_cast<unsigned char>(sig);
  if (fd >= 0) {
    ssize_t n = ::write(fd, &b, 1);
    (void)n;
  }
}

void StopWatchdog::run() {
  unsigned char sig = 0;
  if (::read(pipe_[0], &sig, 1) != 1) return;  // closed: failsh ended by itself
  pollfd p{pipe_[0], POLLIN, 0};
  auto until = std::chrono::steady_clock::now() + grace_;
  // Wait out the grace; more signals are read and ignored, a close means all is well.
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    if (::poll(&p, 1, static_cast<int>(left.count())) > 0) {
      unsigned char more;
      if (::read(pipe_[0], &more, 1) != 1) return;
    }
  }
  std::string what = holder_ ? holder_() : "";
  log::write(log::facility("main"), log::Level::Err,
             "stopping on signal " + std::to_string(sig) + ": the loop did not answer within " +
                 formatDurationMs(grace_.count()) + (what.empty() ? "" : ", held by " + what) +
                 ": exiting at once, no stop procs run");
  ::_exit(1);
}

}  // namespace fail::shell
