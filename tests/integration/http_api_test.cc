// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// faild's HTTP/JSON API (lib/api, doc/http-api.md) end to end: a real faild, curl for
// the requests, plain sockets for the event streams and the misbehaving clients.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "harness.hh"

namespace fail::test {
namespace {

using Json = nlohmann::json;

struct Reply {
  int status = 0;  // HTTP status, 0 when curl failed
  std::string headers, body;
  Json json() const { return Json::parse(body, nullptr, false); }
  std::string code() const {
    Json j = json();
    return j.contains("error") ? j["error"].value("code", "") : "";
  }
};

// One request with curl; `args` after the URL's method and before it.
Reply curl(const std::string& method, const std::string& url, std::vector<std::string> args = {}) {
  std::vector<std::string> a{"-s", "-i", "--max-time", "20", "-X", method};
  a.insert(a.end(), args.begin(), args.end());
  a.push_back(url);
  RunResult r = runProgram("/usr/bin/curl", a);
  Reply out;
  size_t end = r.out.find("\r\n\r\n");
  if (r.status != 0 || end == std::string::npos) return out;
  out.headers = r.out.substr(0, end);
  out.body = r.out.substr(end + 4);
  out.status = std::atoi(r.out.c_str() + r.out.find(' ') + 1);
  return out;
}

Reply put(const std::string& base, const std::string& name, const std::string& body,
          std::vector<std::string> args = {}) {
  args.insert(args.end(), {"-H", "Content-Type: application/json", "--data-binary", body});
  return curl("PUT", base + "/v1/records/" + name, args);
}

// An event stream read from a plain socket: the request, then one event at a time.
class Stream {
 public:
  Stream(const std::string& http, const std::string& target, const std::string& extra = "") : c_(http) {
    c_.sendRaw("GET " + target + " HTTP/1.1\r\nHost: t\r\nAccept: text/event-stream\r\n" + extra + "\r\n");
  }
  bool connected() const { return c_.connected(); }
  // The status line.
  std::string status() { return c_.readLine().value_or(""); }
  // The next event's fields ("id", "event", "data"), comments skipped; empty on timeout.
  std::map<std::string, std::string> next(std::chrono::milliseconds timeout = kDeadline) {
    std::map<std::string, std::string> ev;
    auto until = Clock::now() + timeout;
    while (Clock::now() < until) {
      auto line = c_.readLine(std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()));
      if (!line) break;
      std::string l = *line;
      if (!l.empty() && l.back() == '\r') l.pop_back();
      if (l.empty()) {
        if (!ev.empty()) return ev;
        continue;
      }
      size_t colon = l.find(": ");
      if (l[0] == ':' || colon == std::string::npos) continue;  // a comment, a chunk size
      std::string key = l.substr(0, colon);
      if (key == "id" || key == "event" || key == "data") ev[key] = l.substr(colon + 2);
    }
    return {};
  }
  LineClient& client() { return c_; }

