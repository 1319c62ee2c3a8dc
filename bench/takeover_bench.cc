// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// takeover_bench: failsh's IP takeover timelines (samples/ipfailover-linux/policy.tcl,
// interval 1 s) between network namespaces, against keepalived doing VRRP (advert_int 1)
// between the same namespaces in the same run (bench/takeover_bench.md).
//
// Hosts a (master), b (slave), c (witness) and cl (client) on a bridge, 10.231.0.N/24
// (tests/integration/netns.hh); the service address 10.231.0.100/24 on fo0. a and b each
// run a tiny TCP server on port 8080 that writes its host name; a prober thread inside
// cl connects to 10.231.0.100:8080 every 5 ms (several attempts in flight) and notes
// when "b" first answers. A sampler thread notes, every 2 ms, whether a and b hold the
// address (when a released it, when b took it, whether both ever held it at once).
//
// Triggers, each after a random phase of 0..1 s, with t0 taken the instant before:
//   fail       failsh: SET vip FAIL on a's faild (unix socket); keepalived: a's
//              vrrp_track_file goes to 1 (the instance goes FAULT, the daemon stays up)
//   cut        a's switch port goes down (SIOCSIFFLAGS on the switch namespace's socket)
// Then the trigger is undone (RECOVER / file back to 0 / port up) and the bench waits
// until a holds the address again, b does not and the client gets "a", before the next.
// The three stacks (failsh with witness c, failsh without witness, keepalived) take
// turns in rounds, so the anchor runs in the same conditions.
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../tests/integration/harness.hh"
#include "../tests/integration/netns.hh"

#ifndef FAIL_TOP_SRCDIR
#define FAIL_TOP_SRCDIR ".."
#endif

namespace {

using namespace fail::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kVip = "10.231.0.100/24";
constexpr const char* kVipAddr = "10.231.0.100";
constexpr int kPort = 8080;
constexpr const char* kSecret = "s3cret-bench";

std::atomic<bool> g_stop{false};
void onSignal(int) { g_stop = true; }
void checkStop() {
  if (g_stop) throw std::runtime_error("interrupted");
}
void sleepFor(Clock::duration d) {
  auto until = Clock::now() + d;
  while (Clock::now() < until) {
    checkStop();
    std::this_thread::sleep_for(std::min<Clock::duration>(until - Clock::now(), 20ms));
  }
}
bool waitFor(const std::function<bool()>& cond, Clock::duration deadline) {
  auto until = Clock::now() + deadline;
  while (Clock::now() < until) {
    checkStop();
    if (cond()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return cond();
}
std::int64_t nowNs() { return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count(); }

// Moves the calling thread into namespace `ns`.
void enterNs(const std::string& ns) {
  int fd = ::open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) throw std::runtime_error("setns " + ns + ": " + std::strerror(errno));
  ::close(fd);
}

// A socket created inside namespace `ns` (a socket stays in the namespace it was made in).
int socketIn(const std::string& ns, int type) {
  int fd = -1;
  std::string err;
  std::thread t([&] {
    try {
      enterNs(ns);
      fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    } catch (const std::exception& e) {
      err = e.what();
    }
  });
  t.join();
  if (fd < 0) throw std::runtime_error("socket in " + ns + ": " + (err.empty() ? std::strerror(errno) : err));
  return fd;
}

// Sets an interface up or down through a socket of its namespace: the trigger, with no
// fork/exec between t0 and the link going down.
bool linkUp(int fd, const std::string& dev, bool up) {
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, dev.c_str(), IFNAMSIZ - 1);
  if (::ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) return false;
  if (up)
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  else
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags & ~IFF_UP);
  return ::ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
}

