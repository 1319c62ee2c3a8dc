// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Network namespaces for multi-host tests: a switch namespace with a bridge, one
// namespace per host joined to it by a veth pair ("fo0" inside the host, 10.231.0.N/24),
// loopback up everywhere; links cut at the switch port or filtered with nftables inside
// a host. Also a process started inside a namespace, and a sampler that records whether
// two hosts ever held an address at the same instant. Needs root (ip netns); ok() says
// whether the set-up worked, so a test can skip where it cannot.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "harness.hh"
#include "netif/netif.hh"

namespace fail::test {

inline bool shell(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0; }

class Lan {
 public:
  explicit Lan(const std::vector<std::string>& hosts) : prefix_("fo" + std::to_string(::getpid())) {
    ok_ = shell("ip netns add " + sw());
    ok_ = ok_ && shell("ip -n " + sw() + " link add br0 type bridge") &&
          shell("ip -n " + sw() + " link set dev br0 up");
    int n = 0;
    for (const auto& h : hosts) {
      std::string hn = ns(h), port = "s-" + h, addr = "10.231.0." + std::to_string(++n);
      addresses_[h] = addr;
      ok_ = ok_ && shell("ip netns add " + hn) &&
            shell("ip link add " + port + " netns " + sw() + " type veth peer name fo0 netns " + hn) &&
            shell("ip -n " + sw() + " link set dev " + port + " master br0") &&
            shell("ip -n " + sw() + " link set dev " + port + " up") &&
            shell("ip -n " + hn + " addr add " + addr + "/24 dev fo0") &&
            shell("ip -n " + hn + " link set dev fo0 up") && shell("ip -n " + hn + " link set dev lo up");
      hosts_.push_back(h);
    }
  }
  ~Lan() {
    for (const auto& h : hosts_) shell("ip netns del " + ns(h));
    shell("ip netns del " + sw());
  }
  Lan(const Lan&) = delete;
  Lan& operator=(const Lan&) = delete;

  bool ok() const { return ok_; }
  std::string ns(const std::string& host) const { return prefix_ + host; }
  std::string address(const std::string& host) const { return addresses_.at(host); }
  std::string switchNs() const { return sw(); }  // the namespace holding br0 and the s-HOST ports
  bool in(const std::string& host, const std::string& cmd) const { return shell("ip netns exec " + ns(host) + " " + cmd); }
  // Output of `cmd` run inside `host`'s namespace.
  std::string capture(const std::string& host, const std::string& cmd) const {
    std::string out;
    if (FILE* p = ::popen(("ip netns exec " + ns(host) + " " + cmd + " 2>/dev/null").c_str(), "r")) {
      char buf[512];
      while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
      ::pclose(p);
    }
    return out;
  }
  // Cuts (or restores) `host`'s link at the switch: it reaches nobody.
  bool cut(const std::string& host, bool down) const {
    return shell("ip -n " + sw() + " link set dev s-" + host + (down ? " down" : " up"));
  }
  // Drops (or allows again) all traffic between `host` and `peer`, inside `host`.
  bool block(const std::string& host, const std::string& peer, bool on) const {
    if (!on) return in(host, "nft delete table inet fotest");
    std::string a = address(peer);
    return in(host, "nft add table inet fotest") &&
           in(host, "nft 'add chain inet fotest in { type filter hook input priority 0; }'") &&
           in(host, "nft 'add chain inet fotest out { type filter hook output priority 0; }'") &&
           in(host, "nft add rule inet fotest in ip saddr " + a + " drop") &&
           in(host, "nft add rule inet fotest out ip daddr " + a + " drop");
  }

 private:
  std::string sw() const { return prefix_ + "sw"; }
  std::string prefix_;
  bool ok_ = false;
  std::vector<std::string> hosts_;
  std::map<std::string, std::string> addresses_;
};

// A program run inside a namespace (not a daemon of the suite: no readiness message),
// killed with SIGKILL when destroyed.
class NsProcess {
 public:
  NsProcess(const std::string& netns, std::vector<std::string> argv, const std::string& log, const std::string& cwd = "") {
    ExecPlan plan(argv[0], std::vector<std::string>(argv.begin() + 1, argv.end()));
    std::string nsPath = "/run/netns/" + netns;
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      int ns = ::open(nsPath.c_str(), O_RDONLY | O_CLOEXEC);
      if (ns < 0 || ::setns(ns, CLONE_NEWNET) != 0) ::_exit(126);
      if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(126);
      plan.exec();
    }
  }
  ~NsProcess() { stop(); }
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

// Samples, every few milliseconds and at nearly the same instant, whether each of two
// namespaces holds `cidr` on fo0; remembers whether both ever did, and the last state.
class HoldSampler {
 public:
  HoldSampler(std::string nsA, std::string nsB, const std::string& cidr) : a_(std::move(nsA)), b_(std::move(nsB)) {
    netif::parseCidr(cidr, &cidr_);
    thread_ = std::thread([this] { run(); });
  }
  ~HoldSampler() {
    stop_ = true;
    thread_.join();
  }
  bool bothSeen() const { return both_; }
  bool holdsA() const { return heldA_; }
  bool holdsB() const { return heldB_; }
  long samples() const { return samples_; }

 private:
  bool holds(int fd) {
    if (::setns(fd, CLONE_NEWNET) != 0) return false;
    return netif::hasAddress("fo0", cidr_);
  }
  void run() {
    int fa = ::open(("/run/netns/" + a_).c_str(), O_RDONLY | O_CLOEXEC);
    int fb = ::open(("/run/netns/" + b_).c_str(), O_RDONLY | O_CLOEXEC);
    while (!stop_) {
      bool a = holds(fa), b = holds(fb);
      heldA_ = a;
      heldB_ = b;
      if (a && b) both_ = true;
      ++samples_;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ::close(fa);
    ::close(fb);
  }
  std::string a_, b_;
  netif::Cidr cidr_;
  std::atomic<bool> stop_{false}, both_{false}, heldA_{false}, heldB_{false};
  std::atomic<long> samples_{0};
  std::thread thread_;
};

}  // namespace fail::test
