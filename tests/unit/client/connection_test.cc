// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The client against a canned in-test server (fake_server.hh): connection, session,
// and failc / failstat / faildebug end to end. No daemon needed.
#include "client/connection.hh"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "client/commands.hh"
#include "client/debug.hh"
#include "client/session.hh"
#include "client/status.hh"
#include "fake_server.hh"
#include "proto/list.hh"
#include "state/record.hh"

namespace fail::client {
namespace {

using test::FakeServer;

Target local(const std::string& port) {
  Target t;
  t.port = port;
  return t;
}

// A port nobody listens on: bound, then closed.
std::string deadPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  socklen_t len = sizeof sa;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  ::close(fd);
  return std::to_string(ntohs(sa.sin_port));
}

std::string recordWord(const char* name, state::State s, std::uint64_t serial,
                       const char* note = "") {
  state::Record r;
  r.name = name;
  r.state = s;
  r.serial = serial;
  r.since = 1763784000000000;
  r.origin = "failc@127.0.0.1";
  r.note = note;
  return proto::encodeWord(state::encodeRecord(r));
}

struct Outcome {
  int rc = -1;
  std::string out, err;
};

Outcome run(const Program& program, int (*fn)(const ParsedArgs&, std::ostream&, std::ostream&),
            std::vector<std::string> words, const char* env = nullptr) {
  words.insert(words.begin(), program.name);
  std::vector<char*> argv;
  for (auto& s : words) argv.push_back(s.data());
  argv.push_back(nullptr);
  ParsedArgs a;
  Outcome r;
  if (!parseArgs(program, static_cast<int>(words.size()), argv.data(), a, r.err, env)) {
    r.rc = 2;
    return r;
  }
  std::ostringstream out, err;
  r.rc = fn(a, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

TEST(ClientConnection, ReadsLongLinesAndDropsCr) {
  std::string big(1 << 20, 'x');
  FakeServer server([&](const std::string&) -> std::vector<std::string> {
    return {"OK " + big, "OK crlf\r", "<close>"};
  });
  Connection c;
  std::string err, line;
  ASSERT_TRUE(c.open(local(server.port()), {}, 2000, err)) << err;
  ASSERT_TRUE(c.sendLine("PING", 2000, err)) << err;
  ASSERT_EQ(c.readLine(line, 2000, err), IoStatus::Ok) << err;
  EXPECT_EQ(line.size(), big.size() + 3);
  ASSERT_EQ(c.readLine(line, 2000, err), IoStatus::Ok) << err;
  EXPECT_EQ(line, "OK crlf");
  EXPECT_EQ(c.readLine(line, 2000, err), IoStatus::Closed);
}

TEST(ClientConnection, TimesOutWaitingForAReply) {
  FakeServer server([](const std::string&) { return std::vector<std::string>{}; });
  Connection c;
  std::string err, line;
  ASSERT_TRUE(c.open(local(server.port()), {}, 2000, err)) << err;
  ASSERT_TRUE(c.sendLine("PING", 2000, err));
  EXPECT_EQ(c.readLine(line, 50, err), IoStatus::Timeout);
  EXPECT_EQ(err, "timed out after 50ms waiting for a reply");
}

TEST(ClientConnection, Refused) {
  Connection c;
  std::string err;
  EXPECT_FALSE(c.open(local(deadPort()), {}, 2000, err));
  EXPECT_EQ(err, "Connection refused");
  EXPECT_FALSE(c.isOpen());
}

TEST(ClientConnection, UnixSocket) {
  std::string path = ::testing::TempDir() + "client_unix_test.sock";
  FakeServer server(path, FakeServer::canned({{"PING", {"OK PONG"}}}));
  Target t;
  t.kind = Target::Kind::Unix;
  t.path = path;
  Connection c;
  std::string err, line;
  ASSERT_TRUE(c.open(t, {}, 2000, err)) << err;
  ASSERT_TRUE(c.sendLine("PING", 2000, err));
  ASSERT_EQ(c.readLine(line, 2000, err), IoStatus::Ok);
  EXPECT_EQ(line, "OK PONG");
  ::unlink(path.c_str());
}

TEST(ClientSession, HelloThenAuthWithTheSecret) {
  FakeServer server(FakeServer::canned({{"AUTH", {"OK rw hc-fra"}}, {"PING", {"OK PONG"}}}));
  Outcome r = run(kFailc, runFailc, {"-p", server.port(), "ping"}, "s3cr$t [x]");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "PONG from 127.0.0.1:" + server.port() + " (faild 0.1.0)\n");
  auto reqs = server.requests();
  ASSERT_GE(reqs.size(), 3u);
  EXPECT_EQ(reqs[0], "HELLO failc 0.1.0");
  EXPECT_EQ(reqs[1], "AUTH s3cr\\$t\\ \\[x\\]");
  EXPECT_EQ(reqs[2], "PING");
}

TEST(ClientSession, DeniedAndNeedAuthExitThree) {
  FakeServer denied(FakeServer::canned({{"AUTH", {"ERR DENIED wrong secret"}}}));
  Outcome r = run(kFailc, runFailc, {"-p", denied.port(), "-s", "nope", "get", "www"});
  EXPECT_EQ(r.rc, 3);
  EXPECT_EQ(r.err, "failc: AUTH at 127.0.0.1:" + denied.port() + ": DENIED: wrong secret\n");
  FakeServer needs(FakeServer::canned({{"GET", {"ERR NEEDAUTH authenticate first"}}}));
  r = run(kFailc, runFailc, {"-p", needs.port(), "get", "www"});
  EXPECT_EQ(r.rc, 3);
  EXPECT_NE(r.err.find("NEEDAUTH"), std::string::npos);
}

TEST(ClientSession, ToleratesAServerWithoutHello) {
  FakeServer server([](const std::string& req) -> std::vector<std::string> {
    if (req.rfind("HELLO", 0) == 0) return {"ERR UNKNOWN no HELLO here"};
    return {"OK PONG"};
  });
  Outcome r = run(kFailc, runFailc, {"-p", server.port(), "ping"});
  EXPECT_EQ(r.rc, 0) << r.err;
}

TEST(ClientRun, FailcExitCodes) {
  FakeServer server(FakeServer::canned({{"GET", {"ERR NOTFOUND no record 'www'"}},
                                        {"DEL", {"ERR STORAGE disk full"}},
                                        {"SET", {"OK CHANGE 42"}}}));
  std::string where = "127.0.0.1:" + server.port();
  Outcome r = run(kFailc, runFailc, {"-p", server.port(), "get", "www"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "failc: get www at " + where + ": NOTFOUND: no record 'www'\n");
  r = run(kFailc, runFailc, {"-p", server.port(), "del", "www"});
  EXPECT_EQ(r.rc, 5);
  r = run(kFailc, runFailc, {"-p", server.port(), "set", "www", "FAIL"});
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.out, "");
  r = run(kFailc, runFailc, {"-p", server.port(), "set", "www", "FAIL", "-v"});
  EXPECT_EQ(r.out, "change serial 42\n");
  r = run(kFailc, runFailc, {"-p", server.port(), "set", "www", "FAIL", "--json"});
  EXPECT_EQ(r.out, "{\"result\":\"change\",\"serial\":42}\n");
  r = run(kFailc, runFailc, {"-p", server.port(), "set", "www", "DOWN"});
  EXPECT_EQ(r.rc, 2);
  r = run(kFailc, runFailc, {"-p", deadPort(), "ping"});
  EXPECT_EQ(r.rc, 4);
  EXPECT_NE(r.err.find("failc: cannot connect to 127.0.0.1:"), std::string::npos);
  EXPECT_NE(r.err.find(": Connection refused"), std::string::npos);
}

TEST(ClientRun, FailcGetAndList) {
  FakeServer server(
      FakeServer::canned({{"GET", {"OK " + recordWord("www", state::State::Fail, 42, "HTTP 503")}},
                          {"LIST",
                           {"OK 43 " + recordWord("db", state::State::Up, 40) + " " +
                            recordWord("www", state::State::Fail, 42, "HTTP 503")}}}));
  Outcome r = run(kFailc, runFailc, {"-p", server.port(), "get", "www"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out.rfind("www FAIL since ", 0), 0u);
  EXPECT_NE(r.out.find(" serial 42 origin failc@127.0.0.1 note \"HTTP 503\"\n"), std::string::npos);
  r = run(kFailc, runFailc, {"-p", server.port(), "list", "--json"});
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["serial"], 43);
  ASSERT_EQ(j["records"].size(), 2u);
  EXPECT_EQ(j["records"][1]["note"], "HTTP 503");
  r = run(kFailc, runFailc, {"-p", server.port(), "list"});
  EXPECT_EQ(r.out.rfind("NAME  STATE  SINCE", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\nwww   FAIL   "), std::string::npos) << r.out;
}

TEST(ClientRun, FailcMalformedReplyExitsFive) {
  FakeServer server(FakeServer::canned({{"GET", {"OK {name www state SIDEWAYS}"}}}));
  Outcome r = run(kFailc, runFailc, {"-p", server.port(), "get", "www"});
  EXPECT_EQ(r.rc, 5);
  EXPECT_NE(r.err.find("malformed reply"), std::string::npos);
}

TEST(ClientRun, WatchPrintsEventsAndExitsFourWhenClosed) {
  FakeServer server(FakeServer::canned(
      {{"WATCH",
        {"OK WATCH 7", "RECORD " + recordWord("www", state::State::Up, 5), "SYNCED 7",
         "CHANGE 8 " + recordWord("www", state::State::Fail, 8, "HTTP 503"),
         "DELETE 9 www 1763784000000000", "<close>"}}}));
  Outcome r = run(kFailc, runFailc, {"-p", server.port(), "watch", "w*"});
  EXPECT_EQ(r.rc, 4);
  std::string t = formatLocalTime(1763784000000000);
  EXPECT_EQ(r.out, t + " 5 www UP\n" + t + " 8 www UP->FAIL \"HTTP 503\"\n" + t +
                       " 9 www FAIL->deleted\n");
  EXPECT_EQ(r.err,
            "failc: connection to 127.0.0.1:" + server.port() + " lost: closed by the server\n");
  EXPECT_EQ(server.requests().back(), "WATCH w*");
}

TEST(ClientRun, WatchSinceGoneRelists) {
  FakeServer server([](const std::string& req) -> std::vector<std::string> {
    if (req.rfind("HELLO", 0) == 0) return {"OK faild 0.1.0 proto 1 auth none"};
    if (req == "WATCH since=99") return {"ERR GONE changes after 99 are not held"};
    if (req == "WATCH") return {"OK WATCH 3", "SYNCED 3", "ERR SLOW too far behind", "<close>"};
    return {"ERR ARGS unexpected " + req};
  });
  Outcome r = run(kFailc, runFailc, {"-p", server.port(), "watch", "--since", "99", "--json"});
  EXPECT_EQ(r.rc, 5);
  EXPECT_NE(r.err.find("GONE: changes after 99 are not held; listing afresh"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("watch at 127.0.0.1:" + server.port() + ": SLOW: too far behind"),
            std::string::npos);
  EXPECT_EQ(r.out, "{\"event\":\"relist\"}\n{\"event\":\"synced\",\"serial\":3}\n");
  r = run(kFailc, runFailc, {"-p", server.port(), "watch", "--since", "x"});
  EXPECT_EQ(r.rc, 2);
}

TEST(ClientRun, FailstatSeveralTargets) {
  FakeServer a(FakeServer::canned({{"LIST", {"OK 3 " + recordWord("www", state::State::Up, 3)}}}));
  FakeServer b(FakeServer::canned({{"LIST", {"OK 0"}}}));
  std::string dead = "127.0.0.1:" + deadPort();
  Outcome r = run(kFailstat, runFailstat,
                  {"127.0.0.1:" + a.port(), "127.0.0.1:" + b.port(), dead, "-m", "w*"});
  EXPECT_EQ(r.rc, 4);
  EXPECT_EQ(r.out.rfind("TARGET ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("127.0.0.1:" + a.port() + "  www "), std::string::npos) << r.out;
  EXPECT_EQ(r.err, "failstat: cannot connect to " + dead + ": Connection refused\n");
  EXPECT_EQ(a.requests()[1], "LIST w*");
  r = run(kFailstat, runFailstat, {"-p", a.port(), "--json"});
  EXPECT_EQ(r.rc, 0);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["targets"][0]["records"][0]["name"], "www");
  r = run(kFailstat, runFailstat, {"-h", "203.0.113.9", "127.0.0.1"});
  EXPECT_EQ(r.rc, 2);
}

TEST(ClientRun, FaildebugShowsAndSets) {
  FakeServer server([](const std::string& req) -> std::vector<std::string> {
    if (req.rfind("HELLO", 0) == 0) return {"OK faild 0.1.0 proto 1 auth none"};
    if (req == "DEBUG") return {"OK main notice store info"};
    if (req == "DEBUG store debug") return {"OK store debug"};
    if (req == "DEBUG main info") return {"OK main info"};
    if (req == "DEBUG all err") return {"OK all err"};
    if (req == "QUIT") return {"OK BYE", "<close>"};
    return {"ERR ARGS unexpected " + req};
  });
  Outcome r = run(kFaildebug, runFaildebug, {"-p", server.port()});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "FACILITY  LEVEL\nmain      notice\nstore     info\n");
  r = run(kFaildebug, runFaildebug, {"-p", server.port(), "store", "debug"});
  EXPECT_EQ(r.out, "FACILITY  LEVEL\nstore     debug\n");
  r = run(kFaildebug, runFaildebug, {"-p", server.port(), "main", "+", "--json"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "{\"main\":\"info\"}\n");
  r = run(kFaildebug, runFaildebug, {"-p", server.port(), "all", "err"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "FACILITY  LEVEL\nmain      notice\nstore     info\n");  // DEBUG after
  r = run(kFaildebug, runFaildebug, {"-p", server.port(), "store"});
  EXPECT_EQ(r.out, "FACILITY  LEVEL\nstore     info\n");
  r = run(kFaildebug, runFaildebug, {"-p", server.port(), "nosuch"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("known: main store"), std::string::npos);
  r = run(kFaildebug, runFaildebug, {"-p", server.port(), "store", "loud"});
  EXPECT_EQ(r.rc, 2);
}

}  // namespace
}  // namespace fail::client
