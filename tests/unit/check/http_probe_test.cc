// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Kinds "http" and "https" against real servers on 127.0.0.1: statuses, bodies,
// redirects, the request sent, the bad servers (silent, trickling, flooding, garbage,
// resetting), certificates, and the configuration errors.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <thread>

#include "check/registry.hh"
#include "loop_util.hh"
#include "web_server.hh"

namespace fail::check {
namespace {

using namespace std::chrono_literals;
using test::WebServer;
using Options = std::map<std::string, std::string>;

std::string attr(const ProbeResult& r, const std::string& key) {
  for (const auto& [k, v] : r.attrs)
    if (k == key) return v;
  return "(none)";
}

class HttpProbeTest : public ::testing::Test {
 protected:
  std::unique_ptr<Probe> make(Options opts, const char* kind = "http") {
    CheckSpec spec;
    spec.name = "web";
    spec.kind = kind;
    spec.file = "Hcfile";
    spec.line = 3;
    spec.options = std::move(opts);
    const KindDesc* k = findKind(kind);
    EXPECT_NE(k, nullptr);
    validate(spec, *k);
    return k->make(ProbeContext{loop_.get()}, spec);
  }
  // One attempt, checking that done comes once, later, never from inside start().
  ProbeResult run(Probe& p, std::chrono::milliseconds timeout = 2s) {
    std::optional<ProbeResult> got;
    int calls = 0;
    bool inStart = true;
    p.start(timeout, [&](ProbeResult r) {
      EXPECT_FALSE(inStart) << "done called from inside start()";
      ++calls;
      got = std::move(r);
    });
    inStart = false;
    EXPECT_TRUE(test::runUntil(loop_->base(), [&] { return got.has_value(); }, timeout + 5s));
    EXPECT_EQ(calls, 1);
    return got.value_or(ProbeResult{});
  }
  ProbeResult runUrl(const WebServer& s, const std::string& path, Options more = {}) {
    more["url"] = "http://127.0.0.1:" + std::to_string(s.port()) + path;
    return run(*make(std::move(more)));
  }
  std::string url(const WebServer& s, const std::string& path = "/") {
    return "http://127.0.0.1:" + std::to_string(s.port()) + path;
  }

