// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "client/commands.hh"
#include "client/connection.hh"
#include "client/debug.hh"
#include "client/format.hh"
#include "client/session.hh"
#include "client/status.hh"
#include "client/watch.hh"
#include "proto/list.hh"

namespace fail::client {
namespace {

ParsedArgs parse(std::vector<std::string> words) {
  words.insert(words.begin(), "failc");
  std::vector<char*> argv;
  for (auto& s : words) argv.push_back(s.data());
  argv.push_back(nullptr);
  ParsedArgs a;
  std::string err;
  EXPECT_TRUE(parseArgs(kFailc, static_cast<int>(words.size()), argv.data(), a, err, nullptr))
      << err;
  return a;
}

std::string request(std::vector<std::string> words, std::string* errOut = nullptr) {
  std::vector<std::string> req;
  std::string err;
  if (!buildRequest(parse(std::move(words)), req, err)) {
    if (errOut) *errOut = err;
    return "usage error: " + err;
  }
  return proto::encodeList(req);
}

TEST(FailcRequest, Set) {
  EXPECT_EQ(request({"set", "www", "fail"}), "SET www FAIL");
  EXPECT_EQ(request({"set", "www", "UP", "--ttl", "90s", "--note", "HTTP 503", "--attr",
                     "latency=12ms", "--attr", "weight="}),
            "SET www UP ttl=90s note=HTTP\\ 503 latency=12ms weight=");
  EXPECT_EQ(request({"set", "web1@fra", "Recover", "--at", "@1763784000.5"}),
            "SET web1@fra RECOVER at=1763784000500000");
  EXPECT_EQ(request({"set", "www", "UP", "--note", "a\nb"}), "SET www UP note=a\\nb");
}

TEST(FailcRequest, OthersAndOperands) {
  EXPECT_EQ(request({"get", "www"}), "GET www");
  EXPECT_EQ(request({"del", "www"}), "DEL www");
  EXPECT_EQ(request({"list"}), "LIST");
  EXPECT_EQ(request({"list", "web*"}), "LIST web*");
  EXPECT_EQ(request({"ping"}), "PING");
  EXPECT_EQ(request({"stats"}), "STATS");
  EXPECT_EQ(request({"-v", "get", "www"}), "GET www");
}

TEST(FailcRequest, UsageErrors) {
  std::string err;
  request({"set", "www"}, &err);
  EXPECT_EQ(err, "usage: failc set NAME STATE");
  request({"get"}, &err);
  EXPECT_EQ(err, "usage: failc get NAME");
  request({"ping", "extra"}, &err);
  EXPECT_EQ(err, "usage: failc ping");
  request({"frobnicate"}, &err);
  EXPECT_EQ(err, "unknown subcommand 'frobnicate'");
  request({}, &err);
  EXPECT_NE(err.find("no subcommand"), std::string::npos);
  request({"set", "w w", "UP"}, &err);
  EXPECT_NE(err.find("bad name 'w w'"), std::string::npos);
  request({"set", "www", "DOWN"}, &err);
  EXPECT_NE(err.find("bad state 'DOWN'"), std::string::npos);
  request({"set", "www", "UP", "--ttl", "soon"}, &err);
  EXPECT_NE(err.find("--ttl"), std::string::npos);
  request({"set", "www", "UP", "--attr", "novalue"}, &err);
  EXPECT_NE(err.find("bad attribute 'novalue'"), std::string::npos);
  request({"set", "www", "UP", "--attr", "ttl=3s"}, &err);
  EXPECT_NE(err.find("bad attribute"), std::string::npos);
  request({"set", "www", "UP", "--at", "yesterday"}, &err);
  EXPECT_NE(err.find("bad time 'yesterday'"), std::string::npos);
  request({"get", "www", "--note", "x"}, &err);
  EXPECT_EQ(err, "option --note does not apply to 'get'");
  request({"list", "--since", "4"}, &err);
  EXPECT_EQ(err, "option --since does not apply to 'list'");
}

TEST(FailcAtTime, Forms) {
  Micros now = 1763784000000000;
  EXPECT_EQ(parseAtTime("-5m", now), now - 300'000'000);
  EXPECT_EQ(parseAtTime("-1500ms", now), now - 1'500'000);
  EXPECT_EQ(parseAtTime("@1763784000", now), 1763784000000000);
  EXPECT_EQ(parseAtTime("@1763784000.000001", now), 1763784000000001);
  EXPECT_EQ(parseAtTime("1763784000123456", now), 1763784000123456);
  EXPECT_EQ(parseAtTime("2025-11-22T04:00:00Z", now), 1763784000000000);
  EXPECT_EQ(parseAtTime("2025-11-22 04:00Z", now), 1763784000000000);
  EXPECT_TRUE(parseAtTime("2025-11-22 04:00:00", now).has_value());  // local time
  EXPECT_FALSE(parseAtTime("1763784000", now));  // seconds: must be written @1763784000
  EXPECT_FALSE(parseAtTime("@", now));
  EXPECT_FALSE(parseAtTime("@1.", now));
  EXPECT_FALSE(parseAtTime("-", now));
  EXPECT_FALSE(parseAtTime("2025-13-45", now));
  EXPECT_FALSE(parseAtTime("", now));
}

TEST(FailcReply, Parse) {
  Reply r;
  std::string err;
  ASSERT_TRUE(parseReply("OK CHANGE 42", r, err));
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.words, (std::vector<std::string>{"CHANGE", "42"}));
  ASSERT_TRUE(parseReply("ERR NOTFOUND no record www", r, err));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.code, "NOTFOUND");
  EXPECT_EQ(r.message, "no record www");
  ASSERT_TRUE(parseReply("ERR DENIED", r, err));
  EXPECT_EQ(r.code, "DENIED");
  EXPECT_EQ(r.message, "");
  ASSERT_TRUE(parseReply("OK name\\ www\\ state\\ UP", r, err));
  EXPECT_EQ(r.words, std::vector<std::string>{"name www state UP"});
  EXPECT_FALSE(parseReply("HELLO there", r, err));
  EXPECT_FALSE(parseReply("", r, err));
  EXPECT_FALSE(parseReply("ERR", r, err));
  EXPECT_FALSE(parseReply("OK {unbalanced", r, err));
}

