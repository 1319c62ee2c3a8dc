// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The HTTP server on real loopback sockets: its loop runs in the test's thread while a
// client thread talks to it with plain blocking sockets.
#include "http/server.hh"

#include <arpa/inet.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

#include <gtest/gtest.h>

namespace fail::http {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

int connectTo(const std::string& addr) {
  size_t c = addr.rfind(':');
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(static_cast<uint16_t>(std::stoi(addr.substr(c + 1))));
  ::inet_pton(AF_INET, addr.substr(0, c).c_str(), &sin.sin_addr);
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void sendAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

// Reads until `want` appears (or, with an empty `want`, the peer closes) or 20 s pass.
std::string readUntil(int fd, const std::string& want, bool* closed = nullptr) {
  std::string got;
  auto until = Clock::now() + 20s;
  if (closed) *closed = false;
  while (Clock::now() < until) {
    if (!want.empty() && got.find(want) != std::string::npos) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    char buf[65536];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      if (closed) *closed = true;
      break;
    }
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

// One request on a new connection, read to its close.
std::string roundTrip(const std::string& addr, const std::string& request) {
  int fd = connectTo(addr);
  if (fd < 0) return "connect failed";
  sendAll(fd, request);
  std::string r = readUntil(fd, "");
  ::close(fd);
  return r;
}

class HttpServerTest : public ::testing::Test {
 protected:
  HttpServerTest() {
    // EVLOOP_ONCE returns at least this often, so pump() sees its client finish.
    wake_ = event_new(loop.base(), -1, EV_PERSIST, [](evutil_socket_t, short, void*) {}, nullptr);
    timeval tv{0, 10'000};
    evtimer_add(wake_, &tv);
  }
  ~HttpServerTest() override {
    server.reset();
    event_free(wake_);
  }

  void start(ServerConfig c = {}) {
    std::string err;
    c.listens = {*net::parseListen("127.0.0.1:0", err)};
    server = std::make_unique<Server>(loop, c);
    server->handle("GET", "/hello", [](const Request& r) {
      Response out;
      out.contentType = "text/plain";
      out.body = "hello " + r.peer + (r.loopback ? " loopback" : "");
      if (const std::string* who = r.param("who")) out.body += " " + *who;
      return out;
    });
    server->handle("PUT", "/echo", [](const Request& r) {
      Response out;
      out.body = r.body;
      return out;
    });
    server->handle("GET", "/throw", [](const Request&) -> Response { throw std::runtime_error("boom"); });
    server->handlePrefix("GET", "/items/", [](const Request& r) {
      Response out;
      out.body = "item " + r.path.substr(7);
      return out;
    });
    server->handleAsync("GET", "/later", [this](const Request&, std::shared_ptr<Exchange> ex) {
      later_ = ex;
    });
    server->handleAsync("GET", "/stream", [this](const Request&, std::shared_ptr<Exchange> ex) {
      if (!ex->startStream("text/event-stream")) return;
      ex->send(": hello\n\n");
      ex->onClose([this] { ++streamsClosed_; });
      streams_.push_back(ex);
    });
    server->start();
    addr = server->boundAddresses().at(0);
  }

  // Runs `client` on a thread while the loop runs here, then returns.
  void pump(const std::function<void()>& client, const std::function<void()>& onLoop = {}) {
    std::atomic<bool> done{false};
    std::thread t([&] {
      client();
      done = true;
    });
    auto until = Clock::now() + 30s;
    while (!done && Clock::now() < until) {
      event_base_loop(loop.base(), EVLOOP_ONCE);
      if (onLoop) onLoop();
    }
    t.join();
  }

  ev::Loop loop;
  std::unique_ptr<Server> server;
  std::string addr;
  std::shared_ptr<Exchange> later_;
  std::vector<std::shared_ptr<Exchange>> streams_;
  int streamsClosed_ = 0;
  event* wake_;
};

TEST_F(HttpServerTest, RoutesWithoutASocket) {
  start();
  Request r;
  r.method = "GET";
  r.target = "/hello?who=me";
  EXPECT_EQ(server->dispatchForTest(r).body, "hello  me");
  r = {};
  r.method = "GET";
  r.target = "/nothing";
  Response nf = server->dispatchForTest(r);
  EXPECT_EQ(nf.status, 404);
  EXPECT_EQ(nf.contentType, "application/json");
  EXPECT_EQ(nf.body, "{\"error\":{\"code\":\"NOTFOUND\",\"message\":\"no such path: /nothing\"}}\n");
  r = {};
  r.method = "DELETE";
  r.target = "/hello";
  Response na = server->dispatchForTest(r);
  EXPECT_EQ(na.status, 405);
  ASSERT_EQ(na.headers.size(), 1u);
  EXPECT_EQ(na.headers[0], (std::pair<std::string, std::string>("Allow", "GET, HEAD")));
  r = {};
  r.method = "GET";
  r.target = "/throw";
  Response e = server->dispatchForTest(r);
  EXPECT_EQ(e.status, 500);
  EXPECT_NE(e.body.find("boom"), std::string::npos);
  r = {};
  r.method = "GET";
  r.target = "/items/a/b";
  EXPECT_EQ(server->dispatchForTest(r).body, "item a/b");
  r = {};
  r.method = "GET";
  r.target = "/items/%zz";
  EXPECT_EQ(server->dispatchForTest(r).status, 400);
}

TEST_F(HttpServerTest, AnswersOverKeepAliveConnections) {
  start();
  std::string first, second;
  pump([&] {
    int fd = connectTo(addr);
    sendAll(fd, "GET /hello?who=x HTTP/1.1\r\nHost: t\r\n\r\n");
    first = readUntil(fd, "loopback x");
    sendAll(fd, "PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nConnection: close\r\n\r\nabcde");
    second = readUntil(fd, "");
    ::close(fd);
  });
  EXPECT_EQ(first.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << first;
  EXPECT_NE(first.find("Content-Type: text/plain"), std::string::npos);
  EXPECT_NE(first.find("hello 127.0.0.1 loopback x"), std::string::npos);
  EXPECT_NE(second.find("\r\n\r\nabcde"), std::string::npos) << second;
  EXPECT_EQ(server->counters().requests, 2u);
  EXPECT_EQ(server->connectionCount(), 0u);
}

TEST_F(HttpServerTest, ErrorsAreJson) {
  start();
  std::string nf, na;
  pump([&] {
    nf = roundTrip(addr, "GET /nope HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    na = roundTrip(addr, "POST /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  });
  EXPECT_EQ(nf.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u) << nf;
  EXPECT_NE(nf.find("Content-Type: application/json"), std::string::npos);
  EXPECT_NE(nf.find("{\"error\":{\"code\":\"NOTFOUND\""), std::string::npos);
  EXPECT_EQ(na.rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0), 0u) << na;
  EXPECT_NE(na.find("Allow: GET, HEAD"), std::string::npos);
}

TEST_F(HttpServerTest, RefusesABodyOverTheLimit) {
  ServerConfig c;
  c.maxBody = 100;
  start(c);
  std::string r;
  pump([&] {
    r = roundTrip(addr, "PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n" + std::string(1000, 'x'));
  });
  EXPECT_EQ(r.rfind("HTTP/1.1 413", 0), 0u) << r;
  // libevent's own page, rewritten as the JSON error every route gives.
  EXPECT_NE(r.find("Content-Type: application/json"), std::string::npos) << r;
  EXPECT_NE(r.find("{\"error\":{\"code\":\"TOOLONG\""), std::string::npos) << r;
  std::string garbage, big, cont;
  pump([&] {
    garbage = roundTrip(addr, "NONSENSE\r\n\r\n");
    big = roundTrip(addr, "GET /hello HTTP/1.1\r\nX-Big: " + std::string(20000, 'b') + "\r\n\r\n");
    // A client that waits for "100 Continue" gets it, then its answer.
    int fd = connectTo(addr);
    sendAll(fd, "PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nExpect: 100-continue\r\n"
                "Connection: close\r\n\r\n");
    cont = readUntil(fd, "100 Continue\r\n\r\n");
    sendAll(fd, "abc");
    cont += readUntil(fd, "");
    ::close(fd);
  });
  EXPECT_EQ(garbage.rfind("HTTP/1.1 400", 0), 0u) << garbage;
  EXPECT_NE(garbage.find("\"BADREQUEST\""), std::string::npos) << garbage;
  EXPECT_EQ(big.rfind("HTTP/1.1 400", 0), 0u) << big;  // libevent 2.1 says 400 for long headers
  EXPECT_NE(big.find("over 16384 bytes"), std::string::npos) << big;
  EXPECT_EQ(cont.rfind("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK", 0), 0u) << cont;
  EXPECT_NE(cont.find("\r\n\r\nabc"), std::string::npos) << cont;
}

TEST_F(HttpServerTest, RefusesConnectionsPastTheLimitOfAnAddress) {
  ServerConfig c;
  c.maxPerLoopback = 2;
  start(c);
  std::string third, fourth;
  pump([&] {
    int a = connectTo(addr), b = connectTo(addr);
    // Both are counted once a request went through each.
    sendAll(a, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
    readUntil(a, "loopback");
    sendAll(b, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
    readUntil(b, "loopback");
    int x = connectTo(addr);
    third = readUntil(x, "");
    ::close(x);
    ::close(a);
    ::close(b);
  });
  EXPECT_EQ(third.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0), 0u) << third;
  EXPECT_NE(third.find("\"code\":\"BUSY\""), std::string::npos);
  EXPECT_EQ(server->counters().refused, 1u);
  // Once they left, a new one is served.
  pump([&] { fourth = roundTrip(addr, "GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"); },
       [&] {});
  EXPECT_EQ(fourth.rfind("HTTP/1.1 200", 0), 0u) << fourth;
}

TEST_F(HttpServerTest, ClosesIdleAndSlowClientsWhileServingOthers) {
  ServerConfig c;
  c.idleTimeoutMs = 300;
  c.requestTimeoutMs = 600;
  start(c);
  bool idleClosed = false, slowClosed = false;
  std::string served;
  pump([&] {
    int idle = connectTo(addr), slow = connectTo(addr);
    sendAll(slow, "GET /hello HTTP/1.1\r\n");
    auto t0 = Clock::now();
    // The slow one keeps dripping header lines, each well within the idle deadline.
    for (int i = 0; i < 40 && Clock::now() - t0 < 5s; ++i) {
      sendAll(slow, "X-Drip: " + std::to_string(i) + "\r\n");
      served = roundTrip(addr, "GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
      pollfd p{slow, POLLIN, 0};
      if (::poll(&p, 1, 100) > 0) break;
    }
    readUntil(idle, "", &idleClosed);
    readUntil(slow, "", &slowClosed);
    ::close(idle);
    ::close(slow);
  });
  EXPECT_TRUE(idleClosed);
  EXPECT_TRUE(slowClosed);
  EXPECT_EQ(served.rfind("HTTP/1.1 200", 0), 0u) << served;
  EXPECT_GE(server->counters().timeouts, 2u);
}

TEST_F(HttpServerTest, AnswersLater) {
  start();
  std::string r;
  bool answered = false;
  pump([&] { r = roundTrip(addr, "GET /later HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"); },
       [&] {
         if (later_ && !answered) {
           Response out;
           out.body = "at last";
           later_->reply(out);
           answered = true;
         }
       });
  EXPECT_NE(r.find("\r\n\r\nat last"), std::string::npos) << r;
  EXPECT_FALSE(later_->open());
}

TEST_F(HttpServerTest, AnExchangeWhoseClientLeftIsClosed) {
  start();
  pump([&] {
    int fd = connectTo(addr);
    sendAll(fd, "GET /stream HTTP/1.1\r\nHost: t\r\n\r\n");
    readUntil(fd, ": hello");
    ::close(fd);
  });
  auto until = Clock::now() + 20s;
  while (streamsClosed_ == 0 && Clock::now() < until) event_base_loop(loop.base(), EVLOOP_ONCE);
  EXPECT_EQ(streamsClosed_, 1);
  ASSERT_EQ(streams_.size(), 1u);
  EXPECT_FALSE(streams_[0]->open());
  EXPECT_FALSE(streams_[0]->send("x"));
  EXPECT_EQ(server->streamCount(), 0u);
}

TEST_F(HttpServerTest, CapsStreamsAndCutsOffOneThatDoesNotRead) {
  ServerConfig c;
  c.maxStreams = 1;
  c.streamBuffer = 64 << 10;
  start(c);
  std::string second;
  std::atomic<bool> cut{false}, flood{false};
  int reader = -1;
  pump(
      [&] {
        reader = connectTo(addr);
        sendAll(reader, "GET /stream HTTP/1.1\r\nHost: t\r\n\r\n");
        readUntil(reader, ": hello");
        second = roundTrip(addr, "GET /stream HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        flood = true;
        // Now stop reading while the server keeps sending: it is cut off.
        auto until = Clock::now() + 20s;
        while (!cut && Clock::now() < until) std::this_thread::sleep_for(10ms);
        ::close(reader);
      },
      [&] {
        if (flood && !cut) cut = !streams_.at(0)->send(std::string(256 << 10, 'x'));
      });
  EXPECT_EQ(second.rfind("HTTP/1.1 503", 0), 0u) << second;
  EXPECT_NE(second.find("too many event streams"), std::string::npos);
  EXPECT_TRUE(cut);
  EXPECT_EQ(server->counters().slowClients, 1u);
  EXPECT_EQ(server->counters().streamsRefused, 1u);
}

}  // namespace
}  // namespace fail::http
