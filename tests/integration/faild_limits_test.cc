// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// faild under attack (issue 10 items 3, 4, 5, 8 and the per-address part of 10): each
// attack of the issue against a real faild, with small limits so it ends in seconds.
// Each test checks faild's memory (VmHWM, the peak RSS, from /proc), that another
// client is still served, and the error the attacker gets.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness.hh"
#include "tls_client.hh"

// Under AddressSanitizer faild's RSS holds the quarantine of freed memory (up to
// 256 MB), so a bound on its growth means nothing there; the attacks still run and every
// other assertion holds.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kRssMeaningful = false;
#else
constexpr bool kRssMeaningful = true;
#endif

namespace fail::test {
namespace {

// A kB figure ("VmHWM", "VmRSS") of /proc/PID/status; -1 if unreadable.
long statusKb(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + ":", 0) == 0) return std::atol(line.c_str() + key.size() + 1);
  return -1;
}

// CPU seconds (user + system) the process has used.
double cpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close = all.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest(all.substr(close + 2));
  std::string f;
  unsigned long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> f; ++i) {
    if (i == 14) utime = std::stoul(f);
    if (i == 15) stime = std::stoul(f);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// A TCP connection to 127.0.0.1:port from `source` (a loopback address), or -1.
int connectFrom(int port, const char* source = nullptr) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (source) {
    sockaddr_in src{};
    src.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &src.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) {
      ::close(fd);
      return -1;
    }
  }
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

size_t countOf(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class FaildLimitsTest : public ::testing::Test {
 protected:
  Daemon* startFaild(std::vector<std::string> extra, bool memory = true) {
    std::vector<std::string> args = {"--listen", "127.0.0.1:0", "-r", dir.file("faild.pid")};
    if (memory)
      args.push_back("--memory");
    else
      args.insert(args.end(), {"-s", dir.file("faild.state")});
    args.insert(args.end(), extra.begin(), extra.end());
    daemon = std::make_unique<Daemon>("faild/faild", args, dir, "faild");
    EXPECT_TRUE(daemon->start()) << daemon->log();
    pid = std::stoi(readFile(dir.file("faild.pid")));
    return daemon.get();
  }
  void TearDown() override {
    if (HasFailure() && daemon) {
      std::string log = daemon->log();
      if (log.size() > 20000) log = "[...]\n" + log.substr(log.size() - 20000);
      std::cerr << "--- faild log:\n" << log;
    }
  }
  long peakKb() const { return statusKb(pid, "VmHWM"); }
  // The slowest of PINGs sent one after another for `period` on `c`.
  std::chrono::milliseconds slowestPing(LineClient& c, std::chrono::milliseconds period) {
    auto end = Clock::now() + period;
    std::chrono::milliseconds worst{0};
    while (Clock::now() < end) {
      auto t0 = Clock::now();
      if (c.request("PING") != "OK PONG") return std::chrono::hours(1);
      worst = std::max(worst, std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0));
      std::this_thread::sleep_for(20ms);  // pacing of the probe, not a wait for an event
    }
    return worst;
  }
  // Fills the store with `n` records of about `noteBytes` each, pipelined.
  void fill(const std::string& address, int n, size_t noteBytes, const std::string& prefix = "r") {
    LineClient c(address);
    std::string note(noteBytes, 'n');
    std::string batch;
    for (int i = 0; i < n; ++i) batch += "SET " + prefix + std::to_string(i) + " UP note=" + note + "\n";
    std::thread reader([&] {
      for (int i = 0; i < n; ++i) ASSERT_TRUE(c.readLine()) << i;
    });
    c.sendRaw(batch);
    reader.join();
  }
  TempDir dir;
  pid_t pid = -1;
  std::unique_ptr<Daemon> daemon;
};

