// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// What faild promises, checked under load (issue 18 reworks the paths that keep them):
// an OK only once durable, serials never reused and increasing in every watcher's
// stream, WATCH since= exact (every change after the serial, in order, once, or ERR GONE),
// and a watcher never shown a change that is not durable. Writers with one change in
// flight and writers that pipeline a batch, watchers listening, then kill -9 (or a clean
// stop) in the middle and a restart on the same state file.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "harness.hh"

namespace fail::test {
namespace {

constexpr int kSingleWriters = 6;     // one change in flight each
constexpr int kPipelinedWriters = 2;  // kBatch changes in flight each
constexpr int kBatch = 16;
constexpr int kNamesPerWriter = 6;    // each writer owns its names: it knows what exists
constexpr int kEnoughAcks = 2000;     // stop faild once this many are acknowledged ...
constexpr auto kLoadAtMost = 4s;      // ... or after this long

// One acknowledged change.
struct Ack {
  std::string name;
  std::uint64_t serial = 0;
  bool deleted = false;
  std::string state, note;
};

// A change line of a WATCH stream: its serial and the whole line.
struct Line {
  std::uint64_t serial = 0;
  std::string text;
};

std::uint64_t serialOf(const std::string& line, size_t word) {
  auto w = words(line);
  return w.size() > word ? std::stoull(w[word]) : 0;
}

bool isChange(const std::string& l) { return l.rfind("CHANGE ", 0) == 0 || l.rfind("DELETE ", 0) == 0; }

// Writes changes to its own names until `stop`, or until faild goes away.
class Writer {
 public:
  Writer(int id, int batch) : id_(id), batch_(batch) {}
  void run(const std::string& address, const std::atomic<bool>& stop) {
    LineClient c(address);
    if (!c.connected()) return fail("cannot connect");
    std::vector<bool> exists(kNamesPerWriter, false);
    for (std::uint64_t seq = 0; !stop;) {
      std::vector<Ack> sent;
      std::string out;
      for (int i = 0; i < batch_; ++i, ++seq) {
        Ack a;
        int k = static_cast<int>((seq * 7 + static_cast<std::uint64_t>(i)) % kNamesPerWriter);
        a.name = "p" + std::to_string(id_) + "-" + std::to_string(k);
        // Every 9th change to an existing record is a DEL; the others alternate states
        // and carry a fresh note, so every SET is a change.
        a.deleted = exists[k] && seq % 9 == 4;
        exists[k] = !a.deleted;
        a.state = seq % 2 ? "FAIL" : "UP";
        a.note = "w" + std::to_string(id_) + "." + std::to_string(seq);
        out += a.deleted ? "DEL " + a.name + "\n"
                         : "SET " + a.name + " " + a.state + " note=" + a.note + "\n";
        sent.push_back(std::move(a));
      }
      c.sendRaw(out);
      std::uint64_t previous = 0;
      for (size_t i = 0; i < sent.size(); ++i) {
        Ack& a = sent[i];
        auto reply = c.readLine();
        if (!reply) {  // faild killed: whether these were made is unknown
          std::lock_guard<std::mutex> lock(mu_);
          unanswered_.assign(sent.begin() + static_cast<std::ptrdiff_t>(i), sent.end());
          return;
        }
        const char* want = a.deleted ? "OK DELETED " : "OK CHANGE ";
        if (reply->rfind(want, 0) != 0) return fail("'" + out.substr(0, 80) + "' answered '" + *reply + "'");
        a.serial = serialOf(*reply, 2);
        // Replies come in request order, and so were the serials handed out.
        if (a.serial <= previous) return fail("serials of one batch out of order: " + *reply);
        previous = a.serial;
        std::lock_guard<std::mutex> lock(mu_);
        acks_.push_back(a);
      }
    }
  }
  size_t acked() {
    std::lock_guard<std::mutex> lock(mu_);
    return acks_.size();
  }
  std::vector<Ack> acks() {
    std::lock_guard<std::mutex> lock(mu_);
    return acks_;
  }
  // The changes sent but not answered when faild was killed (serial 0).
  std::vector<Ack> unanswered() {
    std::lock_guard<std::mutex> lock(mu_);
    return unanswered_;
  }
  std::string error;