// Writes `name` to whoever connects to port 8080 inside namespace `ns`.
class NameServer {
 public:
  NameServer(const std::string& ns, std::string name) : name_(std::move(name)) {
    fd_ = socketIn(ns, SOCK_STREAM);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(kPort);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0 || ::listen(fd_, 128) != 0)
      throw std::runtime_error("name server " + name_ + ": " + std::strerror(errno));
    thread_ = std::thread([this] { run(); });
  }
  ~NameServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }

 private:
  void run() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      (void)!::write(c, name_.data(), name_.size());
      ::close(c);
    }
  }
  std::string name_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Connects to the service address from the client namespace every 5 ms, each attempt
// given 300 ms; remembers the last answer and when "b" first answered after arm().
class Prober {
 public:
  explicit Prober(std::string ns) : ns_(std::move(ns)) { thread_ = std::thread([this] { run(); }); }
  ~Prober() {
    stop_ = true;
    thread_.join();
  }
  void arm(std::int64_t t0) {
    firstB_ = 0;
    since_ = t0;
  }
  std::int64_t firstB() const { return firstB_; }
  std::string last() const {
    int v = last_;
    return v == 'a' ? "a" : v == 'b' ? "b" : "";
  }
  // True when the last `n` answers (in a row) were `who`.
  bool steady(char who) const { return last_ == who && streak_ >= 20; }

 private:
  struct Attempt {
    int fd;
    std::int64_t deadline;
  };
  void answered(char who) {
    if (who == last_) {
      ++streak_;
    } else {
      last_ = who;
      streak_ = 1;
    }
    std::int64_t t = nowNs();
    if (who == 'b' && since_ && t >= since_ && !firstB_) firstB_ = t;
  }
  void run() {
    try {
      enterNs(ns_);
    } catch (const std::exception& e) {
      std::cerr << "prober: " << e.what() << "\n";
      return;
    }
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(kPort);
    ::inet_pton(AF_INET, kVipAddr, &sin.sin_addr);
    std::vector<Attempt> live;
    std::int64_t next = nowNs();
    while (!stop_) {
      std::int64_t now = nowNs();
      if (now >= next && live.size() < 64) {
        next = now + 5'000'000;
        int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd >= 0) {
          int r = ::connect(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin);
          if (r == 0 || errno == EINPROGRESS)
            live.push_back({fd, now + 300'000'000});
          else
            ::close(fd);
        }
      }
      std::vector<pollfd> ps;
      for (const auto& a : live) ps.push_back({a.fd, POLLIN, 0});
      int wait = static_cast<int>(std::max<std::int64_t>(0, (next - nowNs()) / 1'000'000));
      ::poll(ps.data(), ps.size(), std::min(wait, 5));
      now = nowNs();
      std::vector<Attempt> keep;
      for (size_t i = 0; i < live.size(); ++i) {
        bool done = false;
        if (ps[i].revents & (POLLIN | POLLHUP | POLLERR)) {
          char buf[16];
          ssize_t n = ::read(live[i].fd, buf, sizeof buf);
          if (n > 0) answered(buf[0]);
          done = true;
        } else if (now >= live[i].deadline) {
          done = true;
        }
        if (done)
          ::close(live[i].fd);
        else
          keep.push_back(live[i]);
      }
      live.swap(keep);
    }
    for (const auto& a : live) ::close(a.fd);
  }
  std::string ns_;
  std::atomic<bool> stop_{false};
  std::atomic<int> last_{0};
  std::atomic<long> streak_{0};
  std::atomic<std::int64_t> firstB_{0}, since_{0};
  std::thread thread_;
};

// Whether a and b hold the address, every 2 ms; after arm(t0): when a first did not,
// when b first did, and whether both ever held it in one sample.
class Sampler {
 public:
  Sampler(const std::string& nsA, const std::string& nsB) {
    fail::netif::parseCidr(kVip, &cidr_);
    fa_ = ::open(("/run/netns/" + nsA).c_str(), O_RDONLY | O_CLOEXEC);
    fb_ = ::open(("/run/netns/" + nsB).c_str(), O_RDONLY | O_CLOEXEC);
    thread_ = std::thread([this] { run(); });
  }
  ~Sampler() {
    stop_ = true;
    thread_.join();
    ::close(fa_);
    ::close(fb_);
  }
  void arm(std::int64_t t0) {
    since_ = 0;
    aOff_ = 0;
    bOn_ = 0;
    both_ = false;
    since_ = t0;
  }
  std::int64_t aReleased() const { return aOff_; }
  std::int64_t bTook() const { return bOn_; }
  bool both() const { return both_; }
  bool a() const { return a_; }
  bool b() const { return b_; }
  long samples() const { return samples_; }