// Item 3: five wrong AUTHs, each answered late, then 48 MiB without a newline.
// Before: faild buffered all of it (272 MB for 256 MiB in the issue).
TEST_F(FaildLimitsTest, PendingAuthThenBytesWithoutNewlineStayBounded) {
  writeFile(dir.file("access"), "* s3cret RW\n");
  auto d = startFaild({"-c", dir.file("access"), "--max-line", "1k", "--auth-delay", "50ms"});
  long before = peakKb();
  int fd = connectFrom(d->port());
  ASSERT_GE(fd, 0);
  std::atomic<size_t> sent{0};
  std::thread attacker([&] {
    std::string auth;
    for (int i = 0; i < 5; ++i) auth += "AUTH wrong\n";
    (void)!::send(fd, auth.data(), auth.size(), MSG_NOSIGNAL);
    std::string chunk(1 << 16, 'x');
    while (sent < (48u << 20)) {
      ssize_t n = ::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
  });
  LineClient other(d->address());
  EXPECT_LT(slowestPing(other, 1500ms), 1000ms);
  attacker.join();
  EXPECT_EQ(sent.load(), 48u << 20);
  long grew = peakKb() - before;
  if (kRssMeaningful) {
    EXPECT_LT(grew, 16 * 1024) << "faild's peak RSS grew by " << grew << " kB";
  }
  // The attacker got its five answers and one ERR TOOLONG, and may go on.
  std::string got;
  char buf[4096];
  (void)!::send(fd, "\nPING\n", 6, MSG_NOSIGNAL);
  auto end = Clock::now() + kDeadline;
  while (got.find("OK PONG") == std::string::npos && Clock::now() < end) {
    ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0)
      got.append(buf, static_cast<size_t>(n));
    else
      std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(countOf(got, "ERR DENIED"), 5u) << got;
  EXPECT_EQ(countOf(got, "ERR TOOLONG"), 1u) << got;
  EXPECT_NE(got.find("OK PONG"), std::string::npos) << got;
  ::close(fd);
}

// Item 3: 400 pipelined LIST of 1,000 records (about 340 kB each) that are never read.
// Before: every reply was queued (999 MB for 3,000 in the issue) and other clients'
// PING stalled. Then the client is cut off with ERR SLOW after --send-timeout.
TEST_F(FaildLimitsTest, PipelinedUnreadListStaysBoundedAndIsCutOff) {
  auto d = startFaild({"--send-timeout", "2s"});
  fill(d->address(), 1000, 200);
  long before = peakKb();
  LineClient attacker(d->address());
  std::string lists;
  for (int i = 0; i < 400; ++i) lists += "LIST\n";
  attacker.sendRaw(lists);
  LineClient other(d->address());
  EXPECT_LT(slowestPing(other, 1500ms), 1000ms);
  long grew = peakKb() - before;
  if (kRssMeaningful) {
    EXPECT_LT(grew, 24 * 1024) << "faild's peak RSS grew by " << grew << " kB";
  }
  // Cut off: the attacker's stream ends with ERR SLOW, and faild lets go of it.
  ASSERT_TRUE(eventually([&] { return d->log().find("+cut peer=127.0.0.1") != std::string::npos; }));
  std::string all;
  auto end = Clock::now() + kDeadline;
  while (Clock::now() < end) {
    pollfd p{attacker.fd(), POLLIN, 0};
    if (::poll(&p, 1, 1000) < 0) break;
    char buf[65536];
    ssize_t n = ::recv(attacker.fd(), buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0) break;  // closed by faild
    if (n > 0) all.append(buf, static_cast<size_t>(n));
  }
  size_t at = all.rfind("\nERR SLOW ");
  ASSERT_NE(at, std::string::npos) << all.size() << " bytes, ending " << all.substr(all.size() - std::min<size_t>(all.size(), 200));
  EXPECT_NE(all.find("no reply was read", at), std::string::npos);
  EXPECT_EQ(all.back(), '\n');
}

// Item 3: 20 WATCH since=0 over 4,000 changes of 1 kB, never read. Before: each got
// the whole history queued at once (852 MB for 50 in the issue).
TEST_F(FaildLimitsTest, UnreadWatchSinceZeroStaysBounded) {
  auto d = startFaild({"--history", "5000", "--send-timeout", "0"});
  fill(d->address(), 4000, 1000);
  long before = peakKb();
  std::vector<std::unique_ptr<LineClient>> watchers;
  for (int i = 0; i < 20; ++i) {
    watchers.push_back(std::make_unique<LineClient>(d->address()));
    watchers.back()->send("WATCH * since=0");
  }
  LineClient other(d->address());
  EXPECT_LT(slowestPing(other, 1500ms), 1000ms);
  long grew = peakKb() - before;
  if (kRssMeaningful) {
    EXPECT_LT(grew, 24 * 1024) << "faild's peak RSS grew by " << grew << " kB";
  }
  // A watcher that reads gets every change, then SYNCED, then the live stream.
  LineClient& w = *watchers[0];
  int changes = 0;
  auto synced = w.readUntil([&](const std::string& l) {
    if (l.rfind("CHANGE ", 0) == 0) ++changes;
    return l.rfind("SYNCED ", 0) == 0;
  });
  ASSERT_TRUE(synced);
  EXPECT_EQ(changes, 4000);
  LineClient c(d->address());
  EXPECT_EQ(words(c.request("SET live FAIL"))[1], "CHANGE");
  auto live = w.readLine();
  ASSERT_TRUE(live);
  EXPECT_EQ(words(*live)[0], "CHANGE");
}

// Item 4: out of descriptors (a hard limit of 64 set on the running faild, far below
// --max-clients). Before: faild retried accept in a loop, logging every attempt.
TEST_F(FaildLimitsTest, OutOfFileDescriptorsPausesAcceptingAndLogsLittle) {
#if defined(__SANITIZE_ADDRESS__)
  // The sanitizers' runtime probes memory through a pipe: in a process out of
  // descriptors UBSan's vptr check then misfires (an "invalid vptr" on a sound object).
  GTEST_SKIP() << "not under the sanitizers: they need free descriptors of their own";
#endif
  auto d = startFaild({"--max-clients", "1000"});
  rlimit lim{64, 64};
  ASSERT_EQ(::prlimit(pid, RLIMIT_NOFILE, &lim, nullptr), 0) << std::strerror(errno);
  std::vector<int> fds;
  for (int i = 0; i < 100; ++i) {
    int fd = connectFrom(d->port());
    ASSERT_GE(fd, 0) << i;
    fds.push_back(fd);
  }
  double cpu0 = cpuSeconds(pid);
  ASSERT_TRUE(eventually([&] { return d->log().find("Too many open files") != std::string::npos; }));
  std::this_thread::sleep_for(2s);  // the span over which CPU and log lines are measured
  double cpu = cpuSeconds(pid) - cpu0;
  EXPECT_LT(cpu, 0.5) << "faild spun while out of descriptors";
  std::string log = d->log();
  EXPECT_LE(countOf(log, "Too many open files"), 2u) << log.size() << " bytes of log";
  EXPECT_LT(log.size(), 20000u);
  // Descriptors come back: the waiting connections are accepted and served.
  for (size_t i = 0; i < 60; ++i) ::close(fds[i]);
  int last = fds.back();
  ASSERT_EQ(::send(last, "PING\n", 5, MSG_NOSIGNAL), 5);
  std::string got;
  ASSERT_TRUE(eventually([&] {
    char buf[256];
    ssize_t n = ::recv(last, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) got.append(buf, static_cast<size_t>(n));
    return got.find("OK PONG") != std::string::npos;
  }));
  for (size_t i = 60; i < fds.size(); ++i) ::close(fds[i]);
}

// Item 5: an idle unauthenticated client, a slowloris line and a TLS handshake that
// never ends are cut off; an idle authenticated client stays. Before: all stayed.
TEST_F(FaildLimitsTest, IdleSlowlorisAndHalfHandshakeAreCutOff) {
  ASSERT_TRUE(makeCertificates(dir, "hc-fra"));
  writeFile(dir.file("access"), "* s3cret RW\n");
  auto d = startFaild({"-c", dir.file("access"), "--listen", "tls:127.0.0.1:0", "--tls-cert",
                       dir.file("server.pem"), "--tls-key", dir.file("server.key"),
                       "--idle-timeout", "3s", "--request-timeout", "1s", "--handshake-timeout",
                       "1s"});
  // The idle timeout is the longer one, so the slowloris client (unauthenticated too) is
  // cut off for its unfinished line even when its bytes reach faild late on a busy machine.
  ASSERT_EQ(d->addresses().size(), 2u);
  std::string tlsAddr = d->addresses()[1].substr(4);
  int tlsPort = std::atoi(tlsAddr.c_str() + tlsAddr.rfind(':') + 1);
  LineClient authed(d->address()), idle(d->address()), loris(d->address());
  ASSERT_EQ(authed.request("AUTH s3cret"), "OK rw {}");
  loris.sendRaw("GET ww");
  int handshake = connectFrom(tlsPort);
  ASSERT_GE(handshake, 0);
  (void)!::send(handshake, "\x16\x03\x01", 3, MSG_NOSIGNAL);  // a ClientHello begun
  auto r = idle.readLine();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rfind("ERR SLOW", 0), 0u) << *r;
  EXPECT_TRUE(idle.closedByPeer());
  r = loris.readLine();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rfind("ERR SLOW request line not finished", 0), 0u) << *r;
  EXPECT_TRUE(loris.closedByPeer());
  char c;
  EXPECT_TRUE(eventually([&] { return ::recv(handshake, &c, 1, MSG_DONTWAIT) == 0; }));
  ::close(handshake);
  EXPECT_EQ(authed.request("PING"), "OK PONG");  // idle as long, but authenticated
  TlsClient t(tlsPort, dir.file("ca.pem"));
  ASSERT_TRUE(t.connected());
  EXPECT_EQ(t.request("PING"), "OK PONG");
}

