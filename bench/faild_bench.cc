// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// faild_bench: measures faild against the goals of its performance issue, over loopback,
// and runs redis-server under the same client load in the same run as the anchor
// (doc/traps.md, "Noise": compare with an anchor in the same run, alternate A B A B, quote
// medians and ratios).
//
// Every measure is run `rounds` times as faild, redis, faild, redis, ...; the table
// shows the median of each side, faild/redis, and whether faild's median meets the goal.
//
//   get      GET rate: 16 connections, 32 requests in flight each (faild `GET name` of
//            1,000 records with attributes; redis `GET key` of 1,000 strings holding the
//            same bytes faild answers with).
//   watch    fan-out latency: 100 connections WATCH (redis: SUBSCRIBE); one writer
//            sends a change at a fixed rate (faild: a SET whose note carries a sequence
//            number; redis: PUBLISH); latency = steady_clock from just before the send
//            to each subscriber reading the line, in this process. p50/p99/max.
//            Beside it: faild --memory (no fsync), and redis durable: a SET under
//            appendfsync always seen by 100 subscribers of its keyspace event (PUBLISH
//            writes nothing to disk; this is redis's like of a durable change).
//   change   durable changes: 64 connections, one SET in flight each, every SET a
//            change (the state alternates), each waiting for its durable OK (redis:
//            `appendonly yes`, `appendfsync always`). Also the p99 of one SET.
//   refresh  refreshes: 16 connections × 32 in flight, SET repeating state and note with
//            ttl=30s on 1,000 existing records (redis: SET EX 30, appendfsync everysec).
//   memory   100,000 records with 4 attributes each, loaded fresh; VmRSS of the server
//            (redis: 100,000 hashes of the same fields). Then restart: SIGTERM, start
//            again on the same files, time from fork/exec to the first answered GET
//            (redis: HGETALL; it answers -LOADING until its AOF is read); then the same
//            after kill -9.
//
// faild always runs with a real state file (-s FILE in the temporary directory), and
// without its history database unless --history-db is given: redis keeps no history.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "loadgen.hh"
#include "proto/list.hh"