 private:
  bool holds(int fd) { return ::setns(fd, CLONE_NEWNET) == 0 && fail::netif::hasAddress("fo0", cidr_); }
  void run() {
    while (!stop_) {
      bool a = holds(fa_), b = holds(fb_);
      std::int64_t t = nowNs();
      a_ = a;
      b_ = b;
      std::int64_t s = since_;
      if (s && t >= s) {
        if (!a && !aOff_) aOff_ = t;
        if (b && !bOn_) bOn_ = t;
        if (a && b) both_ = true;
      }
      ++samples_;
      std::this_thread::sleep_for(2ms);
    }
  }
  fail::netif::Cidr cidr_;
  int fa_ = -1, fb_ = -1;
  std::atomic<bool> stop_{false}, both_{false}, a_{false}, b_{false};
  std::atomic<std::int64_t> since_{0}, aOff_{0}, bOn_{0};
  std::atomic<long> samples_{0};
  std::thread thread_;
};

// keepalived run in the foreground in a namespace, with its own pid files; stopped with
// SIGTERM (its VRRP child then drops the address and exits too), SIGKILL as a last resort.
class Keepalived {
 public:
  Keepalived(const std::string& ns, const std::string& dir, const std::string& tag) : dir_(dir), tag_(tag) {
    conf_ = dir + "/" + tag + ".conf";
    std::string log = dir + "/" + tag + ".log";
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      int nfd = ::open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
      if (nfd < 0 || ::setns(nfd, CLONE_NEWNET) != 0) ::_exit(126);
      std::vector<std::string> argv = {"/usr/sbin/keepalived", "-n", "-l", "-D", "-P", "-f", conf_,
                                       "-p", pidFile("main"), "-r", pidFile("vrrp"), "-c", pidFile("check")};
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
  }
  ~Keepalived() { stop(); }
  std::string pidFile(const std::string& what) const { return dir_ + "/" + tag_ + "." + what + ".pid"; }
  void stop() {
    if (pid_ <= 0) return;
    pid_t child = 0;
    std::ifstream(pidFile("vrrp")) >> child;
    ::kill(pid_, SIGTERM);
    bool gone = false;
    for (int i = 0; i < 500 && !gone; ++i) {
      int st;
      gone = ::waitpid(pid_, &st, WNOHANG) == pid_;
      if (!gone) std::this_thread::sleep_for(10ms);
    }
    if (!gone) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (child > 0 && alive(child)) ::kill(child, SIGKILL);
    pid_ = -1;
  }

 private:
  static bool alive(pid_t p) {
    std::ifstream st("/proc/" + std::to_string(p) + "/status");
    std::string line;
    while (std::getline(st, line))
      if (line.rfind("State:", 0) == 0) return line.find('Z') == std::string::npos;
    return false;
  }
  std::string dir_, tag_, conf_;
  pid_t pid_ = -1;
};

struct Options {
  int trials = 20;
  int rounds = 2;
  bool keep = false;
  std::string only;  // "", or a comma list of failsh-witness, failsh-nowitness, keepalived
  std::string policy = std::string(FAIL_TOP_SRCDIR) + "/samples/ipfailover-linux/policy.tcl";
};

struct Sample {
  double answer = NAN;    // s from t0 to the first answer from b
  double released = NAN;  // s from t0 to a no longer holding the address
  double took = NAN;      // s from t0 to b holding it
  bool overlap = false;
};