// The session takes TLS input from the bufferevent into its own buffer, at most
// --max-line plus a window at a time: 150 kB of pipelined requests in one write, more
// than it holds, are all answered in order, the last ones from what TLS had already read
// (no read event comes for those).
TEST_F(FaildLimitsTest, TlsInputBeyondTheReadWindowIsAllAnswered) {
  ASSERT_TRUE(makeCertificates(dir, "hc-fra"));
  auto d = startFaild({"--listen", "tls:127.0.0.1:0", "--tls-cert", dir.file("server.pem"),
                       "--tls-key", dir.file("server.key"), "--max-line", "1k"});
  ASSERT_EQ(d->addresses().size(), 2u);
  std::string tlsAddr = d->addresses()[1].substr(4);
  TlsClient t(std::atoi(tlsAddr.c_str() + tlsAddr.rfind(':') + 1), dir.file("ca.pem"));
  ASSERT_TRUE(t.connected());
  const int n = 30000;
  std::string batch;
  for (int i = 1; i < n; ++i) batch += "PING\n";
  batch += "GET none";
  ASSERT_EQ(t.request(batch), "OK PONG");
  // Each request() reads the next reply (and sends one more PING, answered after).
  for (int i = 2; i < n; ++i) ASSERT_EQ(t.request("PING"), "OK PONG") << i;
  EXPECT_EQ(words(t.request("PING"))[1], "NOTFOUND");
  EXPECT_EQ(t.request("PING"), "OK PONG");
}