 private:
  LineClient c_;
};

class HttpApiTest : public ::testing::Test {
 protected:
  void start(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"-s", dir.file("faild.state"), "-l", "127.0.0.1:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    faild = std::make_unique<Daemon>("faild/faild", args, dir);
    ASSERT_TRUE(faild->start()) << faild->log();
    base = "http://" + faild->httpAddress();
  }
  TempDir dir;
  std::unique_ptr<Daemon> faild;
  std::string base;
};

TEST_F(HttpApiTest, RecordsAreSetReadAndDeleted) {
  start();
  Reply r = put(base, "www", R"({"state":"UP","note":"serving","ttl":"1h","attrs":{"dc":"east"}})");
  ASSERT_EQ(r.status, 201) << r.headers << r.body;
  Json j = r.json();
  EXPECT_EQ(j["result"], "change");
  EXPECT_EQ(j["serial"], 1);
  EXPECT_EQ(j["record"]["state"], "UP");
  EXPECT_EQ(j["record"]["ttl_ms"], 3600000);
  EXPECT_EQ(j["record"]["attrs"]["dc"], "east");
  EXPECT_EQ(j["record"]["origin"], "127.0.0.1");
  // The protocol sees what HTTP set, and HTTP what the protocol sets.
  LineClient c(faild->address());
  EXPECT_EQ(field(words(c.request("GET www"))[1], "note"), "serving");
  EXPECT_EQ(c.request("SET db FAIL note=down"), "OK CHANGE 2");
  r = curl("GET", base + "/v1/records/db");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["note"], "down");
  EXPECT_NE(r.headers.find("Content-Type: application/json"), std::string::npos);
  // The same state again is a refresh; another is a change.
  r = put(base, "www", R"({"state":"UP","note":"serving","ttl":"1h"})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["result"], "refresh");
  r = put(base, "www", R"({"state":"FAIL"})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["result"], "change");
  EXPECT_EQ(r.json()["serial"], 3);
  // The listing, whole and by pattern, as failc list --json writes it.
  r = curl("GET", base + "/v1/records");
  j = r.json();
  EXPECT_EQ(j["serial"], 3);
  ASSERT_EQ(j["records"].size(), 2u);
  EXPECT_EQ(j["records"][0]["name"], "db");
  RunResult list = runProgram("failc/failc", {"-p", std::to_string(faild->port()), "list", "--json"});
  EXPECT_EQ(Json::parse(list.out), j) << list.out;
  r = curl("GET", base + "/v1/records?pattern=w%2A");
  ASSERT_EQ(r.json()["records"].size(), 1u);
  EXPECT_EQ(r.json()["records"][0]["name"], "www");
  // DELETE, then it is gone.
  r = curl("DELETE", base + "/v1/records/db");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["result"], "deleted");
  EXPECT_EQ(curl("GET", base + "/v1/records/db").status, 404);
  EXPECT_EQ(curl("DELETE", base + "/v1/records/db").code(), "NOTFOUND");
  EXPECT_EQ(c.request("GET db").rfind("ERR NOTFOUND", 0), 0u);
}

TEST_F(HttpApiTest, EveryErrorHasItsStatusAndJson) {
  start({"--http-max-body", "4k"});
  struct Case {
    Reply reply;
    int status;
    std::string code;
  };
  std::vector<Case> cases = {
      {curl("GET", base + "/v1/records/nosuch"), 404, "NOTFOUND"},
      {curl("GET", base + "/v2/anything"), 404, "NOTFOUND"},
      {curl("POST", base + "/v1/records", {"--data-binary", "{}"}), 405, "METHOD"},
      {curl("PATCH", base + "/v1/records/www", {"--data-binary", "{}"}), 405, "METHOD"},
      {put(base, "www", R"({"state":"UP",)"), 400, "BADREQUEST"},
      {put(base, "www", R"({"state":"UP","colour":"red"})"), 400, "BADREQUEST"},
      {put(base, "www", R"(["UP"])"), 400, "BADREQUEST"},
      {put(base, "www", R"({"note":"no state"})"), 400, "BADREQUEST"},
      {put(base, "www", std::string(100, '[')), 400, "BADREQUEST"},
      {put(base, "www", R"({"state":"SIDEWAYS"})"), 422, "BADSTATE"},
      {put(base, "www", R"({"state":"UP","ttl":"soon"})"), 422, "ARGS"},
      {put(base, "www", R"({"state":"UP","attrs":{"bad key":"x"}})"), 422, "ARGS"},
      {put(base, "bad%20name", R"({"state":"UP"})"), 422, "BADNAME"},
      {curl("PUT", base + "/v1/records/www"), 411, "LENGTH"},
      {curl("GET", base + "/v1/records?colour=red"), 400, "BADREQUEST"},
      {curl("GET", base + "/v1/records/%zz"), 400, "BADREQUEST"},
      {curl("GET", base + "/v1/history?since=yesterday"), 400, "BADREQUEST"},
      {curl("GET", base + "/v1/history?limit=0"), 400, "BADREQUEST"},
      {curl("GET", base + "/v1/availability?since=1h&until=2h"), 400, "BADREQUEST"},
      {curl("GET", base + "/v1/events?since=x"), 400, "BADREQUEST"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    EXPECT_EQ(c.reply.status, c.status) << "case " << i << ": " << c.reply.headers << "\n" << c.reply.body;
    EXPECT_EQ(c.reply.code(), c.code) << "case " << i << ": " << c.reply.body;
    EXPECT_NE(c.reply.headers.find("Content-Type: application/json"), std::string::npos) << "case " << i;
    EXPECT_FALSE(c.reply.json()["error"].value("message", "").empty()) << "case " << i;
  }
  EXPECT_NE(cases[2].reply.headers.find("Allow: GET, HEAD"), std::string::npos) << cases[2].reply.headers;
  EXPECT_NE(cases[3].reply.headers.find("Allow: GET, HEAD, PUT, DELETE"), std::string::npos)
      << cases[3].reply.headers;
  // A body over the limit is refused before it is read, as JSON too.
  Reply big = put(base, "www", "{\"state\":\"UP\",\"note\":\"" + std::string(8000, 'x') + "\"}");
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(big.code(), "TOOLONG") << big.body;
  // faild is still there, and nothing of the above changed anything.
  Reply list = curl("GET", base + "/v1/records");
  EXPECT_EQ(list.status, 200);
  EXPECT_EQ(list.json()["serial"], 0);
}

TEST_F(HttpApiTest, SecretsDecideWhoReadsAndWrites) {
  std::string access = dir.file("access");
  writeFile(access,
            "* rw-secret-0123456789 RW admin\n"
            "www* ro-secret-0123456789 RO viewer\n");
  start({"-c", access, "--auth-delay", "50ms"});
  std::string rw = "Authorization: Bearer rw-secret-0123456789";
  std::string ro = "Authorization: Bearer ro-secret-0123456789";
  Reply r = curl("GET", base + "/v1/records");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.code(), "NEEDAUTH");
  EXPECT_NE(r.headers.find("WWW-Authenticate: Bearer"), std::string::npos);
  r = put(base, "www", R"({"state":"UP"})", {"-H", rw});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json()["record"]["origin"], "admin");
  put(base, "db", R"({"state":"UP"})", {"-H", rw});
  // RO reads what its pattern covers, and nothing else; it writes nothing.
  r = curl("GET", base + "/v1/records", {"-H", ro});
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.json()["records"].size(), 1u);
  EXPECT_EQ(r.json()["records"][0]["name"], "www");
  EXPECT_EQ(curl("GET", base + "/v1/records/db", {"-H", ro}).status, 403);
  r = put(base, "www", R"({"state":"FAIL"})", {"-H", ro});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.code(), "DENIED");
  EXPECT_EQ(curl("DELETE", base + "/v1/records/www", {"-H", ro}).status, 403);
  // A wrong secret waits, then is refused; another scheme is no secret at all.
  auto t0 = Clock::now();
  r = curl("GET", base + "/v1/records", {"-H", "Authorization: Bearer wrong-secret-0123"});
  EXPECT_EQ(r.status, 401);
  EXPECT_GE(Clock::now() - t0, 40ms);
  EXPECT_EQ(curl("GET", base + "/v1/records", {"-H", "Authorization: Basic eDp5"}).status, 401);
  // The right secret still works from that address (after its turn).
  EXPECT_EQ(curl("GET", base + "/v1/records/www", {"-H", rw}).status, 200);
  noteSecret("wrong-secret-0123");  // and no secret reaches faild's log (the harness checks)
}

