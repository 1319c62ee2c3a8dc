// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// history_load: faild with its history database under a sustained load of changes, the
// goal of the history issue: 10,000 changes per second for a minute, every change in
// the history, the history's lag p99 under 1 s, and faild's GET p99 on the protocol port
// under 2 ms. The anchor, in the same run: the same load on faild with --no-history-db.
//
//   history_load [--rate N] [--seconds N] [--records N] [--connections N] [--faild PATH]
//
// The load is paced (open loop): SET number i goes out at i / rate seconds, pipelined on
// one of the connections, each record always on the same connection and every SET
// flipping its record between UP and FAIL, so that every SET is a change. A second
// thread sends a GET every 5 ms on a connection of its own and times it. A third reads
// the history database as any SQLite client would (read-only, every 20 ms: its highest
// serial): a change's lag is from its OK CHANGE reaching the load generator to the first
// reading that holds it (sampled every 10 ms; 20 ms resolution). At the end the sqlite3
// shell counts the rows: they must equal the OK CHANGE replies.
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "loadgen.hh"
#include "report.hh"

namespace {

using namespace bench;
using namespace std::chrono_literals;

struct Options {
  double rate = 10'000;
  double seconds = 60;
  int records = 1000;
  int connections = 4;
  std::string faild;
};

struct Result {
  std::uint64_t sent = 0, changes = 0, errors = 0;
  std::string firstError;
  double seconds = 0;   // from the first SET to the last reply
  Percentiles get;      // microseconds
  Percentiles lag;      // microseconds; history only
  std::uint64_t rows = 0;
  double drain = 0;     // seconds from the last reply until the history held every change
  double cpu = 0;       // faild's CPU seconds during the load
  long rssKiB = 0;
};

int connectTo(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
    throw std::runtime_error("cannot connect to faild");
  ::fcntl(fd, F_SETFL, O_NONBLOCK);
  return fd;
}

// (when, the highest serial acknowledged by then), appended by the load, resolved by the
// history reader.
struct AckSamples {
  std::mutex mu;
  std::vector<std::pair<Clock::time_point, std::uint64_t>> samples;
};

// Reads the history's highest serial every 20 ms until `stop` and every sample is
// resolved; the lag of each sample in microseconds.
std::vector<double> watchLag(const std::string& db, AckSamples& acks, const std::atomic<bool>& stop) {
  std::vector<double> lags;
  sqlite3* h = nullptr;
  sqlite3_stmt* s = nullptr;
  size_t next = 0;
  Clock::time_point giveUp = Clock::time_point::max();
  for (;;) {
    if (!h && sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK)
      sqlite3_prepare_v2(h, "SELECT COALESCE(MAX(serial), 0) FROM change", -1, &s, nullptr);
    std::uint64_t top = 0;
    if (s && sqlite3_step(s) == SQLITE_ROW) top = static_cast<std::uint64_t>(sqlite3_column_int64(s, 0));
    if (s) sqlite3_reset(s);
    Clock::time_point now = Clock::now();
    bool done;
    {
      std::lock_guard lk(acks.mu);
      while (next < acks.samples.size() && acks.samples[next].second <= top) {
        lags.push_back(std::chrono::duration<double, std::micro>(now - acks.samples[next].first).count());
        ++next;
      }
      done = stop && next == acks.samples.size();
    }
    if (stop && giveUp == Clock::time_point::max()) giveUp = now + 120s;
    if (done || now > giveUp) break;
    std::this_thread::sleep_for(20ms);
  }
  sqlite3_finalize(s);
  sqlite3_close(h);
  return lags;
}

std::string shell(const std::string& db, const std::string& sql) {
  std::string cmd = "sqlite3 -readonly '" + db + "' '" + sql + "'";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return "";
  std::string out;
  char buf[256];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  ::pclose(p);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

Result runOnce(const Options& o, bool history, const std::string& dir) {
  std::filesystem::create_directories(dir);
  int port = freePort();
  std::string db = dir + "/faild.state.history";
  std::vector<std::string> argv = {o.faild, "--no-http", "--listen", "127.0.0.1:" + std::to_string(port), "-s",
                                   dir + "/faild.state"};
  if (!history) argv.push_back("--no-history-db");
  Clock::time_point t0 = Clock::now();
  pid_t pid = spawn(argv, dir + "/faild.log");
  if (timeToFirstAnswer(Proto::Line, port, pid, "PING\n", [](const Reply& r) { return r.ok; }, t0, 60) < 0)
    throw std::runtime_error("faild did not start; see " + dir + "/faild.log");

  Result res;
  std::atomic<bool> stop{false}, loadDone{false};
  AckSamples acks;
  // The prober: a GET every 5 ms, timed.
  std::vector<double> gets;
  std::thread prober([&] {
    SyncClient c(Proto::Line, port);
    Clock::time_point next = Clock::now();
    for (int i = 0; !loadDone; ++i) {
      std::string req = "GET rec-" + std::to_string(i % o.records) + "\n";
      Clock::time_point a = Clock::now();
      c.call(req);
      gets.push_back(std::chrono::duration<double, std::micro>(Clock::now() - a).count());
      next += 5ms;
      std::this_thread::sleep_until(next);
    }
  });
  std::vector<double> lags;
  std::thread lagger;
  if (history) lagger = std::thread([&] { lags = watchLag(db, acks, stop); });

  std::vector<int> fds;
  for (int i = 0; i < o.connections; ++i) fds.push_back(connectTo(port));
  std::vector<std::string> out(fds.size()), in(fds.size());
  const std::uint64_t total = static_cast<std::uint64_t>(o.rate * o.seconds);
  std::uint64_t received = 0, top = 0;
  double cpu0 = cpuSeconds(pid);
  Clock::time_point start = Clock::now(), lastSample = start;
  while (received < total) {
    Clock::time_point now = Clock::now();
    double elapsed = std::chrono::duration<double>(now - start).count();
    if (elapsed > o.seconds + 120) throw std::runtime_error("faild fell behind by minutes; see " + dir + "/faild.log");
    std::uint64_t due = std::min<std::uint64_t>(total, static_cast<std::uint64_t>(elapsed * o.rate));
    for (; res.sent < due; ++res.sent) {
      std::uint64_t rec = res.sent % static_cast<std::uint64_t>(o.records);
      bool fail = res.sent / static_cast<std::uint64_t>(o.records) % 2;
      out[rec % fds.size()] += "SET rec-" + std::to_string(rec) + (fail ? " FAIL\n" : " UP\n");
    }
    std::vector<pollfd> p(fds.size());
    for (size_t i = 0; i < fds.size(); ++i)
      p[i] = {fds[i], static_cast<short>(POLLIN | (out[i].empty() ? 0 : POLLOUT)), 0};
    ::poll(p.data(), p.size(), 1);
    for (size_t i = 0; i < fds.size(); ++i) {
      if ((p[i].revents & POLLOUT) && !out[i].empty()) {
        ssize_t n = ::write(fds[i], out[i].data(), out[i].size());
        if (n > 0) out[i].erase(0, static_cast<size_t>(n));
      }
      if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[65536];
      ssize_t n = ::read(fds[i], buf, sizeof buf);
      if (n <= 0) throw std::runtime_error("faild closed a connection; see " + dir + "/faild.log");
      in[i].append(buf, static_cast<size_t>(n));
      size_t at = 0;
      for (size_t nl; (nl = in[i].find('\n', at)) != std::string::npos; at = nl + 1) {
        std::string_view line(in[i].data() + at, nl - at);
        ++received;
        if (line.substr(0, 10) == "OK CHANGE ") {
          ++res.changes;
          top = std::max<std::uint64_t>(top, std::strtoull(std::string(line.substr(10)).c_str(), nullptr, 10));
        } else {
          if (!res.errors++) res.firstError = std::string(line);
        }
      }
      in[i].erase(0, at);
    }
    if (Clock::now() - lastSample >= 10ms) {
      lastSample = Clock::now();
      std::lock_guard lk(acks.mu);
      acks.samples.emplace_back(lastSample, top);
    }
  }
  Clock::time_point end = Clock::now();
  res.seconds = std::chrono::duration<double>(end - start).count();
  res.cpu = cpuSeconds(pid) - cpu0;
  res.rssKiB = vmRssKiB(pid);
  {
    std::lock_guard lk(acks.mu);
    acks.samples.emplace_back(end, top);
  }
  loadDone = true;
  prober.join();
  stop = true;
  if (history) {
    lagger.join();
    res.drain = secondsSince(end);
    res.lag = percentiles(lags);
    std::string rows = shell(db, "SELECT COUNT(*) FROM change");
    res.rows = std::strtoull(rows.c_str(), nullptr, 10);
  }
  res.get = percentiles(gets);
  for (int fd : fds) ::close(fd);
  stopProcess(pid);
  return res;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  o.faild = selfDir() + "/../faild/faild";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--rate") o.rate = std::atof(next().c_str());
    else if (a == "--seconds") o.seconds = std::atof(next().c_str());
    else if (a == "--records") o.records = std::atoi(next().c_str());
    else if (a == "--connections") o.connections = std::atoi(next().c_str());
    else if (a == "--faild") o.faild = next();
    else {
      std::cout << "Usage: history_load [--rate N] [--seconds N] [--records N] [--connections N] [--faild PATH]\n"
                   "faild under a paced load of changes with and without its history database (bench/README.md).\n";
      return a == "--help" ? 0 : 2;
    }
  }
  if (o.rate <= 0 || o.seconds <= 0 || o.records <= 0 || o.connections <= 0) {
    std::cerr << "history_load: --rate, --seconds, --records and --connections must be positive\n";
    return 2;
  }
  char tmpl[] = "/tmp/history-load-XXXXXX";
  if (!::mkdtemp(tmpl)) return 1;
  std::string dir = tmpl;
  Result on, off;
  try {
    off = runOnce(o, false, dir + "/off");
    on = runOnce(o, true, dir + "/on");
  } catch (const std::exception& e) {
    std::cerr << "history_load: " << e.what() << "\n";
    return 1;
  }
  auto msOf = [](double us) { return fmt("%.2f ms", us / 1000); };
  std::vector<GoalRow> rows;
  rows.push_back({"changes/s sustained (" + fmt("%.0f", o.rate) + " asked, " + fmt("%.0f s", o.seconds) + ")",
                  ">= " + fmt("%.0f", o.rate * 0.99), fmt("%.0f", on.changes / on.seconds),
                  fmt("%.0f", off.changes / off.seconds), ratio(on.changes / on.seconds, off.changes / off.seconds),
                  on.changes / on.seconds >= o.rate * 0.99 ? "yes" : "NO"});
  rows.push_back({"GET p99 on the protocol port during the load", "<= 2 ms", msOf(on.get.p99), msOf(off.get.p99),
                  ratio(on.get.p99, off.get.p99), on.get.p99 <= 2000 ? "yes" : "NO"});
  rows.push_back({"  GET p50 / max", "(info)", msOf(on.get.p50) + " / " + msOf(on.get.max),
                  msOf(off.get.p50) + " / " + msOf(off.get.max), "", "-"});
  rows.push_back({"history lag p99 (OK CHANGE -> row readable)", "<= 1 s", msOf(on.lag.p99), "", "",
                  on.lag.p99 <= 1e6 ? "yes" : "NO"});
  rows.push_back({"  history lag p50 / max", "(info)", msOf(on.lag.p50) + " / " + msOf(on.lag.max), "", "", "-"});
  bool whole = on.rows == on.changes && on.errors == 0;
  rows.push_back({"rows in the history (sqlite3) = changes acknowledged", "equal",
                  std::to_string(on.rows) + " / " + std::to_string(on.changes), "", "", whole ? "yes" : "NO"});
  rows.push_back({"faild CPU during the load", "(info)", fmt("%.1f s", on.cpu), fmt("%.1f s", off.cpu),
                  ratio(on.cpu, off.cpu), "-"});
  rows.push_back({"faild RSS at the end", "(info)", fmt("%.1f MiB", on.rssKiB / 1024.0),
                  fmt("%.1f MiB", off.rssKiB / 1024.0), ratio(on.rssKiB, off.rssKiB), "-"});
  std::cout << "history_load: " << o.rate << " SETs/s over " << o.records << " records for " << o.seconds << " s on "
            << o.connections << " connections; load average " << loadavg()
            << "; anchor: the same load on faild --no-history-db\n";
  if (on.errors || off.errors)
    std::cout << "errors: " << on.errors << " with history (" << on.firstError << "), " << off.errors
              << " without (" << off.firstError << ")\n";
  std::cout << "\n";
  printGoalTable("history on", rows);
  std::filesystem::remove_all(dir);
  return whole ? 0 : 1;
}