namespace {

using namespace bench;
namespace fs = std::filesystem;

enum class Kind { Faild, Redis };
constexpr Kind kKinds[] = {Kind::Faild, Kind::Redis};
const char* kindName(Kind k) { return k == Kind::Faild ? "faild" : "redis"; }
Proto protoOf(Kind k) { return k == Kind::Faild ? Proto::Line : Proto::Resp; }

struct Options {
  std::string faild;
  std::string redis = "/usr/bin/redis-server";
  std::vector<std::string> faildArgs;
  int rounds = 3;
  double warmup = 0.5, duration = 3;            // throughput measures
  double watchRate = 200, watchSeconds = 10;    // fan-out measure
  int watchWriters = 4;
  int records = 100000;                         // memory and restart
  int memoryRounds = 3;
  bool pin = false;
  bool keep = false;
  bool historyDb = false;  // faild's history database (redis keeps none): off unless asked
  std::string loadShape = "pipelined";  // the 100k load: "pipelined" 16 x 32, "single" 200 x 2
  std::set<std::string> only;
  std::string tmpBase;
};

void usage() {
  std::cout <<
      "Usage: faild_bench [OPTION]...\n"
      "Benchmarks faild against its performance goals, with redis-server as the anchor.\n\n"
      "  --quick             about one minute: 2 rounds, shorter measures\n"
      "  --rounds N          runs per server and measure (default 3; alternated)\n"
      "  --duration S        seconds counted per throughput run (default 3)\n"
      "  --watch-seconds S   seconds of writes per fan-out run (default 10)\n"
      "  --watch-rate N      writes per second in the fan-out run (default 200)\n"
      "  --watch-writers N   connections those writes take turns on (default 4)\n"
      "  --records N         records for the memory and restart measure (default 100000)\n"
      "  --load-shape SHAPE  how faild gets those records: pipelined (default; 16 connections x\n"
      "                      32 in flight, as redis) or single (200 connections x 2)\n"
      "  --only LIST         some of get,watch,change,refresh,memory (comma-separated)\n"
      "  --faild PATH        the faild to run (default: ../faild/faild beside this program)\n"
      "  --faild-arg ARG     one more argument for faild (repeatable)\n"
      "  --redis PATH        the redis-server to run (default /usr/bin/redis-server)\n"
      "  --pin               servers on CPU 1, this load generator on CPU 0\n"
      "  --tmp DIR           where the temporary directory goes (default $TMPDIR or /tmp)\n"
      "  --keep              keep the temporary directory (logs, state files)\n"
      "  --history-db        let faild keep its history database (default: --no-history-db,\n"
      "                      as redis keeps no history)\n";
}

// ---- results ----

enum class Unit { Rate, Micros, Millis, MB, Seconds, Count };

struct Row {
  std::string measure;
  std::string goalText;  // "" for an informational row
  Unit unit;
  double goal = 0;
  bool higherBetter = true;
  std::vector<double> f, r;  // per run; NaN when a run failed
};

// The rows of the table, in its order. Indented ones help to read the row above them.
enum RowId {
  kGet, kGetCpu,
  kDisk,
  kWatch50, kWatch99, kWatchMax, kWatchMem50, kWatchMem99, kWatchDur50, kWatchDur99,
  kChange, kChangeP99, kChangeCpu, kChangePerFsync,
  kRefresh, kRefreshCpu,
  kIdleRss, kLoad, kLoadPerFsync, kRss, kRestart, kRssAfter, kRestart9,
};

std::vector<Row> rows = {
    {"GET/s, 16 clients x 32 pipelined", ">= 100,000/s", Unit::Rate, 100000, true, {}, {}},
    {"  server CPU per GET", "", Unit::Micros, 0, true, {}, {}},
    {"disk: write+fdatasync of 200 B, median (no server)", "", Unit::Millis, 0, true, {}, {}},
    {"change -> 100 watchers, p50 (redis: PUBLISH)", "", Unit::Millis, 0, false, {}, {}},
    {"change -> 100 watchers, p99 (redis: PUBLISH)", "<= 2 ms", Unit::Millis, 2, false, {}, {}},
    {"change -> 100 watchers, max (redis: PUBLISH)", "", Unit::Millis, 0, false, {}, {}},
    {"  same, faild --memory (no fsync): p50", "", Unit::Millis, 0, false, {}, {}},
    {"  same, faild --memory (no fsync): p99", "", Unit::Millis, 0, false, {}, {}},
    {"  same, redis durable (SET + keyspace event, fsync always): p50", "", Unit::Millis, 0,
     false, {}, {}},
    {"  same, redis durable (SET + keyspace event, fsync always): p99", "", Unit::Millis, 0,
     false, {}, {}},
    {"durable changes/s, 64 clients x 1 (redis: appendfsync always)", ">= 10,000/s", Unit::Rate,
     10000, true, {}, {}},
    {"  durable SET latency p99 (same run)", "", Unit::Millis, 0, false, {}, {}},
    {"  server CPU per durable SET", "", Unit::Micros, 0, false, {}, {}},
    {"  faild: changes per fsync (STATS fsyncs)", "", Unit::Count, 0, true, {}, {}},
    {"refreshes/s, 16 clients x 32 (redis: SET EX, appendfsync everysec)", ">= 100,000/s",
     Unit::Rate, 100000, true, {}, {}},
    {"  server CPU per refresh", "", Unit::Micros, 0, false, {}, {}},
    {"idle RSS, no records", "", Unit::MB, 0, false, {}, {}},
    {"load 100k new records (faild durable; redis everysec)", "", Unit::Rate, 0, true, {}, {}},
    {"  faild: changes per fsync during that load", "", Unit::Count, 0, true, {}, {}},
    {"RSS with 100k records (redis: hashes, same fields)", "<= 100 MB", Unit::MB, 100, false, {}, {}},
    {"restart (SIGTERM) with 100k: exec -> first GET", "<= 1 s", Unit::Seconds, 1, false, {}, {}},
    {"  RSS after that restart", "", Unit::MB, 0, false, {}, {}},
    {"restart (kill -9) with 100k: exec -> first GET", "<= 1 s", Unit::Seconds, 1, false, {}, {}},
};

void record(RowId id, Kind k, double v) {
  Row& r = rows[id];
  (k == Kind::Faild ? r.f : r.r).push_back(v);
}

double median(std::vector<double> v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }), v.end());
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string format(Unit u, double v) {
  if (std::isnan(v)) return "failed";
  char buf[64];
  switch (u) {
    case Unit::Rate: {
      std::string digits = std::to_string(static_cast<long long>(std::llround(v)));
      std::string out;
      for (size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
      }
      return out + "/s";
    }
    case Unit::Micros: std::snprintf(buf, sizeof buf, "%.2f us", v); break;
    case Unit::Millis: std::snprintf(buf, sizeof buf, "%.3f ms", v); break;
    case Unit::MB: std::snprintf(buf, sizeof buf, "%.1f MB", v); break;
    case Unit::Seconds: std::snprintf(buf, sizeof buf, "%.3f s", v); break;
    case Unit::Count: std::snprintf(buf, sizeof buf, "%.1f", v); break;
  }
  return buf;
}

void printTable() {
  std::vector<std::vector<std::string>> t;
  t.push_back({"measure", "goal", "faild", "redis", "faild/redis", "goal met?"});
  for (const auto& r : rows) {
    if (r.f.empty() && r.r.empty()) continue;  // not measured in this run (--only)
    double f = median(r.f), x = median(r.r);
    char ratio[32] = "-";
    if (!std::isnan(f) && !std::isnan(x) && x > 0) std::snprintf(ratio, sizeof ratio, "%.2f", f / x);
    std::string met = "-";
    if (!r.goalText.empty())
      met = std::isnan(f) ? "NO (failed)"
            : (r.higherBetter ? f >= r.goal : f <= r.goal) ? "yes"
                                                           : "NO";
    t.push_back({r.measure, r.goalText.empty() ? "(info)" : r.goalText, format(r.unit, f),
                 r.r.empty() ? "-" : format(r.unit, x), ratio, met});
  }
  std::vector<size_t> w(t[0].size(), 0);
  for (const auto& line : t)
    for (size_t i = 0; i < line.size(); ++i) w[i] = std::max(w[i], line[i].size());
  auto print = [&](const std::vector<std::string>& line) {
    std::cout << "|";
    for (size_t i = 0; i < line.size(); ++i) {
      std::cout << ' ' << line[i] << std::string(w[i] - line[i].size(), ' ') << " |";
    }
    std::cout << "\n";
  };
  print(t[0]);
  std::cout << "|";
  for (size_t i = 0; i < w.size(); ++i) std::cout << std::string(w[i] + 2, '-') << "|";
  std::cout << "\n";
  for (size_t i = 1; i < t.size(); ++i) print(t[i]);
  std::cout << "\nPer run (in the order run, alternating faild and redis):\n";
  for (const auto& r : rows) {
    if (r.f.empty() && r.r.empty()) continue;
    std::cout << "  " << r.measure << ": faild";
    for (double v : r.f) std::cout << "  " << format(r.unit, v);
    if (!r.r.empty()) {
      std::cout << "; redis";
      for (double v : r.r) std::cout << "  " << format(r.unit, v);
    }
    std::cout << "\n";
  }
}

