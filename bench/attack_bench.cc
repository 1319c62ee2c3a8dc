// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// bench/attack_bench: faild under the memory and connection attacks of issue 10, each
// for a while against a fresh faild on loopback, with a second client PINGing all the
// time. Prints faild's peak RSS (VmHWM), the PING latencies (p50, p99, max) and how
// many log lines faild wrote, for a baseline without attack and for each attack.
// bench/run-attack-bench.sh builds and runs it (bench/attack_bench.md).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct Options {
  std::string faild = "faild/faild";
  int seconds = 60;
  std::string only;  // comma-separated attack names; "" = all
  std::string dir = "/tmp";
  std::string cert, key;  // for the TLS attack; skipped without
};

int freePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin);
  socklen_t len = sizeof sin;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sin), &len);
  ::close(fd);
  return ntohs(sin.sin_port);
}

// A connection to 127.0.0.1:port; blocking unless `nonblocking`. -1 on failure.
int connectTo(int port, bool nonblocking = false) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(static_cast<std::uint16_t>(port));
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (nonblocking) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

void sendAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

// Reads `lines` reply lines (blocking).
void readLines(int fd, size_t lines) {
  char buf[65536];
  while (lines > 0) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return;
    lines -= std::min<size_t>(lines, static_cast<size_t>(std::count(buf, buf + n, '\n')));
  }
}

long statusKb(pid_t pid, const char* key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  size_t k = std::strlen(key);
  while (std::getline(in, line))
    if (line.compare(0, k, key) == 0 && line[k] == ':') return std::atol(line.c_str() + k + 1);
  return -1;
}

