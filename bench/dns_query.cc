// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns_query.hh"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <regex>
#include <stdexcept>

#include "hc_targets.hh"

namespace bench::dns {

namespace {

void put16(std::vector<std::uint8_t>& w, unsigned v) {
  w.push_back(static_cast<std::uint8_t>(v >> 8));
  w.push_back(static_cast<std::uint8_t>(v));
}

unsigned get16(const std::uint8_t* p) { return static_cast<unsigned>(p[0]) << 8 | p[1]; }

// Skips a (possibly compressed) name at `off`; false when it runs past the end.
bool skipName(const std::uint8_t* p, std::size_t n, std::size_t& off) {
  for (int labels = 0; labels < 128; ++labels) {
    if (off >= n) return false;
    unsigned len = p[off];
    if (len == 0) {
      off += 1;
      return true;
    }
    if ((len & 0xc0) == 0xc0) {
      off += 2;
      return off <= n;
    }
    if (len > 63) return false;
    off += 1 + len;
  }
  return false;
}

}  // namespace

std::vector<std::uint8_t> encodeQuery(const Question& q, std::uint16_t id) {
  std::vector<std::uint8_t> w;
  put16(w, id);
  put16(w, 0);                 // QUERY, RD clear
  put16(w, 1);                 // QDCOUNT
  put16(w, 0);                 // ANCOUNT
  put16(w, 0);                 // NSCOUNT
  put16(w, q.edns ? 1 : 0);    // ARCOUNT
  std::size_t start = 0;
  while (start < q.name.size()) {
    std::size_t dot = q.name.find('.', start);
    if (dot == std::string::npos) dot = q.name.size();
    if (dot > start) {
      w.push_back(static_cast<std::uint8_t>(dot - start));
      w.insert(w.end(), q.name.begin() + static_cast<long>(start), q.name.begin() + static_cast<long>(dot));
    }
    start = dot + 1;
  }
  w.push_back(0);
  put16(w, q.type);
  put16(w, 1);  // IN
  if (q.edns) {
    w.push_back(0);   // root
    put16(w, 41);     // OPT
    put16(w, 1232);   // payload
    put16(w, 0);      // extended rcode, version
    put16(w, 0);      // flags
    put16(w, 0);      // RDLENGTH
  }
  return w;
}

void writeDnsperfBinary(const std::string& path, const std::vector<Question>& mix) {
  std::ofstream f(path, std::ios::binary);
  std::uint16_t id = 0;
  for (const auto& q : mix) {
    auto w = encodeQuery(q, id++);
    unsigned char len[2] = {static_cast<unsigned char>(w.size() >> 8), static_cast<unsigned char>(w.size())};
    f.write(reinterpret_cast<const char*>(len), 2);
    f.write(reinterpret_cast<const char*>(w.data()), static_cast<std::streamsize>(w.size()));
  }
  if (!f) throw std::runtime_error("cannot write " + path);
}

bool parseAnswer(const std::uint8_t* p, std::size_t n, Answer& out) {
  out = Answer{};
  if (n < 12 || !(p[2] & 0x80)) return false;
  out.id = static_cast<std::uint16_t>(get16(p));
  out.aa = p[2] & 0x04;
  out.tc = p[2] & 0x02;
  out.rcode = p[3] & 0x0f;
  unsigned qd = get16(p + 4);
  out.ancount = static_cast<int>(get16(p + 6));
  std::size_t off = 12;
  for (unsigned i = 0; i < qd; ++i) {
    if (!skipName(p, n, off) || off + 4 > n) return false;
    off += 4;
  }
  for (int i = 0; i < out.ancount; ++i) {
    if (!skipName(p, n, off) || off + 10 > n) return false;
    unsigned type = get16(p + off), rdlen = get16(p + off + 8);
    off += 10;
    if (off + rdlen > n) return false;
    char text[INET6_ADDRSTRLEN];
    if (type == kA && rdlen == 4 && inet_ntop(AF_INET, p + off, text, sizeof text)) out.addresses.push_back(text);
    if (type == kAAAA && rdlen == 16 && inet_ntop(AF_INET6, p + off, text, sizeof text))
      out.addresses.push_back(text);
    off += rdlen;
  }
  return true;
}

Prober::Prober(const std::string& host, int port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &sa.sin_addr) != 1) throw std::runtime_error("not an IPv4 address: " + host);
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
    throw std::runtime_error(std::string("udp socket: ") + std::strerror(errno));
}

Prober::~Prober() {
  if (fd_ >= 0) ::close(fd_);
}

bool Prober::ask(const Question& q, Answer& out, int timeoutMs) {
  std::uint16_t id = id_++;
  auto w = encodeQuery(q, id);
  if (::send(fd_, w.data(), w.size(), 0) < 0) return false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  std::uint8_t buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() < 0) return false;
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count()) + 1) <= 0) continue;
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return false;  // ECONNREFUSED: nobody listens
    }
    if (parseAnswer(buf, static_cast<std::size_t>(n), out) && out.id == id) return true;
  }
}

namespace {

double field(const std::string& text, const std::string& pattern) {
  std::smatch m;
  if (std::regex_search(text, m, std::regex(pattern))) return std::stod(m[1]);
  return 0;
}

}  // namespace

PerfResult runDnsperf(const std::string& dnsperf, const std::string& file, const std::string& host, int port,
                      double seconds, int cpu, int outstanding, int rate) {
  char cmd[1024];
  std::snprintf(cmd, sizeof cmd, "taskset -c %d %s -B -d %s -s %s -p %d -l %.0f -c 1 -T 1 -q %d -t 2%s 2>&1", cpu,
                dnsperf.c_str(), file.c_str(), host.c_str(), port, seconds, outstanding,
                rate > 0 ? (" -Q " + std::to_string(rate)).c_str() : "");
  PerfResult r;
  r.raw = runCommand(cmd);
  const std::string& t = r.raw;
  if (t.find("Queries completed:") == std::string::npos) throw std::runtime_error("dnsperf failed: " + t);
  r.sent = static_cast<std::uint64_t>(field(t, R"(Queries sent:\s+(\d+))"));
  r.completed = static_cast<std::uint64_t>(field(t, R"(Queries completed:\s+(\d+))"));
  r.lost = static_cast<std::uint64_t>(field(t, R"(Queries lost:\s+(\d+))"));
  r.seconds = field(t, R"(Run time \(s\):\s+([0-9.]+))");
  r.qps = field(t, R"(Queries per second:\s+([0-9.]+))");
  r.latAvg = field(t, R"(Average Latency \(s\):\s+([0-9.]+))");
  r.latMin = field(t, R"(\(min ([0-9.]+),)");
  r.latMax = field(t, R"(max ([0-9.]+)\))");
  r.latStd = field(t, R"(Latency StdDev \(s\):\s+([0-9.]+))");
  r.requestSize = static_cast<int>(field(t, R"(request (\d+))"));
  r.responseSize = static_cast<int>(field(t, R"(response (\d+))"));
  std::smatch m;
  if (std::regex_search(t, m, std::regex(R"(Response codes:\s+([^\n]*))"))) r.rcodes = m[1];
  return r;
}

}  // namespace bench::dns
