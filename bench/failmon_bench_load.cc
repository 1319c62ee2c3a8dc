// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// bench/failmon_bench: the faild under test, its 10,000 records and the steady stream of
// changes on them; process helpers (failmon_bench.hh).
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "failmon_bench.hh"

namespace bench::mon {

std::string recordName(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "bench%05d", i);
  return buf;
}

Faild startFaild(const Options& o, const std::string& tag) {
  Faild f;
  f.port = freePort();
  f.log = o.dir + "/" + tag + ".log";
  f.pid = spawn({o.faild, "--memory", "--no-http", "--listen", "127.0.0.1:" + std::to_string(f.port)}, f.log);
  auto good = [](const Reply& r) { return r.ok; };
  if (timeToFirstAnswer(Proto::Line, f.port, f.pid, "PING\n", good, Clock::now(), 10) < 0)
    throw std::runtime_error(tag + " did not start: " + readFile(f.log));
  return f;
}

void stopFaild(Faild& f) {
  if (f.pid > 0) stopProcess(f.pid, 10);
  f.pid = -1;
}

void fillRecords(int port, int count) {
  LoadSpec spec;
  spec.port = port;
  spec.connections = 4;
  spec.depth = 32;
  spec.total = static_cast<std::uint64_t>(count);
  spec.request = [](int, std::uint64_t, std::uint64_t global, std::string& out) {
    out += "SET " + recordName(static_cast<int>(global)) + " UP note=initial\n";
  };
  spec.check = [](const Reply& r) { return r.ok; };
  LoadResult res = runLoad(spec);
  if (res.broken || res.errors || res.received < spec.total)
    throw std::runtime_error("filling faild failed: " + res.firstError);
}

// ---- the change load ----

int connectLoopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0)
    throw std::runtime_error("connect to port " + std::to_string(port) + ": " + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

ChangeLoad::ChangeLoad(int port, int records, double rate) : records_(records), rate_(rate) {
  int fd = connectLoopback(port);
  thread_ = std::thread([this, fd] { run(fd); });
}

ChangeLoad::~ChangeLoad() { stop(); }

void ChangeLoad::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void ChangeLoad::run(int fd) {
  Clock::time_point t0 = Clock::now();
  std::uint64_t sent = 0, seed = 88172645463325252ull;
  long long tick = 0;  // the batch's millisecond
  std::string out, in;
  while (!stop_) {
    auto due = static_cast<std::uint64_t>(rate_ * std::chrono::duration<double>(Clock::now() - t0).count());
    for (; sent < due; ++sent) {
      seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;  // xorshift64
      int i = static_cast<int>(seed % static_cast<std::uint64_t>(records_));
      out += "SET " + recordName(i) + ((seed >> 32) & 1 ? " FAIL" : " UP") + " note=l" + std::to_string(sent) + "\n";
    }
    while (!out.empty()) {
      ssize_t n = ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
      if (n <= 0) break;  // full: the rest goes at the next tick
      out.erase(0, static_cast<size_t>(n));
    }
    char buf[65536];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) in.append(buf, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = in.find('\n', start)) != std::string::npos; start = nl + 1) {
      if (in.compare(start, 9, "OK CHANGE") == 0) ++acked_;
      else ++errors_;
    }
    in.erase(0, start);
    std::uint64_t waiting = sent - acked_ - errors_;
    if (waiting > behind_) behind_ = waiting;
    std::this_thread::sleep_until(t0 + std::chrono::milliseconds(++tick));
  }
  ::close(fd);
}

double timeRun(const std::vector<std::string>& argv, const std::vector<std::string>& env, bool replaceEnv,
               std::string& out, double* cpuMs) {
  std::vector<char*> args, envp;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  out.clear();
  Clock::time_point t0 = Clock::now();
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::dup2(p[1], 1);
    if (replaceEnv) ::execve(args[0], args.data(), envp.data());
    for (const auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(p[1]);
  char buf[65536];
  for (ssize_t n; (n = ::read(p[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(p[0]);
  int status = 0;
  rusage ru{};
  while (::wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
  }
  double took = ms(Clock::now() - t0);
  auto msOf = [](const timeval& t) { return static_cast<double>(t.tv_sec) * 1000 + t.tv_usec / 1000.0; };
  if (cpuMs) *cpuMs = msOf(ru.ru_utime) + msOf(ru.ru_stime);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    out = argv[0] + " exited with status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    return -1;
  }
  return took;
}

}  // namespace bench::mon