using Results = std::map<std::string, std::vector<Sample>>;  // "stack/trigger"

double secs(std::int64_t t, std::int64_t t0) { return t ? static_cast<double>(t - t0) / 1e9 : NAN; }

class Bench {
 public:
  explicit Bench(const Options& o) : opts_(o), lan_({"a", "b", "c", "cl"}) {
    if (!lan_.ok()) throw std::runtime_error("cannot set up the namespaces (needs root and ip netns)");
    writeFile(dir_.file("access"), std::string("* ") + kSecret + " RW\n");
    writeFile(dir_.file("secret"), std::string(kSecret) + "\n");
    swFd_ = socketIn(lan_.switchNs(), SOCK_DGRAM);
    servers_.push_back(std::make_unique<NameServer>(lan_.ns("a"), "a"));
    servers_.push_back(std::make_unique<NameServer>(lan_.ns("b"), "b"));
    prober_ = std::make_unique<Prober>(lan_.ns("cl"));
    sampler_ = std::make_unique<Sampler>(lan_.ns("a"), lan_.ns("b"));
    std::random_device rd;
    rng_.seed(rd());
    if (opts_.keep) ::setenv("FAIL_KEEP_TMP", "1", 1);
  }
  ~Bench() {
    stopStack();
    sampler_.reset();
    prober_.reset();
    servers_.clear();
    if (swFd_ >= 0) ::close(swFd_);
    if (opts_.keep) std::cerr << "# kept " << dir_.path() << "\n";
  }

  void run(Results& res) {
    auto want = [&](const std::string& s) {
      return opts_.only.empty() || ("," + opts_.only + ",").find("," + s + ",") != std::string::npos;
    };
    for (int r = 0; r < opts_.rounds; ++r) {
      int n = opts_.trials / opts_.rounds + (r < opts_.trials % opts_.rounds ? 1 : 0);
      if (want("failsh-witness")) {
        startFailsh(true);
        trials(res, "failsh/fail", n, [&] { return failshFail(); });
        trials(res, "failsh/cut-witness", n, [&] { return cut(true); });
        stopStack();
      }
      if (want("keepalived")) {
        startKeepalived();
        trials(res, "keepalived/fail", n, [&] { return kaFail(); });
        trials(res, "keepalived/cut", n, [&] { return cut(false); });
        stopStack();
      }
      if (want("failsh-nowitness")) {
        startFailsh(false);
        trials(res, "failsh/cut-nowitness", n, [&] { return cut(false); });
        stopStack();
      }
    }
  }

