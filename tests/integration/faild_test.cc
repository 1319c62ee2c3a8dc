// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// faild end to end: the real daemon on loopback, spoken to over the wire.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <dirent.h>
#include <map>
#include <mutex>
#include <thread>

#include "harness.hh"

namespace fail::test {
namespace {

class FaildTest : public ::testing::Test {
 protected:
  // A faild with a state file in the temp dir, on a loopback port it chooses.
  std::unique_ptr<Daemon> startFaild(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"-s", dir.file("faild.state"), "--listen", "127.0.0.1:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto d = std::make_unique<Daemon>("faild/faild", args, dir, "faild" + std::to_string(++n_));
    EXPECT_TRUE(d->start()) << d->log();
    return d;
  }
  void TearDown() override {
    if (HasFailure())
      for (int i = 1; i <= n_; ++i)
        std::cerr << "--- faild" << i << ".log:\n" << readFile(dir.file("faild" + std::to_string(i) + ".log"));
  }
  TempDir dir;
  int n_ = 0;
};

std::string recordOf(const std::string& okLine) {
  auto w = words(okLine);
  return w.size() >= 2 ? w[1] : "";
}

TEST_F(FaildTest, SetGetListDelRoundTrip) {
  auto d = startFaild();
  LineClient c(d->address());
  ASSERT_TRUE(c.connected());
  EXPECT_EQ(c.request("PING"), "OK PONG");
  EXPECT_EQ(c.request("HELLO test 1").rfind("OK faild ", 0), 0u);
  std::string r = c.request("SET www UP ttl=30s note=HTTP\\ 200 latency=12ms");
  ASSERT_EQ(words(r)[1], "CHANGE") << r;
  std::string serial = words(r)[2];
  r = c.request("GET www");
  ASSERT_EQ(r.rfind("OK ", 0), 0u) << r;
  std::string rec = recordOf(r);
  EXPECT_EQ(field(rec, "state"), "UP");
  EXPECT_EQ(field(rec, "note"), "HTTP 200");
  EXPECT_EQ(field(rec, "serial"), serial);
  EXPECT_EQ(field(rec, "ttl"), "30s");
  EXPECT_EQ(field(rec, "attrs"), "latency 12ms");
  EXPECT_EQ(field(rec, "origin"), "test");  // the name given in HELLO (no access file)
  // Same state and note: a refresh, no new serial.
  r = c.request("SET www UP ttl=30s note=HTTP\\ 200 latency=13ms");
  EXPECT_EQ(r, "OK REFRESH " + serial);
  EXPECT_EQ(c.request("SET db FAIL note=down").rfind("OK CHANGE ", 0), 0u);
  r = c.request("LIST");
  auto w = words(r);
  ASSERT_EQ(w.size(), 4u) << r;
  EXPECT_EQ(field(w[2], "name"), "db");
  EXPECT_EQ(field(w[3], "name"), "www");
  EXPECT_EQ(field(w[3], "attrs"), "latency 13ms");
  EXPECT_EQ(words(c.request("LIST w*")).size(), 3u);
  EXPECT_EQ(words(c.request("DEL www"))[1], "DELETED");
  EXPECT_EQ(words(c.request("GET www"))[1], "NOTFOUND");
  EXPECT_EQ(words(c.request("DEL www"))[1], "NOTFOUND");
  EXPECT_EQ(c.request("QUIT"), "OK BYE");
  EXPECT_TRUE(c.closedByPeer());
}

TEST_F(FaildTest, WatchStreamsChangesInOrderAndNoRefreshes) {
  auto d = startFaild();
  LineClient w(d->address()), c(d->address());
  c.request("SET a UP");
  ASSERT_EQ(w.request("WATCH").rfind("OK WATCH ", 0), 0u);
  auto rec = w.readLine();
  ASSERT_TRUE(rec);
  EXPECT_EQ(words(*rec)[0], "RECORD");
  EXPECT_EQ(words(*w.readLine())[0], "SYNCED");
  for (int i = 0; i < 50; ++i) {
    c.request("SET a " + std::string(i % 2 ? "UP" : "FAIL"));
    c.request("SET a " + std::string(i % 2 ? "UP" : "FAIL"));  // refresh
  }
  c.request("DEL a");
  std::uint64_t last = 0;
  for (int i = 0; i < 50; ++i) {
    auto line = w.readLine();
    ASSERT_TRUE(line) << "change " << i;
    auto ws = words(*line);
    ASSERT_EQ(ws[0], "CHANGE") << *line;
    std::uint64_t s = std::stoull(ws[1]);
    EXPECT_GT(s, last);
    last = s;
    EXPECT_EQ(field(ws[2], "state"), i % 2 ? "UP" : "FAIL");
  }
  auto del = w.readLine();
  ASSERT_TRUE(del);
  EXPECT_EQ(words(*del)[0], "DELETE");
  EXPECT_FALSE(w.readLine(300ms)) << "a refresh was streamed";
  EXPECT_EQ(w.request("GET a").rfind("ERR BUSY", 0), 0u);
  EXPECT_EQ(w.request("PING"), "OK PONG");
}

TEST_F(FaildTest, KillDuringBurstLosesNoAcknowledgedChange) {
  auto d = startFaild();
  std::mutex mu;
  std::map<std::string, std::pair<std::uint64_t, std::string>> acked;  // name -> serial, state
  std::atomic<bool> stop{false};
  std::atomic<int> count{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&, t] {
      LineClient c(d->address());
      for (int i = 0; !stop; ++i) {
        std::string name = "svc" + std::to_string(t) + "-" + std::to_string(i % 20);
        std::string state = (i / 20) % 2 ? "UP" : "FAIL";
        std::string r = c.request("SET " + name + " " + state + " note=n" + std::to_string(i));
        auto w = words(r);
        if (w.size() < 3 || w[0] != "OK") return;  // killed
        std::lock_guard lock(mu);
        acked[name] = {std::stoull(w[2]), state};
        ++count;
      }
    });
  }
  ASSERT_TRUE(eventually([&] { return count > 2000; }, 60s));
  d->kill9();
  stop = true;
  for (auto& t : writers) t.join();
  std::uint64_t maxAcked = 0;
  for (auto& [n, v] : acked) maxAcked = std::max(maxAcked, v.first);

