// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The load generator of bench/faild_bench: see loadgen.hh.
#include "loadgen.hh"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <deque>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace bench {
namespace {

// ---- RESP ----

// The end of the "\r\n"-terminated header line starting at p: the index of its '\n',
// or -1 when it is not all there yet.
long headerEnd(const char* p, size_t n) {
  const void* nl = std::memchr(p, '\n', n);
  if (!nl) return -1;
  return static_cast<const char*>(nl) - p;
}

bool parseNumber(std::string_view s, long long& v) {
  if (s.empty()) return false;
  bool neg = s[0] == '-';
  if (neg) s.remove_prefix(1);
  if (s.empty()) return false;
  v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (neg) v = -v;
  return true;
}

// One RESP value; sets out.text to the value (for arrays: to the last element) and
// out.head to the first element of an array.
long parseResp(const char* p, size_t n, Reply& out, int depth) {
  if (n == 0) return 0;
  if (depth > 8) return -1;
  long end = headerEnd(p, n);
  if (end < 0) return 0;
  if (end < 2 || p[end - 1] != '\r') return -1;
  std::string_view line(p + 1, static_cast<size_t>(end - 2));
  size_t used = static_cast<size_t>(end) + 1;
  long long v;
  switch (p[0]) {
    case '+':
    case '-':
    case ':':
      out.text = line;
      return static_cast<long>(used);
    case '$':
      if (!parseNumber(line, v) || v < -1) return -1;
      if (v == -1) {
        out.text = {};
        return static_cast<long>(used);
      }
      if (n < used + static_cast<size_t>(v) + 2) return 0;
      out.text = std::string_view(p + used, static_cast<size_t>(v));
      return static_cast<long>(used + static_cast<size_t>(v) + 2);
    case '*': {
      if (!parseNumber(line, v) || v < -1) return -1;
      out.text = {};
      for (long long i = 0; i < v; ++i) {
        long k = parseResp(p + used, n - used, out, depth + 1);
        if (k <= 0) return k;
        if (i == 0) out.head = out.text;
        used += static_cast<size_t>(k);
      }
      return static_cast<long>(used);
    }
    default:
      return -1;
  }
}

// ---- sockets ----

int connectTo(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

void setNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

bool sendAllBlocking(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t k = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return false;
    data.remove_prefix(static_cast<size_t>(k));
  }
  return true;
}

// A receive buffer: bytes [pos, len) are not parsed yet.
struct InBuf {
  std::vector<char> data = std::vector<char>(256 * 1024);
  size_t pos = 0, len = 0;

  // Reads what the socket has. Returns >0 bytes read, 0 on EOF, -1 when it would block,
  // -2 on an error.
  long fill(int fd) {
    if (pos == len) pos = len = 0;
    if (data.size() - len < 64 * 1024) {
      if (pos > 0) {
        std::memmove(data.data(), data.data() + pos, len - pos);
        len -= pos;
        pos = 0;
      }
      if (data.size() - len < 64 * 1024) data.resize(data.size() * 2);
    }
    ssize_t k = ::recv(fd, data.data() + len, data.size() - len, 0);
    if (k > 0) {
      len += static_cast<size_t>(k);
      return k;
    }
    if (k == 0) return 0;
    return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? -1 : -2;
  }