// Item 5: connections per address (here loopback, with --max-per-loopback), refusals
// logged at a bounded rate. Another address is not affected.
TEST_F(FaildLimitsTest, PerAddressLimitRefusesAndLogsAtABoundedRate) {
  auto d = startFaild({"--max-per-loopback", "4"});
  std::vector<std::unique_ptr<LineClient>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(std::make_unique<LineClient>(d->address()));
    ASSERT_EQ(held.back()->request("PING"), "OK PONG");
  }
  for (int i = 0; i < 200; ++i) {
    LineClient c(d->address());
    auto r = c.readLine();
    ASSERT_TRUE(r) << i;
    ASSERT_EQ(r->rfind("ERR BUSY too many connections from 127.0.0.1", 0), 0u) << *r;
  }
  int other = connectFrom(d->port(), "127.0.0.2");
  ASSERT_GE(other, 0);
  ASSERT_EQ(::send(other, "PING\n", 5, MSG_NOSIGNAL), 5);
  std::string got;
  EXPECT_TRUE(eventually([&] {
    char buf[256];
    ssize_t n = ::recv(other, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) got.append(buf, static_cast<size_t>(n));
    return got.find("OK PONG") != std::string::npos;
  })) << got;
  ::close(other);
  held.pop_back();
  EXPECT_TRUE(eventually([&] {
    LineClient c(d->address());
    return c.request("PING") == "OK PONG";
  }));
  EXPECT_LE(countOf(d->log(), "refused a client"), 2u);
}