  auto d2 = startFaild();
  LineClient c(d2->address());
  for (auto& [name, v] : acked) {
    std::string r = c.request("GET " + name);
    ASSERT_EQ(r.rfind("OK ", 0), 0u) << name << ": " << r;
    std::string rec = recordOf(r);
    std::uint64_t serial = std::stoull(field(rec, "serial"));
    EXPECT_GE(serial, v.first) << name;
    if (serial == v.first) {
      EXPECT_EQ(field(rec, "state"), v.second) << name;
    }
  }
  std::string r = c.request("SET after-restart UP");
  ASSERT_EQ(words(r)[1], "CHANGE");
  EXPECT_GT(std::stoull(words(r)[2]), maxAcked);
  std::cerr << "acknowledged before kill -9: " << count << " changes, " << acked.size()
            << " records, max serial " << maxAcked << "\n";
}

TEST_F(FaildTest, WatchSinceReceivesExactlyTheMissedChanges) {
  auto d = startFaild();
  LineClient c(d->address());
  c.request("SET x UP");
  std::string seen;
  {
    LineClient w(d->address());
    auto ok = w.request("WATCH x*");
    w.readUntil([](const std::string& l) { return l.rfind("SYNCED", 0) == 0; });
    c.request("SET x FAIL");
    auto ch = w.readLine();
    ASSERT_TRUE(ch);
    seen = words(*ch)[1];
  }  // the watcher goes away
  std::vector<std::string> missed;
  for (int i = 0; i < 5; ++i) {
    auto r = c.request("SET x" + std::to_string(i) + " UP");
    missed.push_back(words(r)[2]);
  }
  c.request("SET other FAIL");  // does not match the pattern
  LineClient w(d->address());
  auto ok = w.request("WATCH x* since=" + seen);
  ASSERT_EQ(ok.rfind("OK WATCH", 0), 0u) << ok;
  for (const auto& s : missed) {
    auto line = w.readLine();
    ASSERT_TRUE(line);
    EXPECT_EQ(words(*line)[0], "CHANGE");
    EXPECT_EQ(words(*line)[1], s);
  }
  auto synced = w.readLine();
  ASSERT_TRUE(synced);
  EXPECT_EQ(words(*synced)[0], "SYNCED") << *synced;

  // Across a restart: the history in the state file still serves since=.
  d->signal(SIGTERM);
  EXPECT_EQ(d->wait(), 0);
  auto d2 = startFaild();
  LineClient w2(d2->address());
  ok = w2.request("WATCH x* since=" + seen);
  ASSERT_EQ(ok.rfind("OK WATCH", 0), 0u) << ok;
  for (const auto& s : missed) {
    auto line = w2.readLine();
    ASSERT_TRUE(line);
    EXPECT_EQ(words(*line)[1], s);
  }
  // A serial from the future (another faild) cannot be served.
  LineClient w3(d2->address());
  EXPECT_EQ(w3.request("WATCH * since=999999999999").rfind("ERR GONE", 0), 0u);
  EXPECT_EQ(w3.request("PING"), "OK PONG");
}

