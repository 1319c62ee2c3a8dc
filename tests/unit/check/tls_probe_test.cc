// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Kind "tls": handshake and certificate only, against TLS servers on 127.0.0.1 with
// certificates made for the test (valid, expired, near expiry, another name).
#include <gtest/gtest.h>

#include <map>
#include <optional>

#include "check/registry.hh"
#include "loop_util.hh"
#include "web_server.hh"

namespace fail::check {
namespace {

using namespace std::chrono_literals;
using test::WebServer;
using Options = std::map<std::string, std::string>;

class TlsProbeTest : public ::testing::Test {
 protected:
  std::unique_ptr<WebServer> serve(const test::Pki::Files& f) {
    ctxs_.push_back(test::Pki::serverContext(f));
    // The probe sends nothing: the handler waits for it to go.
    return std::make_unique<WebServer>([](WebServer::Conn& c) { c.drain(); }, ctxs_.back().get());
  }
  ProbeResult probe(std::uint16_t port, Options more = {}, std::chrono::milliseconds timeout = 2s) {
    CheckSpec spec;
    spec.name = "cert";
    spec.kind = "tls";
    spec.options = std::move(more);
    spec.options.emplace("host", "127.0.0.1");
    spec.options.emplace("ca", pki_.caFile);
    spec.options["port"] = std::to_string(port);
    spec.options["interval"] = "5s";
    validate(spec, tlsKind());
    auto p = tlsKind().make(ProbeContext{loop_.get()}, spec);
    std::optional<ProbeResult> got;
    bool inStart = true;
    p->start(timeout, [&](ProbeResult r) {
      EXPECT_FALSE(inStart);
      got = std::move(r);
    });
    inStart = false;
    EXPECT_TRUE(test::runUntil(loop_->base(), [&] { return got.has_value(); }, timeout + 5s));
    return got.value_or(ProbeResult{});
  }
  static std::string days(const ProbeResult& r) {
    for (const auto& [k, v] : r.attrs)
      if (k == "cert_days") return v;
    return "(none)";
  }

  test::LoopPtr loop_ = test::newLoop();
  test::Pki pki_;
  std::vector<test::Pki::CtxPtr> ctxs_;
};

TEST_F(TlsProbeTest, GoodCertificate) {
  auto s = serve(pki_.leaf("good", "DNS:localhost,DNS:www.example.com,IP:127.0.0.1", -3600, 40 * 86400 + 3600));
  ProbeResult r = probe(s->port());
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  EXPECT_EQ(days(r), "40");
  EXPECT_EQ(r.warning, "");
  EXPECT_EQ(s->lastSni(), "");  // an IP literal is never sent as SNI
  r = probe(s->port(), {{"sni", "www.example.com"}});
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  EXPECT_EQ(s->lastSni(), "www.example.com");
  r = probe(s->port(), {{"host", "localhost"}});
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  EXPECT_EQ(s->lastSni(), "localhost");
}

TEST_F(TlsProbeTest, BadCertificates) {
  auto expired = serve(pki_.leaf("expired", "IP:127.0.0.1", -60 * 86400, -3 * 86400 + 3600));
  ProbeResult r = probe(expired->port());
  EXPECT_EQ(r.outcome, Outcome::Fail);
  EXPECT_EQ(r.note, "certificate expired");
  EXPECT_EQ(days(r), "-3");
  r = probe(expired->port(), {{"verify", "0"}});
  EXPECT_EQ(r.outcome, Outcome::Ok);
  EXPECT_EQ(r.warning, "certificate expired");

  auto other = serve(pki_.leaf("other", "DNS:other.example", -3600, 30 * 86400));
  EXPECT_EQ(probe(other->port()).note, "certificate name mismatch");
  EXPECT_EQ(probe(other->port(), {{"sni", "other.example"}}).outcome, Outcome::Ok);

  auto self = serve(pki_.leaf("self", "IP:127.0.0.1", -3600, 30 * 86400, true));
  EXPECT_EQ(probe(self->port()).note, "certificate not trusted");
}

TEST_F(TlsProbeTest, ExpiringSoonWarns) {
  auto s = serve(pki_.leaf("soon", "IP:127.0.0.1", -3600, 10 * 86400 + 3600));
  ProbeResult r = probe(s->port());
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  EXPECT_EQ(r.warning, "certificate expires soon");
  EXPECT_EQ(days(r), "10");
  EXPECT_EQ(probe(s->port(), {{"cert-warn-days", "7"}}).warning, "");
}

TEST_F(TlsProbeTest, UnreachableSilentAndNotTls) {
  ProbeResult r = probe(test::closedPort());
  EXPECT_EQ(r.outcome, Outcome::Unreachable);
  EXPECT_EQ(r.note, "connection refused");
  WebServer silent([](WebServer::Conn& c) { c.drain(); });
  r = probe(silent.port(), {}, 300ms);
  EXPECT_EQ(r.outcome, Outcome::Timeout);
  WebServer plain([](WebServer::Conn& c) {
    if (c.send("220 smtp.example ESMTP\r\n")) c.drain();
  });
  r = probe(plain.port());
  EXPECT_EQ(r.outcome, Outcome::Fail);
  EXPECT_EQ(r.note, "TLS handshake failed");
}

TEST_F(TlsProbeTest, ConfigErrors) {
  CheckSpec spec;
  spec.name = "cert";
  spec.options = {{"port", "443"}};
  EXPECT_THROW(validate(spec, tlsKind()), ConfigError);  // -host is required
  spec.options = {{"host", "127.0.0.1"}, {"ca", "/nonexistent.pem"}};
  validate(spec, tlsKind());
  EXPECT_THROW(tlsKind().make(ProbeContext{loop_.get()}, spec), ConfigError);
}

}  // namespace
}  // namespace fail::check