 private:
  void fail(const std::string& e) { error = "writer " + std::to_string(id_) + ": " + e; }
  int id_, batch_;
  std::mutex mu_;
  std::vector<Ack> acks_, unanswered_;
};

// Reads a WATCH stream up to SYNCED: the change lines before it, in order.
struct Catchup {
  bool gone = false;
  std::string first;  // the first reply line
  std::vector<Line> lines;
  std::string error;
};

Catchup watchSince(const std::string& address, std::uint64_t since) {
  Catchup out;
  LineClient c(address);
  out.first = c.request("WATCH * since=" + std::to_string(since));
  if (out.first.rfind("ERR GONE", 0) == 0) {
    out.gone = true;
    return out;
  }
  if (out.first.rfind("OK WATCH ", 0) != 0) {
    out.error = "WATCH since=" + std::to_string(since) + " answered '" + out.first + "'";
    return out;
  }
  for (;;) {
    auto l = c.readLine();
    if (!l) {
      out.error = "the stream ended before SYNCED";
      return out;
    }
    if (l->rfind("SYNCED ", 0) == 0) return out;
    if (!isChange(*l)) {
      out.error = "unexpected line before SYNCED: " + *l;
      return out;
    }
    out.lines.push_back({serialOf(*l, 1), *l});
  }
}

// Every serial after the previous one: in order, each once.
std::string checkIncreasing(const std::vector<Line>& lines, std::uint64_t after, const std::string& what) {
  for (const Line& l : lines) {
    if (l.serial <= after)
      return what + ": serial " + std::to_string(l.serial) + " after " + std::to_string(after);
    after = l.serial;
  }
  return "";
}

// The history database's rows by serial: name, state, note (the sqlite3 shell).
std::map<std::uint64_t, std::vector<std::string>> historyRows(const std::string& path) {
  std::map<std::uint64_t, std::vector<std::string>> rows;
  RunResult r = runProgram("/usr/bin/sqlite3", {"-readonly", "-separator", "|", path,
                                                "SELECT serial, name, state, note FROM change"});
  if (r.status != 0) return rows;
  size_t at = 0;
  for (size_t nl; (nl = r.out.find('\n', at)) != std::string::npos; at = nl + 1) {
    std::vector<std::string> f;
    std::string line = r.out.substr(at, nl - at);
    for (size_t p = 0;;) {
      size_t bar = line.find('|', p);
      f.push_back(line.substr(p, bar == std::string::npos ? std::string::npos : bar - p));
      if (bar == std::string::npos) break;
      p = bar + 1;
    }
    if (f.size() == 4) rows[std::stoull(f[0])] = {f[1], f[2], f[3]};
  }
  return rows;
}

class FaildPromisesTest : public ::testing::Test {
 protected:
  std::unique_ptr<Daemon> startFaild() {
    auto d = std::make_unique<Daemon>(
        "faild/faild", std::vector<std::string>{"-s", dir.file("faild.state"), "--listen", "127.0.0.1:0"},
        dir, "faild" + std::to_string(++n_));
    EXPECT_TRUE(d->start()) << d->log();
    return d;
  }
  void TearDown() override {
    if (HasFailure())
      for (int i = 1; i <= n_; ++i)
        std::cerr << "--- faild" << i << ".log (tail):\n"
                  << tail(readFile(dir.file("faild" + std::to_string(i) + ".log")));
  }
  void loadStopRestart(bool kill9);
  static std::string tail(const std::string& s) { return s.size() > 4000 ? s.substr(s.size() - 4000) : s; }