TEST_F(FaildTest, WatchSinceTooOldIsGone) {
  auto d = startFaild({"--history", "3"});
  LineClient c(d->address());
  std::string first = words(c.request("SET a UP"))[2];
  for (int i = 0; i < 10; ++i) c.request("SET a" + std::to_string(i) + " UP");
  LineClient w(d->address());
  EXPECT_EQ(w.request("WATCH * since=" + first).rfind("ERR GONE", 0), 0u);
  EXPECT_EQ(w.request("WATCH").rfind("OK WATCH", 0), 0u);
}

TEST_F(FaildTest, TruncatedStateFileIsRecoveredLoudly) {
  {
    auto d = startFaild();
    LineClient c(d->address());
    for (int i = 0; i < 20; ++i) c.request("SET r" + std::to_string(i) + " UP note=first");
    c.request("SET last FAIL note=this\\ one\\ is\\ cut");
    d->signal(SIGTERM);
    ASSERT_EQ(d->wait(), 0);
  }
  std::string path = dir.file("faild.state");
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  ASSERT_EQ(::truncate(path.c_str(), st.st_size - 7), 0);
  auto d = startFaild();
  LineClient c(d->address());
  for (int i = 0; i < 20; ++i) EXPECT_EQ(c.request("GET r" + std::to_string(i)).rfind("OK ", 0), 0u);
  EXPECT_EQ(words(c.request("GET last"))[1], "NOTFOUND");
  std::string log = d->log();
  EXPECT_NE(log.find("offset"), std::string::npos) << log;
  EXPECT_NE(log.find("damaged"), std::string::npos) << log;
  bool moved = false;
  DIR* dd = ::opendir(dir.path().c_str());
  while (dirent* e = ::readdir(dd)) moved |= std::string(e->d_name).find("faild.state.damaged-") == 0;
  ::closedir(dd);
  EXPECT_TRUE(moved);
  // Serials keep rising past anything handed out before.
  auto r = c.request("SET new UP");
  EXPECT_EQ(words(r)[1], "CHANGE");
}

TEST_F(FaildTest, TtlExpiryYieldsUnknown) {
  auto d = startFaild();
  LineClient w(d->address()), c(d->address());
  w.request("WATCH beat");
  c.request("SET beat UP ttl=500ms");
  auto line = w.readUntil([](const std::string& l) {
    auto ws = words(l);
    return ws.size() >= 3 && ws[0] == "CHANGE" && field(ws[2], "state") == "UNKNOWN";
  });
  ASSERT_TRUE(line) << "no expiry seen";
  EXPECT_EQ(field(words(*line)[2], "note"), "ttl expired");
  EXPECT_EQ(field(recordOf(c.request("GET beat")), "state"), "UNKNOWN");
}