TEST(FailcExit, CodesMapToExitStatuses) {
  EXPECT_EQ(exitForCode("NOTFOUND"), Exit::NotFound);
  EXPECT_EQ(exitForCode("DENIED"), Exit::Denied);
  EXPECT_EQ(exitForCode("NEEDAUTH"), Exit::Denied);
  for (const char* c : {"SYNTAX", "UNKNOWN", "ARGS", "BADNAME", "BADSTATE", "TOOLONG", "BUSY",
                        "GONE", "SLOW", "STORAGE", "INTERNAL", "UNAVAILABLE", "NEWCODE"})
    EXPECT_EQ(exitForCode(c), Exit::Failed) << c;
  EXPECT_EQ(static_cast<int>(Exit::Usage), 2);
  EXPECT_EQ(static_cast<int>(Exit::Unreachable), 4);
  Reply r;
  std::string err;
  ASSERT_TRUE(parseReply("ERR NEEDAUTH authenticate first", r, err));
  Failure f = replyFailure("get www", "127.0.0.1:1847", r);
  EXPECT_EQ(f.exit, Exit::Denied);
  EXPECT_EQ(f.message.rfind("get www at 127.0.0.1:1847: NEEDAUTH: authenticate first", 0), 0u);
  EXPECT_NE(f.message.find("FAIL_SECRET"), std::string::npos);
  std::ostringstream out;
  EXPECT_EQ(report(out, "failc", f), 3);
  EXPECT_EQ(out.str().rfind("failc: get www at", 0), 0u);
}