  // Calls f(reply) for each complete reply. False on a protocol error.
  template <typename F>
  bool parse(Proto proto, F&& f) {
    while (pos < len) {
      Reply r;
      long k = parseReply(proto, data.data() + pos, len - pos, r);
      if (k < 0) return false;
      if (k == 0) break;
      pos += static_cast<size_t>(k);
      f(r);
    }
    return true;
  }
};

struct Conn {
  int fd = -1;
  std::string out;
  size_t outPos = 0;
  bool wantOut = false;  // EPOLLOUT is registered
  InBuf in;
  int inflight = 0;
  std::uint64_t seq = 0;
  std::deque<Clock::time_point> sentAt;  // with LoadSpec::latency
};

// Sends what it can. False on a connection error.
bool flush(int ep, Conn& c, std::uint32_t id) {
  while (c.outPos < c.out.size()) {
    ssize_t k = ::send(c.fd, c.out.data() + c.outPos, c.out.size() - c.outPos, MSG_NOSIGNAL);
    if (k < 0 && errno == EINTR) continue;
    if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (k <= 0) return false;
    c.outPos += static_cast<size_t>(k);
  }
  bool pending = c.outPos < c.out.size();
  if (!pending) {
    c.out.clear();
    c.outPos = 0;
  }
  if (pending != c.wantOut) {
    epoll_event ev{};
    ev.events = pending ? (EPOLLIN | EPOLLOUT) : EPOLLIN;
    ev.data.u32 = id;
    ::epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
    c.wantOut = pending;
  }
  return true;
}

double micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

}  // namespace

long parseReply(Proto proto, const char* p, size_t n, Reply& out) {
  if (proto == Proto::Resp) {
    long k = parseResp(p, n, out, 0);
    if (k > 0) out.ok = p[0] != '-';
    return k;
  }
  const void* nl = std::memchr(p, '\n', n);
  if (!nl) return 0;
  size_t len = static_cast<size_t>(static_cast<const char*>(nl) - p);
  std::string_view line(p, len);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  out.text = line;
  out.ok = line.size() >= 2 && line[0] == 'O' && line[1] == 'K' && (line.size() == 2 || line[2] == ' ');
  return static_cast<long>(len + 1);
}

std::string encodeRequest(Proto proto, const std::vector<std::string>& words) {
  std::string out;
  if (proto == Proto::Line) {
    for (size_t i = 0; i < words.size(); ++i) {
      if (i) out += ' ';
      out += words[i];
    }
    out += '\n';
    return out;
  }
  out = "*" + std::to_string(words.size()) + "\r\n";
  for (const auto& w : words) {
    out += "$" + std::to_string(w.size()) + "\r\n";
    out += w;
    out += "\r\n";
  }
  return out;
}

Percentiles percentiles(std::vector<double>& v) {
  Percentiles p;
  p.count = v.size();
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    size_t i = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size()))) ;
    return v[std::min(v.size() - 1, i == 0 ? 0 : i - 1)];
  };
  p.p50 = at(0.50);
  p.p99 = at(0.99);
  p.max = v.back();
  return p;
}

double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// ---- closed loop ----