void note(const std::string& s) { std::cout << "# " << s << std::endl; }

// ---- servers ----

struct Server {
  Kind kind;
  std::vector<std::string> argv;
  std::string dir, log;
  int port = 0;
  pid_t pid = -1;
  int cpu = -1;
};

Server makeServer(const Options& o, Kind kind, const std::string& dir, const char* fsync) {
  Server s;
  s.kind = kind;
  s.dir = dir;
  s.log = dir + "/" + kindName(kind) + ".log";
  s.port = freePort();
  s.cpu = o.pin ? 1 : -1;
  fs::create_directories(dir);
  if (kind == Kind::Faild) {
    s.argv = {o.faild, "--no-http", "--listen", "127.0.0.1:" + std::to_string(s.port), "-s",
              dir + "/faild.state"};
    if (!o.historyDb) s.argv.push_back("--no-history-db");
    for (const auto& a : o.faildArgs) s.argv.push_back(a);
  } else {
    s.argv = {o.redis, "--port", std::to_string(s.port), "--bind", "127.0.0.1",
              "--save", "", "--appendonly", "yes", "--appendfsync", fsync,
              "--dir", dir, "--daemonize", "no", "--protected-mode", "yes"};
  }
  return s;
}

std::string pingRequest(Kind k) { return encodeRequest(protoOf(k), {"PING"}); }

// Starts the server and waits until it answers PING. Returns the seconds that took.
double start(Server& s) {
  Clock::time_point t0 = Clock::now();
  s.pid = spawn(s.argv, s.log, s.cpu);
  double t = timeToFirstAnswer(protoOf(s.kind), s.port, s.pid, pingRequest(s.kind),
                               [](const Reply& r) { return r.ok; }, t0, 60);
  if (t < 0) throw std::runtime_error(std::string(kindName(s.kind)) + " did not start; see " + s.log);
  return t;
}

void stop(Server& s) {
  stopProcess(s.pid);
  s.pid = -1;
}

// faild's STATS as a map (uses the project's list reader).
std::map<std::string, std::string> faildStats(int port) {
  SyncClient c(Proto::Line, port);
  Reply r = c.call("STATS\n");
  std::vector<std::string> words;
  std::map<std::string, std::string> out;
  if (!r.ok || !fail::proto::splitList(r.text, words)) return out;
  for (size_t i = 1; i + 1 < words.size(); i += 2) out[words[i]] = words[i + 1];
  return out;
}

double statNum(const std::map<std::string, std::string>& m, const char* k) {
  auto it = m.find(k);
  return it == m.end() ? NAN : std::atof(it->second.c_str());
}

void redisConfig(int port, const char* key, const char* value) {
  SyncClient c(Proto::Resp, port);
  Reply r = c.call(encodeRequest(Proto::Resp, {"CONFIG", "SET", key, value}));
  if (!r.ok) throw std::runtime_error(std::string("redis CONFIG SET ") + key + ": " + c.lastText());
}

std::string numbered(const char* prefix, int i, int width = 6) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s%0*d", prefix, width, i);
  return buf;
}

// Sends all `requests` through `conns` connections with `depth` in flight each; throws
// unless every reply satisfies `check`. Returns the seconds it took.
double bulk(Kind k, int port, const std::vector<std::string>& requests, int conns, int depth,
            std::function<bool(const Reply&)> check) {
  LoadSpec spec;
  spec.proto = protoOf(k);
  spec.port = port;
  spec.connections = conns;
  spec.depth = depth;
  spec.total = requests.size();
  spec.request = [&](int, std::uint64_t, std::uint64_t g, std::string& out) { out += requests[g]; };
  spec.check = std::move(check);
  LoadResult r = runLoad(spec);
  if (r.broken || r.errors)
    throw std::runtime_error(std::string(kindName(k)) + " load failed: " + r.firstError);
  return r.seconds;
}

bool isOkChange(const Reply& r) { return r.text.substr(0, 10) == "OK CHANGE "; }
bool isOk(const Reply& r) { return r.ok; }

// ---- the shared servers of the throughput and latency measures ----

struct Shared {
  Server faild, redis;
  Server faildMem;  // faild --memory: the fan-out without the fsync, for comparison
  std::vector<std::string> getReq[2], refReq[2];
  std::string record;  // faild's GET answer for one record: redis' values
  Server& of(Kind k) { return k == Kind::Faild ? faild : redis; }
};

constexpr int kGetRecords = 1000, kRefRecords = 1000;