TEST(FailcWatch, ParseLines) {
  WatchEvent ev;
  std::string err;
  state::Record r;
  r.name = "www";
  r.state = state::State::Fail;
  r.serial = 9;
  r.since = 1763784000000000;
  r.note = "HTTP 503";
  std::string dict = state::encodeRecord(r);
  ASSERT_TRUE(parseWatchLine("RECORD " + proto::encodeWord(dict), ev, err)) << err;
  EXPECT_EQ(ev.kind, WatchEvent::Kind::Record);
  EXPECT_EQ(ev.record.note, "HTTP 503");
  ASSERT_TRUE(parseWatchLine("CHANGE 9 " + proto::encodeWord(dict), ev, err)) << err;
  EXPECT_EQ(ev.kind, WatchEvent::Kind::Change);
  EXPECT_EQ(ev.serial, 9u);
  EXPECT_EQ(ev.name, "www");
  ASSERT_TRUE(parseWatchLine("SYNCED 12", ev, err));
  EXPECT_EQ(ev.kind, WatchEvent::Kind::Synced);
  EXPECT_EQ(ev.serial, 12u);
  ASSERT_TRUE(parseWatchLine("DELETE 13 www 1763784000000000", ev, err));
  EXPECT_EQ(ev.kind, WatchEvent::Kind::Delete);
  EXPECT_EQ(ev.time, 1763784000000000);
  ASSERT_TRUE(parseWatchLine("OK PONG", ev, err));
  EXPECT_EQ(ev.kind, WatchEvent::Kind::Pong);
  ASSERT_TRUE(parseWatchLine("ERR SLOW too far behind", ev, err));
  EXPECT_EQ(ev.kind, WatchEvent::Kind::Error);
  EXPECT_EQ(ev.error.code, "SLOW");
  EXPECT_FALSE(parseWatchLine("HELLO", ev, err));
  EXPECT_FALSE(parseWatchLine("SYNCED x", ev, err));
  EXPECT_FALSE(parseWatchLine("CHANGE 3 {name}", ev, err));
  EXPECT_FALSE(parseWatchLine("OK WATCH 3", ev, err));
}

WatchEvent change(const char* name, state::State s, std::uint64_t serial, const char* note = "") {
  WatchEvent ev;
  ev.kind = WatchEvent::Kind::Change;
  ev.serial = serial;
  ev.name = name;
  ev.record.name = name;
  ev.record.state = s;
  ev.record.serial = serial;
  ev.record.since = 1763784000000000;
  ev.record.note = note;
  return ev;
}

TEST(FailcWatch, TextTracksOldStates) {
  WatchPrinter p(false);
  p.startListing();
  std::string t = formatLocalTime(1763784000000000);
  WatchEvent rec = change("www", state::State::Up, 4);
  rec.kind = WatchEvent::Kind::Record;
  EXPECT_EQ(p.format(rec), t + " 4 www UP");
  WatchEvent synced;
  synced.kind = WatchEvent::Kind::Synced;
  synced.serial = 6;
  EXPECT_EQ(p.format(synced), "");
  EXPECT_EQ(p.format(change("www", state::State::Fail, 7, "HTTP 503")),
            t + " 7 www UP->FAIL \"HTTP 503\"");
  EXPECT_EQ(p.format(change("db", state::State::Recover, 8)), t + " 8 db none->RECOVER");
  WatchEvent del;
  del.kind = WatchEvent::Kind::Delete;
  del.serial = 9;
  del.name = "db";
  del.time = 1763784000000000;
  EXPECT_EQ(p.format(del), t + " 9 db RECOVER->deleted");

  WatchPrinter resumed(false);
  resumed.startResuming();
  EXPECT_EQ(resumed.format(change("www", state::State::Up, 10)), t + " 10 www ?->UP");
  EXPECT_EQ(resumed.format(change("www", state::State::Fail, 11)), t + " 11 www UP->FAIL");
}