  TempDir dir;
  int n_ = 0;
};

// Writers (one in flight, and pipelined batches) and watchers (a plain WATCH from the
// start, a WATCH since= joining under load) until faild is stopped in the middle (kill -9,
// or SIGTERM: a clean stop, which may compact the file); then, on the restarted faild:
// every acknowledged change is there, new serials are above all acknowledged and streamed
// ones, and WATCH since= gives each change after the serial exactly once, in order, the
// same lines the watchers got before the stop, or ERR GONE.
void FaildPromisesTest::loadStopRestart(bool kill9) {
  auto d = startFaild();
  ASSERT_TRUE(d->running());
  const std::string address = d->address();

  // A plain watcher from the start (records, SYNCED, then the live stream).
  LineClient watcher(address);
  std::string okWatch = watcher.request("WATCH");
  ASSERT_EQ(okWatch.rfind("OK WATCH ", 0), 0u) << okWatch;
  ASSERT_TRUE(watcher.readUntil([](const std::string& l) { return l.rfind("SYNCED ", 0) == 0; }));
  const std::uint64_t start = serialOf(okWatch, 2);

  std::atomic<bool> stop{false};
  std::vector<std::unique_ptr<Writer>> writers;
  for (int i = 0; i < kSingleWriters + kPipelinedWriters; ++i)
    writers.push_back(std::make_unique<Writer>(i, i < kSingleWriters ? 1 : kBatch));
  std::vector<std::thread> threads;
  for (auto& w : writers) threads.emplace_back([&, wp = w.get()] { wp->run(address, stop); });

  auto total = [&] {
    size_t n = 0;
    for (auto& w : writers) n += w->acked();
    return n;
  };
  std::vector<Line> streamed;  // the plain watcher's changes until the kill
  std::string streamError;
  std::thread reader([&] {
    for (;;) {
      auto l = watcher.readLine(30s);
      if (!l) return;
      if (!isChange(*l)) {
        if (l->rfind("PING", 0) != 0) streamError = "unexpected line: " + *l;
        continue;
      }
      streamed.push_back({serialOf(*l, 1), *l});
    }
  });

  // A second watcher joins with since= while the writers run: it catches up from the
  // history, then streams live.
  ASSERT_TRUE(eventually([&] { return total() >= kEnoughAcks / 4; }, kDeadline));
  LineClient late(address);
  std::string okLate = late.request("WATCH * since=" + std::to_string(start));
  ASSERT_EQ(okLate.rfind("OK WATCH ", 0), 0u) << okLate;
  std::vector<Line> lateLines;
  std::thread lateReader([&] {
    for (;;) {
      auto l = late.readLine(30s);
      if (!l) return;
      if (isChange(*l)) lateLines.push_back({serialOf(*l, 1), *l});
    }
  });

  Clock::time_point began = Clock::now();
  eventually([&] { return total() >= kEnoughAcks || Clock::now() - began > kLoadAtMost; }, kDeadline);
  if (kill9) {
    d->kill9();  // writers still writing, changes in flight
  } else {
    d->signal(SIGTERM);
    d->wait();
  }
  stop = true;
  for (auto& t : threads) t.join();
  reader.join();
  lateReader.join();

  for (auto& w : writers) EXPECT_EQ(w->error, "");
  EXPECT_EQ(streamError, "");
  std::vector<Ack> acks;
  std::map<std::string, Ack> last;  // per record, its last acknowledged change
  std::multimap<std::string, Ack> unknown;  // sent after it, not answered
  std::uint64_t maxAcked = 0;
  for (auto& w : writers) {
    for (const Ack& a : w->acks()) {
      acks.push_back(a);
      maxAcked = std::max(maxAcked, a.serial);
      if (last[a.name].serial < a.serial) last[a.name] = a;
    }
    for (const Ack& a : w->unanswered()) unknown.emplace(a.name, a);
  }
  ASSERT_GE(acks.size(), 50u) << "too little load to say anything";
  EXPECT_EQ(checkIncreasing(streamed, start, "plain watcher"), "");
  EXPECT_EQ(checkIncreasing(lateLines, start, "watcher since=" + std::to_string(start)), "");
  // The two streams agree where both reached.
  std::map<std::uint64_t, std::string> seen;
  for (const Line& l : streamed) seen[l.serial] = l.text;
  std::uint64_t bothUpTo = std::min(streamed.empty() ? 0 : streamed.back().serial,
                                    lateLines.empty() ? 0 : lateLines.back().serial);
  std::vector<std::uint64_t> a, b;
  for (const Line& l : streamed) if (l.serial <= bothUpTo) a.push_back(l.serial);
  for (const Line& l : lateLines) {
    if (l.serial > bothUpTo) continue;
    b.push_back(l.serial);
    EXPECT_EQ(seen[l.serial], l.text) << "the two watchers got different lines";
  }
  EXPECT_EQ(a, b) << "the plain watcher and the since= watcher got different changes";
  std::uint64_t maxStreamed = 0;
  for (const Line& l : streamed) maxStreamed = std::max(maxStreamed, l.serial);
  for (const Line& l : lateLines) maxStreamed = std::max(maxStreamed, l.serial), seen[l.serial] = l.text;

  // The restart, on the same state file.
  auto d2 = startFaild();
  ASSERT_TRUE(d2->running());
  LineClient c(d2->address());

  // Every acknowledged change is there: its record's serial is at least the ack's; when
  // the ack was the record's last, the state and note it set (or no record for a DEL).
  // Anything newer must be one of the changes sent after it and not answered.
  for (const auto& [name, ack] : last) {
    std::string got = c.request("GET " + name);
    auto later = unknown.equal_range(name);
    auto laterMatches = [&](const std::string& rec) {
      for (auto it = later.first; it != later.second; ++it)
        if (rec.empty() ? it->second.deleted
                        : !it->second.deleted && field(rec, "note") == it->second.note &&
                              field(rec, "state") == it->second.state)
          return true;
      return false;
    };
    if (got.rfind("ERR NOTFOUND", 0) == 0) {
      EXPECT_TRUE(ack.deleted || laterMatches(""))
          << name << " acknowledged at serial " << ack.serial << " is gone: " << got;
      continue;
    }
    ASSERT_EQ(got.rfind("OK ", 0), 0u) << name << ": " << got;
    std::string rec = words(got)[1];
    std::uint64_t serial = std::stoull(field(rec, "serial"));
    if (serial == ack.serial) {
      EXPECT_FALSE(ack.deleted) << name << ": " << got;
      EXPECT_EQ(field(rec, "state"), ack.state) << name << ": " << got;
      EXPECT_EQ(field(rec, "note"), ack.note) << name << ": " << got;
    } else {
      EXPECT_GT(serial, ack.serial) << name << " acknowledged at serial " << ack.serial << ": " << got;
      EXPECT_TRUE(laterMatches(rec))
          << name << " acknowledged at serial " << ack.serial << ", then holds what no writer sent after it: " << got;
    }
  }

  // WATCH since=: from the start, from the middle and from near the end. Each: in order,
  // once, every acknowledged and every streamed change after it, with the very lines the
  // watchers got; a later since= gives the tail of an earlier one.
  std::vector<std::uint64_t> sinces = {start, start + (maxAcked - start) / 2,
                                       maxAcked > start + 20 ? maxAcked - 20 : start};
  std::vector<Catchup> catchups;
  for (std::uint64_t s : sinces) {
    Catchup cu = watchSince(d2->address(), s);
    std::string what = "WATCH since=" + std::to_string(s) + " after the restart";
    EXPECT_EQ(cu.error, "") << what;
    EXPECT_EQ(checkIncreasing(cu.lines, s, what), "");
    if (!cu.gone) {
      std::map<std::uint64_t, std::string> got;
      for (const Line& l : cu.lines) got[l.serial] = l.text;
      for (const Ack& ack : acks) {
        if (ack.serial > s) {
          EXPECT_TRUE(got.count(ack.serial))
              << what << ": acknowledged serial " << ack.serial << " (" << ack.name << ") is missing";
        }
      }
      for (const auto& [serial, text] : seen)
        if (serial > s) {
          auto it = got.find(serial);
          if (it == got.end())
            ADD_FAILURE() << what << ": serial " << serial << " was streamed before the kill and is missing";
          else
            EXPECT_EQ(it->second, text)
                << what << ": serial " << serial << " differs from the line streamed before the kill";
        }
    }
    catchups.push_back(std::move(cu));
  }
  for (size_t i = 0; i + 1 < catchups.size(); ++i) {
    if (catchups[i].gone || catchups[i + 1].gone) continue;
    std::vector<std::string> tailOfEarlier, later;
    for (const Line& l : catchups[i].lines)
      if (l.serial > sinces[i + 1]) tailOfEarlier.push_back(l.text);
    for (const Line& l : catchups[i + 1].lines) later.push_back(l.text);
    EXPECT_EQ(tailOfEarlier, later) << "since=" << sinces[i + 1] << " is not the tail of since=" << sinces[i];
  }
  // After kill -9 the state file holds every change since its base (no compaction at this
  // size): the history after the restart answers these since= without GONE. A clean stop
  // may have compacted the file, moving its base past them.
  if (kill9) {
    EXPECT_FALSE(catchups.back().gone) << catchups.back().first;
  }

  // Serials are never reused: a new change is above every acknowledged and streamed one.
  std::string r = c.request("SET after-restart UP");
  ASSERT_EQ(r.rfind("OK CHANGE ", 0), 0u) << r;
  EXPECT_GT(serialOf(r, 2), std::max(maxAcked, maxStreamed)) << r;

  // The history database, read with sqlite3 as an administrator would: once faild has
  // caught up from the state file, every acknowledged change is there, once (the serial
  // is its key), as it was acknowledged.
  const std::uint64_t newest = serialOf(r, 2);
  std::map<std::uint64_t, std::vector<std::string>> rows;
  ASSERT_TRUE(eventually([&] {
    rows = historyRows(dir.file("faild.state.history"));
    return rows.count(newest) > 0;
  })) << "the history never reached serial " << newest;
  size_t missing = 0, wrong = 0;
  std::string example;
  for (const Ack& ack : acks) {
    auto it = rows.find(ack.serial);
    if (it == rows.end()) {
      if (!missing++) example = "serial " + std::to_string(ack.serial) + " (" + ack.name + ") is missing";
      continue;
    }
    std::vector<std::string> want = {ack.name, ack.deleted ? "DELETED" : ack.state,
                                     ack.deleted ? "" : ack.note};
    if (it->second != want && !wrong++)
      example = "serial " + std::to_string(ack.serial) + " holds " + it->second[0] + " " +
                it->second[1] + " " + it->second[2] + ", acknowledged as " + want[0] + " " +
                want[1] + " " + want[2];
  }
  EXPECT_EQ(missing, 0u) << "of " << acks.size() << " acknowledged changes; e.g. " << example;
  EXPECT_EQ(wrong, 0u) << example;
}

TEST_F(FaildPromisesTest, AcknowledgedAndStreamedChangesSurviveKill9UnderLoad) { loadStopRestart(true); }

TEST_F(FaildPromisesTest, AcknowledgedAndStreamedChangesSurviveACleanStopUnderLoad) {
  loadStopRestart(false);
}

}  // namespace
}  // namespace fail::test