 private:
  // One trigger: returns the sample; leaves the stack settled on a again.
  using Trial = std::function<Sample()>;
  void trials(Results& res, const std::string& key, int n, const Trial& one) {
    for (int i = 0; i < n; ++i) {
      Sample s = one();
      res[key].push_back(s);
      // t0 in wall-clock time (UTC), to find the trial in the daemons' logs
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wallT0_.time_since_epoch()).count();
      std::time_t secs = static_cast<std::time_t>(ms / 1000);
      std::tm tm{};
      ::gmtime_r(&secs, &tm);
      char when[32];
      std::strftime(when, sizeof when, "%H:%M:%S", &tm);
      std::printf("# %-22s trial %2zu at %s.%03d: b answers %7.3f s  a released %7.3f s  b took %7.3f s%s\n",
                  key.c_str(), res[key].size(), when, static_cast<int>(ms % 1000), s.answer, s.released, s.took,
                  s.overlap ? "  (both held it)" : "");
      std::fflush(stdout);
    }
  }
  void phase() { sleepFor(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 999'999)(rng_))); }
  std::int64_t arm() {
    wallT0_ = std::chrono::system_clock::now();
    std::int64_t t0 = nowNs();
    prober_->arm(t0);
    sampler_->arm(t0);
    return t0;
  }
  Sample collect(std::int64_t t0, bool answered) {
    Sample s;
    if (answered) s.answer = secs(prober_->firstB(), t0);
    s.released = secs(sampler_->aReleased(), t0);
    s.took = secs(sampler_->bTook(), t0);
    s.overlap = sampler_->both();
    return s;
  }
  bool settledOnA() {
    return waitFor([&] { return sampler_->a() && !sampler_->b() && prober_->steady('a') && stackSettled(); }, 60s);
  }
  void settle() {
    if (!settledOnA()) throw std::runtime_error("did not settle on a: " + logs());
    sleepFor(500ms);
    if (!settledOnA()) throw std::runtime_error("did not settle on a: " + logs());
  }

  // failsh with or without witness c.
  std::string state(const std::string& h, const std::string& name) {
    LineClient c("unix:" + dir_.file(h + ".sock"));
    auto w = words(c.request("GET " + name));
    return w.size() == 2 && w[0] == "OK" ? field(w[1], "state") : "";
  }
  bool set(const std::string& h, const std::string& name, const std::string& st) {
    LineClient c("unix:" + dir_.file(h + ".sock"));
    return c.request("SET " + name + " " + st).rfind("OK", 0) == 0;
  }
  void startHost(const std::string& h, const std::string& role, bool witness) {
    std::string tag = std::to_string(++generation_) + "-" + h;
    std::string addr = lan_.address(h);
    ::unlink(dir_.file(h + ".sock").c_str());
    std::vector<std::string> args = {"--memory", "-c", dir_.file("access"), "--listen", "127.0.0.1:1847",
                                     "--listen", "unix:" + dir_.file(h + ".sock"), "--listen", addr + ":1847",
                                     "--insecure-auth"};
    auto fd = std::make_unique<Daemon>("faild/faild", args, dir_, "faild-" + tag);
    fd->netns(lan_.ns(h));
    if (!fd->start()) throw std::runtime_error("faild on " + h + ": " + fd->log());
    daemons_.push_back(std::move(fd));
    auto sh = std::make_unique<Daemon>(
        "failsh/failsh",
        std::vector<std::string>{"-f", opts_.policy, "-m", "none", "-d", "service"},
        dir_, "failsh-" + tag);
    sh->netns(lan_.ns(h));
    sh->env("FAIL_ROLE=" + role);
    std::string peers = role == "witness" ? "a=" + lan_.address("a") + " b=" + lan_.address("b")
                        : h == "a"        ? "b=" + lan_.address("b")
                                          : "a=" + lan_.address("a");
    sh->env("FAIL_PEER=" + peers);
    if (witness && role != "witness") sh->env("FAIL_WITNESS=c=" + lan_.address("c"));
    sh->env(std::string("FAIL_VIP=") + kVip);
    sh->env("FAIL_DEV=fo0");
    sh->env("FAIL_INTERVAL=1s");
    sh->env("FAIL_SECRET_FILE=" + dir_.file("secret"));
    if (!sh->start()) throw std::runtime_error("failsh on " + h + ": " + sh->log());
    logTags_.push_back("failsh-" + tag);
    daemons_.push_back(std::move(sh));
  }
  void startFailsh(bool witness) {
    std::printf("# starting failsh (%s witness)\n", witness ? "with" : "without");
    std::fflush(stdout);
    stack_ = Stack::Failsh;
    startHost("a", "master", witness);
    startHost("b", "slave", witness);
    if (witness) startHost("c", "witness", false);
    settle();
  }
  Sample failshFail() {
    phase();
    std::int64_t t0 = arm();
    if (!set("a", "vip", "FAIL")) throw std::runtime_error("SET vip FAIL refused");
    bool ok = waitFor([&] { return prober_->firstB() != 0 && sampler_->aReleased() != 0 && sampler_->bTook() != 0; }, 20s);
    Sample s = collect(t0, ok);
    sleepFor(300ms);  // the sampler's last look
    s.overlap = sampler_->both();
    if (!set("a", "vip", "RECOVER")) throw std::runtime_error("SET vip RECOVER refused");
    settle();
    return s;
  }
  // a's port at the switch goes down; b must answer (and, with a witness, a must fence).
  Sample cut(bool expectFence) {
    phase();
    std::int64_t t0 = arm();
    if (!linkUp(swFd_, "s-a", false)) throw std::runtime_error("cannot set s-a down");
    bool ok = waitFor([&] { return prober_->firstB() != 0 && sampler_->bTook() != 0 && (!expectFence || sampler_->aReleased() != 0); }, 20s);
    Sample s = collect(t0, prober_->firstB() != 0);
    if (!ok) std::printf("# (no complete takeover within 20 s)\n");
    if (!linkUp(swFd_, "s-a", true)) throw std::runtime_error("cannot set s-a up");
    // Without a witness a never dropped the address, so nothing re-announces it: the
    // client would keep b's MAC until its neighbour entry expires. Not measured; flushed
    // so the next trial does not wait for it.
    lan_.in("cl", "ip neigh flush dev fo0");
    settle();
    return s;
  }

  // keepalived: VRRP with advert_int 1, priorities 150 (a) and 100 (b), multicast over the
  // bridge, a vrrp_track_file per host as the administrator's FAIL.
  void startKeepalived() {
    std::printf("# starting keepalived\n");
    std::fflush(stdout);
    stack_ = Stack::Keepalived;
    for (const std::string h : {"a", "b"}) {
      std::string tag = std::to_string(++generation_) + "-ka-" + h;
      writeFile(dir_.file("ka-fail-" + h), "0\n", 0644);
      std::ostringstream c;
      c << "global_defs {\n  router_id bench-" << h << "\n}\n"
        << "vrrp_track_file fail_" << h << " {\n  file " << dir_.file("ka-fail-" + h) << "\n  weight 0\n}\n"
        << "vrrp_instance VIP {\n  state " << (h == "a" ? "MASTER" : "BACKUP") << "\n  interface fo0\n"
        << "  virtual_router_id 51\n  priority " << (h == "a" ? 150 : 100) << "\n  advert_int 1\n"
        << "  virtual_ipaddress {\n    " << kVip << " dev fo0\n  }\n"
        << "  track_file {\n    fail_" << h << "\n  }\n}\n";
      writeFile(dir_.file(tag + ".conf"), c.str(), 0644);
      keepaliveds_.push_back(std::make_unique<Keepalived>(lan_.ns(h), dir_.path(), tag));
      logTags_.push_back(tag);
    }
    settle();
  }
  void writeNow(const std::string& path, const char* text) {
    // Replaced in place (keepalived watches the file with inotify).
    int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC);
    if (fd < 0 || ::write(fd, text, std::strlen(text)) < 0) throw std::runtime_error("cannot write " + path);
    ::close(fd);
  }
  Sample kaFail() {
    phase();
    std::int64_t t0 = arm();
    writeNow(dir_.file("ka-fail-a"), "1\n");
    bool ok = waitFor([&] { return prober_->firstB() != 0 && sampler_->aReleased() != 0 && sampler_->bTook() != 0; }, 20s);
    Sample s = collect(t0, ok);
    sleepFor(300ms);
    s.overlap = sampler_->both();
    writeNow(dir_.file("ka-fail-a"), "0\n");
    settle();
    return s;
  }

  bool stackSettled() {
    if (stack_ != Stack::Failsh) return true;
    return state("a", "vip") == "UP" && state("b", "vip") == "RECOVER";
  }
  void stopStack() {
    daemons_.clear();  // SIGKILL: failsh and faild leave nothing behind but the address
    keepaliveds_.clear();
    linkUp(swFd_, "s-a", true);
    for (const std::string h : {"a", "b"}) lan_.in(h, std::string("ip addr del ") + kVip + " dev fo0");
    stack_ = Stack::None;
  }
  std::string logs() {
    std::string out;
    for (const auto& t : logTags_) {
      std::string l = readFile(dir_.file(t + ".log"));
      if (l.size() > 3000) l = "..." + l.substr(l.size() - 3000);
      out += "\n--- " + t + ".log:\n" + l;
    }
    return out;
  }

  enum class Stack { None, Failsh, Keepalived };
  Options opts_;
  TempDir dir_;
  Lan lan_;
  int swFd_ = -1;
  std::vector<std::unique_ptr<NameServer>> servers_;
  std::unique_ptr<Prober> prober_;
  std::unique_ptr<Sampler> sampler_;
  std::vector<std::unique_ptr<Daemon>> daemons_;
  std::vector<std::unique_ptr<Keepalived>> keepaliveds_;
  std::vector<std::string> logTags_;
  Stack stack_ = Stack::None;
  int generation_ = 0;
  std::chrono::system_clock::time_point wallT0_;
  std::mt19937 rng_;
};