void prepare(Shared& sh) {
  // 1,000 records for GET, with attributes. (The records for refreshes have a ttl and are
  // set right before each refresh run: see measureRefresh.)
  std::vector<std::string> load;
  for (int i = 0; i < kGetRecords; ++i)
    load.push_back("SET " + numbered("get-", i) + " UP note=ok latency=12ms location=fra weight=3\n");
  bulk(Kind::Faild, sh.faild.port, load, 64, 2, isOkChange);

  SyncClient fc(Proto::Line, sh.faild.port);
  Reply got = fc.call("GET get-000000\n");
  if (!got.ok) throw std::runtime_error("faild GET after loading: " + fc.lastText());
  std::string record = fc.lastText().substr(3);  // what faild answers after "OK "
  std::vector<std::string> words;
  if (!fail::proto::splitList(record, words) || words.size() != 1)
    throw std::runtime_error("faild's GET reply is not one record: " + fc.lastText());

  // redis holds the same bytes under the same names (the names differ only in the digits,
  // so every value has the length of faild's reply).
  load.clear();
  for (int i = 0; i < kGetRecords; ++i)
    load.push_back(encodeRequest(Proto::Resp, {"SET", numbered("get-", i), record}));
  bulk(Kind::Redis, sh.redis.port, load, 16, 32, isOk);

  for (Kind k : kKinds) {
    auto& get = sh.getReq[static_cast<int>(k)];
    auto& ref = sh.refReq[static_cast<int>(k)];
    for (int i = 0; i < kGetRecords; ++i)
      get.push_back(k == Kind::Faild ? "GET " + numbered("get-", i) + "\n"
                                     : encodeRequest(Proto::Resp, {"GET", numbered("get-", i)}));
    for (int i = 0; i < kRefRecords; ++i)
      ref.push_back(k == Kind::Faild
                        ? "SET " + numbered("ref-", i) + " UP ttl=30s note=ok\n"
                        : encodeRequest(Proto::Resp, {"SET", numbered("ref-", i), record, "EX", "30"}));
  }
  sh.record = record;
}

LoadSpec throughputSpec(const Options& o, Kind k, int port, int conns, int depth) {
  LoadSpec s;
  s.proto = protoOf(k);
  s.port = port;
  s.connections = conns;
  s.depth = depth;
  s.warmup = o.warmup;
  s.duration = o.duration;
  return s;
}

// A throughput run with the CPU both sides used: the server's CPU per request is the
// measure least disturbed by other work on the machine (doc/traps.md, "dnsperf").
struct Measured {
  LoadResult load;
  double serverCpuPerRequest = NAN;  // microseconds
  double serverCpu = NAN, clientCpu = NAN;  // share of one CPU over the run
};

Measured measured(const LoadSpec& spec, pid_t server) {
  Measured m;
  double s0 = cpuSeconds(server), c0 = selfCpuSeconds();
  m.load = runLoad(spec);
  double s1 = cpuSeconds(server), c1 = selfCpuSeconds();
  if (m.load.received > 0) m.serverCpuPerRequest = (s1 - s0) * 1e6 / m.load.received;
  if (m.load.elapsed > 0) {
    m.serverCpu = (s1 - s0) / m.load.elapsed;
    m.clientCpu = (c1 - c0) / m.load.elapsed;
  }
  return m;
}

std::string cpuNote(const Measured& m) {
  char buf[120];
  std::snprintf(buf, sizeof buf, "; server CPU %.0f%% (%.2f us/request), load generator CPU %.0f%%",
                m.serverCpu * 100, m.serverCpuPerRequest, m.clientCpu * 100);
  return buf;
}

// Median latency of write(200 bytes) + fdatasync in `dir`, in milliseconds: what one
// durable group costs on this disk right now.
double fsyncProbe(const std::string& dir, int n = 100) {
  std::string path = dir + "/fsync-probe";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return NAN;
  std::string line(199, 'x');
  line += '\n';
  std::vector<double> t;
  for (int i = 0; i < n; ++i) {
    Clock::time_point a = Clock::now();
    if (::write(fd, line.data(), line.size()) < 0 || ::fdatasync(fd) < 0) break;
    t.push_back(std::chrono::duration<double, std::milli>(Clock::now() - a).count());
  }
  ::close(fd);
  ::unlink(path.c_str());
  return median(t);
}

// The disk right before a durable faild run (fan-out and changes), for reading them.
void diskProbe(Shared& sh) {
  double ms = fsyncProbe(sh.faild.dir);
  record(kDisk, Kind::Faild, ms);
  note("disk: write+fdatasync " + format(Unit::Millis, ms));
}

void checkRun(const LoadResult& r, Kind k, const char* what) {
  if (r.broken) throw std::runtime_error(std::string(what) + " on " + kindName(k) + ": " + r.firstError);
  if (r.errors)
    note(std::string("WARNING: ") + what + " on " + kindName(k) + ": " + std::to_string(r.errors) +
         " unexpected replies, the first: " + r.firstError);
}