LoadResult runLoad(const LoadSpec& spec) {
  LoadResult res;
  std::vector<Conn> conns(static_cast<size_t>(spec.connections));
  int ep = ::epoll_create1(EPOLL_CLOEXEC);
  auto cleanup = [&] {
    for (auto& c : conns)
      if (c.fd >= 0) ::close(c.fd);
    ::close(ep);
  };
  for (size_t i = 0; i < conns.size(); ++i) {
    conns[i].fd = connectTo(spec.port);
    if (conns[i].fd < 0) {
      res.broken = true;
      res.firstError = std::string("connect: ") + std::strerror(errno);
      cleanup();
      return res;
    }
    setNonBlocking(conns[i].fd);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = static_cast<std::uint32_t>(i);
    ::epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
  }

  const bool bounded = spec.total == 0;  // by time (else by count)
  std::uint64_t issued = 0, received = 0;
  const Clock::time_point start = Clock::now();
  const auto dur = [](double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  };
  const Clock::time_point windowStart = start + dur(spec.warmup);
  const Clock::time_point end =
      bounded ? windowStart + dur(spec.duration) : start + std::chrono::seconds(300);

  // Tops a connection up to `depth` requests in flight and sends them.
  auto refill = [&](std::uint32_t id, Clock::time_point now) {
    Conn& c = conns[id];
    while (c.inflight < spec.depth && (bounded || issued < spec.total)) {
      spec.request(static_cast<int>(id), c.seq++, issued++, c.out);
      ++c.inflight;
      if (spec.latency) c.sentAt.push_back(now);
    }
    return flush(ep, c, id);
  };

  bool failed = false;
  for (std::uint32_t i = 0; i < conns.size() && !failed; ++i) failed = !refill(i, Clock::now());
  std::vector<epoll_event> events(conns.size());
  while (!failed) {
    Clock::time_point now = Clock::now();
    if (now >= end || (!bounded && received >= spec.total)) break;
    int timeoutMs = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(end - now).count()) + 1;
    int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), std::min(timeoutMs, 100));
    for (int e = 0; e < n && !failed; ++e) {
      std::uint32_t id = events[e].data.u32;
      Conn& c = conns[id];
      if (events[e].events & EPOLLOUT) failed = !flush(ep, c, id);
      if (!(events[e].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) continue;
      long k = c.in.fill(c.fd);
      if (k == -1) continue;
      if (k <= 0) {
        res.firstError = k == 0 ? "the server closed a connection" : std::strerror(errno);
        failed = true;
        break;
      }
      now = Clock::now();
      const bool inWindow = !bounded || (now >= windowStart && now < end);
      bool good = c.in.parse(spec.proto, [&](const Reply& r) {
        --c.inflight;
        ++received;
        Clock::time_point sent{};
        if (spec.latency && !c.sentAt.empty()) {
          sent = c.sentAt.front();
          c.sentAt.pop_front();
        }
        if (inWindow) {
          ++res.counted;
          if (spec.latency) res.latencies.push_back(micros(now - sent));
        }
        if (spec.check && !spec.check(r)) {
          if (res.errors++ == 0) res.firstError = std::string(r.text.substr(0, 200));
        }
      });
      if (!good) {
        res.firstError = "a reply that is not the protocol";
        failed = true;
        break;
      }
      failed = !refill(id, now);
    }
  }
  Clock::time_point stop = Clock::now();
  res.broken = failed || (!bounded && received < spec.total);
  if (res.broken && res.firstError.empty()) res.firstError = "timed out";
  res.received = received;
  res.elapsed = std::chrono::duration<double>(stop - start).count();
  res.seconds = bounded ? spec.duration : std::chrono::duration<double>(stop - start).count();
  res.rate = res.seconds > 0 ? static_cast<double>(res.counted) / res.seconds : 0;
  cleanup();
  return res;
}

// ---- fan-out ----