TEST(FailcWatch, JsonEvents) {
  WatchPrinter p(true);
  p.startListing();
  WatchEvent synced;
  synced.kind = WatchEvent::Kind::Synced;
  synced.serial = 6;
  auto j = nlohmann::json::parse(p.format(synced));
  EXPECT_EQ(j["event"], "synced");
  EXPECT_EQ(j["serial"], 6);
  j = nlohmann::json::parse(p.format(change("www", state::State::Up, 7)));
  EXPECT_EQ(j["event"], "change");
  EXPECT_TRUE(j["old_state"].is_null());
  EXPECT_EQ(j["new"], true);
  EXPECT_EQ(j["record"]["state"], "UP");
  j = nlohmann::json::parse(p.format(change("www", state::State::Fail, 8)));
  EXPECT_EQ(j["old_state"], "UP");
  EXPECT_FALSE(j.contains("new"));
  WatchEvent pong;
  pong.kind = WatchEvent::Kind::Pong;
  EXPECT_EQ(p.format(pong), "");
}

TEST(ClientStatus, CombineExits) {
  EXPECT_EQ(combineExits({}), Exit::Ok);
  EXPECT_EQ(combineExits({Exit::Ok, Exit::Ok}), Exit::Ok);
  EXPECT_EQ(combineExits({Exit::Failed, Exit::Unreachable, Exit::Denied}), Exit::Unreachable);
  EXPECT_EQ(combineExits({Exit::Ok, Exit::Failed, Exit::Denied}), Exit::Denied);
  EXPECT_EQ(combineExits({Exit::Failed, Exit::Ok}), Exit::Failed);
}

TEST(ClientStatus, RenderWithTargetsAndJson) {
  TargetStatus a;
  a.ok = true;
  a.target.host = "203.0.113.1";
  a.serial = 5;
  state::Record r;
  r.name = "www";
  r.state = state::State::Up;
  r.since = 1763784000000000;
  a.records.push_back(r);
  TargetStatus b;
  b.target.host = "203.0.113.2";
  b.failure = {Exit::Unreachable, "cannot connect to 203.0.113.2:1847: Connection refused"};
  Micros now = r.since + 5'000'000;
  std::string text = renderStatus({a, b}, false, true, false, now);
  EXPECT_EQ(text, "TARGET" + std::string(12, ' ') + "NAME  STATE  SINCE" + std::string(25, ' ') +
                      "TTL  ORIGIN  NOTE\n203.0.113.1:1847  www   UP     " +
                      formatLocalTime(r.since) + " (5s ago)  -    -\n");
  auto j = nlohmann::json::parse(renderStatus({a, b}, true, true, false, now));
  ASSERT_EQ(j["targets"].size(), 2u);
  EXPECT_EQ(j["targets"][0]["target"], "203.0.113.1:1847");
  EXPECT_EQ(j["targets"][0]["serial"], 5);
  EXPECT_EQ(j["targets"][0]["records"][0]["name"], "www");
  EXPECT_EQ(j["targets"][1]["exit"], 4);
  EXPECT_NE(j["targets"][1]["error"].get<std::string>().find("refused"), std::string::npos);
}

TEST(ClientDebug, LevelsAndSteps) {
  Levels levels;
  ASSERT_TRUE(parseLevels({"main", "notice", "proto", "debug"}, levels));
  ASSERT_EQ(levels.size(), 2u);
  EXPECT_EQ(levels[1].first, "proto");
  EXPECT_FALSE(parseLevels({"main"}, levels));
  EXPECT_EQ(stepLevel("notice", '+'), "info");
  EXPECT_EQ(stepLevel("notice", '-'), "warning");
  EXPECT_EQ(stepLevel("debug", '+'), "debug");
  EXPECT_EQ(stepLevel("err", '-'), "err");
  EXPECT_EQ(stepLevel("loud", '+'), "");
  ASSERT_TRUE(parseLevels({"main", "notice", "store", "debug"}, levels));
  EXPECT_EQ(renderLevels(levels, false), "FACILITY  LEVEL\nmain      notice\nstore     debug\n");
  EXPECT_EQ(renderLevels(levels, true), "{\"main\":\"notice\",\"store\":\"debug\"}\n");
}

}  // namespace
}  // namespace fail::client