TEST_F(HttpApiTest, NonLoopbackWithoutAccessFileIsRefused) {
  RunResult r = runProgram("faild/faild", {"--memory", "-l", "127.0.0.1:0", "--http", "0.0.0.0:0"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("needs an access file"), std::string::npos) << r.err;
  r = runProgram("faild/faild", {"-t", "--memory", "--http", "0.0.0.0:0"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("needs an access file"), std::string::npos) << r.err;
}

TEST_F(HttpApiTest, EventsResumeWithoutMissingAChange) {
  start();
  LineClient c(faild->address());
  auto first = std::make_unique<Stream>(faild->httpAddress(), "/v1/events?pattern=svc*");
  Stream& s = *first;
  EXPECT_EQ(s.status().rfind("HTTP/1.1 200", 0), 0u);
  ASSERT_EQ(c.request("SET svc1 UP"), "OK CHANGE 1");
  ASSERT_EQ(c.request("SET other UP"), "OK CHANGE 2");  // not matched
  ASSERT_EQ(c.request("SET svc2 FAIL note=x"), "OK CHANGE 3");
  auto e = s.next();
  EXPECT_EQ(e["id"], "1");
  EXPECT_EQ(e["event"], "change");
  Json d = Json::parse(e["data"]);
  EXPECT_EQ(d["record"]["name"], "svc1");
  EXPECT_EQ(d["deleted"], false);
  e = s.next();
  ASSERT_EQ(e["id"], "3");
  std::string last = e["id"];
  // The client goes away; changes happen meanwhile; it comes back with Last-Event-ID.
  first.reset();
  for (int i = 0; i < 50; ++i)
    ASSERT_EQ(c.request("SET svc" + std::to_string(i % 5) + " UP note=n" + std::to_string(i)).rfind("OK CHANGE", 0), 0u);
  ASSERT_EQ(c.request("DEL svc2").rfind("OK DELETED", 0), 0u);
  Stream again(faild->httpAddress(), "/v1/events?pattern=svc*", "Last-Event-ID: " + last + "\r\n");
  std::vector<std::uint64_t> seen;
  bool deleted = false;
  while (true) {
    auto ev = again.next();
    ASSERT_FALSE(ev.empty()) << "no event after " << seen.size();
    seen.push_back(std::stoull(ev["id"]));
    Json dj = Json::parse(ev["data"]);
    if (dj["deleted"] == true) {
      deleted = true;
      EXPECT_EQ(dj["record"]["name"], "svc2");
      break;
    }
  }
  EXPECT_TRUE(deleted);
  // Every change after the last one seen, in order, none twice: serials 4 to 54.
  ASSERT_EQ(seen.size(), 51u);
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], 4 + i);
  // Live changes follow the caught-up ones.
  ASSERT_EQ(c.request("SET svc9 UP").rfind("OK CHANGE", 0), 0u);
  EXPECT_EQ(again.next()["id"], "55");
}

