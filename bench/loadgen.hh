// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The load generator behind bench/faild_bench: one thread, one epoll loop, many
// non-blocking loopback connections. It speaks two protocols:
//   - Line: faild's line protocol (doc/protocol.md): one request line, one reply line.
//   - Resp: redis' RESP2, written by hand (`*3\r\n$3\r\nSET\r\n...`) and parsed minimally.
// It also starts and stops the servers under test (fork/exec) and reads their memory.
//
// Timing is taken with std::chrono::steady_clock in this process only.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

using Clock = std::chrono::steady_clock;

enum class Proto { Line, Resp };

// One parsed reply. `text` points into the receive buffer and is valid only inside the
// callback that gets it.
struct Reply {
  bool ok = false;        // Line: starts with "OK"; Resp: not an error ('-')
  std::string_view text;  // Line: the whole line (no LF); Resp: the top-level simple
                          // string or bulk, or for an array its last element
  std::string_view head;  // Resp arrays: the first element ("message", "subscribe")
};

// Parses one reply at the start of [p, p+n). Returns the bytes it took, 0 when the reply
// is not complete yet, -1 when the input is not the protocol.
long parseReply(Proto proto, const char* p, size_t n, Reply& out);

// Encodes one request. Line: the words joined by spaces, LF-ended (the words must
// already be in wire form). Resp: an array of bulk strings.
std::string encodeRequest(Proto proto, const std::vector<std::string>& words);

// Latency summary in microseconds.
struct Percentiles {
  size_t count = 0;
  double p50 = 0, p99 = 0, max = 0;
};
Percentiles percentiles(std::vector<double>& micros);  // sorts `micros`

// ---- closed-loop load: every connection keeps `depth` requests in flight ----

struct LoadSpec {
  Proto proto = Proto::Line;
  int port = 0;
  int connections = 1;
  int depth = 1;         // requests in flight per connection
  double warmup = 0;     // seconds not counted at the start
  double duration = 0;   // seconds counted after the warm-up (time-bounded load)
  std::uint64_t total = 0;  // or: exactly this many requests, then stop (bulk load)
  // Appends request number `seq` of connection `conn` (`global`: across connections).
  std::function<void(int conn, std::uint64_t seq, std::uint64_t global, std::string& out)> request;
  // Whether a reply is the expected one (counted as an error otherwise). May be empty.
  std::function<bool(const Reply&)> check;
  bool latency = false;  // keep the latency of every counted request
};

struct LoadResult {
  std::uint64_t counted = 0;  // replies received inside the measured window
  double seconds = 0;         // length of that window
  double rate = 0;            // counted / seconds
  std::uint64_t errors = 0;   // replies that failed `check`
  std::string firstError;
  std::vector<double> latencies;  // microseconds, when asked for
  bool broken = false;            // a connection failed: the result is not valid
  std::uint64_t received = 0;     // all replies, warm-up included
  double elapsed = 0;             // seconds from the first request to the end
};

LoadResult runLoad(const LoadSpec& spec);

// ---- fan-out: N subscribers, writes at a fixed rate ----

struct FanoutSpec {
  Proto proto = Proto::Line;
  int port = 0;
  int subscribers = 100;
  double rate = 200;      // writes per second, in all
  // Connections the writes take turns on. faild answers a connection's SETs one after
  // the other, each once durable: with one connection a slow fsync would queue later
  // writes behind earlier ones and the latency would grow with the run.
  int writers = 1;
  double duration = 10;   // seconds of writes
  std::string subscribe;  // the request each subscriber sends first (encoded)
  // Whether a reply line/value is the end of the subscription preamble (faild: the
  // SYNCED line; redis: the subscribe confirmation).
  std::function<bool(const Reply&)> subscribed;
  // Appends write number `seq` for writer connection `writer`; the write must carry the
  // token "w<seq>" so that `token` can find it again in what subscribers receive.
  std::function<void(std::uint64_t seq, int writer, std::string& out)> write;
  // Finds the write number in a message a subscriber received; false if it is not one.
  std::function<bool(const Reply&, std::uint64_t& seq)> token;
};

struct FanoutResult {
  std::uint64_t writes = 0;
  std::uint64_t deliveries = 0;  // messages received by subscribers
  std::uint64_t missing = 0;     // writes × subscribers − deliveries
  std::vector<double> latencies; // microseconds: send → each subscriber's receipt
  std::uint64_t maxBacklog = 0;  // most writes a writer connection still awaited an answer
                                 // to when it sent the next one
  bool broken = false;
  std::string error;
};

FanoutResult runFanout(const FanoutSpec& spec);

// ---- blocking helpers for set-up ----

// A blocking client for set-up commands (not for measuring).
class SyncClient {
 public:
  SyncClient(Proto proto, int port);  // throws std::runtime_error when it cannot connect
  ~SyncClient();
  SyncClient(const SyncClient&) = delete;
  SyncClient& operator=(const SyncClient&) = delete;
  // Sends one encoded request and returns its reply text ("" and ok=false on EOF).
  Reply call(const std::string& request);
  // The text of the last reply, kept until the next call.
  const std::string& lastText() const { return last_; }

 private:
  Proto proto_;
  int fd_ = -1;
  std::string in_;
  std::string last_;
};

// ---- processes ----

// A free TCP port on 127.0.0.1 (bound to port 0, read back, released).
int freePort();
// fork/exec of argv[0] with stdout and stderr to `logPath`, bound to CPU `cpu` when it
// is not -1 (as `taskset -c CPU` would). Returns the pid.
pid_t spawn(const std::vector<std::string>& argv, const std::string& logPath, int cpu = -1);
// Binds the calling process to CPU `cpu`. False when the kernel refuses.
bool pinSelf(int cpu);
// Waits up to `seconds` for `pid` to end. Returns true when it ended.
bool waitExit(pid_t pid, double seconds);
// SIGTERM, then SIGKILL after `seconds`; always reaps.
void stopProcess(pid_t pid, double seconds = 15);
// CPU time (user + system, all threads) of `pid` so far, in seconds; NaN when unreadable.
double cpuSeconds(pid_t pid);
// The same for this process.
double selfCpuSeconds();
// VmRSS of `pid` in KiB from /proc/PID/status; -1 when unreadable.
long vmRssKiB(pid_t pid);
// Connects again and again (every 0.25 ms) until `request` gets a reply that `good`
// accepts; returns the seconds since `start`, or -1 when `pid` died or `timeout` passed.
double timeToFirstAnswer(Proto proto, int port, pid_t pid, const std::string& request,
                         const std::function<bool(const Reply&)>& good, Clock::time_point start,
                         double timeout);

double secondsSince(Clock::time_point t);

}  // namespace bench
