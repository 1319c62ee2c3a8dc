// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Two network namespaces joined by a veth pair, for the lib/netif tests: "a" (the host
// that takes an address over, interface p-a) and "b" (its neighbour, interface p-b, with
// 198.18.7.2/24 and 2001:db8:7::2/64). Addresses from the benchmarking and documentation
// ranges, inside the namespaces only: nothing leaves them. Names carry the pid and a
// counter, so parallel runs and successive tests never meet. Tests are skipped when
// `ip netns` is not permitted here.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>

#include "base/unique_fd.hh"

namespace fail::netif::test {

using namespace std::chrono_literals;

// Runs `cmd` through the shell; its stdout and stderr into *out. True when it exits 0.
inline bool sh(const std::string& cmd, std::string* out = nullptr) {
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return false;
  std::string text;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) text += buf;
  int st = ::pclose(p);
  if (out) *out = text;
  return st == 0;
}

// Polls `cond` until it holds or `limit` passes: for state the kernel reaches on its own
// time (link up, neighbour entries). Returns the last answer.
inline bool waitFor(const std::function<bool()>& cond, std::chrono::milliseconds limit = 5s) {
  auto end = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (cond()) return true;
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(10ms);
  }
}

// Clears `cap` from the calling thread's effective set.
inline bool dropCapability(int cap) {
  __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct d[2];
  if (::syscall(SYS_capget, &h, d) != 0) return false;
  d[cap / 32].effective &= ~(1u << (cap % 32));
  return ::syscall(SYS_capset, &h, d) == 0;
}

// Runs `fn` in a thread that entered namespace `ns` (none when empty) and then dropped
// capability `dropCap` (unless it is negative); the calling thread keeps its own.
inline void inNamespace(const std::string& ns, const std::function<void()>& fn, int dropCap = -1) {
  std::thread t([&] {
    UniqueFd fd(ns.empty() ? -1 : ::open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns.empty() && (!fd || ::setns(fd.get(), CLONE_NEWNET) != 0)) {
      ADD_FAILURE() << "cannot enter " << ns << ": " << std::strerror(errno);
      return;
    }
    if (dropCap >= 0 && !dropCapability(dropCap)) {
      ADD_FAILURE() << "cannot drop capability " << dropCap << ": " << std::strerror(errno);
      return;
    }
    fn();
  });
  t.join();
}

class NetnsPair : public ::testing::Test {
 protected:
  void SetUp() override {
    static int counter = 0;
    std::string id = std::to_string(::getpid()) + "-" + std::to_string(++counter);
    a_ = "nif-a-" + id;
    b_ = "nif-b-" + id;
    std::string out;
    if (!sh("ip netns add " + a_, &out)) GTEST_SKIP() << "network namespaces are not permitted here: " << out;
    created_ = true;
    const std::string steps[] = {
        "ip netns add " + b_,
        "ip -n " + a_ + " link add dev p-a type veth peer name p-b netns " + b_,
        "ip -n " + a_ + " link set dev lo up",
        "ip -n " + b_ + " link set dev lo up",
        "ip -n " + b_ + " addr add 198.18.7.2/24 dev p-b",
        "ip -n " + b_ + " addr add 2001:db8:7::2/64 dev p-b nodad",
        "ip -n " + a_ + " link set dev p-a up",
        "ip -n " + b_ + " link set dev p-b up",
    };
    for (const std::string& step : steps) ASSERT_TRUE(sh(step, &out)) << step << ": " << out;
    // Carrier, operstate and the IPv6 link-local address follow `link set up` through
    // the kernel's link-watch work: wait for them, so that every test starts settled.
    for (const std::string& ns : {a_, b_}) {
      std::string dev = ns == a_ ? "p-a" : "p-b";
      ASSERT_TRUE(waitFor([&] {
        std::string link, ll;
        return sh("ip -n " + ns + " -o link show dev " + dev, &link) && link.find("state UP") != std::string::npos &&
               sh("ip -n " + ns + " -o -6 addr show dev " + dev + " scope link", &ll) &&
               ll.find("fe80::") != std::string::npos;
      })) << ns << " did not come up";
    }
    ASSERT_TRUE(sh("ip -n " + a_ + " -o link show dev p-a", &out));
    std::size_t at = out.find("link/ether ");
    ASSERT_NE(at, std::string::npos) << out;
    macA_ = out.substr(at + 11, 17);
  }

  void TearDown() override {
    if (!created_) return;
    std::system(("ip netns del " + a_ + " >/dev/null 2>&1").c_str());
    std::system(("ip netns del " + b_ + " >/dev/null 2>&1").c_str());
  }

  void inA(const std::function<void()>& fn, int dropCap = -1) { inNamespace(a_, fn, dropCap); }

  // `ip -o addr show dev p-a` in namespace a: the independent view of its addresses.
  std::string ipAddrA() {
    std::string out;
    EXPECT_TRUE(sh("ip -n " + a_ + " -o addr show dev p-a", &out)) << out;
    return out;
  }
  std::string neighB(const std::string& addr) {
    std::string out;
    EXPECT_TRUE(sh("ip -n " + b_ + " neigh show " + addr + " dev p-b", &out)) << out;
    return out;
  }

  std::string a_, b_, macA_;  // macA_: p-a's MAC as `ip` prints it, "aa:bb:cc:dd:ee:ff"
  bool created_ = false;
};

}  // namespace fail::netif::test