TEST_F(HttpApiTest, ARelistIsAskedForWhenTheChangesAreGone) {
  start({"--history", "10"});
  LineClient c(faild->address());
  for (int i = 0; i < 30; ++i) ASSERT_EQ(c.request("SET r" + std::to_string(i) + " UP").rfind("OK CHANGE", 0), 0u);
  Stream s(faild->httpAddress(), "/v1/events?since=2");
  auto e = s.next();
  EXPECT_EQ(e["event"], "relist");
  EXPECT_EQ(Json::parse(e["data"])["serial"], 30);
  ASSERT_EQ(c.request("SET r0 FAIL"), "OK CHANGE 31");
  EXPECT_EQ(s.next()["id"], "31");
}

TEST_F(HttpApiTest, TwoThousandStreamsMeetTheCapAndTheOthersFlow) {
  rlimit lim{};
  ::getrlimit(RLIMIT_NOFILE, &lim);
  if (lim.rlim_cur < 4500) {
    lim.rlim_cur = std::min<rlim_t>(lim.rlim_max, 4500);
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }
  if (lim.rlim_cur < 4500) GTEST_SKIP() << "the open-file limit is below 4500";
  start({"--http-max-streams", "500", "--max-clients", "3000"});
  std::vector<std::unique_ptr<LineClient>> clients;
  for (int i = 0; i < 2000; ++i) {
    clients.push_back(std::make_unique<LineClient>(faild->httpAddress()));
    ASSERT_TRUE(clients.back()->connected()) << i;
    clients.back()->sendRaw("GET /v1/events HTTP/1.1\r\nHost: t\r\n\r\n");
  }
  int ok = 0, busy = 0;
  std::vector<LineClient*> open;
  for (auto& c : clients) {
    std::string line = c->readLine().value_or("");
    if (line.rfind("HTTP/1.1 200", 0) == 0) {
      ++ok;
      open.push_back(c.get());
    } else if (line.rfind("HTTP/1.1 503", 0) == 0) {
      ++busy;
      auto body = c->readUntil([](const std::string& l) { return l.find("\"error\"") != std::string::npos; });
      ASSERT_TRUE(body) << "no JSON error";
      EXPECT_NE(body->find("BUSY"), std::string::npos);
    }
  }
  EXPECT_EQ(ok, 500);
  EXPECT_EQ(busy, 1500);
  // Meanwhile faild serves everyone else, and every open stream gets the next change.
  EXPECT_EQ(curl("GET", base + "/v1/records").status, 200);
  LineClient c(faild->address());
  ASSERT_EQ(c.request("SET fanout UP"), "OK CHANGE 1");
  int got = 0;
  for (LineClient* s : open)
    if (s->readUntil([](const std::string& l) { return l.rfind("id: 1", 0) == 0; })) ++got;
  EXPECT_EQ(got, 500);
  clients.clear();
  // Once they left, a new stream is taken again.
  EXPECT_TRUE(eventually([&] {
    Stream s(faild->httpAddress(), "/v1/events");
    return s.status().rfind("HTTP/1.1 200", 0) == 0;
  }));
}

