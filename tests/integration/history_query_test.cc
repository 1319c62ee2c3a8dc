// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// HISTORY and REPORT against a real faild (doc/protocol.md, "HISTORY and REPORT"), on the
// protocol and through failc history and failc report: the changes as made, availability
// against known timings (at= places them), the CSV read back with python3's csv module,
// a read-only grant's view, replies in request order, and ERR UNAVAILABLE without history.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "base/time.hh"
#include "harness.hh"

namespace fail::test {
namespace {

constexpr Micros kMin = 60'000'000;

// A CSV file as python3's csv module reads it: a list of objects by the header row.
nlohmann::json readCsv(const std::string& path) {
  RunResult py = runProgram("/usr/bin/python3", {"-c",
                                                 "import csv, json, sys\n"
                                                 "with open(sys.argv[1], newline='') as f:\n"
                                                 "    print(json.dumps(list(csv.DictReader(f))))\n",
                                                 path});
  EXPECT_EQ(py.status, 0) << py.err;
  return py.status == 0 ? nlohmann::json::parse(py.out) : nlohmann::json::array();
}

class HistoryQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    writeFile(dir.file("access"), "* writer RW admin\nwww* webreader RO web\n");
  }
  void TearDown() override {
    if (HasFailure() && d) std::cerr << "--- faild log:\n" << d->log();
  }
  void start(std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"-s", dir.file("faild.state"), "-c", dir.file("access"),
                                     "--listen", "127.0.0.1:0"};
    args.insert(args.end(), more.begin(), more.end());
    d = std::make_unique<Daemon>("faild/faild", args, dir, "faild");
    ASSERT_TRUE(d->start()) << d->log();
    port = std::to_string(d->port());
  }
  RunResult failc(std::vector<std::string> args, const std::string& secret = "writer") {
    args.insert(args.begin(), {"-p", port});
    return runProgram("failc/failc", args, {"FAIL_SECRET=" + secret});
  }
  // A client that has AUTHenticated with `secret`.
  std::unique_ptr<LineClient> client(const std::string& secret = "writer") {
    auto c = std::make_unique<LineClient>(d->address());
    EXPECT_EQ(c->request("AUTH " + secret).rfind("OK", 0), 0u);
    return c;
  }
  // Waits until the history holds `n` changes (it is written within ~50 ms of a change).
  bool historyHolds(size_t n) {
    auto c = client();
    return eventually([&] { return words(c->request("HISTORY * limit=10000")).size() == n + 2; });
  }
  TempDir dir;
  std::unique_ptr<Daemon> d;
  std::string port;
};