  test::LoopPtr loop_ = test::newLoop();
};

TEST_F(HttpProbeTest, OkAndTheRequestSent) {
  WebServer s(test::answer(test::okResponse("healthy\n")));
  ProbeResult r = runUrl(s, "/health?x=1");
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  EXPECT_EQ(r.note, "");
  EXPECT_EQ(attr(r, "status"), "200");
  EXPECT_GT(r.latency.count(), 0);
  std::string req = s.lastRequest();
  EXPECT_EQ(req.rfind("GET /health?x=1 HTTP/1.1\r\n", 0), 0u) << req;
  EXPECT_NE(req.find("\r\nHost: 127.0.0.1:" + std::to_string(s.port()) + "\r\n"), std::string::npos) << req;
  EXPECT_NE(req.find("\r\nUser-Agent: failover-hc/"), std::string::npos) << req;
  EXPECT_NE(req.find("\r\nConnection: close\r\n"), std::string::npos) << req;
}

TEST_F(HttpProbeTest, StatusIsJudged) {
  WebServer s(test::answer(test::okResponse("down", "503 Service Unavailable")));
  ProbeResult r = runUrl(s, "/");
  EXPECT_EQ(r.outcome, Outcome::Fail);
  EXPECT_EQ(r.note, "HTTP 503");
  EXPECT_EQ(attr(r, "status"), "503");
  EXPECT_EQ(runUrl(s, "/", {{"status", "2xx 503"}}).outcome, Outcome::Ok);
  EXPECT_EQ(runUrl(s, "/", {{"status", "500-599"}}).outcome, Outcome::Ok);
  EXPECT_EQ(runUrl(s, "/", {{"status", "200-299 5XX"}}).outcome, Outcome::Ok);
  EXPECT_EQ(runUrl(s, "/", {{"status", "200 204"}}).note, "HTTP 503");
}

TEST_F(HttpProbeTest, Redirects) {
  WebServer s([](WebServer::Conn& c) {
    if (!c.readRequest()) return;
    if (c.request.rfind("GET /start ", 0) == 0)
      c.send("HTTP/1.1 302 Found\r\nLocation: /final\r\nContent-Length: 0\r\n\r\n");
    else if (c.request.rfind("GET /away ", 0) == 0)
      c.send("HTTP/1.1 301 Moved\r\nLocation: http://www.example.com/\r\nContent-Length: 0\r\n\r\n");
    else if (c.request.rfind("GET /loop ", 0) == 0)
      c.send("HTTP/1.1 307 Again\r\nLocation: loop\r\nContent-Length: 0\r\n\r\n");
    else
      c.send(test::okResponse("final page"));
  });
  EXPECT_EQ(runUrl(s, "/start").note, "HTTP 302");  // off by default
  EXPECT_EQ(runUrl(s, "/start", {{"status", "3xx"}}).outcome, Outcome::Ok);

  auto follow = make({{"url", url(s, "/start")}, {"follow", "2"}, {"body", "final"}});
  for (int i = 0; i < 2; ++i) {  // the second attempt starts from -url again
    int before = s.connections();
    ProbeResult r = run(*follow);
    EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
    EXPECT_EQ(s.connections() - before, 2);
    EXPECT_EQ(s.lastRequest().rfind("GET /final ", 0), 0u);
  }
  // Another host is never followed: judged by -status.
  EXPECT_EQ(runUrl(s, "/away", {{"follow", "5"}}).note, "HTTP 301");
  int before = s.connections();
  EXPECT_EQ(runUrl(s, "/loop", {{"follow", "2"}}).note, "HTTP 307");
  EXPECT_EQ(s.connections() - before, 3);
}

TEST_F(HttpProbeTest, Body) {
  WebServer s(test::answer(test::okResponse("<html>\nstatus: fine\n</html>\n")));
  EXPECT_EQ(runUrl(s, "/", {{"body", "status: fine"}}).outcome, Outcome::Ok);
  ProbeResult r = runUrl(s, "/", {{"body", "status: ok"}});
  EXPECT_EQ(r.outcome, Outcome::Fail);
  EXPECT_EQ(r.note, "body mismatch");
  EXPECT_EQ(attr(r, "status"), "200");
  EXPECT_EQ(runUrl(s, "/", {{"regex", "^<html>.*status: (ok|fine)"}}).outcome, Outcome::Ok);
  EXPECT_EQ(runUrl(s, "/", {{"regex", "status: [0-9]+"}}).note, "body mismatch");
  // Only -max-body bytes are looked at.
  EXPECT_EQ(runUrl(s, "/", {{"body", "fine"}, {"max-body", "10"}}).note, "body mismatch");
}

TEST_F(HttpProbeTest, ChunkedBody) {
  WebServer s(test::answer(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nall \r\n6\r\nis wel\r\n1\r\nl\r\n0\r\n\r\n"));
  EXPECT_EQ(runUrl(s, "/", {{"body", "all is well"}}).outcome, Outcome::Ok);
}

TEST_F(HttpProbeTest, Head) {
  WebServer s(test::answer("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"));  // no body: HEAD
  ProbeResult r = runUrl(s, "/", {{"method", "head"}});
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  EXPECT_EQ(s.lastRequest().rfind("HEAD / HTTP/1.1\r\n", 0), 0u);
}

TEST_F(HttpProbeTest, AddressHostAndHeaders) {
  WebServer s(test::answer(test::okResponse("ok")));
  std::string port = std::to_string(s.port());
  // Probe 127.0.0.1 while asking for www.example.com (never resolved).
  auto p = make({{"url", "http://www.example.com:" + port + "/x"}, {"address", "127.0.0.1"},
                 {"header", "{X-Check: 1} {User-Agent: probe/2}"}});
  EXPECT_EQ(run(*p).outcome, Outcome::Ok);
  std::string req = s.lastRequest();
  EXPECT_EQ(req.rfind("GET /x HTTP/1.1\r\n", 0), 0u) << req;
  EXPECT_NE(req.find("\r\nHost: www.example.com:" + port + "\r\n"), std::string::npos) << req;
  EXPECT_NE(req.find("\r\nX-Check: 1\r\n"), std::string::npos) << req;
  EXPECT_NE(req.find("\r\nUser-Agent: probe/2\r\n"), std::string::npos) << req;
  EXPECT_EQ(req.find("failover-hc"), std::string::npos) << req;
  // -port and -host.
  p = make({{"url", "http://127.0.0.1:1/"}, {"port", port}, {"host", "web.example.com"}});
  EXPECT_EQ(run(*p).outcome, Outcome::Ok);
  EXPECT_NE(s.lastRequest().find("\r\nHost: web.example.com\r\n"), std::string::npos);
}

TEST_F(HttpProbeTest, Refused) {
  ProbeResult r = run(*make({{"url", "http://127.0.0.1:" + std::to_string(test::closedPort()) + "/"}}));
  EXPECT_EQ(r.outcome, Outcome::Unreachable);
  EXPECT_EQ(r.note, "connection refused");
}

TEST_F(HttpProbeTest, ResetAndClosed) {
  WebServer reset([](WebServer::Conn& c) {
    if (c.readRequest()) c.reset();
  });
  ProbeResult r = runUrl(reset, "/");
  EXPECT_EQ(r.outcome, Outcome::Unreachable);
  EXPECT_EQ(r.note, "connection reset");

  WebServer closed([](WebServer::Conn& c) { c.readRequest(); });
  r = runUrl(closed, "/");
  EXPECT_EQ(r.outcome, Outcome::Fail);
  EXPECT_EQ(r.note, "connection closed");

  WebServer cut(test::answer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this"));
  EXPECT_EQ(runUrl(cut, "/").note, "truncated response");
}

TEST_F(HttpProbeTest, SilentServerTimesOut) {
  WebServer s([](WebServer::Conn& c) {
    if (c.readRequest()) c.drain();
  });
  auto t0 = std::chrono::steady_clock::now();
  ProbeResult r = run(*make({{"url", url(s)}, {"interval", "1s"}}), 300ms);
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.outcome, Outcome::Timeout);
  EXPECT_EQ(r.note, "timeout");
  EXPECT_GE(took, 290ms);
  EXPECT_LT(took, 300ms + test::kLate);  // the server stays silent until it stops
}

TEST_F(HttpProbeTest, TricklingServerTimesOut) {
  WebServer s([](WebServer::Conn& c) {
    if (!c.readRequest()) return;
    for (char ch : test::okResponse(std::string(1000, 'x'))) {
      if (!c.send(std::string_view(&ch, 1))) return;
      std::this_thread::sleep_for(20ms);  // the server's behaviour, not a wait in the test
    }
  });
  auto t0 = std::chrono::steady_clock::now();
  ProbeResult r = run(*make({{"url", url(s)}}), 300ms);
  EXPECT_EQ(r.outcome, Outcome::Timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 300ms + test::kLate);  // the trickle: over 20 s
}

TEST_F(HttpProbeTest, FloodingServerIsCutAtMaxBody) {
  const std::string chunk(64 * 1024, 'a');
  auto flood = [&chunk](bool withLength) {
    return [&chunk, withLength](WebServer::Conn& c) {
      if (!c.readRequest()) return;
      std::string head = withLength ? "HTTP/1.1 200 OK\r\nContent-Length: 10485760\r\n\r\n" : "HTTP/1.1 200 OK\r\n\r\n";
      if (!c.send(head)) return;
      for (int i = 0; i < 160; ++i)  // 10 MiB
        if (!c.send(chunk)) return;
    };
  };
  WebServer sized(flood(true)), endless(flood(false));
  auto t0 = std::chrono::steady_clock::now();
  ProbeResult r = runUrl(sized, "/");
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;  // judged on the first 64 KiB
  r = runUrl(endless, "/", {{"body", "zzz"}});
  EXPECT_EQ(r.note, "body mismatch");
  r = runUrl(endless, "/", {{"regex", "^a+$"}, {"max-body", "1000"}});
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
}

TEST_F(HttpProbeTest, GarbageAndHugeHeaders) {
  WebServer garbage(test::answer("SSH-2.0-OpenSSH_9.2p1\r\n"));
  ProbeResult r = runUrl(garbage, "/");
  EXPECT_EQ(r.outcome, Outcome::Fail);
  EXPECT_EQ(r.note, "malformed response");

  WebServer huge([](WebServer::Conn& c) {
    if (!c.readRequest() || !c.send("HTTP/1.1 200 OK\r\n")) return;
    for (int i = 0; i < 10000; ++i)
      if (!c.send("X-Filler: " + std::string(100, 'f') + "\r\n")) return;
  });
  r = runUrl(huge, "/");
  EXPECT_EQ(r.note, "malformed response");

  WebServer noBytes([](WebServer::Conn& c) {
    if (c.readRequest()) c.send(std::string(20000, '\0'));
  });
  EXPECT_EQ(runUrl(noBytes, "/").note, "malformed response");
}

TEST_F(HttpProbeTest, CancelAndNoLeaks) {
  WebServer silent([](WebServer::Conn& c) {
    if (c.readRequest()) c.drain();
  });
  WebServer ok(test::answer(test::okResponse("ok")));
  int fds = test::openFds();
  {
    auto p = make({{"url", url(silent)}});
    bool called = false;
    p->start(2s, [&](ProbeResult) { called = true; });
    ASSERT_TRUE(test::runUntil(loop_->base(), [&] { return silent.connections() == 1; }));
    p->cancel();
    p->cancel();  // idempotent
    test::runFor(loop_->base(), 100ms);
    EXPECT_FALSE(called);
    // Destroyed in flight.
    p->start(2s, [&](ProbeResult) { called = true; });
  }
  test::runFor(loop_->base(), 50ms);
  {
    // One after the other, the attempts of both probes reuse one pooled socket (reset
    // after a refusal too), which stays open while a probe that may use it lives.
    auto p = make({{"url", url(ok)}});
    for (int i = 0; i < 20; ++i) EXPECT_EQ(run(*p).outcome, Outcome::Ok);
    auto refused = make({{"url", "http://127.0.0.1:" + std::to_string(test::closedPort()) + "/"}});
    for (int i = 0; i < 5; ++i) EXPECT_EQ(run(*refused).outcome, Outcome::Unreachable);
    EXPECT_EQ(run(*p).outcome, Outcome::Ok);
    bool pooling = event_base_get_features(loop_->base()) & EV_FEATURE_ET;  // not with EVENT_NOEPOLL
    // The servers close their side of each connection on their own threads, after the
    // probe already has its answer (and the silent one accepts the connection of the
    // probe destroyed in flight whenever it gets to it): count once they are done.
    int open = 0;
    EXPECT_TRUE(test::runUntil(loop_->base(), [&] {
      if (silent.finished() != silent.connections() || ok.finished() != ok.connections()) return false;
      open = test::openFds();
      return open == fds + (pooling ? 1 : 0);
    })) << open << " open, " << fds << " before, " << (pooling ? 1 : 0) << " pooled expected";
  }
  // The servers' own sockets close on their threads: wait for them.
  EXPECT_TRUE(test::runUntil(loop_->base(), [&] {
    return silent.finished() == silent.connections() && ok.finished() == ok.connections() && test::openFds() == fds;
  })) << test::openFds() << " open, " << fds << " before";
}

TEST_F(HttpProbeTest, ConfigErrors) {
  auto bad = [&](Options o, const char* kind = "http") {
    try {
      make(std::move(o), kind);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  EXPECT_NE(bad({}).find("-url"), std::string::npos);
  EXPECT_NE(bad({{"url", "ftp://x/"}}).find("Hcfile:3: check web: -url: "), std::string::npos);
  EXPECT_NE(bad({{"url", "http://127.0.0.1/"}}, "https").find("https://"), std::string::npos);
  EXPECT_NE(bad({{"url", "http://127.0.0.1/"}, {"method", "POST"}}).find("-method"), std::string::npos);
  EXPECT_NE(bad({{"url", "http://127.0.0.1/"}, {"header", "{X-A 1}"}}).find("-header"), std::string::npos);
  EXPECT_NE(bad({{"url", "http://127.0.0.1/"}, {"header", "X-A: 1"}}).find("-header"), std::string::npos);
  EXPECT_NE(bad({{"url", "http://127.0.0.1/"}, {"header", "{Host: x}"}}).find("-host"), std::string::npos);
  EXPECT_NE(bad({{"url", "http://127.0.0.1/"}, {"status", "2x"}}).find("-status"), std::string::npos);
  EXPECT_NE(bad({{"url", "http://127.0.0.1/"}, {"status", "299-200"}}).find("-status"), std::string::npos);
  EXPECT_NE(bad({{"url", "http://127.0.0.1/"}, {"regex", "(unclosed"}}).find("-regex"), std::string::npos);
  EXPECT_NE(bad({{"url", "http://127.0.0.1/"}, {"method", "HEAD"}, {"body", "x"}}).find("-method"),
            std::string::npos);
  EXPECT_NE(bad({{"url", "https://127.0.0.1/"}, {"ca", "/nonexistent/ca.pem"}}).find("-ca"), std::string::npos);
  EXPECT_NE(bad({{"url", "http://127.0.0.1/"}, {"follow", "-1"}}).find("-follow"), std::string::npos);
  EXPECT_NE(bad({{"url", "http://127.0.0.1/"}, {"bogus", "1"}}).find("unknown option -bogus"), std::string::npos);
  EXPECT_EQ(bad({{"url", "http://127.0.0.1/"}, {"regex", "a|b"}, {"status", "2xx 301"}}), "(accepted)");
}

// --- https ------------------------------------------------------------------------------

class HttpsProbeTest : public HttpProbeTest {
 protected:
  // A server for certificate `f` answering 200 "secure".
  std::unique_ptr<WebServer> serve(const test::Pki::Files& f) {
    ctxs_.push_back(test::Pki::serverContext(f));
    return std::make_unique<WebServer>(test::answer(test::okResponse("secure")), ctxs_.back().get());
  }
  ProbeResult get(const WebServer& s, Options more = {}, const std::string& host = "localhost") {
    more["url"] = "https://" + host + ":" + std::to_string(s.port()) + "/";
    if (!more.count("ca")) more["ca"] = pki_.caFile;
    return run(*make(std::move(more), "https"));
  }

  test::Pki pki_;
  std::vector<test::Pki::CtxPtr> ctxs_;
};

TEST_F(HttpsProbeTest, GoodCertificate) {
  auto s = serve(pki_.leaf("good", "DNS:localhost,DNS:www.example.com,IP:127.0.0.1", -3600, 90 * 86400 + 3600));
  ProbeResult r = get(*s, {{"body", "secure"}});
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  EXPECT_EQ(r.warning, "");
  EXPECT_EQ(attr(r, "status"), "200");
  EXPECT_EQ(attr(r, "cert_days"), "90");
  EXPECT_EQ(s->lastSni(), "localhost");
  // By address, asking for www.example.com: SNI, name check and Host all use the name.
  r = get(*s, {{"address", "127.0.0.1"}}, "www.example.com");
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  EXPECT_EQ(s->lastSni(), "www.example.com");
  EXPECT_NE(s->lastRequest().find("\r\nHost: www.example.com:"), std::string::npos);
  // An IP literal: no SNI, checked against the IP address.
  r = get(*s, {}, "127.0.0.1");
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  EXPECT_EQ(s->lastSni(), "");
}

TEST_F(HttpsProbeTest, BadCertificates) {
  auto expired = serve(pki_.leaf("expired", "DNS:localhost", -30 * 86400, -86400 + 3600));
  ProbeResult r = get(*expired);
  EXPECT_EQ(r.outcome, Outcome::Fail);
  EXPECT_EQ(r.note, "certificate expired");
  EXPECT_EQ(attr(r, "cert_days"), "-1");
  EXPECT_EQ(expired->requests().size(), 0u);  // nothing asked over a rejected session
  r = get(*expired, {{"verify", "0"}});
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  EXPECT_EQ(r.warning, "certificate expired");

  auto wrongName = serve(pki_.leaf("wrong", "DNS:other.example", -3600, 86400 * 30));
  EXPECT_EQ(get(*wrongName).note, "certificate name mismatch");
  EXPECT_EQ(get(*wrongName, {{"verify", "no"}}).outcome, Outcome::Ok);

  auto selfSigned = serve(pki_.leaf("self", "DNS:localhost", -3600, 86400 * 30, true));
  EXPECT_EQ(get(*selfSigned).note, "certificate not trusted");
  // The system's store does not know the test CA either.
  EXPECT_EQ(get(*wrongName, {{"ca", ""}}).outcome, Outcome::Fail);

  auto future = serve(pki_.leaf("future", "DNS:localhost", 86400, 86400 * 30));
  EXPECT_EQ(get(*future).note, "certificate not yet valid");
}

TEST_F(HttpsProbeTest, ExpiringSoonWarns) {
  auto s = serve(pki_.leaf("soon", "DNS:localhost", -3600, 5 * 86400 + 3600));
  ProbeResult r = get(*s);
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  EXPECT_EQ(r.warning, "certificate expires soon");
  EXPECT_EQ(attr(r, "cert_days"), "5");
  r = get(*s, {{"cert-warn-days", "3"}});
  EXPECT_EQ(r.warning, "");
}

TEST_F(HttpsProbeTest, PlainServerFailsTheHandshake) {
  WebServer plain([](WebServer::Conn& c) {  // answers at once, without reading
    if (c.send("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")) c.drain();
  });
  ProbeResult r = get(plain);
  EXPECT_EQ(r.outcome, Outcome::Fail);
  EXPECT_EQ(r.note, "TLS handshake failed");
  WebServer silent([](WebServer::Conn& c) { c.drain(); });
  r = run(*make({{"url", "https://127.0.0.1:" + std::to_string(silent.port()) + "/"}, {"interval", "1s"}}, "https"),
          300ms);
  EXPECT_EQ(r.note, "timeout");
}

}  // namespace
}  // namespace fail::check