struct Stats {
  int n = 0, missing = 0;
  double min = NAN, median = NAN, p99 = NAN, max = NAN;
};
Stats stats(const std::vector<Sample>& v, double Sample::*field) {
  Stats s;
  std::vector<double> x;
  for (const auto& e : v) {
    if (std::isnan(e.*field))
      ++s.missing;
    else
      x.push_back(e.*field);
  }
  s.n = static_cast<int>(v.size());
  if (x.empty()) return s;
  std::sort(x.begin(), x.end());
  auto q = [&](double p) {  // nearest rank
    size_t k = static_cast<size_t>(std::ceil(p * static_cast<double>(x.size())));
    return x[std::min(x.size() - 1, k ? k - 1 : 0)];
  };
  s.min = x.front();
  s.median = q(0.5);
  s.p99 = q(0.99);
  s.max = x.back();
  return s;
}
std::string fmt(const Stats& s) {
  if (s.n == 0) return "-";
  char buf[96];
  if (std::isnan(s.min))
    std::snprintf(buf, sizeof buf, "none of %d", s.n);
  else
    std::snprintf(buf, sizeof buf, "%.3f / %.3f / %.3f / %.3f", s.min, s.median, s.p99, s.max);
  std::string out = buf;
  if (s.missing) out += " (" + std::to_string(s.missing) + " missing)";
  return out;
}