// Item 8: requests sent before a half-close (three durable SETs and a large LIST) are
// all answered, then faild closes. Before: LIST was cut at 16 kB, SETs went unanswered.
TEST_F(FaildLimitsTest, HalfCloseAnswersEverythingReceived) {
  auto d = startFaild({}, /*memory=*/false);
  fill(d->address(), 1000, 300);
  LineClient c(d->address());
  c.sendRaw("SET a UP\nSET b FAIL\nSET c UP\nLIST\n");
  ASSERT_EQ(::shutdown(c.fd(), SHUT_WR), 0);
  for (const char* n : {"a", "b", "c"}) {
    auto r = c.readLine();
    ASSERT_TRUE(r) << n;
    EXPECT_EQ(words(*r)[1], "CHANGE") << *r;
  }
  auto list = c.readLine();
  ASSERT_TRUE(list);
  EXPECT_EQ(words(*list).size(), 2u + 1003u);
  EXPECT_TRUE(c.closedByPeer());
  LineClient check(d->address());
  EXPECT_EQ(field(words(check.request("GET c"))[1], "state"), "UP");
}

// Item 10: 50 connections from one address guessing secrets for 3 s. Before: each was
// delayed on its own (943 guesses/s from 200 connections, a log line per guess).
TEST_F(FaildLimitsTest, WrongSecretsAreThrottledPerAddress) {
  writeFile(dir.file("access"), "* s3cret RW\n");
  auto d = startFaild({"-c", dir.file("access"), "--auth-delay", "100ms"});
  std::atomic<bool> stop{false};
  std::atomic<int> checked{0}, throttled{0};
  std::vector<std::unique_ptr<LineClient>> conns;
  for (int t = 0; t < 50; ++t) conns.push_back(std::make_unique<LineClient>(d->address()));
  std::vector<std::thread> guessers;
  for (int t = 0; t < 50; ++t) {
    guessers.emplace_back([&, t] {
      LineClient& c = *conns[static_cast<size_t>(t)];
      for (int i = 0; !stop; ++i) {
        std::string r = c.request("AUTH guess" + std::to_string(t) + "-" + std::to_string(i));
        if (r.find("too many wrong secrets") != std::string::npos)
          ++throttled;
        else if (r.find("wrong secret") != std::string::npos)
          ++checked;
        else
          return;
      }
    });
  }
  LineClient other(d->address());
  EXPECT_LT(slowestPing(other, 3s), 1000ms);
  stop = true;
  for (auto& c : conns) ::shutdown(c->fd(), SHUT_RDWR);  // no need to wait for their turns
  for (auto& g : guessers) g.join();
  // 100+200+400+800+1600 ms: at most about six secrets checked in 3 s, from 50 connections.
  EXPECT_LE(checked.load(), 10);
  EXPECT_GT(throttled.load(), 0);
  std::string log = d->log();
  EXPECT_LE(countOf(log, "+denied"), 2u) << log;
}

}  // namespace
}  // namespace fail::test