TEST_F(FaildTest, StalledWatcherDoesNotDelayOthers) {
  auto d = startFaild({"--watch-buffer", "64k"});
  LineClient stalled(d->address()), reader(d->address()), c(d->address());
  ASSERT_EQ(stalled.request("WATCH").rfind("OK WATCH", 0), 0u);
  ASSERT_EQ(reader.request("WATCH").rfind("OK WATCH", 0), 0u);
  reader.readUntil([](const std::string& l) { return l.rfind("SYNCED", 0) == 0; });
  std::string note(3000, 'x');  // 9 MB in all: far beyond socket buffers
  const int n = 3000;
  std::thread writer([&] {
    for (int i = 0; i < n; ++i) c.request("SET s" + std::to_string(i % 7) + " " + (i % 2 ? "UP" : "FAIL") + " note=" + note + std::to_string(i));
  });
  int got = 0;
  while (got < n) {
    auto l = reader.readLine();
    if (!l) break;
    if (l->rfind("CHANGE", 0) == 0) ++got;
  }
  writer.join();
  EXPECT_EQ(got, n);
  LineClient s(d->address());
  auto stat = [&](const std::string& key) {
    auto w = words(s.request("STATS"));
    for (size_t i = 1; i + 1 < w.size(); i += 2)
      if (w[i] == key) return w[i + 1];
    return std::string();
  };
  EXPECT_EQ(stat("slow_watchers"), "1");
  // faild let go of the stalled watcher: the reader, the writer and this client remain.
  EXPECT_TRUE(eventually([&] { return stat("clients") == "3"; })) << stat("clients");
  EXPECT_EQ(stat("watchers"), "1");

}

TEST_F(FaildTest, BadInputGetsErrorsAndTheConnectionStaysUsable) {
  auto d = startFaild({"--max-line", "1024"});
  LineClient c(d->address());
  auto code = [&](const std::string& line) { return words(c.request(line))[1]; };
  EXPECT_EQ(code("FROB"), "UNKNOWN");
  EXPECT_EQ(code("GET"), "ARGS");
  EXPECT_EQ(code("GET a b"), "ARGS");
  EXPECT_EQ(code("GET bad\\ name"), "BADNAME");
  EXPECT_EQ(code("SET a SOMETIMES"), "BADSTATE");
  EXPECT_EQ(code("SET a UP ttl=forever"), "ARGS");
  EXPECT_EQ(code("SET a UP oops"), "ARGS");
  EXPECT_EQ(code("GET {a"), "SYNTAX");
  EXPECT_EQ(code("GET \"a"), "SYNTAX");
  EXPECT_EQ(code(std::string("GET \xff\xfe", 6)), "SYNTAX");
  EXPECT_EQ(code("WATCH * since=x"), "ARGS");
  EXPECT_EQ(code("DEBUG main"), "ARGS");
  EXPECT_EQ(code("DEBUG main loud"), "ARGS");
  EXPECT_EQ(code("DEBUG nosuch debug"), "ARGS");
  c.sendRaw(std::string(5000, 'A') + "\n");
  EXPECT_EQ(words(c.readLine().value_or(""))[1], "TOOLONG");
  std::string bin;
  for (int i = 0; i < 256; ++i) bin += static_cast<char>(i == 10 ? 11 : i);
  c.sendRaw(bin + "\n");
  EXPECT_EQ(c.readLine().value_or("").rfind("ERR ", 0), 0u);
  EXPECT_EQ(c.request("PING"), "OK PONG");
  EXPECT_EQ(c.request("ping"), "OK PONG");
  EXPECT_EQ(words(c.request("SET ok UP\r"))[1], "CHANGE");  // a CR before the LF is dropped
}

TEST_F(FaildTest, AccessFileRoCannotSetRwCan) {
  writeFile(dir.file("access"), "# test\n* reader-secret RO\nweb* writer$[secret] RW hc-fra\n");
  auto d = startFaild({"-c", dir.file("access")});
  LineClient c(d->address());
  EXPECT_EQ(words(c.request("GET x"))[1], "NEEDAUTH");
  EXPECT_EQ(c.request("HELLO").find("auth required") != std::string::npos, true);
  EXPECT_EQ(words(c.request("AUTH wrong"))[1], "DENIED");
  EXPECT_EQ(c.request("AUTH reader-secret"), "OK ro {}");
  EXPECT_EQ(words(c.request("SET web1 UP"))[1], "DENIED");
  EXPECT_EQ(words(c.request("DEBUG"))[1], "DENIED");
  LineClient w(d->address());
  EXPECT_EQ(w.request("AUTH writer\\$\\[secret\\]"), "OK rw hc-fra");
  EXPECT_EQ(words(w.request("SET web1 UP"))[1], "CHANGE");
  EXPECT_EQ(words(w.request("SET db1 UP"))[1], "DENIED");
  EXPECT_EQ(field(recordOf(c.request("GET web1")), "origin"), "hc-fra");
}