// Goal 1: GET ≥ 100,000/s with 16 pipelining clients.
void measureGet(const Options& o, Shared& sh, Kind k) {
  const auto& req = sh.getReq[static_cast<int>(k)];
  LoadSpec s = throughputSpec(o, k, sh.of(k).port, 16, 32);
  s.request = [&](int, std::uint64_t, std::uint64_t g, std::string& out) { out += req[g % req.size()]; };
  s.check = [k](const Reply& r) { return r.ok && (k == Kind::Faild || r.text.size() > 20); };
  Measured m = measured(s, sh.of(k).pid);
  const LoadResult& r = m.load;
  checkRun(r, k, "get");
  record(kGet, k, r.rate);
  record(kGetCpu, k, m.serverCpuPerRequest);
  note(std::string("get ") + kindName(k) + ": " + format(Unit::Rate, r.rate) + cpuNote(m));
}

// Goal 2: durable changes ≥ 10,000/s from 64 clients, one in flight each.
void measureChange(const Options& o, Shared& sh, Kind k, int round) {
  if (k == Kind::Redis) redisConfig(sh.redis.port, "appendfsync", "always");
  std::map<std::string, std::string> before;
  if (k == Kind::Faild) {
    diskProbe(sh);
    before = faildStats(sh.faild.port);
  }
  LoadSpec s = throughputSpec(o, k, sh.of(k).port, 64, 1);
  s.latency = true;
  // A note new to this round makes the first SET of each record a change too; then the
  // state alternates, so every SET is a change.
  std::string noteWord = "note=round" + std::to_string(round);
  const std::string& value = sh.record;
  s.request = [&, k](int conn, std::uint64_t seq, std::uint64_t, std::string& out) {
    const char* state = seq % 2 ? "FAIL" : "UP";
    std::string name = numbered("chg-", conn, 2);
    if (k == Kind::Faild)
      out += "SET " + name + " " + state + " " + noteWord + "\n";
    else
      out += encodeRequest(Proto::Resp, {"SET", name, state + value.substr(std::strlen(state))});
  };
  s.check = [k](const Reply& r) { return k == Kind::Faild ? isOkChange(r) : r.ok; };
  Measured m = measured(s, sh.of(k).pid);
  LoadResult& r = m.load;
  checkRun(r, k, "change");
  Percentiles p = percentiles(r.latencies);
  record(kChange, k, r.rate);
  record(kChangeP99, k, p.p99 / 1000);
  record(kChangeCpu, k, m.serverCpuPerRequest);
  std::string extra;
  if (k == Kind::Faild) {
    auto after = faildStats(sh.faild.port);
    double changes = statNum(after, "changes") - statNum(before, "changes");
    double fsyncs = statNum(after, "fsyncs") - statNum(before, "fsyncs");
    char buf[160];
    std::snprintf(buf, sizeof buf, "; %.0f changes in %.0f fsyncs (%.1f per fsync), compactions %s",
                  changes, fsyncs, fsyncs > 0 ? changes / fsyncs : 0.0,
                  after["compactions"].c_str());
    extra = buf;
    record(kChangePerFsync, k, fsyncs > 0 ? changes / fsyncs : NAN);
  }
  note(std::string("change ") + kindName(k) + ": " + format(Unit::Rate, r.rate) + ", p50 " +
       format(Unit::Millis, p.p50 / 1000) + " p99 " + format(Unit::Millis, p.p99 / 1000) + extra +
       cpuNote(m));
}

// Goal 3: refreshes ≥ 100,000/s, 16 pipelining clients.
void measureRefresh(const Options& o, Shared& sh, Kind k) {
  if (k == Kind::Redis) redisConfig(sh.redis.port, "appendfsync", "everysec");
  const auto& req = sh.refReq[static_cast<int>(k)];
  // The 1,000 records exist right before the run (the first time, or once their ttl=30s
  // ran out, these SETs are changes; they are not measured). Set earlier, they would
  // expire in the middle of other measures.
  bulk(k, sh.of(k).port, req, 64, 2, isOk);
  LoadSpec s = throughputSpec(o, k, sh.of(k).port, 16, 32);
  s.request = [&](int, std::uint64_t, std::uint64_t g, std::string& out) { out += req[g % req.size()]; };
  s.check = [k](const Reply& r) {
    return k == Kind::Faild ? r.text.substr(0, 11) == "OK REFRESH " : r.ok;
  };
  Measured m = measured(s, sh.of(k).pid);
  const LoadResult& r = m.load;
  checkRun(r, k, "refresh");
  record(kRefresh, k, r.rate);
  record(kRefreshCpu, k, m.serverCpuPerRequest);
  note(std::string("refresh ") + kindName(k) + ": " + format(Unit::Rate, r.rate) + cpuNote(m));
}

// Reads the sequence number after "w" at the start of `s`.
bool readToken(std::string_view s, std::uint64_t& seq) {
  if (s.empty() || s[0] != 'w' || s.size() < 2) return false;
  seq = 0;
  size_t i = 1;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) seq = seq * 10 + (s[i] - '0');
  return i > 1;
}

// Goal 4: a change reaches 100 watchers with p99 <= 2 ms.
//   Plain         faild durable; redis PUBLISH (the anchor: nothing on disk).
//   FaildMemory   faild --memory instead (informational: the fan-out without the fsync).
//   RedisDurable  redis's nearest like of a durable change seen by watchers: a SET with
//                 appendfsync always, seen through its keyspace event (redis writes the
//                 AOF and fsyncs before it writes any reply or message of that loop pass).
//                 faild's figures of the same round go beside it.
enum class Fanout { Plain, FaildMemory, RedisDurable };