std::string loadavg() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

void report(const Results& res) {
  auto get = [&](const std::string& k) {
    auto it = res.find(k);
    return it == res.end() ? std::vector<Sample>{} : it->second;
  };
  struct Row {
    const char* trigger;
    const char* failsh;
    const char* keepalived;
    double goal;
    const char* goalText;
  };
  const Row rows[] = {
      {"FAIL on a", "failsh/fail", "keepalived/fail", 1.1, "interval + 100 ms = 1.100"},
      {"a cut off, no witness", "failsh/cut-nowitness", "keepalived/cut", 1.6, "interval + poll timeout + 100 ms = 1.600"},
      {"a cut off, witness c", "failsh/cut-witness", "keepalived/cut", 4.1, "fence-after + 2 intervals + 100 ms = 4.100"},
  };
  std::printf("\ntakeover: from the trigger to the client's first answer from b (s; min / median / p99 / max)\n\n");
  std::printf("| trigger | failsh | keepalived (anchor) | failsh/keepalived (median) | goal (p99) | met |\n");
  std::printf("| --- | --- | --- | --- | --- | --- |\n");
  for (const Row& r : rows) {
    auto f = get(r.failsh), k = get(r.keepalived);
    if (f.empty() && k.empty()) continue;
    Stats fs = stats(f, &Sample::answer), ks = stats(k, &Sample::answer);
    char ratio[32] = "-";
    if (!std::isnan(fs.median) && !std::isnan(ks.median) && ks.median > 0)
      std::snprintf(ratio, sizeof ratio, "%.2f", fs.median / ks.median);
    bool met = fs.n > 0 && fs.missing == 0 && fs.p99 <= r.goal;
    std::printf("| %s (n=%d/%d) | %s | %s | %s | %s | %s |\n", r.trigger, fs.n, ks.n, fmt(fs).c_str(),
                fmt(ks).c_str(), ratio, r.goalText, fs.n ? (met ? "yes" : "NO") : "-");
  }
  std::printf("\nwhere the address was (s from the trigger; min / median / p99 / max)\n\n");
  std::printf("| run | a released it | b took it | both held it at once |\n| --- | --- | --- | --- |\n");
  for (const auto& [k, v] : res) {
    int both = 0;
    for (const auto& s : v) both += s.overlap;
    std::printf("| %s | %s | %s | %d of %zu trials |\n", k.c_str(), fmt(stats(v, &Sample::released)).c_str(),
                fmt(stats(v, &Sample::took)).c_str(), both, v.size());
  }
  std::printf("\nload average at the end: %s; nproc %u\n", loadavg().c_str(), std::thread::hardware_concurrency());
}

