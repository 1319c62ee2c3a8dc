// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Running another program: one helper for every child process of the suite (hc's Hcfile
// reader, failsh's exec, hc's exec probe). No shell: argv[0] is a path (or a name looked up in PATH) and
// the words are passed as they are.
//
// The child runs in a new process group, with every signal reset to its default and
// unblocked, only fds 0/1/2 open (stdin: `input`, or /dev/null; stdout and stderr
// captured, or stderr on /dev/null), and the resource limits of `Limits` set before exec. A timeout, too much
// output or destroying a Child sends SIGKILL to the whole process group, grandchildren
// included. Nothing here touches SIGCHLD: the child is reaped by pid.
#pragma once

#include <event2/event.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace fail::spawn {

struct Limits {                    // set in the child before exec; 0 leaves a limit as is
  std::uint64_t addressSpace = 0;  // RLIMIT_AS, bytes
  std::uint64_t cpuSeconds = 0;    // RLIMIT_CPU (SIGXCPU at this many seconds, SIGKILL 1 s later)
  std::uint64_t stack = 0;         // RLIMIT_STACK, bytes
};

struct Options {
  std::vector<std::string> argv;   // argv[0] a path (use "/proc/self/exe" to run yourself)
  std::vector<std::string> env;    // extra KEY=VALUE (over the parent's environment)
  std::string input;               // written to the child's stdin, then closed
  Limits limits;
  std::chrono::milliseconds timeout{0};  // 0: none; else SIGKILL to its process group
  size_t maxOutput = 16u << 20;    // stdout/stderr each cut beyond this (see overflow)
  // Past maxOutput: Kill ends the child (TooMuchOutput); Drop reads and discards the rest,
  // so a chatty child is never blocked on a full pipe and is judged by how it ends.
  enum class Overflow { Kill, Drop } overflow = Overflow::Kill;
  bool captureStderr = true;       // false: the child's stderr is /dev/null (Result::err "")
  bool mergeStderr = false;        // stderr onto stdout's pipe: both in `out`, in the order written
};

struct Result {
  enum class End { Exited, Signaled, TimedOut, TooMuchOutput, SpawnFailed } end = End::SpawnFailed;
  int code = 0;                    // exit status, or the signal (SpawnFailed: the errno)
  std::string out, err;            // what it wrote (each at most maxOutput bytes)
  std::chrono::milliseconds timeout{0};  // TimedOut: the limit that passed
  size_t maxOutput = 0;            // TooMuchOutput: the limit that was passed

  bool ok() const { return end == End::Exited && code == 0; }
  // "exited with status 2", "killed by SIGSEGV (crashed)", "timed out after 10 s",
  // "wrote more than 16777216 bytes (killed)", "could not be started: No such file ...".
  std::string describe() const;
};

// Blocking: starts the child and waits until it has ended and its output is read (for
// start-up and `-t`; never on a daemon's loop).
Result run(const Options& opts);

// Asynchronous on a libevent loop: `done` runs on the loop (from a callback of its own,
// never from inside the constructor) when the child has ended and its output is read; the
// Child may be destroyed from `done`. Destroying the Child before that kills the child's
// process group, reaps the child and `done` never runs. Loop thread only.
class Child {
 public:
  Child(event_base* base, Options opts, std::function<void(Result)> done);
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const;      // -1 when it could not be started
  bool running() const;   // started and not yet reaped

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// "SIGSEGV", "SIGKILL", or "signal 42".
std::string signalName(int sig);

}  // namespace fail::spawn