void measureWatch(const Options& o, Shared& sh, Kind k, Fanout variant = Fanout::Plain) {
  bool memory = variant == Fanout::FaildMemory;
  if (k == Kind::Faild && !memory) diskProbe(sh);
  FanoutSpec s;
  s.proto = protoOf(k);
  s.port = memory ? sh.faildMem.port : sh.of(k).port;
  s.subscribers = 100;
  s.rate = o.watchRate;
  s.duration = o.watchSeconds;
  s.writers = o.watchWriters;
  if (k == Kind::Faild) {
    s.subscribe = "WATCH w-*\n";
    s.subscribed = [](const Reply& r) { return r.text.substr(0, 7) == "SYNCED "; };
    // Every SET changes the note (and the state), so every SET is a change.
    s.write = [](std::uint64_t seq, int writer, std::string& out) {
      out += "SET w-" + std::to_string(writer) + " " + std::string(seq % 2 ? "FAIL" : "UP") +
             " note=w" + std::to_string(seq) + "\n";
    };
    s.token = [](const Reply& r, std::uint64_t& seq) {
      if (r.text.substr(0, 7) != "CHANGE ") return false;
      // The record is one word: "... note\ w123\ attrs ..."
      size_t at = r.text.find("\\ note\\ w");
      return at != std::string_view::npos && readToken(r.text.substr(at + 8), seq);
    };
  } else if (variant == Fanout::RedisDurable) {
    // The event's message is the key's name: each write sets the key "w<seq>".
    s.subscribe = encodeRequest(Proto::Resp, {"SUBSCRIBE", "__keyevent@0__:set"});
    s.subscribed = [](const Reply& r) { return r.head == "subscribe"; };
    s.write = [](std::uint64_t seq, int, std::string& out) {
      out += encodeRequest(Proto::Resp, {"SET", "w" + std::to_string(seq), "1"});
    };
    s.token = [](const Reply& r, std::uint64_t& seq) {
      return r.head == "message" && readToken(r.text, seq);
    };
  } else {
    s.subscribe = encodeRequest(Proto::Resp, {"SUBSCRIBE", "w-1"});
    s.subscribed = [](const Reply& r) { return r.head == "subscribe"; };
    s.write = [](std::uint64_t seq, int, std::string& out) {
      out += encodeRequest(Proto::Resp, {"PUBLISH", "w-1", "w" + std::to_string(seq)});
    };
    s.token = [](const Reply& r, std::uint64_t& seq) {
      return r.head == "message" && readToken(r.text, seq);
    };
  }
  // Keyspace events only for that run: they would cost redis in the other measures.
  auto keyspaceEvents = [&](const char* flags) {
    SyncClient c(Proto::Resp, sh.redis.port);
    if (!c.call(encodeRequest(Proto::Resp, {"CONFIG", "SET", "notify-keyspace-events", flags})).ok)
      throw std::runtime_error("redis: CONFIG SET notify-keyspace-events failed");
  };
  if (variant == Fanout::RedisDurable) keyspaceEvents("E$");
  FanoutResult r = runFanout(s);
  if (variant == Fanout::RedisDurable) keyspaceEvents("");
  if (r.broken) throw std::runtime_error(std::string("watch on ") + kindName(k) + ": " + r.error);
  if (!r.error.empty()) note("WARNING: watch on " + std::string(kindName(k)) + ": " + r.error);
  Percentiles p = percentiles(r.latencies);
  if (memory) {
    record(kWatchMem50, k, p.p50 / 1000);
    record(kWatchMem99, k, p.p99 / 1000);
  } else if (variant == Fanout::RedisDurable) {
    record(kWatchDur50, k, p.p50 / 1000);
    record(kWatchDur99, k, p.p99 / 1000);
  } else {
    record(kWatch50, k, p.p50 / 1000);
    record(kWatch99, k, p.p99 / 1000);
    record(kWatchMax, k, p.max / 1000);
    if (k == Kind::Faild) {  // beside redis's durable run
      record(kWatchDur50, k, p.p50 / 1000);
      record(kWatchDur99, k, p.p99 / 1000);
    }
  }
  const char* how = memory ? " --memory" : variant == Fanout::RedisDurable ? " durable" : "";
  note(std::string("watch ") + kindName(k) + how + ": " + std::to_string(r.writes) + " writes, " +
       std::to_string(r.deliveries) + " deliveries, " + std::to_string(r.missing) +
       " missing, writer backlog up to " + std::to_string(r.maxBacklog) + "; p50 " + format(Unit::Millis, p.p50 / 1000) + " p99 " +
       format(Unit::Millis, p.p99 / 1000) + " max " + format(Unit::Millis, p.max / 1000));
  if (r.missing) note("WARNING: " + std::to_string(r.missing) + " deliveries missing");
}

// ---- goals 5 and 6: memory and restart, on fresh servers ----

