// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// A private tmux server for bench/failmon_bench: one session of a fixed size running one
// command (failmon) in its only pane, and one control-mode client (`tmux -C`, see
// tmux(1) "CONTROL MODE") through which the benchmark captures the pane and sends keys.
// A capture through the control client is one request line and one reply block on a
// pipe that stays open, so polling the screen costs no process per capture (a plain
// `tmux capture-pane` costs a fork, an exec and a connection each time).
//
// Not thread-safe: one thread drives a TmuxPane. Times are bench::Clock (steady_clock).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "loadgen.hh"

namespace bench {

class TmuxPane {
 public:
  // `tmux`: the program; `dir`: a private folder for the server's socket and config.
  TmuxPane(std::string tmux, std::string dir);
  ~TmuxPane();  // kills the server (and so the pane's command)
  TmuxPane(const TmuxPane&) = delete;
  TmuxPane& operator=(const TmuxPane&) = delete;

  // Starts the server with one session of `width` x `height` (no status line, the size
  // fixed whatever clients attach) running `command` through /bin/sh, with `env`
  // (KEY=VALUE) added to the server's environment; then attaches the control client.
  // Throws std::runtime_error when tmux fails.
  void start(int width, int height, const std::string& command, const std::vector<std::string>& env);

  // One tmux command through the control client; returns its output lines joined by
  // '\n'. Throws when tmux answers %error or does not answer within 10 s.
  std::string command(const std::string& line);

  // The visible screen (`capture-pane -p`), one line per row. `sent`/`received` (when
  // not null): just before the request was written and just after the reply was read.
  std::string capture(Clock::time_point* sent = nullptr, Clock::time_point* received = nullptr);

  const std::string& socket() const { return socket_; }  // for `tmux -S`
  pid_t panePid();    // the pane's process (the command, when it exec'd)
  pid_t serverPid();  // the tmux server
  bool paneDead();    // the pane's command has exited

 private:
  std::string readBlock();  // the next %begin..%end block's body, skipping notifications
  std::string tmux_, dir_, socket_;
  pid_t client_ = -1;
  int toClient_ = -1, fromClient_ = -1;
  std::string in_;  // read from the control client, not yet a whole line
};

}  // namespace bench