TEST_F(HttpApiTest, SlowIdleAndDeafClientsAreCutOffWhileOthersAreServed) {
  start({"--idle-timeout", "1s", "--request-timeout", "1s", "--send-timeout", "2s", "--watch-buffer", "256k", "-d",
         "http"});
  LineClient idle(faild->httpAddress());
  LineClient slow(faild->httpAddress());
  slow.sendRaw("GET /v1/records HTTP/1.1\r\n");
  // A stream whose client never reads, while changes with long notes pile up.
  int deaf = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int small = 4096;
  ::setsockopt(deaf, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(static_cast<uint16_t>(std::stoi(faild->httpAddress().substr(faild->httpAddress().rfind(':') + 1))));
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(deaf, reinterpret_cast<sockaddr*>(&sin), sizeof sin), 0);
  std::string req = "GET /v1/events HTTP/1.1\r\nHost: t\r\n\r\n";
  ASSERT_EQ(::send(deaf, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
  LineClient c(faild->address());
  std::string note(3000, 'n');
  auto t0 = Clock::now();
  bool cut = false;
  for (int i = 0; i < 20000 && !cut && Clock::now() - t0 < 15s; ++i) {
    c.request("SET deaf" + std::to_string(i % 50) + " UP note=" + std::to_string(i) + note);
    if (i % 100 == 99) {
      // Others are served all along.
      ASSERT_EQ(curl("GET", base + "/v1/records/deaf0").status, 200);
      pollfd p{deaf, POLLIN, 0};
      char b;
      // Cut off: the connection was closed under the unread data (RST or EOF comes).
      cut = ::poll(&p, 1, 0) > 0 && ::recv(deaf, &b, 1, MSG_PEEK | MSG_DONTWAIT) <= 0;
      cut = cut || faild->log().find("+slow") != std::string::npos;
    }
  }
  EXPECT_TRUE(cut) << faild->log();
  ::close(deaf);
  EXPECT_TRUE(idle.closedByPeer());
  EXPECT_TRUE(slow.closedByPeer());
  EXPECT_EQ(curl("GET", base + "/v1/records").status, 200);
}

TEST_F(HttpApiTest, HistoryAndAvailabilityComeFromTheDatabase) {
  start();
  LineClient c(faild->address());
  ASSERT_EQ(c.request("SET www UP"), "OK CHANGE 1");
  ASSERT_EQ(c.request("SET www FAIL note=broken"), "OK CHANGE 2");
  ASSERT_EQ(c.request("SET www UP"), "OK CHANGE 3");
  ASSERT_EQ(c.request("SET db UP"), "OK CHANGE 4");
  Json j;
  ASSERT_TRUE(eventually([&] {
    j = curl("GET", base + "/v1/history?pattern=www&since=1h").json();
    return j.contains("changes") && j["changes"].size() == 3;
  })) << j.dump();
  EXPECT_EQ(j["changes"][1]["state"], "FAIL");
  EXPECT_EQ(j["changes"][1]["prev"], "UP");
  EXPECT_EQ(j["changes"][1]["note"], "broken");
  EXPECT_EQ(j["more"], false);
  j = curl("GET", base + "/v1/history?limit=2").json();
  ASSERT_EQ(j["changes"].size(), 2u);
  EXPECT_EQ(j["changes"][1]["serial"], 4);
  EXPECT_EQ(j["more"], true);
  Reply r = curl("GET", base + "/v1/availability?pattern=*&since=1h");
  ASSERT_EQ(r.status, 200) << r.body;
  j = r.json();
  ASSERT_EQ(j["records"].size(), 2u);
  EXPECT_EQ(j["records"][1]["name"], "www");
  EXPECT_EQ(j["records"][1]["outages"], 1);
  EXPECT_LT(j["to"].get<std::int64_t>() - j["from"].get<std::int64_t>(), 3601LL * 1000000);
}

TEST_F(HttpApiTest, WithoutAHistoryDatabaseHistoryIsNotFound) {
  start({"--no-history-db"});
  EXPECT_EQ(curl("GET", base + "/v1/history").status, 404);
  EXPECT_EQ(curl("GET", base + "/v1/availability").status, 404);
}

}  // namespace
}  // namespace fail::test
