// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The icmp probe and net::IcmpSocket: loopback (IPv4 and IPv6), the error when no ICMP
// socket can be had, and, in two network namespaces joined by a veth pair (addresses
// from 198.18.0.0/15, inside the namespaces only), a target that goes down and up, ping
// sockets where the namespace allows them, and a scripted responder that drops or
// delays chosen echoes for the loss and round-trip thresholds.
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <sys/syscall.h>

#include <atomic>
#include <cstring>
#include <deque>
#include <functional>
#include <thread>

#include "net/icmp.hh"
#include "peer_util.hh"

namespace fail::check {
namespace {

using namespace std::chrono_literals;
using test::attr;
using test::probeOnce;

bool pingSocketsAllowedHere() {
  std::string range = test::readAll("/proc/sys/net/ipv4/ping_group_range");
  unsigned long lo = 1, hi = 0;
  std::sscanf(range.c_str(), "%lu %lu", &lo, &hi);
  return lo <= ::getgid() && ::getgid() <= hi;
}

// Runs `fn` in a thread of its own (so this one keeps its namespace and capabilities),
// after `prepare` (setns, dropping a capability) succeeded in it.
void inThread(const std::function<bool()>& prepare, const std::function<void()>& fn) {
  std::thread t([&] {
    if (!prepare()) {
      ADD_FAILURE() << "could not prepare the thread: " << std::strerror(errno);
      return;
    }
    fn();
  });
  t.join();
}

bool dropNetRaw() {  // from this thread only (capset on the calling thread)
  __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct d[2];
  if (::syscall(SYS_capget, &h, d) != 0) return false;
  d[CAP_NET_RAW / 32].effective &= ~(1u << (CAP_NET_RAW % 32));
  return ::syscall(SYS_capset, &h, d) == 0;
}

// Whether this process can have an ICMP socket at all (root, or ping sockets allowed).
bool icmpPossible(int family, std::string* why) {
  return net::IcmpSocket::open(family, net::IcmpSocket::Mode::Auto, why).valid();
}

TEST(Icmp, Checksum) {
  const std::uint8_t rfc1071[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(net::internetChecksum(rfc1071, sizeof rfc1071), static_cast<std::uint16_t>(~0xddf2));
  const std::uint8_t odd[] = {0x01};
  EXPECT_EQ(net::internetChecksum(odd, 1), static_cast<std::uint16_t>(~0x0100));
}

TEST(IcmpProbe, LoopbackIsUp) {
  std::string why;
  if (!icmpPossible(AF_INET, &why)) GTEST_SKIP() << why;
  ProbeResult r = probeOnce("icmp", {{"host", "127.0.0.1"}, {"echo-interval", "20ms"}});
  ASSERT_EQ(r.outcome, Outcome::Ok) << r.note;
  EXPECT_EQ(attr(r, "loss"), "0");
  EXPECT_EQ(attr(r, "received"), "3");
  EXPECT_NE(attr(r, "rtt_avg"), "<none>");
  EXPECT_EQ(attr(r, "socket"), pingSocketsAllowedHere() ? "ping" : "raw");
  r = probeOnce("icmp", {{"host", "127.0.0.1"}, {"count", "1"}, {"socket", "raw"}});
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
}

TEST(IcmpProbe, Ipv6Loopback) {
  UniqueFd s(::socket(AF_INET6, SOCK_DGRAM, 0));
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  if (!s || ::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
    GTEST_SKIP() << "no ::1 on this host";
  std::string why;
  if (!icmpPossible(AF_INET6, &why)) GTEST_SKIP() << why;
  ProbeResult r = probeOnce("icmp", {{"host", "::1"}, {"echo-interval", "20ms"}});
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  EXPECT_EQ(attr(r, "received"), "3");
}

TEST(IcmpProbe, NoSocketIsALocalError) {
  if (pingSocketsAllowedHere()) GTEST_SKIP() << "ping sockets are allowed here: a socket can always be had";
  inThread(dropNetRaw, [] {
    std::string error;
    net::IcmpSocket s = net::IcmpSocket::open(AF_INET, net::IcmpSocket::Mode::Auto, &error);
    EXPECT_FALSE(s.valid());
    EXPECT_NE(error.find("net.ipv4.ping_group_range"), std::string::npos) << error;
    EXPECT_NE(error.find("needs CAP_NET_RAW"), std::string::npos) << error;
    ProbeResult r = probeOnce("icmp", {{"host", "127.0.0.1"}});
    EXPECT_EQ(r.outcome, Outcome::LocalError);
    EXPECT_EQ(r.note, error);
  });
  ProbeResult r = probeOnce("icmp", {{"host", "127.0.0.1"}, {"socket", "ping"}});
  EXPECT_EQ(r.outcome, Outcome::LocalError);
  EXPECT_EQ(r.note.rfind("no ICMP socket: ping socket: ", 0), 0u) << r.note;
}

TEST(IcmpProbe, ConfigErrors) {
  auto make = [](std::map<std::string, std::string> opts) {
    CheckSpec spec;
    spec.name = "p";
    spec.file = "Hcfile";
    spec.line = 9;
    spec.options = std::move(opts);
    const KindDesc* k = findKind("icmp");
    validate(spec, *k);
    auto loop = test::newLoop();
    k->make(ProbeContext{loop.get()}, spec);
  };
  EXPECT_NO_THROW(make({{"host", "127.0.0.1"}}));
  EXPECT_THROW(make({{"host", "127.0.0.1"}, {"socket", "dgram"}}), ConfigError);
  EXPECT_THROW(make({{"host", "127.0.0.1"}, {"count", "0"}}), ConfigError);
  EXPECT_THROW(make({{"host", "127.0.0.1"}, {"max-loss", "101"}}), ConfigError);
  // 10 echoes 300ms apart cannot all go out within the default 2s timeout.
  EXPECT_THROW(make({{"host", "127.0.0.1"}, {"count", "10"}, {"echo-interval", "300ms"}}), ConfigError);
}

// Two namespaces, "prober" and "target", joined by a veth pair; removed on destruction,
// whatever happened. Unusable (and the test skipped) when `ip netns` is not permitted.
class Netns {
 public:
  static constexpr const char* kProberAddr = "198.18.0.1";
  static constexpr const char* kTargetAddr = "198.18.0.2";

  Netns() {
    std::string id = std::to_string(::getpid());
    prober_ = "hc-icmp-p-" + id;
    target_ = "hc-icmp-t-" + id;
    std::string vp = "hcvp" + id, vt = "hcvt" + id;  // interface names: at most 15 bytes
    clean();
    if (!sh("ip netns add " + prober_) || !sh("ip netns add " + target_)) return;
    ready_ = sh("ip -n " + prober_ + " link add dev " + vp + " type veth peer name " + vt +
                " netns " + target_) &&
             sh("ip -n " + prober_ + " link set dev lo up") &&
             sh("ip -n " + target_ + " link set dev lo up") &&
             sh("ip -n " + prober_ + " addr add " + kProberAddr + "/30 dev " + vp) &&
             sh("ip -n " + target_ + " addr add " + kTargetAddr + "/30 dev " + vt) &&
             sh("ip -n " + prober_ + " link set dev " + vp + " up") &&
             sh("ip -n " + target_ + " link set dev " + vt + " up");
    targetDev_ = vt;
    linked_ = ready_ && waitLinked();
  }
  ~Netns() { clean(); }
  bool ready() const { return ready_; }
  // Whether an echo crossed the pair after it was set up (see waitLinked()).
  bool linked() const { return linked_; }
  const std::string& why() const { return output_; }

  bool sh(const std::string& cmd) {
    std::string full = cmd + " 2>&1";
    FILE* p = ::popen(full.c_str(), "r");
    if (!p) return false;
    char buf[512];
    std::string out;
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    int st = ::pclose(p);
    if (st != 0) output_ += cmd + ": " + out;
    return st == 0;
  }
  bool inTarget(const std::string& cmd) { return sh("ip netns exec " + target_ + " " + cmd); }
  bool inProber(const std::string& cmd) { return sh("ip netns exec " + prober_ + " " + cmd); }
  bool targetAddress(bool present) {
    return sh(std::string("ip -n ") + target_ + " addr " + (present ? "add " : "del ") + kTargetAddr +
              "/30 dev " + targetDev_);
  }
  // Enters the prober's (or target's) namespace, in the calling thread only.
  bool enter(bool prober) const {
    UniqueFd fd(::open(("/run/netns/" + (prober ? prober_ : target_)).c_str(), O_RDONLY | O_CLOEXEC));
    return fd && ::setns(fd.get(), CLONE_NEWNET) == 0;
  }

 private:
  // Waits until the kernel's own ping goes from the prober to the target and back.
  // `ip link set up` returns before a new veth pair carries packets: the end set up
  // first gets its carrier from the other's, and is activated by the kernel's link
  // watch, later (on a loaded machine, tens of milliseconds); a packet sent before that
  // is dropped. A probe that starts then loses its first ARP request, the next goes out
  // a second later, and the attempt ends "100% loss". Generous deadline; each ping
  // waits for its reply up to 1 s.
  bool waitLinked() {
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::string cmd = "ip netns exec " + prober_ + " ping -n -q -c 1 -W 1 " + kTargetAddr;
    do {
      std::string before = output_;
      if (sh(cmd)) {
        output_ = before;
        return true;
      }
      if (std::chrono::steady_clock::now() >= end) return false;
      output_ = before;  // only the last failure is kept
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // between attempts
    } while (true);
  }

  void clean() {
    std::system(("ip netns del " + prober_ + " >/dev/null 2>&1").c_str());
    std::system(("ip netns del " + target_ + " >/dev/null 2>&1").c_str());
  }
  std::string prober_, target_, targetDev_, output_;
  bool ready_ = false, linked_ = false;
};

#define NEED_NETNS(ns)                                                                    \
  Netns ns;                                                                               \
  if (!ns.ready()) GTEST_SKIP() << "network namespaces are not permitted here: " << ns.why(); \
  ASSERT_TRUE(ns.linked()) << "no echo crossed the veth pair within 20 s: " << ns.why()

ProbeResult probeFrom(Netns& ns, std::map<std::string, std::string> opts,
                      std::chrono::milliseconds timeout = 1s) {
  ProbeResult r;
  inThread([&] { return ns.enter(true); }, [&] { r = probeOnce("icmp", std::move(opts), timeout); });
  return r;
}

TEST(IcmpNetns, TargetDownAndUp) {
  NEED_NETNS(ns);
  std::map<std::string, std::string> o{{"host", Netns::kTargetAddr}, {"echo-interval", "50ms"}};
  // A target that answers: the attempt ends with its third reply, well before this
  // timeout (room for a loaded machine; the one that finds nobody waits only 1 s).
  constexpr auto kUp = 5s;
  ProbeResult r = probeFrom(ns, o, kUp);
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  EXPECT_EQ(attr(r, "socket"), "raw");  // a new namespace's ping_group_range is "1 0"

  ASSERT_TRUE(ns.targetAddress(false)) << ns.why();
  r = probeFrom(ns, o);
  EXPECT_EQ(r.outcome, Outcome::Unreachable);
  // No reply; or, once the neighbour entry has failed, the kernel's own verdict.
  EXPECT_TRUE(r.note == "100% loss" || r.note == "no route to host") << r.note;

  ASSERT_TRUE(ns.targetAddress(true)) << ns.why();
  auto end = std::chrono::steady_clock::now() + 30s;  // until the neighbour is found again
  do {
    r = probeFrom(ns, o, kUp);
  } while (r.outcome != Outcome::Ok && std::chrono::steady_clock::now() < end);
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
}

TEST(IcmpNetns, PingSocketsWhereAllowed) {
  NEED_NETNS(ns);
  std::map<std::string, std::string> o{{"host", Netns::kTargetAddr}, {"echo-interval", "20ms"}};
  o["socket"] = "ping";
  ProbeResult r = probeFrom(ns, o);
  EXPECT_EQ(r.outcome, Outcome::LocalError);
  EXPECT_NE(r.note.find("ping_group_range \"1"), std::string::npos) << r.note;

  ASSERT_TRUE(ns.inProber("sysctl -q -w net.ipv4.ping_group_range=\"0 2147483647\"")) << ns.why();
  r = probeFrom(ns, o);
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  o.erase("socket");  // auto now prefers the ping socket
  r = probeFrom(ns, o);
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  EXPECT_EQ(attr(r, "socket"), "ping");
}

// Answers echo requests in the target namespace from a raw socket, after the kernel was
// told to ignore them: `plan(seq)` gives the delay of the reply, or -1 to drop it.
class Responder {
 public:
  Responder(Netns& ns, std::function<int(int seq)> plan) : plan_(std::move(plan)) {
    EXPECT_TRUE(ns.inTarget("sysctl -q -w net.ipv4.icmp_echo_ignore_all=1")) << ns.why();
    std::atomic<bool> up{false};
    thread_ = std::thread([this, &ns, &up] {
      if (ns.enter(false)) fd_.reset(::socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
      up = true;
      if (fd_) run();
    });
    while (!up) std::this_thread::yield();
    EXPECT_TRUE(fd_) << "no raw socket in the target namespace";
  }
  ~Responder() {
    stop_ = true;
    thread_.join();
  }

 private:
  struct Due {
    std::chrono::steady_clock::time_point at;
    std::string packet;
    sockaddr_in to;
  };
  void run() {
    std::deque<Due> queue;
    while (!stop_) {
      pollfd p{fd_.get(), POLLIN, 0};
      if (::poll(&p, 1, 2) > 0) {
        std::uint8_t buf[512];
        sockaddr_in from{};
        socklen_t len = sizeof from;
        ssize_t n = ::recvfrom(fd_.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
        std::size_t ihl = n > 0 ? static_cast<std::size_t>(buf[0] & 0x0f) * 4 : 0;
        if (n > 0 && static_cast<std::size_t>(n) >= ihl + 8 && buf[ihl] == 8) {
          std::string icmp(reinterpret_cast<char*>(buf + ihl), static_cast<std::size_t>(n) - ihl);
          int seq = (static_cast<std::uint8_t>(icmp[6]) << 8) | static_cast<std::uint8_t>(icmp[7]);
          int delay = plan_(seq);
          if (delay >= 0) {
            icmp[0] = 0;  // echo reply
            icmp[2] = icmp[3] = 0;
            std::uint16_t sum = net::internetChecksum(icmp.data(), icmp.size());
            icmp[2] = static_cast<char>(sum >> 8);
            icmp[3] = static_cast<char>(sum & 0xff);
            queue.push_back({std::chrono::steady_clock::now() + std::chrono::milliseconds(delay), icmp, from});
          }
        }
      }
      while (!queue.empty() && queue.front().at <= std::chrono::steady_clock::now()) {
        const Due& d = queue.front();
        ::sendto(fd_.get(), d.packet.data(), d.packet.size(), 0, reinterpret_cast<const sockaddr*>(&d.to),
                 sizeof d.to);
        queue.pop_front();
      }
    }
  }
  std::function<int(int)> plan_;
  UniqueFd fd_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(IcmpNetns, LossAndRoundTripThresholds) {
  NEED_NETNS(ns);
  std::map<std::string, std::string> o{{"host", Netns::kTargetAddr}, {"echo-interval", "20ms"}};
  {
    Responder drop1(ns, [](int seq) { return seq == 1 ? -1 : 0; });
    ProbeResult r = probeFrom(ns, o, 500ms);
    EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;  // 33% lost, at most 34% allowed
    EXPECT_EQ(attr(r, "loss"), "33");
    EXPECT_EQ(attr(r, "received"), "2");
    auto strict = o;
    strict["max-loss"] = "0";
    r = probeFrom(ns, strict, 500ms);
    EXPECT_EQ(r.outcome, Outcome::Fail);
    EXPECT_EQ(r.note, "loss above 0%");
  }
  {
    Responder dropAll(ns, [](int) { return -1; });
    ProbeResult r = probeFrom(ns, o, 500ms);
    EXPECT_EQ(r.outcome, Outcome::Unreachable);
    EXPECT_EQ(r.note, "100% loss");
    EXPECT_EQ(attr(r, "loss"), "100");
  }
  {
    Responder slow(ns, [](int) { return 80; });
    auto limited = o;
    limited["max-rtt"] = "50ms";
    ProbeResult r = probeFrom(ns, limited, 800ms);
    EXPECT_EQ(r.outcome, Outcome::Fail);
    EXPECT_EQ(r.note, "rtt above 50ms");
    auto warned = o;
    warned["warn-rtt"] = "50ms";
    warned["max-rtt"] = "500ms";
    r = probeFrom(ns, warned, 800ms);
    EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
    EXPECT_EQ(r.warning, "rtt above 50ms");
    EXPECT_GE(r.latency, 80ms);
  }
}

}  // namespace
}  // namespace fail::check