TEST_F(FaildTest, AuthOnPlainNonLoopbackListenerIsRefused) {
  writeFile(dir.file("access"), "* s3cret RW\n");
  auto d = std::make_unique<Daemon>(
      "faild/faild",
      std::vector<std::string>{"--memory", "-c", dir.file("access"), "--listen", "0.0.0.0:0"}, dir,
      "faild" + std::to_string(++n_));
  ASSERT_TRUE(d->start()) << d->log();
  LineClient c("127.0.0.1:" + std::to_string(d->port()));
  auto r = c.request("AUTH s3cret");
  EXPECT_EQ(words(r)[1], "DENIED") << r;
  EXPECT_NE(r.find("insecure-auth"), std::string::npos);
}

TEST_F(FaildTest, NonLoopbackListenerWithoutAccessFileRefusesToStart) {
  Daemon d("faild/faild", {"--memory", "--listen", "0.0.0.0:0"}, dir, "faild" + std::to_string(++n_));
  EXPECT_EQ(d.runToExit(), 1);
  EXPECT_NE(d.log().find("needs an access file"), std::string::npos) << d.log();
}

TEST_F(FaildTest, UnixSocketOwnerNeedsNoSecret) {
  writeFile(dir.file("access"), "* s3cret RO\n");
  std::string sock = dir.file("faild.sock");
  auto d = startFaild({"-c", dir.file("access"), "--listen", "unix:" + sock});
  LineClient u("unix:" + sock);
  EXPECT_EQ(words(u.request("SET viaunix UP"))[1], "CHANGE");
  EXPECT_EQ(field(recordOf(u.request("GET viaunix")), "origin"), "unix");
}

TEST_F(FaildTest, TooManyClientsAreTurnedAway) {
  auto d = startFaild({"--max-clients", "2"});
  LineClient a(d->address()), b(d->address());
  EXPECT_EQ(a.request("PING"), "OK PONG");
  EXPECT_EQ(b.request("PING"), "OK PONG");
  LineClient c(d->address());
  auto r = c.readLine();
  ASSERT_TRUE(r);
  EXPECT_EQ(words(*r)[1], "BUSY");
}

TEST_F(FaildTest, DebugChangesFacilityLevels) {
  auto d = startFaild();
  LineClient c(d->address());
  auto r = c.request("DEBUG");
  EXPECT_NE(r.find("store notice"), std::string::npos) << r;
  EXPECT_EQ(c.request("DEBUG store debug"), "OK store debug");
  EXPECT_NE(c.request("DEBUG").find("store debug"), std::string::npos);
}

TEST_F(FaildTest, CheckConfigHelpAndVersion) {
  Daemon v("faild/faild", {"-V"}, dir, "v");
  EXPECT_EQ(v.runToExit(), 0);
  EXPECT_NE(v.log().find("faild (failover)"), std::string::npos);
  Daemon h("faild/faild", {"--help"}, dir, "h");
  EXPECT_EQ(h.runToExit(), 0);
  EXPECT_NE(h.log().find("--listen"), std::string::npos);
  Daemon bad("faild/faild", {"--frobnicate"}, dir, "bad");
  EXPECT_EQ(bad.runToExit(), 2);
  writeFile(dir.file("access"), "* s3cret RW\n");
  Daemon t("faild/faild", {"-t", "-c", dir.file("access"), "--memory"}, dir, "t");
  EXPECT_EQ(t.runToExit(), 0);
  writeFile(dir.file("bad-access"), "* s3cret MAYBE\n");
  Daemon tb("faild/faild", {"-t", "-c", dir.file("bad-access")}, dir, "tb");
  EXPECT_EQ(tb.runToExit(), 1);
  EXPECT_NE(tb.log().find("bad-access:1"), std::string::npos) << tb.log();
}

}  // namespace
}  // namespace fail::test

namespace fail::test {
namespace {

TEST_F(FaildTest, SecondFaildOnTheSameStateFileRefusesToStart) {
  auto d = startFaild();
  Daemon second("faild/faild", {"-s", dir.file("faild.state"), "--listen", "127.0.0.1:0"}, dir, "second");
  EXPECT_EQ(second.runToExit(), 1);
  EXPECT_NE(second.log().find("in use by another process"), std::string::npos) << second.log();
}

}  // namespace
}  // namespace fail::test
