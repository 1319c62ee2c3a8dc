// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The client side of bench/dns_bench: DNS queries in wire form (the query mix, written
// as a dnsperf binary input file), a minimal reader of answers (the addresses of the
// answer section), a blocking UDP prober for latency percentiles and change timing, and
// a dnsperf run with its output parsed. Not a DNS library: just what the benchmark
// needs, checked only against the servers it talks to.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bench::dns {

constexpr std::uint16_t kA = 1, kNS = 2, kSOA = 6, kMX = 15, kTXT = 16, kAAAA = 28;

struct Question {
  std::string name;  // "www.example.com" (no trailing dot needed)
  std::uint16_t type = kA;
  bool edns = false;  // an OPT RR with payload 1232, version 0
};

// One query in wire form: ID `id`, RD clear, one question, the OPT when asked.
std::vector<std::uint8_t> encodeQuery(const Question& q, std::uint16_t id);

// Writes the questions as dnsperf's binary input (`dnsperf -B`: each message after a
// two-byte big-endian length). Throws std::runtime_error when it cannot write.
void writeDnsperfBinary(const std::string& path, const std::vector<Question>& mix);

// What an answer says, as far as the benchmark cares.
struct Answer {
  std::uint16_t id = 0;
  int rcode = -1;
  bool aa = false, tc = false;
  int ancount = 0;
  std::vector<std::string> addresses;  // A and AAAA of the answer section, as text
};
// False when the message is not a well-formed response.
bool parseAnswer(const std::uint8_t* p, std::size_t n, Answer& out);

// A connected UDP socket to a server, one query at a time.
class Prober {
 public:
  Prober(const std::string& host, int port);  // throws std::runtime_error
  ~Prober();
  Prober(const Prober&) = delete;
  Prober& operator=(const Prober&) = delete;
  // Sends `q` and waits up to `timeoutMs` for the response with its ID (older ones are
  // skipped). False on timeout.
  bool ask(const Question& q, Answer& out, int timeoutMs = 1000);

 private:
  int fd_ = -1;
  std::uint16_t id_ = 1;
};

// One dnsperf run, as dnsperf reports it.
struct PerfResult {
  std::uint64_t sent = 0, completed = 0, lost = 0;
  double seconds = 0, qps = 0;
  double latAvg = 0, latMin = 0, latMax = 0, latStd = 0;  // seconds
  int requestSize = 0, responseSize = 0;                  // average bytes
  std::string rcodes;                                      // "NOERROR 65%, NXDOMAIN 15%"
  std::string raw;                                         // the whole output
};
// Runs `dnsperf -B -d FILE -s HOST -p PORT -l SECONDS` (one thread, one client,
// `outstanding` queries in flight, at most `rate` queries a second when it is not 0)
// bound to CPU `cpu` and parses its summary. Throws std::runtime_error when dnsperf
// fails or prints no summary.
PerfResult runDnsperf(const std::string& dnsperf, const std::string& file, const std::string& host, int port,
                      double seconds, int cpu, int outstanding, int rate);

}  // namespace bench::dns
