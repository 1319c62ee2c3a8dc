// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// faild's state on disk, end to end: an OK only for what is durable, with a real full
// disk (a small tmpfs mounted for the test); start-up refusals and recovery of records
// the protocol would reject (issue 10 items 2 and 10).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>

#include "faild_disk.hh"
#include "harness.hh"
#include "state/journal_format.hh"

namespace fail::test {
namespace {

class FaildDurabilityTest : public FaildDiskTest {};

std::string recordOf(const std::string& okLine) {
  auto w = words(okLine);
  return w.size() >= 2 ? w[1] : "";
}

// Issue 10 item 2: with the disk full, a SET gets ERR STORAGE and so does its retry (it
// used to get OK REFRESH); a DEL and a ttl expiry that cannot be written are undone too;
// watchers hear of nothing that was not stored; once there is space the same SET is
// acknowledged, and after kill -9 the state is exactly what was acknowledged.
TEST_F(FaildDurabilityTest, NothingIsAcknowledgedOrStreamedThatIsNotOnDisk) {
  std::string why;
  if (!mountDisk("1m", why)) GTEST_SKIP() << "cannot mount a tmpfs for a full disk: " << why;
  std::string state = disk_ + "/faild.state";
  auto d = startFaild(state);
  LineClient c(d->address()), watcher(d->address());
  ASSERT_TRUE(c.connected() && watcher.connected());
  ASSERT_EQ(watcher.request("WATCH").rfind("OK WATCH ", 0), 0u);
  ASSERT_TRUE(watcher.readUntil([](const std::string& l) { return l.rfind("SYNCED ", 0) == 0; }));

  std::string r = c.request("SET www UP note=HTTP\\ 200");
  ASSERT_EQ(r.rfind("OK CHANGE ", 0), 0u) << r;
  std::string upSerial = words(r)[2];
  ASSERT_EQ(c.request("SET beat UP ttl=3s").rfind("OK CHANGE ", 0), 0u);
  // Pad the state file to a page boundary, so that even a short line needs a new page.
  off_t before = sizeOf(state);
  ASSERT_EQ(c.request("SET pad UP note=x").rfind("OK CHANGE ", 0), 0u);
  off_t after = sizeOf(state);
  off_t lineWithoutNote = after - before - 1;
  off_t n = (4096 - (after + lineWithoutNote) % 4096) % 4096;
  if (n == 0) n = 4096;
  r = c.request("SET pad UP note=" + std::string(static_cast<size_t>(n), 'p'));
  ASSERT_EQ(r.rfind("OK CHANGE ", 0), 0u) << r;
  ASSERT_EQ(sizeOf(state) % 4096, 0) << "the padding did not land on a page boundary";

  ASSERT_TRUE(fill(disk_ + "/filler"));
  std::string big = "note=" + std::string(3000, 'n');
  std::vector<std::string> failed;  // serials answered ERR STORAGE
  auto storageError = [&](const std::string& reply) {
    EXPECT_EQ(reply.rfind("ERR STORAGE ", 0), 0u) << reply.substr(0, 200);
    size_t p = reply.find("(serial ");
    if (p != std::string::npos) failed.push_back(reply.substr(p + 8, reply.find(')', p) - p - 8));
  };
  storageError(c.request("DEL www"));
  storageError(c.request("SET www FAIL " + big));
  r = c.request("SET www FAIL " + big);  // the retry: it used to get OK REFRESH
  EXPECT_EQ(r.rfind("OK", 0), std::string::npos) << "a retry must not be acknowledged: " << r;
  storageError(r);
  EXPECT_EQ(failed.size(), 3u);
  std::string rec = recordOf(c.request("GET www"));
  EXPECT_EQ(field(rec, "state"), "UP") << "memory must be as it was";
  EXPECT_EQ(field(rec, "serial"), upSerial);
  // The ttl of beat runs out while the disk is full: the expiry cannot be written.
  ASSERT_TRUE(eventually([&] {
    return d->log().find("to beat is not durable") != std::string::npos;
  })) << d->log();
  EXPECT_EQ(field(recordOf(c.request("GET beat")), "state"), "UP");

  ASSERT_EQ(::unlink((disk_ + "/filler").c_str()), 0);  // space again
  r = c.request("SET www FAIL " + big);
  ASSERT_EQ(r.rfind("OK CHANGE ", 0), 0u) << r;
  std::string failSerial = words(r)[2];
  // The watcher hears of the stored change and of the expiry, retried once it could be
  // written, and of no change that was answered ERR STORAGE.
  bool stored = false, expired = false;
  std::vector<std::string> seen;
  ASSERT_TRUE(watcher.readUntil([&](const std::string& l) {
    seen.push_back(l);
    stored = stored || l.rfind("CHANGE " + failSerial + " ", 0) == 0;
    auto w = words(l);
    expired = expired || (w.size() == 3 && w[0] == "CHANGE" && field(w[2], "note") == "ttl expired");
    return stored && expired;
  })) << "stored change streamed: " << stored << ", expiry streamed: " << expired;
  for (const auto& l : seen) {
    auto w = words(l);
    ASSERT_GE(w.size(), 3u) << l;
    EXPECT_NE(w[0], "DELETE") << "a failed DEL was streamed: " << l;
    for (const auto& f : failed) EXPECT_NE(w[1], f) << "streamed but not stored: " << l.substr(0, 120);
  }

  d->kill9();
  d = startFaild(state);
  LineClient c2(d->address());
  rec = recordOf(c2.request("GET www"));
  EXPECT_EQ(field(rec, "state"), "FAIL");
  EXPECT_EQ(field(rec, "serial"), failSerial);
  EXPECT_EQ(field(rec, "note"), std::string(3000, 'n'));
  EXPECT_EQ(field(recordOf(c2.request("GET beat")), "state"), "UNKNOWN");
  EXPECT_EQ(d->log().find("damaged"), std::string::npos) << d->log();
}

// Issue 10: `ttl=200000000d` overflowed and the record expired at once. The protocol and
// failc refuse a ttl above 3650d naming the bound; hc clamps its ttl (three intervals)
// to it; a ttl of exactly 3650d does not expire.
TEST_F(FaildDurabilityTest, TtlsAreBoundedEverywhere) {
  auto d = startFaild(dir.file("faild.state"));
  LineClient c(d->address()), watcher(d->address());
  ASSERT_EQ(watcher.request("WATCH").rfind("OK WATCH ", 0), 0u);
  std::string r = c.request("SET long UP ttl=200000000d");
  EXPECT_EQ(r.rfind("ERR ARGS ", 0), 0u) << r;
  EXPECT_NE(r.find("3650d"), std::string::npos) << r;
  EXPECT_EQ(c.request("SET long UP ttl=3650d").rfind("OK CHANGE ", 0), 0u);
  RunResult f = runProgram("failc/failc", {"-p", std::to_string(d->port()), "set", "viafailc",
                                           "UP", "--ttl", "200000000d"});
  EXPECT_EQ(f.status, 2) << f.err;
  EXPECT_NE(f.err.find("longer than 3650d"), std::string::npos) << f.err;
  writeFile(dir.file("Hcfile"), "report " + d->address() + "\ncheck web1 tcp -host 127.0.0.1 -port " +
                                    std::to_string(d->port()) + " -interval 200000000d\n");
  RunResult t = runProgram("hc/hc", {"-t", "-f", dir.file("Hcfile")});
  EXPECT_EQ(t.status, 1) << t.err;
  EXPECT_NE(t.err.find("is longer than 3650d"), std::string::npos) << t.err;
  // The longest interval: three of them as ttl is clamped to 3650d.
  writeFile(dir.file("Hcfile"), "report " + d->address() + "\ncheck web1 tcp -host 127.0.0.1 -port " +
                                    std::to_string(d->port()) + " -interval 3650d\n");
  Daemon hc("hc/hc", {"-f", dir.file("Hcfile"), "--monitor", "none"}, dir, "hc");
  ASSERT_TRUE(hc.start()) << hc.log();
  ASSERT_TRUE(eventually([&] {
    return field(recordOf(c.request("GET web1")), "state") == "UP";
  })) << hc.log();
  EXPECT_EQ(field(recordOf(c.request("GET web1")), "ttl"), "3650d");
  // A record with a 1 s ttl expires; by then the long ones would have too.
  ASSERT_EQ(c.request("SET marker UP ttl=1s").rfind("OK CHANGE ", 0), 0u);
  ASSERT_TRUE(watcher.readUntil([](const std::string& l) {
    auto w = words(l);
    return w.size() == 3 && w[0] == "CHANGE" && field(w[2], "name") == "marker" &&
           field(w[2], "state") == "UNKNOWN";
  }));
  EXPECT_EQ(field(recordOf(c.request("GET long")), "state"), "UP");
  EXPECT_EQ(field(recordOf(c.request("GET web1")), "state"), "UP");
  EXPECT_EQ(c.request("GET viafailc").rfind("ERR NOTFOUND", 0), 0u);
}

// Issue 10: a damaged .serial file (near 2^64) made serials wrap without a word. faild
// refuses to start, says why and what to do, and leaves the files alone.
TEST_F(FaildDurabilityTest, AHighWaterMarkAbove2To63IsRefused) {
  std::string state = dir.file("faild.state");
  {
    auto d = startFaild(state);
    LineClient c(d->address());
    ASSERT_EQ(c.request("SET www UP").rfind("OK CHANGE ", 0), 0u);
    d->kill9();
  }
  writeFile(state + ".serial", "18446744073709551000\n");
  std::string before = readFile(state);
  Daemon d("faild/faild", {"-s", state, "--listen", "127.0.0.1:0"}, dir, "faild" + std::to_string(++n_));
  EXPECT_FALSE(d.start()) << "faild started";
  std::string log = d.log();
  EXPECT_NE(log.find("high-water mark 18446744073709551000 is above 9223372036854775808 (2^63)"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("write in it the highest serial"), std::string::npos) << log;
  EXPECT_EQ(readFile(state), before);
  EXPECT_EQ(readFile(state + ".serial"), "18446744073709551000\n");
}

// Issue 10: recovery accepted a record named `../x y` (valid checksum) that no request
// could ever delete. It is logged once, moved aside with the damaged file, and the rest
// is served.
TEST_F(FaildDurabilityTest, ARecordNameTheProtocolRejectsIsMovedAside) {
  std::string state = dir.file("faild.state");
  state::Record good, bad;
  good.name = "www";
  good.state = bad.state = state::State::Up;
  good.serial = 1;
  bad.name = "../x y";
  bad.serial = 2;
  std::string f;
  state::format::appendHeader(f, 2);
  state::format::appendRecordEntry(f, *state::Version::make(good));
  state::format::appendRecordEntry(f, *state::Version::make(bad));
  writeFile(state, f);
  writeFile(state + ".serial", "100\n");
  auto d = startFaild(state);
  LineClient c(d->address());
  auto w = words(c.request("LIST"));
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(field(w[2], "name"), "www");
  std::string log = d->log();
  size_t at = log.find("a record name the protocol rejects ('../x y')");
  ASSERT_NE(at, std::string::npos) << log;
  EXPECT_EQ(log.find("a record name the protocol rejects", at + 1), std::string::npos) << log;
  bool kept = false;
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    if (e.path().filename().string().rfind("faild.state.damaged-", 0) == 0)
      kept = readFile(e.path().string()) == f;
  EXPECT_TRUE(kept) << "the file holding the rejected record was not kept aside";
  d->kill9();
  d = startFaild(state);  // once: it is not found again
  EXPECT_EQ(d->log().find("protocol rejects"), std::string::npos) << d->log();
  EXPECT_EQ(words(LineClient(d->address()).request("LIST")).size(), 3u);
}

// A clean stop (SIGTERM) after many changes leaves a compacted file: the header, the
// changes held for WATCH since= (--history) and one R line per record; after the restart
// every record is as it was and a watcher resumes with since= exactly.
TEST_F(FaildDurabilityTest, ACleanStopLeavesACompactedFile) {
  std::string state = dir.file("faild.state");
  auto d = std::make_unique<Daemon>(
      "faild/faild",
      std::vector<std::string>{"-s", state, "--listen", "127.0.0.1:0", "--history", "20"}, dir,
      "faild" + std::to_string(++n_));
  ASSERT_TRUE(d->start()) << d->log();
  LineClient c(d->address());
  ASSERT_TRUE(c.connected());
  std::vector<std::string> serials;
  for (int round = 0; round < 30; ++round)
    for (int i = 0; i < 10; ++i) {
      std::string r = c.request("SET svc" + std::to_string(i) + (round % 2 ? " UP" : " FAIL") +
                                " note=round" + std::to_string(round));
      ASSERT_EQ(r.rfind("OK CHANGE ", 0), 0u) << r;
      serials.push_back(words(r)[2]);
    }
  std::string r = c.request("DEL svc9");
  ASSERT_EQ(r.rfind("OK", 0), 0u) << r;
  off_t grown = sizeOf(state);
  d->signal(SIGTERM);
  EXPECT_EQ(d->wait(), 0) << d->log();
  EXPECT_NE(d->log().find("on stop: 9 records"), std::string::npos) << d->log();

  std::string file = readFile(state);
  EXPECT_LT(static_cast<off_t>(file.size()), grown);
  state::format::Contents contents = state::format::parse(file, state);
  EXPECT_TRUE(contents.problems.empty()) << contents.problems[0];
  EXPECT_EQ(contents.changes.size(), 20u) << "the history, no more";
  EXPECT_EQ(contents.records.size(), 9u);

  d = startFaild(state);
  LineClient c2(d->address());
  EXPECT_EQ(field(recordOf(c2.request("GET svc0")), "note"), "round29");
  EXPECT_EQ(field(recordOf(c2.request("GET svc0")), "state"), "UP");
  EXPECT_EQ(c2.request("GET svc9").rfind("ERR", 0), 0u);
  EXPECT_EQ(d->log().find("damaged"), std::string::npos) << d->log();
  // A watcher that had seen all but the last 5 SETs and the DEL gets exactly those.
  LineClient w(d->address());
  std::string ok = w.request("WATCH svc* since=" + serials[serials.size() - 6]);
  ASSERT_EQ(ok.rfind("OK WATCH", 0), 0u) << ok;
  for (size_t k = serials.size() - 5; k < serials.size(); ++k) {
    auto line = w.readLine();
    ASSERT_TRUE(line);
    EXPECT_EQ(words(*line)[0], "CHANGE") << *line;
    EXPECT_EQ(words(*line)[1], serials[k]) << *line;
  }
  auto del = w.readLine();
  ASSERT_TRUE(del);
  EXPECT_EQ(words(*del)[0], "DELETE") << *del;
  auto synced = w.readLine();
  ASSERT_TRUE(synced);
  EXPECT_EQ(words(*synced)[0], "SYNCED") << *synced;
}

}  // namespace
}  // namespace fail::test