TEST_F(HistoryQueryTest, ChangesWithANoteAndADeletion) {
  start();
  ASSERT_EQ(failc({"set", "www", "UP", "--note", "fine"}).status, 0);
  ASSERT_EQ(failc({"set", "www", "FAIL", "--note", "HTTP 503", "--attr", "latency=12ms"}).status, 0);
  ASSERT_EQ(failc({"set", "db", "UP"}).status, 0);
  ASSERT_EQ(failc({"set", "www", "FAIL", "--note", "HTTP 503"}).status, 0);  // a refresh: not history
  ASSERT_EQ(failc({"del", "db"}).status, 0);
  ASSERT_TRUE(historyHolds(4));

  RunResult r = failc({"--json", "history", "*"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["changes"].size(), 4u) << r.out;
  EXPECT_EQ(j["more"], false);
  const auto& c = j["changes"];
  EXPECT_EQ(c[0]["name"], "www");
  EXPECT_EQ(c[0]["state"], "UP");
  EXPECT_EQ(c[0]["prev"], "");
  EXPECT_EQ(c[0]["note"], "fine");
  EXPECT_EQ(c[0]["origin"], "admin");
  EXPECT_EQ(c[1]["state"], "FAIL");
  EXPECT_EQ(c[1]["prev"], "UP");
  EXPECT_EQ(c[1]["note"], "HTTP 503");
  EXPECT_EQ(c[1]["attrs"]["latency"], "12ms");
  EXPECT_EQ(c[2]["name"], "db");
  EXPECT_EQ(c[3]["name"], "db");
  EXPECT_EQ(c[3]["state"], "DELETED");
  EXPECT_EQ(c[3]["prev"], "UP");
  for (size_t i = 1; i < 4; ++i) EXPECT_GT(c[i]["serial"], c[i - 1]["serial"]);
  EXPECT_EQ(c[1]["since_iso"].get<std::string>().size(), 27u);

  // The table, one pattern, the newest only.
  r = failc({"history", "www"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("\"HTTP 503\""), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("db"), std::string::npos) << r.out;
  r = failc({"--json", "history", "*", "--limit", "1"});
  j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["changes"].size(), 1u);
  EXPECT_EQ(j["changes"][0]["state"], "DELETED");
  EXPECT_EQ(j["more"], true);
  r = failc({"history", "*", "--limit", "1"});
  EXPECT_NE(r.err.find("older changes were left out"), std::string::npos) << r.err;

  // On the wire: OK MORE, then change dicts; a window that holds nothing.
  auto l = client();
  std::vector<std::string> w = words(l->request("HISTORY * limit=2"));
  ASSERT_EQ(w.size(), 4u);
  EXPECT_EQ(w[1], "MORE");
  EXPECT_EQ(field(w[2], "state"), "UP");  // db's two
  EXPECT_EQ(field(w[3], "state"), "DELETED");
  EXPECT_EQ(field(w[3], "name"), "db");
  EXPECT_EQ(l->request("HISTORY * until=1000"), "OK ALL");
  EXPECT_EQ(l->request("HISTORY * since=1h until=2h").rfind("ERR ARGS", 0), 0u);
  EXPECT_EQ(l->request("HISTORY * limit=10001").rfind("ERR ARGS", 0), 0u);
  // The far ends of time: a window clipped to what can be counted, not an overflow.
  std::vector<std::string> far = words(l->request("REPORT * since=0 until=9223372036854775807"));
  ASSERT_GE(far.size(), 3u);
  EXPECT_EQ(far[1], "0");
  EXPECT_EQ(far[2], std::to_string(Micros{1} << 62));
  EXPECT_EQ(l->request("REPORT * since=9223372036854775806 until=9223372036854775807").rfind("ERR ARGS", 0), 0u);
}

TEST_F(HistoryQueryTest, ReportAgainstKnownTimingsAndItsCsv) {
  start();
  // www over a window of three hours from t0: UP 1 h, FAIL 30 min, UP 30 min, UNKNOWN
  // 30 min (still the same outage? no: it came back UP before), UP 30 min.
  Micros t0 = (wallNow() / 1'000'000 - 5 * 3600) * 1'000'000;
  auto at = [&](Micros m) { return std::to_string(t0 + m * kMin); };
  ASSERT_EQ(failc({"set", "www", "UP", "--at", at(0)}).status, 0);
  ASSERT_EQ(failc({"set", "www", "FAIL", "--at", at(60)}).status, 0);
  ASSERT_EQ(failc({"set", "www", "UP", "--at", at(90)}).status, 0);
  ASSERT_EQ(failc({"set", "www", "UNKNOWN", "--at", at(120)}).status, 0);
  ASSERT_EQ(failc({"set", "www", "UP", "--at", at(150)}).status, 0);
  ASSERT_TRUE(historyHolds(5));

  RunResult r = failc({"--json", "report", "www", "--since", at(0), "--until", at(180)});
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["records"].size(), 1u) << r.out;
  const auto& a = j["records"][0];
  EXPECT_EQ(j["from"], t0);
  EXPECT_DOUBLE_EQ(a["up_percent"].get<double>(), 80.0);  // 2 h up, 30 min down
  EXPECT_DOUBLE_EQ(a["unknown_percent"].get<double>(), 100.0 / 6);  // 30 min of 3 h
  EXPECT_EQ(a["up_ms"], 120 * 60'000);
  EXPECT_EQ(a["down_ms"], 30 * 60'000);
  EXPECT_EQ(a["unknown_ms"], 30 * 60'000);
  EXPECT_EQ(a["absent_ms"], 0);
  EXPECT_EQ(a["outages"], 1);
  EXPECT_EQ(a["longest"], "30m");
  EXPECT_EQ(a["recoveries"], 1);
  EXPECT_EQ(a["mttr"], "30m");

  // The CSV, read back with python3's csv module.
  r = failc({"report", "www", "--csv", "--since", at(0), "--until", at(180)});
  ASSERT_EQ(r.status, 0) << r.err;
  writeFile(dir.file("report.csv"), r.out);
  auto rows = readCsv(dir.file("report.csv"));
  ASSERT_EQ(rows.size(), 1u) << rows;
  EXPECT_EQ(rows[0]["name"], "www");
  EXPECT_EQ(rows[0]["up_percent"], "80.000");
  EXPECT_EQ(rows[0]["unknown_percent"], "16.667");
  EXPECT_EQ(rows[0]["outages"], "1");
  EXPECT_EQ(rows[0]["mttr_ms"], "1800000");

  // History as CSV too: a note with a comma and quotes comes back whole.
  ASSERT_EQ(failc({"set", "www", "FAIL", "--note", "HTTP 503, \"bad gateway\""}).status, 0);
  ASSERT_TRUE(historyHolds(6));
  r = failc({"history", "www", "--csv"});
  writeFile(dir.file("history.csv"), r.out);
  rows = readCsv(dir.file("history.csv"));
  ASSERT_EQ(rows.size(), 6u) << rows;
  EXPECT_EQ(rows[5]["note"], "HTTP 503, \"bad gateway\"");
  EXPECT_EQ(rows[5]["prev"], "UP");
  EXPECT_EQ(rows[0]["since"], at(0));

  // The table.
  r = failc({"report", "*", "--since", at(0), "--until", at(180)});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("80.000"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("30m"), std::string::npos) << r.out;
}

TEST_F(HistoryQueryTest, AReadOnlyGrantSeesOnlyItsRecords) {
  start();
  for (const char* name : {"www1", "db", "www2", "db"})
    ASSERT_EQ(failc({"set", name, std::string(name) == "db" ? "FAIL" : "UP"}).status, 0);
  ASSERT_EQ(failc({"set", "db", "UP"}).status, 0);
  ASSERT_TRUE(historyHolds(4));
  auto ro = client("webreader");
  std::vector<std::string> w = words(ro->request("HISTORY *"));
  ASSERT_EQ(w.size(), 4u) << ro->request("HISTORY *");
  EXPECT_EQ(field(w[2], "name"), "www1");
  EXPECT_EQ(field(w[3], "name"), "www2");
  // The filter comes before the limit: the newest change it may read, not db's.
  w = words(ro->request("HISTORY * limit=1"));
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[1], "MORE");
  EXPECT_EQ(field(w[2], "name"), "www2");
  w = words(ro->request("REPORT * since=1h"));
  ASSERT_EQ(w.size(), 5u);  // OK FROM TO www1 www2
  EXPECT_EQ(field(w[3], "name"), "www1");
  EXPECT_EQ(field(w[4], "name"), "www2");
  RunResult r = failc({"--json", "history", "db"}, "webreader");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["changes"].size(), 0u) << r.out;
  // Without AUTH: nothing.
  LineClient anon(d->address());
  EXPECT_EQ(anon.request("HISTORY *").rfind("ERR NEEDAUTH", 0), 0u);
}

TEST_F(HistoryQueryTest, RepliesKeepTheOrderOfTheRequests) {
  start();
  ASSERT_EQ(failc({"set", "www", "UP"}).status, 0);
  ASSERT_TRUE(historyHolds(1));
  auto c = client();
  c->sendRaw("HISTORY *\nPING\nSET www FAIL\nREPORT *\nHISTORY * limit=1\nGET www\nSTATS\n");
  auto line = [&] { return c->readLine().value_or("(none)"); };
  EXPECT_EQ(line().rfind("OK ALL ", 0), 0u);
  EXPECT_EQ(line(), "OK PONG");
  EXPECT_EQ(line(), "OK CHANGE 2");
  EXPECT_EQ(words(line()).size(), 4u);  // OK FROM TO www
  EXPECT_EQ(line().rfind("OK ", 0), 0u);
  EXPECT_EQ(field(words(line())[1], "state"), "FAIL");
  std::string stats = line();
  std::vector<std::string> s = words(stats);
  EXPECT_NE(std::find(s.begin(), s.end(), "history_written"), s.end()) << stats;
  EXPECT_NE(std::find(s.begin(), s.end(), "history_lag_ms"), s.end()) << stats;
  EXPECT_NE(std::find(s.begin(), s.end(), "history_dropped"), s.end()) << stats;
}

TEST_F(HistoryQueryTest, UnavailableWithoutHistory) {
  for (const char* off : {"--no-history-db", "--memory"}) {
    start({off});
    auto c = client();
    std::string reply = c->request("HISTORY *");
    EXPECT_EQ(reply.rfind("ERR UNAVAILABLE ", 0), 0u) << off << ": " << reply;
    EXPECT_NE(reply.find("keeps no history"), std::string::npos) << reply;
    EXPECT_EQ(c->request("REPORT *").rfind("ERR UNAVAILABLE ", 0), 0u);
    EXPECT_EQ(c->request("PING"), "OK PONG");  // the connection stays usable
    RunResult r = failc({"report", "*"});
    EXPECT_EQ(r.status, 5) << r.out;
    EXPECT_NE(r.err.find("keeps no history"), std::string::npos) << r.err;
    std::string stats = c->request("STATS");
    EXPECT_EQ(stats.find("history_written"), std::string::npos) << stats;
    d.reset();
  }
}

TEST_F(HistoryQueryTest, AnUnreadableDatabaseIsUnavailableNotAStall) {
  start();
  ASSERT_EQ(failc({"set", "www", "UP"}).status, 0);
  // Gone before the first question opened it (the writer keeps its own open file).
  for (const char* ext : {"", "-wal", "-shm"}) std::remove((dir.file("faild.state.history") + ext).c_str());
  auto c = client();
  std::string reply = c->request("HISTORY *");
  EXPECT_EQ(reply.rfind("ERR UNAVAILABLE ", 0), 0u) << reply;
  EXPECT_NE(reply.find("cannot be read"), std::string::npos) << reply;
  EXPECT_EQ(c->request("REPORT *").rfind("ERR UNAVAILABLE ", 0), 0u);
  EXPECT_EQ(c->request("GET www").rfind("OK ", 0), 0u);
  EXPECT_TRUE(eventually([&] { return d->log().find("a history question failed") != std::string::npos; }))
      << d->log();
}

}  // namespace
}  // namespace fail::test
