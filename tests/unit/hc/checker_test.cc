// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The checker core with real tcp probes against targets on the test's loop and a real
// protocol server as faild: judged states reach faild and the local store, with the
// rise/fall counts; dependencies; location names; reloads keep unchanged checks;
// --once.
#include "hc/checker.hh"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "loop.hh"

namespace fail::hc {
namespace {

using namespace std::chrono_literals;
using state::State;
using test::Loop;
using test::MiniFaild;
using test::TcpTarget;

class CheckerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hc-checker-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
  Config config(const std::string& text) {
    std::string path = dir_ + "/Hcfile";
    std::ofstream(path) << text;
    return loadConfig(path);
  }
  CheckerOptions options() {
    CheckerOptions o;
    o.reporter.minBackoff = 10ms;
    o.reporter.maxBackoff = 100ms;
    return o;
  }
  static std::string attr(const state::Record* r, const std::string& key) {
    if (!r) return "(no record)";
    for (const auto& [k, v] : r->attrs)
      if (k == key) return v;
    return "(absent)";
  }
  static State stateIn(const MiniFaild& f, const std::string& name) {
    const state::Record* r = f.get(name);
    return r ? r->state : State::Unknown;
  }
  Loop loop;
  std::string dir_;
};

TEST_F(CheckerTest, UpFailUpWithRiseAndFallCounts) {
  TcpTarget target(loop.base());
  MiniFaild faild(loop.ev());
  Config cfg = config("report " + faild.address() + "\ncheck web1 tcp -host 127.0.0.1 -port " +
                      std::to_string(target.port()) + " -interval 100ms -rise 2 -fall 3\n");
  Checker checker(loop.ev(), std::move(cfg), options());
  checker.start();
  ASSERT_TRUE(loop.until([&] { return stateIn(faild, "web1") == State::Up; }));
  EXPECT_EQ(faild.get("web1")->ttlMs, 2000);  // three intervals, at least 2s
  EXPECT_EQ(checker.store().get("web1")->state(), State::Up);
  EXPECT_EQ(attr(faild.get("web1"), "outcome"), "ok");
  target.close();
  ASSERT_TRUE(loop.until([&] { return stateIn(faild, "web1") == State::Fail; }));
  auto ch = faild.changes();
  ASSERT_GE(ch.size(), 2u);
  EXPECT_EQ(ch.back().state, State::Fail);
  EXPECT_EQ(attr(&ch.back(), "fail_streak"), "3");  // FAIL exactly at the fall count
  EXPECT_EQ(ch.back().note, "connection refused");
  target.open();
  ASSERT_TRUE(loop.until([&] { return stateIn(faild, "web1") == State::Up; }));
  ch = faild.changes();
  EXPECT_EQ(attr(&ch.back(), "ok_streak"), "2");  // UP exactly at the rise count
  EXPECT_EQ(checker.store().get("web1")->state(), State::Up);
  std::string dump = checker.dump();
  EXPECT_NE(dump.find("check web1 kind=tcp state=UP"), std::string::npos) << dump;
  EXPECT_NE(dump.find("state=ready"), std::string::npos) << dump;
}

TEST_F(CheckerTest, DependencyFailureAndLocation) {
  TcpTarget up(loop.base()), gw(loop.base());
  gw.close();
  MiniFaild faild(loop.ev());
  Config cfg = config("location fra\nreport " + faild.address() + "\n" +
                      "check gw tcp -host 127.0.0.1 -port " + std::to_string(gw.port()) +
                      " -interval 100ms -fall 1\n" + "check web tcp -host 127.0.0.1 -port " +
                      std::to_string(up.port()) + " -interval 100ms -depends gw\n");
  Checker checker(loop.ev(), std::move(cfg), options());
  checker.start();
  ASSERT_TRUE(loop.until([&] { return stateIn(faild, "gw@fra") == State::Fail && stateIn(faild, "web@fra") == State::Fail; }));
  EXPECT_EQ(faild.get("web@fra")->note, "dependency gw failed");
  EXPECT_EQ(attr(faild.get("web@fra"), "location"), "fra");
  EXPECT_EQ(faild.get("web"), nullptr);
  gw.open();
  ASSERT_TRUE(loop.until([&] { return stateIn(faild, "web@fra") == State::Up; }));
}

TEST_F(CheckerTest, ReloadKeepsUnchangedChecksAndDropsRemovedOnes) {
  TcpTarget t(loop.base());
  MiniFaild faild(loop.ev());
  std::string port = std::to_string(t.port());
  std::string base = "report " + faild.address() + "\ncheck keep tcp -host 127.0.0.1 -port " + port +
                     " -interval 100ms\n";
  Checker checker(loop.ev(), config(base + "check gone tcp -host 127.0.0.1 -port " + port + " -interval 100ms\n"),
                  options());
  checker.start();
  ASSERT_TRUE(loop.until([&] { return stateIn(faild, "keep") == State::Up && checker.store().get("gone"); }));
  ASSERT_TRUE(loop.until([&] { return checker.store().get("keep")->state() == State::Up; }));
  std::string before = checker.dump();
  std::string err = checker.reload(config(base + "check new tcp -host 127.0.0.1 -port " + port +
                                          " -interval 100ms -rise 1\n"));
  EXPECT_EQ(err, "");
  EXPECT_EQ(checker.size(), 2u);
  EXPECT_EQ(checker.store().get("gone"), nullptr);
  // The unchanged check kept its verdict: it is UP at once, not UNKNOWN.
  EXPECT_EQ(checker.store().get("keep")->state(), State::Up);
  ASSERT_TRUE(loop.until([&] { return stateIn(faild, "new") == State::Up; }));
  // A reload that cannot be carried out changes nothing.
  Config bad = config(base);
  ReportSpec broken = bad.reports[0];
  broken.tls.enabled = true;
  broken.tls.ca = "/nonexistent/ca.pem";
  broken.target.port = "1";
  bad.reports.push_back(broken);
  err = checker.reload(std::move(bad));
  EXPECT_NE(err.find("/nonexistent/ca.pem"), std::string::npos) << err;
  EXPECT_EQ(checker.size(), 2u);
  EXPECT_NE(checker.store().get("new"), nullptr);
}

TEST_F(CheckerTest, MonitorPortServesTheLocalRecords) {
  TcpTarget t(loop.base());
  CheckerOptions o = options();
  std::string err;
  o.monitor.listens.push_back(*net::parseListen("127.0.0.1:0", err));
  Checker checker(loop.ev(), config("check a tcp -host 127.0.0.1 -port " + std::to_string(t.port()) +
                                      " -interval 100ms\n"),
                  o);
  checker.start();
  ASSERT_EQ(checker.monitorAddresses().size(), 1u);
  ASSERT_TRUE(loop.until([&] { return checker.store().get("a") && checker.store().get("a")->state() == State::Up; }));
  // Speak faild's protocol to it: HELLO names hc, LIST holds the check.
  std::string addr = checker.monitorAddresses()[0];
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(static_cast<uint16_t>(std::stoi(addr.substr(addr.rfind(':') + 1))));
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bufferevent* b = bufferevent_socket_new(loop.base(), -1, BEV_OPT_CLOSE_ON_FREE);
  ASSERT_EQ(bufferevent_socket_connect(b, reinterpret_cast<sockaddr*>(&sin), sizeof sin), 0);
  bufferevent_enable(b, EV_READ | EV_WRITE);
  bufferevent_write(b, "HELLO test\nLIST\n", 16);
  std::vector<std::string> lines;
  ASSERT_TRUE(loop.until([&] {
    while (char* l = evbuffer_readln(bufferevent_get_input(b), nullptr, EVBUFFER_EOL_LF)) {
      lines.emplace_back(l);
      std::free(l);
    }
    return lines.size() == 2;
  }));
  bufferevent_free(b);
  EXPECT_EQ(lines[0].rfind("OK hc ", 0), 0u) << lines[0];
  EXPECT_NE(lines[1].find("name\\ a\\ state\\ UP"), std::string::npos) << lines[1];
  EXPECT_EQ(checker.store().get("a")->origin(), "hc");
}

TEST_F(CheckerTest, LocalErrorKeepsTheStateAndAddsAnAttribute) {
  MiniFaild faild(loop.ev());
  std::string flag = dir_ + "/broken";
  Config cfg = config("report " + faild.address() + "\ncheck job exec -command {/bin/sh -c {test -e " + flag +
                      " && exit 3; exit 0}} -interval 100ms -rise 1 -fall 1\n");
  Checker checker(loop.ev(), std::move(cfg), options());
  checker.start();
  ASSERT_TRUE(loop.until([&] { return stateIn(faild, "job") == State::Up; }));
  std::uint64_t serial = faild.get("job")->serial;
  std::ofstream(flag) << "x";  // the plugin now says UNKNOWN (exit 3): hc's trouble, not the target's
  ASSERT_TRUE(loop.until([&] { return attr(faild.get("job"), "local_error") != "(absent)"; }));
  EXPECT_EQ(faild.get("job")->state, State::Up);
  EXPECT_EQ(faild.get("job")->serial, serial);  // a refresh, not a change
  EXPECT_EQ(attr(faild.get("job"), "outcome"), "local error");
  std::remove(flag.c_str());
  ASSERT_TRUE(loop.until([&] { return attr(faild.get("job"), "local_error") == "(absent)"; }));
  ASSERT_TRUE(checker.store().get("job"));
  state::Record local = checker.store().get("job")->record();
  EXPECT_EQ(attr(&local, "local_error"), "(absent)");
  EXPECT_EQ(faild.get("job")->state, State::Up);
}

TEST_F(CheckerTest, OnceRunsEachCheckAndPrintsIt) {
  TcpTarget t(loop.base());
  TcpTarget closed(loop.base());
  closed.close();
  Config cfg = config("check open tcp -host 127.0.0.1 -port " + std::to_string(t.port()) +
                      "\ncheck shut tcp -host 127.0.0.1 -port " + std::to_string(closed.port()) + "\n");
  std::ostringstream out;
  EXPECT_EQ(runOnce(cfg, {}, out), 1);
  std::string text = out.str();
  EXPECT_NE(text.find("open (tcp): ok in "), std::string::npos) << text;
  EXPECT_NE(text.find("shut (tcp): unreachable in "), std::string::npos) << text;
  EXPECT_NE(text.find("\"connection refused\""), std::string::npos) << text;
  std::ostringstream one;
  EXPECT_EQ(runOnce(cfg, {"open"}, one), 0);
  EXPECT_EQ(one.str().find("shut"), std::string::npos);
  EXPECT_THROW(runOnce(cfg, {"nosuch"}, one), ConfigError);
}

TEST(CleanText, KeepsUtf8AndBounds) {
  EXPECT_EQ(cleanText("HTTP 503", 100), "HTTP 503");
  EXPECT_EQ(cleanText("caf\xc3\xa9", 100), "caf\xc3\xa9");
  EXPECT_EQ(cleanText("a\xff\xfe" "b", 100), "a??b");
  EXPECT_EQ(cleanText("caf\xc3\xa9", 4), "caf");  // never half a character
  EXPECT_EQ(cleanText(std::string(5000, 'x'), 4096).size(), 4096u);
}

}  // namespace
}  // namespace fail::hc