struct Faild {
  pid_t pid = -1;
  int port = 0, tlsPort = 0;
  std::string log;
  ~Faild() { stop(); }
  bool start(const Options& o, const std::vector<std::string>& extra, bool tls) {
    port = freePort();
    log = o.dir + "/attack_bench_faild.log";
    std::vector<std::string> args = {o.faild, "--memory", "--no-http", "-l", "127.0.0.1:" + std::to_string(port),
                                     "--history", "20000"};
    if (tls) {
      tlsPort = freePort();
      args.insert(args.end(), {"-l", "tls:127.0.0.1:" + std::to_string(tlsPort), "--tls-cert", o.cert,
                               "--tls-key", o.key});
    }
    args.insert(args.end(), extra.begin(), extra.end());
    pid = ::fork();
    if (pid == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 2);
      int null = ::open("/dev/null", O_RDWR);
      ::dup2(null, 0);
      ::dup2(null, 1);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    for (auto until = Clock::now() + 10s; Clock::now() < until; std::this_thread::sleep_for(20ms)) {
      int fd = connectTo(port);
      if (fd >= 0) {
        ::close(fd);
        return true;
      }
    }
    return false;
  }
  void stop() {
    if (pid <= 0) return;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    pid = -1;
  }
  size_t logLines() const {
    std::ifstream in(log);
    return static_cast<size_t>(std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n'));
  }
};

// Fills faild with `n` records (or changes of one record, for history) of `note` bytes.
void fill(int port, int n, size_t note, bool history) {
  int fd = connectTo(port);
  std::string batch, text(note, 'n');
  for (int i = 0; i < n; ++i) {
    std::string name = history ? "h" + std::to_string(i % 50) : "r" + std::to_string(i);
    batch += "SET " + name + (history && (i / 50) % 2 ? " FAIL" : " UP") + " note=" + text + std::to_string(i) + "\n";
  }
  std::thread reader([&] { readLines(fd, static_cast<size_t>(n)); });
  sendAll(fd, batch);
  reader.join();
  ::close(fd);
}

// An attack: runs until `stop`, on its own threads.
using Attack = std::function<void(int port, int tlsPort, std::atomic<bool>& stop)>;

// Keeps `conns` connections that each send `hello` once and then `drip` forever, and
// reopens those faild closes. Never reads.
void holdConnections(int port, int conns, const std::string& hello, const std::string& drip,
                     std::chrono::milliseconds every, std::atomic<bool>& stop) {
  std::vector<int> fds(static_cast<size_t>(conns), -1);
  while (!stop) {
    for (int& fd : fds) {
      if (stop) break;
      if (fd >= 0) {
        char c;
        ssize_t n = ::recv(fd, &c, 1, MSG_DONTWAIT | MSG_PEEK);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
          ::close(fd);
          fd = -1;
        } else if (!drip.empty()) {
          (void)!::send(fd, drip.data(), drip.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        }
      }
      if (fd < 0) {
        fd = connectTo(port, true);
        if (fd >= 0 && !hello.empty()) (void)!::send(fd, hello.data(), hello.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      }
    }
    std::this_thread::sleep_for(every);
  }
  for (int fd : fds)
    if (fd >= 0) ::close(fd);
}

struct Spec {
  const char* name;
  const char* what;
  std::vector<std::string> faildArgs;
  std::function<void(int port)> prepare;
  Attack attack;
  bool tls = false;
};

std::vector<Spec> attacks() {
  std::vector<Spec> v;
  v.push_back({"baseline", "no attack", {}, nullptr, [](int, int, std::atomic<bool>& stop) {
                 while (!stop) std::this_thread::sleep_for(50ms);
               }});
  v.push_back({"auth-bytes", "4 conns: 5 wrong AUTH, then bytes without newline", {"-c", "@access"}, nullptr,
               [](int port, int, std::atomic<bool>& stop) {
                 std::vector<std::thread> t;
                 for (int i = 0; i < 4; ++i)
                   t.emplace_back([&, port] {
                     while (!stop) {
                       int fd = connectTo(port, true);
                       if (fd < 0) break;
                       std::string auth;
                       for (int k = 0; k < 5; ++k) auth += "AUTH wrong\n";
                       (void)!::send(fd, auth.data(), auth.size(), MSG_NOSIGNAL);
                       std::string chunk(1 << 16, 'x');
                       while (!stop) {
                         ssize_t n = ::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
                         if (n == 0 || (n < 0 && errno != EAGAIN)) break;
                         if (n < 0) {
                           pollfd p{fd, POLLOUT, 0};
                           ::poll(&p, 1, 100);
                         }
                       }
                       ::close(fd);
                     }
                   });
                 for (auto& x : t) x.join();
               }});
  v.push_back({"list-pipeline", "1 conn: 3,000 pipelined LIST of 1,000 records, unread", {},
               [](int port) { fill(port, 1000, 300, false); },
               [](int port, int, std::atomic<bool>& stop) {
                 std::string lists;
                 for (int i = 0; i < 3000; ++i) lists += "LIST\n";
                 holdConnections(port, 1, lists, "", 200ms, stop);
               }});
  v.push_back({"watch-since0", "50 conns: WATCH since=0 over 20,000 changes of 850 B, unread", {},
               [](int port) { fill(port, 20000, 800, true); },
               [](int port, int, std::atomic<bool>& stop) {
                 holdConnections(port, 50, "WATCH * since=0\n", "", 200ms, stop);
               }});
  v.push_back({"conn-flood", "1,100 idle conns, no AUTH (faild with an access file)", {"-c", "@access"}, nullptr,
               [](int port, int, std::atomic<bool>& stop) { holdConnections(port, 1100, "", "", 200ms, stop); }});
  v.push_back({"slowloris", "1,000 conns sending a request line 1 byte a second", {"-c", "@access"}, nullptr,
               [](int port, int, std::atomic<bool>& stop) { holdConnections(port, 1000, "G", "x", 1000ms, stop); }});
  v.push_back({"tls-handshake", "1,000 conns starting a TLS handshake, never finishing", {"-c", "@access"},
               nullptr,
               [](int, int tlsPort, std::atomic<bool>& stop) {
                 holdConnections(tlsPort, 1000, std::string("\x16\x03\x01", 3), "", 200ms, stop);
               },
               true});
  v.push_back({"auth-guess", "200 conns guessing secrets", {"-c", "@access"}, nullptr,
               [](int port, int, std::atomic<bool>& stop) {
                 std::vector<std::thread> t;
                 for (int i = 0; i < 200; ++i)
                   t.emplace_back([&, port, i] {
                     int fd = connectTo(port);
                     timeval tv{1, 0};
                     ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
                     for (int k = 0; !stop && fd >= 0; ++k) {
                       sendAll(fd, "AUTH guess" + std::to_string(i) + "-" + std::to_string(k) + "\n");
                       char buf[512];
                       while (!stop && ::recv(fd, buf, sizeof buf, 0) < 0 && errno == EAGAIN) {
                       }
                     }
                     if (fd >= 0) ::close(fd);
                   });
                 for (auto& x : t) x.join();
               }});
  return v;
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  return v[i];
}

int usage(int rc) {
  std::fprintf(rc ? stderr : stdout,
               "Usage: attack_bench --faild PATH [--seconds N] [--only a,b] [--dir DIR]\n"
               "                    [--tls-cert FILE --tls-key FILE]\n"
               "Attacks: baseline auth-bytes list-pipeline watch-since0 conn-flood slowloris\n"
               "         tls-handshake (needs --tls-cert/--tls-key) auth-guess\n");
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) std::exit(usage(2));
      return argv[++i];
    };
    if (a == "--faild") o.faild = next();
    else if (a == "--seconds") o.seconds = std::max(1, std::atoi(next().c_str()));
    else if (a == "--only") o.only = "," + next() + ",";
    else if (a == "--dir") o.dir = next();
    else if (a == "--tls-cert") o.cert = next();
    else if (a == "--tls-key") o.key = next();
    else if (a == "--help" || a == "-h") return usage(0);
    else return usage(2);
  }
  ::signal(SIGPIPE, SIG_IGN);
  std::string access = o.dir + "/attack_bench_access";
  {
    std::ofstream f(access);
    f << "* bench-s3cret RW\n";
  }
  ::chmod(access.c_str(), 0600);
  std::printf("%-14s %-62s %9s %9s %9s %9s %8s %9s\n", "attack", "what", "peak RSS", "PING p50",
              "PING p99", "PING max", "PINGs", "log lines");
  for (Spec& s : attacks()) {
    if (!o.only.empty() && o.only.find("," + std::string(s.name) + ",") == std::string::npos) continue;
    if (s.tls && (o.cert.empty() || o.key.empty())) {
      std::printf("%-14s skipped: no --tls-cert/--tls-key\n", s.name);
      continue;
    }
    std::vector<std::string> args;
    for (auto& a : s.faildArgs) args.push_back(a == "@access" ? access : a);
    Faild f;
    if (!f.start(o, args, s.tls)) {
      std::printf("%-14s faild did not start (see %s)\n", s.name, f.log.c_str());
      continue;
    }
    if (s.prepare) s.prepare(f.port);
    // The probe connects before the attack starts, as the suite's own clients would.
    int probe = connectTo(f.port);
    timeval tv{5, 0};
    ::setsockopt(probe, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::atomic<bool> stop{false};
    std::thread attacker([&] { s.attack(f.port, f.tlsPort, stop); });
    std::vector<double> ms;
    auto end = Clock::now() + std::chrono::seconds(o.seconds);
    size_t failed = 0;
    while (Clock::now() < end) {
      auto t0 = Clock::now();
      sendAll(probe, "PING\n");
      char buf[64];
      ssize_t n = ::recv(probe, buf, sizeof buf, 0);
      if (n <= 0) {
        ++failed;
        ::close(probe);
        probe = connectTo(f.port);
        ::setsockopt(probe, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        continue;
      }
      ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      std::this_thread::sleep_for(10ms);
    }
    long peak = statusKb(f.pid, "VmHWM");
    stop = true;
    attacker.join();
    ::close(probe);
    size_t lines = f.logLines();
    f.stop();
    double p50 = percentile(ms, 0.50), p99 = percentile(ms, 0.99), mx = ms.empty() ? -1 : ms.back();
    std::printf("%-14s %-62s %6.1f MB %6.2f ms %6.2f ms %6.1f ms %8zu %9zu%s\n", s.name, s.what,
                static_cast<double>(peak) / 1024.0, p50, p99, mx, ms.size(), lines,
                failed ? (" (" + std::to_string(failed) + " PINGs failed)").c_str() : "");
    std::fflush(stdout);
  }
  return 0;
}