void measureMemory(const Options& o, const std::string& tmp, Kind k, int round) {
  Server s = makeServer(o, k, tmp + "/mem-" + kindName(k) + "-" + std::to_string(round), "everysec");
  start(s);
  record(kIdleRss, k, vmRssKiB(s.pid) * 1024.0 / 1e6);
  // The records: a few attributes each, and a ttl, as a health checker writes them.
  std::vector<std::string> load;
  load.reserve(static_cast<size_t>(o.records));
  long long since = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count();
  for (int i = 0; i < o.records; ++i) {
    std::string name = numbered("svc-", i);
    std::string addr = "203.0.113." + std::to_string(i % 256);
    if (k == Kind::Faild)
      load.push_back("SET " + name + " UP ttl=1h note=ok latency=12ms location=fra address=" + addr +
                     " weight=3\n");
    else
      load.push_back(encodeRequest(
          Proto::Resp, {"HSET", "rec:" + name, "state", "UP", "serial", std::to_string(i + 1),
                        "since", std::to_string(since + i), "ttl", "3600000", "origin",
                        "127.0.0.1", "note", "ok", "latency", "12ms", "location", "fra",
                        "address", addr, "weight", "3"}));
  }
  // Both servers: 16 connections x 32 in flight (every faild SET a durable change, answered
  // in order once durable). --load-shape single: faild as before pipelined changes, 200
  // connections x 2 in flight, which makes the fsync groups large without pipelining.
  std::map<std::string, std::string> before;
  if (k == Kind::Faild) before = faildStats(s.port);
  bool single = k == Kind::Faild && o.loadShape == "single";
  double secs = bulk(k, s.port, load, single ? 200 : 16, single ? 2 : 32,
                     k == Kind::Faild ? isOkChange : isOk);
  record(kLoad, k, o.records / secs);
  if (k == Kind::Faild) {
    auto after = faildStats(s.port);
    double fsyncs = statNum(after, "fsyncs") - statNum(before, "fsyncs");
    record(kLoadPerFsync, k, fsyncs > 0 ? o.records / fsyncs : NAN);
  }
  load.clear();
  load.shrink_to_fit();
  usleep(1'200'000);  // redis' everysec fsync and faild's housekeeping tick have run
  double rss = vmRssKiB(s.pid) * 1024.0 / 1e6;
  record(kRss, k, rss);

  const std::string getReq =
      k == Kind::Faild ? "GET svc-000000\n"
                       : encodeRequest(Proto::Resp, {"HGETALL", "rec:svc-000000"});
  auto good = [k](const Reply& r) {
    return r.ok && (k == Kind::Faild ? r.text.substr(0, 8) == "OK name\\" : !r.text.empty());
  };
  auto countRecords = [&]() -> long {
    if (k == Kind::Faild) return static_cast<long>(statNum(faildStats(s.port), "records"));
    SyncClient c(Proto::Resp, s.port);
    c.call(encodeRequest(Proto::Resp, {"DBSIZE"}));
    return std::atol(c.lastText().c_str());
  };

  // Restart after SIGTERM: exec → first answered GET.
  Clock::time_point t0 = Clock::now();
  ::kill(s.pid, SIGTERM);
  if (!waitExit(s.pid, 60)) throw std::runtime_error(std::string(kindName(k)) + " did not stop");
  double shutdown = secondsSince(t0);
  t0 = Clock::now();
  s.pid = spawn(s.argv, s.log, s.cpu);
  double first = timeToFirstAnswer(protoOf(k), s.port, s.pid, getReq, good, t0, 60);
  record(kRestart, k, first < 0 ? NAN : first);
  double rssAfter = vmRssKiB(s.pid) * 1024.0 / 1e6;
  record(kRssAfter, k, rssAfter);
  long n1 = countRecords();

  // Restart after kill -9.
  ::kill(s.pid, SIGKILL);
  waitExit(s.pid, 30);
  t0 = Clock::now();
  s.pid = spawn(s.argv, s.log, s.cpu);
  double first9 = timeToFirstAnswer(protoOf(k), s.port, s.pid, getReq, good, t0, 60);
  record(kRestart9, k, first9 < 0 ? NAN : first9);
  long n2 = countRecords();
  stop(s);
  char buf[300];
  std::snprintf(buf, sizeof buf,
                "memory %s: load %.2f s, RSS %.1f MB, SIGTERM took %.3f s, restart %.3f s "
                "(%ld records, RSS %.1f MB), after kill -9 %.3f s (%ld records)",
                kindName(k), secs, rss, shutdown, first, n1, rssAfter, first9, n2);
  note(buf);
  if (n1 != o.records || n2 != o.records)
    note(std::string("WARNING: ") + kindName(k) + " lost records across a restart");
}

std::string selfDir() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? "." : p.parent_path().string();
}