FanoutResult runFanout(const FanoutSpec& spec) {
  FanoutResult res;
  const size_t nsub = static_cast<size_t>(spec.subscribers);
  const size_t nwri = static_cast<size_t>(std::max(1, spec.writers));
  std::vector<Conn> subs(nsub), writers(nwri);
  int ep = ::epoll_create1(EPOLL_CLOEXEC);
  int tfd = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  auto cleanup = [&] {
    for (auto* list : {&subs, &writers})
      for (auto& c : *list)
        if (c.fd >= 0) ::close(c.fd);
    ::close(tfd);
    ::close(ep);
  };
  auto fail = [&](std::string why) {
    res.broken = true;
    res.error = std::move(why);
    cleanup();
    return res;
  };
  // epoll ids: subscribers 0..nsub-1, then the writers, then the timer.
  const std::uint32_t kWriter0 = static_cast<std::uint32_t>(nsub);
  const std::uint32_t kTimer = kWriter0 + static_cast<std::uint32_t>(nwri);
  for (size_t i = 0; i < nsub; ++i) {
    subs[i].fd = connectTo(spec.port);
    if (subs[i].fd < 0 || !sendAllBlocking(subs[i].fd, spec.subscribe))
      return fail(std::string("subscriber connect: ") + std::strerror(errno));
    setNonBlocking(subs[i].fd);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = static_cast<std::uint32_t>(i);
    ::epoll_ctl(ep, EPOLL_CTL_ADD, subs[i].fd, &ev);
  }
  // Wait until every subscriber is in its live stream.
  std::vector<bool> ready(nsub, false);
  size_t nready = 0;
  std::vector<epoll_event> events(nsub + nwri + 1);
  Clock::time_point deadline = Clock::now() + std::chrono::seconds(20);
  while (nready < nsub) {
    if (Clock::now() > deadline) return fail("subscribers did not all get ready");
    int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 100);
    for (int e = 0; e < n; ++e) {
      std::uint32_t id = events[e].data.u32;
      long k = subs[id].in.fill(subs[id].fd);
      if (k == -1) continue;
      if (k <= 0) return fail("a subscriber was disconnected while subscribing");
      subs[id].in.parse(spec.proto, [&](const Reply& r) {
        if (!ready[id] && spec.subscribed(r)) {
          ready[id] = true;
          ++nready;
        }
      });
    }
  }

  for (size_t w = 0; w < nwri; ++w) {
    writers[w].fd = connectTo(spec.port);
    if (writers[w].fd < 0) return fail(std::string("writer connect: ") + std::strerror(errno));
    setNonBlocking(writers[w].fd);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = kWriter0 + static_cast<std::uint32_t>(w);
    ::epoll_ctl(ep, EPOLL_CTL_ADD, writers[w].fd, &ev);
  }
  epoll_event tev{};
  tev.events = EPOLLIN;
  tev.data.u32 = kTimer;
  ::epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &tev);

  const std::uint64_t planned =
      static_cast<std::uint64_t>(std::llround(spec.rate * spec.duration));
  std::vector<Clock::time_point> sentAt(planned);
  res.latencies.reserve(planned * nsub);
  const long intervalNs = static_cast<long>(1e9 / spec.rate);
  itimerspec its{};
  its.it_value.tv_nsec = 20'000'000;  // first write 20 ms from now
  its.it_interval.tv_sec = intervalNs / 1'000'000'000;
  its.it_interval.tv_nsec = intervalNs % 1'000'000'000;
  ::timerfd_settime(tfd, 0, &its, nullptr);

  const std::uint64_t expected = planned * nsub;
  Clock::time_point drainUntil{};
  for (;;) {
    if (res.writes >= planned) {
      if (drainUntil == Clock::time_point{}) {
        itimerspec off{};
        ::timerfd_settime(tfd, 0, &off, nullptr);
        drainUntil = Clock::now() + std::chrono::milliseconds(500);
      }
      if (res.deliveries >= expected || Clock::now() >= drainUntil) break;
    }
    int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 50);
    for (int e = 0; e < n; ++e) {
      std::uint32_t id = events[e].data.u32;
      if (id == kTimer) {
        std::uint64_t ticks = 0;
        if (::read(tfd, &ticks, sizeof ticks) != sizeof ticks) continue;
        // One write per tick (a late tick sends what is due), the writers in turn.
        for (std::uint64_t t = 0; t < ticks && res.writes < planned; ++t) {
          std::uint64_t seq = res.writes++;
          const std::uint32_t w = static_cast<std::uint32_t>(seq % nwri);
          Conn& c = writers[w];
          res.maxBacklog = std::max<std::uint64_t>(res.maxBacklog, static_cast<std::uint64_t>(c.inflight));
          ++c.inflight;
          spec.write(seq, static_cast<int>(w), c.out);
          sentAt[seq] = Clock::now();  // just before the send
          if (!flush(ep, c, kWriter0 + w)) return fail("a writer's connection failed");
        }
        continue;
      }
      if (id >= kWriter0) {
        Conn& c = writers[id - kWriter0];
        if (events[e].events & EPOLLOUT && !flush(ep, c, id))
          return fail("a writer's connection failed");
        long k = c.in.fill(c.fd);
        if (k == 0 || k == -2) return fail("a writer's connection was closed");
        c.in.parse(spec.proto, [&](const Reply& r) {
          --c.inflight;
          if (!r.ok && res.error.empty()) res.error = "writer: " + std::string(r.text.substr(0, 200));
        });
        continue;
      }
      Conn& c = subs[id];
      long k = c.in.fill(c.fd);
      if (k == -1) continue;
      if (k <= 0) return fail("a subscriber was disconnected");
      Clock::time_point now = Clock::now();  // when this subscriber got its bytes
      c.in.parse(spec.proto, [&](const Reply& r) {
        std::uint64_t seq;
        if (!spec.token(r, seq) || seq >= res.writes) return;
        ++res.deliveries;
        res.latencies.push_back(micros(now - sentAt[seq]));
      });
    }
  }
  res.missing = expected > res.deliveries ? expected - res.deliveries : 0;
  cleanup();
  return res;
}