void usage() {
  std::puts(
      "usage: takeover_bench [--quick] [--trials N] [--rounds N] [--only LIST] [--keep]\n"
      "  --trials N   trials per trigger and stack (default 20; --quick: 6)\n"
      "  --rounds N   the stacks take turns N times, trials split among the rounds (default 2)\n"
      "  --only LIST  failsh-witness,failsh-nowitness,keepalived (default all)\n"
      "  --policy F   failsh's policy (default samples/ipfailover-linux/policy.tcl of the source tree)\n"
      "  --keep       keep the temporary directory (daemon logs, keepalived configs)\n"
      "Needs root (ip netns), keepalived (/usr/sbin/keepalived), faild and failsh built\n"
      "beside the benchmark (or top_builddir=DIR).");
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    try {
      if (a == "--quick") {
        o.trials = 6;
      } else if (a == "--trials") {
        o.trials = std::stoi(next());
      } else if (a == "--rounds") {
        o.rounds = std::stoi(next());
      } else if (a == "--only") {
        o.only = next();
      } else if (a == "--policy") {
        o.policy = next();
      } else if (a == "--keep") {
        o.keep = true;
      } else if (a == "--help" || a == "-h") {
        usage();
        return 0;
      } else {
        throw std::invalid_argument("unknown option " + a);
      }
    } catch (const std::exception& e) {
      std::cerr << "takeover_bench: " << e.what() << "\n";
      usage();
      return 2;
    }
  }
  if (o.trials < 1 || o.rounds < 1) o.rounds = o.trials = 1;
  o.rounds = std::min(o.rounds, o.trials);
  if (::geteuid() != 0) {
    std::cerr << "takeover_bench: needs root (ip netns)\n";
    return 2;
  }
  if (::access("/usr/sbin/keepalived", X_OK) != 0) {
    std::cerr << "takeover_bench: /usr/sbin/keepalived is needed (Debian package keepalived)\n";
    return 2;
  }
  // The harness finds the programs in top_builddir: here, the directory above bench/.
  if (!std::getenv("top_builddir")) {
    char exe[4096];
    ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    std::string p(exe, n > 0 ? static_cast<size_t>(n) : 0);
    for (int i = 0; i < 2; ++i) p = p.substr(0, p.rfind('/'));
    ::setenv("top_builddir", p.c_str(), 1);
  }
  struct sigaction sa {};
  sa.sa_handler = onSignal;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGHUP, &sa, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  std::printf("# takeover_bench: %d trials per trigger, %d rounds; load average %s\n", o.trials, o.rounds,
              loadavg().c_str());
  Results res;
  int rc = 0;
  try {
    Bench b(o);
    b.run(res);
  } catch (const std::exception& e) {
    std::cerr << "takeover_bench: " << e.what() << "\n";
    rc = 1;
  }
  report(res);
  return rc;
}