bool want(const Options& o, const char* m) { return o.only.empty() || o.only.count(m); }

}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (std::find(args.begin(), args.end(), "--quick") != args.end()) {
    // About a minute: still A B A B for every measure, shorter runs. Options given
    // besides --quick win.
    o.rounds = o.memoryRounds = 2;
    o.warmup = 0.3;
    o.duration = 1.5;
    o.watchSeconds = 3;
  }
  try {
    for (size_t i = 0; i < args.size(); ++i) {
      const std::string& a = args[i];
      auto value = [&]() -> std::string {
        if (i + 1 >= args.size()) throw std::runtime_error(a + " needs a value");
        return args[++i];
      };
      if (a == "--quick") continue;  // applied above
      else if (a == "--rounds") o.rounds = o.memoryRounds = std::stoi(value());
      else if (a == "--duration") o.duration = std::stod(value());
      else if (a == "--watch-seconds") o.watchSeconds = std::stod(value());
      else if (a == "--watch-rate") o.watchRate = std::stod(value());
      else if (a == "--watch-writers") o.watchWriters = std::stoi(value());
      else if (a == "--records") o.records = std::stoi(value());
      else if (a == "--load-shape") {
        o.loadShape = value();
        if (o.loadShape != "pipelined" && o.loadShape != "single")
          throw std::runtime_error("--load-shape is pipelined or single");
      }
      else if (a == "--faild") o.faild = value();
      else if (a == "--faild-arg") o.faildArgs.push_back(value());
      else if (a == "--redis") o.redis = value();
      else if (a == "--pin") o.pin = true;
      else if (a == "--keep") o.keep = true;
      else if (a == "--history-db") o.historyDb = true;
      else if (a == "--tmp") o.tmpBase = value();
      else if (a == "--only") {
        std::stringstream ss(value());
        std::string m;
        while (std::getline(ss, m, ',')) o.only.insert(m);
      } else if (a == "--help" || a == "-h") {
        usage();
        return 0;
      } else {
        throw std::runtime_error("unknown option " + a);
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "faild_bench: " << e.what() << "\nTry 'faild_bench --help'.\n";
    return 2;
  }
  if (o.faild.empty()) o.faild = selfDir() + "/../faild/faild";
  for (const std::string& p : {o.faild, o.redis})
    if (::access(p.c_str(), X_OK) != 0) {
      std::cerr << "faild_bench: " << p << " is not an executable program\n";
      return 2;
    }
  if (o.pin && !pinSelf(0)) std::cerr << "faild_bench: --pin: cannot bind to CPU 0\n";

  std::string base = o.tmpBase;
  if (base.empty()) base = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp";
  std::string tmpl = base + "/faild-bench.XXXXXX";
  if (!::mkdtemp(tmpl.data())) {
    std::cerr << "faild_bench: mkdtemp " << tmpl << ": " << std::strerror(errno) << "\n";
    return 1;
  }
  const std::string tmp = tmpl;
  Clock::time_point began = Clock::now();
  note("faild_bench: faild " + o.faild + ", redis " + o.redis + ", temporary directory " + tmp +
       (o.pin ? ", servers on CPU 1, load generator on CPU 0" : ", nothing pinned"));
  {
    char buf[300];
    std::snprintf(buf, sizeof buf,
                  "rounds %d (memory/restart %d), %.1f s counted per throughput run after %.1f s "
                  "warm-up; fan-out %.1f s at %.0f/s on %d writer connections; %d records for "
                  "memory/restart, loaded %s",
                  o.rounds, o.memoryRounds, o.duration, o.warmup, o.watchSeconds, o.watchRate,
                  o.watchWriters, o.records,
                  o.loadShape == "single" ? "by 200 connections x 2 (faild)" : "16 x 32 pipelined");
    note(buf);
  }

  int rc = 0;
  Shared sh;
  try {
    if (want(o, "get") || want(o, "watch") || want(o, "change") || want(o, "refresh")) {
      sh.faild = makeServer(o, Kind::Faild, tmp + "/shared-faild", "always");
      sh.redis = makeServer(o, Kind::Redis, tmp + "/shared-redis", "always");
      start(sh.faild);
      start(sh.redis);
      prepare(sh);
      if (want(o, "watch")) {
        Options m = o;
        m.faildArgs.push_back("--memory");
        sh.faildMem = makeServer(m, Kind::Faild, tmp + "/shared-faild-memory", "always");
        start(sh.faildMem);
      }
      // Each measure: faild, redis, faild, redis, ...
      if (want(o, "get"))
        for (int i = 0; i < o.rounds; ++i)
          for (Kind k : kKinds) measureGet(o, sh, k);
      if (want(o, "watch"))
        for (int i = 0; i < o.rounds; ++i)
          for (Kind k : kKinds) {
            measureWatch(o, sh, k);
            measureWatch(o, sh, k, k == Kind::Faild ? Fanout::FaildMemory : Fanout::RedisDurable);
          }
      if (want(o, "change"))
        for (int i = 0; i < o.rounds; ++i)
          for (Kind k : kKinds) measureChange(o, sh, k, i);
      // Refreshes last: their ttl=30s must not run out while other measures run.
      if (want(o, "refresh"))
        for (int i = 0; i < o.rounds; ++i)
          for (Kind k : kKinds) measureRefresh(o, sh, k);
      stop(sh.faild);
      stop(sh.redis);
      if (sh.faildMem.pid > 0) stop(sh.faildMem);
    }
    if (want(o, "memory"))
      for (int i = 0; i < o.memoryRounds; ++i)
        for (Kind k : kKinds) measureMemory(o, tmp, k, i);
  } catch (const std::exception& e) {
    std::cerr << "faild_bench: " << e.what() << "\n";
    rc = 1;
  }
  if (sh.faild.pid > 0) stop(sh.faild);
  if (sh.redis.pid > 0) stop(sh.redis);
  if (sh.faildMem.pid > 0) stop(sh.faildMem);

  char took[64];
  std::snprintf(took, sizeof took, "%.0f s", secondsSince(began));
  std::cout << "\nfaild vs redis-server on loopback (medians of " << o.rounds
            << " alternating runs each; took " << took << ")\n\n";
  printTable();
  std::cout << "\nfaild/redis: for rates higher is better for faild; for times and memory lower is.\n";
  if (o.keep || rc != 0)
    std::cout << "Logs and state files kept in " << tmp << "\n";
  else
    fs::remove_all(tmp);
  return rc;
}