// ---- SyncClient ----

SyncClient::SyncClient(Proto proto, int port) : proto_(proto), fd_(connectTo(port)) {
  if (fd_ < 0)
    throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + ": " +
                             std::strerror(errno));
}

SyncClient::~SyncClient() {
  if (fd_ >= 0) ::close(fd_);
}

Reply SyncClient::call(const std::string& request) {
  Reply r;
  last_.clear();
  if (!sendAllBlocking(fd_, request)) return r;
  for (;;) {
    long k = in_.empty() ? 0 : parseReply(proto_, in_.data(), in_.size(), r);
    if (k < 0) return Reply{};
    if (k > 0) {
      last_.assign(r.text);
      bool ok = r.ok;
      in_.erase(0, static_cast<size_t>(k));
      r = Reply{};
      r.ok = ok;
      r.text = last_;
      return r;
    }
    char buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Reply{};
    in_.append(buf, static_cast<size_t>(n));
  }
}

// ---- processes ----

int freePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) < 0)
    throw std::runtime_error(std::string("no free port: ") + std::strerror(errno));
  ::close(fd);
  return ntohs(a.sin_port);
}

bool pinSelf(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return ::sched_setaffinity(0, sizeof set, &set) == 0;
}

pid_t spawn(const std::vector<std::string>& argv, const std::string& logPath, int cpu) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    int log = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int null = ::open("/dev/null", O_RDONLY);
    if (log >= 0) {
      ::dup2(log, 1);
      ::dup2(log, 2);
    }
    if (null >= 0) ::dup2(null, 0);
    if (cpu >= 0) pinSelf(cpu);
    ::execv(args[0], args.data());
    std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
    ::_exit(127);
  }
  return pid;
}

bool waitExit(pid_t pid, double seconds) {
  Clock::time_point deadline =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  for (;;) {
    int status;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
}

void stopProcess(pid_t pid, double seconds) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  if (waitExit(pid, seconds)) return;
  ::kill(pid, SIGKILL);
  waitExit(pid, 10);
}

double cpuSeconds(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  size_t paren = text.rfind(')');  // the command name may hold spaces
  if (paren == std::string::npos) return NAN;
  std::istringstream in(text.substr(paren + 2));
  std::string field;
  double utime = 0, stime = 0;
  // Fields after the name start at 3 (state); utime and stime are 14 and 15.
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::atof(field.c_str());
    if (i == 15) stime = std::atof(field.c_str());
  }
  return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double selfCpuSeconds() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return sec(ru.ru_utime) + sec(ru.ru_stime);
}

long vmRssKiB(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return -1;
}

double timeToFirstAnswer(Proto proto, int port, pid_t pid, const std::string& request,
                         const std::function<bool(const Reply&)>& good, Clock::time_point start,
                         double timeout) {
  while (secondsSince(start) < timeout) {
    int status;
    if (::waitpid(pid, &status, WNOHANG) == pid) return -1;  // it died
    int fd = connectTo(port);
    if (fd < 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(250));
      continue;
    }
    std::string in;
    bool again = true;
    while (again && secondsSince(start) < timeout) {
      if (!sendAllBlocking(fd, request)) break;
      Reply r;
      long k = 0;
      while ((k = in.empty() ? 0 : parseReply(proto, in.data(), in.size(), r)) == 0) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        char buf[65536];
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
          k = -1;
          break;
        }
        in.append(buf, static_cast<size_t>(n));
      }
      if (k < 0) break;  // closed: connect again
      if (good(r)) {
        double t = secondsSince(start);
        ::close(fd);
        return t;
      }
      in.erase(0, static_cast<size_t>(k));
      std::this_thread::sleep_for(std::chrono::microseconds(250));  // e.g. redis -LOADING
    }
    ::close(fd);
  }
  return -1;
}

}  // namespace bench
