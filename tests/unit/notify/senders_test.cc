// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The senders against real peers on loopback: tests/common/webhook_peer (python's
// http.server with modes) and mail_peer (aiosmtpd, Maildir, STARTTLS and AUTH), a shell
// for exec, a datagram socket for syslog; and libcurl's transfers on the ev::Loop.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <optional>
#include <set>

#include "../check/loop_util.hh"
#include "../../common/mail_peer.hh"
#include "../../common/pki.hh"
#include "../../common/temp_dir.hh"
#include "../../common/webhook_peer.hh"
#include "base/time.hh"
#include "base/unique_fd.hh"
#include "ev/ev.hh"
#include "ev/loop.hh"
#include "notify/curl.hh"
#include "notify/senders.hh"

namespace fail::notify {
namespace {

using namespace std::chrono_literals;
using check::test::kLate;
using check::test::runUntil;
using End = Outcome::End;

WebhookSpec webhook(const std::string& url, const std::string& method = "POST") {
  WebhookSpec w;
  w.url = url;
  w.method = method;
  return w;
}

Message message(Kind kind = Kind::Alert) {
  Message m;
  m.key = "0123456789abcdef0123456789abcdef";
  m.channel = "ops";
  m.kind = kind;
  m.record = "www";
  m.subject = "www is FAIL";
  m.body = "{\"record\":\"www\",\"state\":\"FAIL\"}";
  m.fields = {{"record", "www"}, {"state", "FAIL"}, {"previous", "UP"}, {"host", "shellhost"}};
  m.created = wallNow();
  return m;
}

// What `openssl dgst -sha256 -hmac` says of `text` under `key`: the receiver's side.
std::string opensslHmac(const test::TempDir& dir, const std::string& key, const std::string& text) {
  dir.write("signed", text);
  std::string cmd = "openssl dgst -sha256 -hmac '" + key + "' " + dir.file("signed");
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return "";
  char buf[512] = {};
  size_t n = std::fread(buf, 1, sizeof buf - 1, p);
  ::pclose(p);
  std::string out(buf, n);
  auto eq = out.rfind("= ");
  return eq == std::string::npos ? "" : out.substr(eq + 2, 64);
}

class Senders : public ::testing::Test {
 protected:
  // Sends `m` through `s` and runs the loop until the outcome came; `done` must not run
  // from inside send().
  Outcome deliver(Sender& s, const Message& m, std::chrono::milliseconds limit = 30s) {
    std::optional<Outcome> got;
    s.send(m, [&](Outcome o) { got = std::move(o); });
    EXPECT_FALSE(got) << "done ran from inside send()";
    EXPECT_TRUE(runUntil(loop_.base(), [&] { return got.has_value(); }, limit));
    return got.value_or(Outcome{End::Retry, "(no outcome)", {}});
  }
  std::unique_ptr<Sender> make(ChannelSpec spec) {
    std::string err;
    EXPECT_TRUE(checkSpec(spec, &err)) << err;
    return makeSender(spec, transfers_, loop_);
  }
  ChannelSpec hook(const std::string& url, std::chrono::milliseconds timeout = 10s) {
    ChannelSpec c;
    c.name = "chat";
    c.how = webhook(url);
    c.timeout = timeout;
    return c;
  }
  test::WebhookPeer startHook(test::WebhookPeerOptions o = {}, const std::string& tag = "hook") {
    test::WebhookPeer p(dir_.path(), std::move(o), tag);
    std::string why;
    EXPECT_TRUE(p.start(&why)) << why;
    return p;
  }

  ev::Loop loop_;
  Transfers transfers_{loop_};
  test::TempDir dir_;
};

// ---------------------------------------------------------------- webhooks

TEST_F(Senders, WebhookDeliversSignedJson) {
  auto peer = startHook();
  auto spec = hook(peer.url("/hook?token=verysecrettoken"));
  std::get<WebhookSpec>(spec.how).secret = "s3cr3t-hmac-key";
  auto s = make(spec);
  Message m = message();
  auto before = wallNow() / 1'000'000;
  Outcome o = deliver(*s, m);
  EXPECT_EQ(o.end, End::Sent) << o.detail;
  EXPECT_EQ(o.detail, "HTTP 200 from 127.0.0.1:" + std::to_string(peer.port()));
  auto seen = peer.waitCount(1);
  ASSERT_EQ(seen.size(), 1u);
  const auto& h = seen[0];
  EXPECT_EQ(h.method, "POST");
  EXPECT_EQ(h.path, "/hook?token=verysecrettoken");
  EXPECT_EQ(h.body, m.body);
  EXPECT_EQ(h.header("Content-Type"), "application/json");
  EXPECT_EQ(h.header("Idempotency-Key"), m.key);
  EXPECT_EQ(h.header("X-Failover-Event"), "alert");
  EXPECT_EQ(h.header("Expect"), "");
  // t=UNIXSECONDS,sha256=HEX: checked as a receiver would, with openssl.
  std::string sig = h.header("X-Failover-Signature");
  ASSERT_EQ(sig.rfind("t=", 0), 0u) << sig;
  auto comma = sig.find(",sha256=");
  ASSERT_NE(comma, std::string::npos) << sig;
  std::string t = sig.substr(2, comma - 2);
  EXPECT_GE(std::stoll(t), before);
  EXPECT_LE(std::stoll(t), wallNow() / 1'000'000);
  EXPECT_EQ(sig.substr(comma + 8), opensslHmac(dir_, "s3cr3t-hmac-key", t + "." + m.body));
  EXPECT_EQ(sig, webhookSignature("s3cr3t-hmac-key", std::stoll(t), m.body));
}

TEST_F(Senders, WebhookPutWithHeadersAndNoSecret) {
  auto peer = startHook();
  auto spec = hook(peer.url());
  auto& w = std::get<WebhookSpec>(spec.how);
  w.method = "PUT";
  w.headers = {{"content-type", "application/vnd.test+json"}, {"X-Team", "ops"}};
  auto s = make(spec);
  EXPECT_EQ(deliver(*s, message(Kind::Resolved)).end, End::Sent);
  auto seen = peer.waitCount(1);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "PUT");
  EXPECT_EQ(seen[0].header("Content-Type"), "application/vnd.test+json");  // replaced, not doubled
  EXPECT_EQ(seen[0].header("X-Team"), "ops");
  EXPECT_EQ(seen[0].header("X-Failover-Event"), "resolved");
  EXPECT_EQ(seen[0].header("X-Failover-Signature"), "");
}

TEST_F(Senders, Webhook500IsRetriedAnd404Failed) {
  auto peer = startHook({.mode = "500"});
  auto s = make(hook(peer.url("/h?key=querysecret")));
  Outcome o = deliver(*s, message());
  EXPECT_EQ(o.end, End::Retry);
  EXPECT_EQ(o.detail, "HTTP 500 from 127.0.0.1:" + std::to_string(peer.port()) + ": no");
  peer.setMode("429");
  EXPECT_EQ(deliver(*s, message()).end, End::Retry);
  peer.setMode("404");
  o = deliver(*s, message());
  EXPECT_EQ(o.end, End::Failed) << o.detail;
  EXPECT_EQ(o.detail.find("querysecret"), std::string::npos) << o.detail;
  peer.setMode("200");
  EXPECT_EQ(deliver(*s, message()).end, End::Sent);
}

// A URL's user and password go as Basic auth and never into a detail.
TEST_F(Senders, WebhookUserinfoIsSentButNeverShown) {
  auto peer = startHook({.mode = "503"});
  auto s = make(hook("http://hookuser:hookpass-9c1e@127.0.0.1:" + std::to_string(peer.port()) + "/h"));
  Outcome o = deliver(*s, message());
  EXPECT_EQ(o.end, End::Retry);
  EXPECT_EQ(o.detail.find("hookpass"), std::string::npos) << o.detail;
  EXPECT_EQ(o.detail.find("hookuser"), std::string::npos) << o.detail;
  auto seen = peer.waitCount(1);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].header("Authorization"), "Basic aG9va3VzZXI6aG9va3Bhc3MtOWMxZQ==");  // hookuser:hookpass-9c1e
}

TEST_F(Senders, WebhookRedirectIsFailedNamingTheLocationWithoutItsQuery) {
  auto peer = startHook({.mode = "redirect", .redirectTo = "http://user:pw@127.0.0.1:9/elsewhere?token=abc#x"});
  auto s = make(hook(peer.url()));
  Outcome o = deliver(*s, message());
  EXPECT_EQ(o.end, End::Failed);
  EXPECT_EQ(o.detail, "HTTP 302 from 127.0.0.1:" + std::to_string(peer.port()) +
                          ": redirected to http://127.0.0.1:9/elsewhere; redirects are not followed");
  EXPECT_EQ(peer.seen().size(), 1u);  // not followed
}

// A receiver that never answers: Retry at the timeout, and the loop goes on meanwhile.
TEST_F(Senders, WebhookHangIsRetriedAtTheTimeoutWhileTheLoopRuns) {
  auto peer = startHook({.mode = "hang"});
  auto s = make(hook(peer.url(), 1500ms));
  int ticks = 0;
  auto last = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration worst{};
  std::unique_ptr<ev::Timer> ticker;
  ticker = std::make_unique<ev::Timer>(loop_.base(), [&] {
    auto now = std::chrono::steady_clock::now();
    worst = std::max(worst, now - last);
    last = now;
    ++ticks;
    ticker->arm(10ms);
  });
  ticker->arm(10ms);
  auto start = std::chrono::steady_clock::now();
  Outcome o = deliver(*s, message());
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(o.end, End::Retry);
  EXPECT_NE(o.detail.find("timed out with 127.0.0.1:" + std::to_string(peer.port())), std::string::npos) << o.detail;
  EXPECT_GE(took, 1400ms);
  EXPECT_LE(took, 1500ms + kLate);
  EXPECT_GE(ticks, 20);
  EXPECT_LT(worst, 500ms) << "the loop was blocked";
}

TEST_F(Senders, WebhookTrickleIsCut) {
  auto peer = startHook({.mode = "trickle"});
  auto s = make(hook(peer.url(), 4s));
  auto start = std::chrono::steady_clock::now();
  Outcome o = deliver(*s, message());
  EXPECT_EQ(o.end, End::Retry) << o.detail;
  EXPECT_LE(std::chrono::steady_clock::now() - start, 4s + kLate);
}

TEST_F(Senders, WebhookClosedPortIsRetried) {
  int port = test::freeLoopbackPort();
  auto s = make(hook("http://127.0.0.1:" + std::to_string(port) + "/"));
  Outcome o = deliver(*s, message());
  EXPECT_EQ(o.end, End::Retry);
  EXPECT_NE(o.detail.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << o.detail;
}

TEST_F(Senders, WebhookOverTlsVerifiesTheServer) {
  test::Pki pki, other;
  auto leaf = pki.leaf("hook", "IP:127.0.0.1", -3600, 86400);
  auto peer = startHook({.tlsCert = leaf.cert, .tlsKey = leaf.key});
  auto spec = hook(peer.url());
  auto& w = std::get<WebhookSpec>(spec.how);
  w.tls.ca = pki.caFile;
  auto good = make(spec);
  EXPECT_EQ(deliver(*good, message()).end, End::Sent);

  w.tls.ca = other.caFile;  // a CA that did not sign it
  auto wrong = make(spec);
  Outcome o = deliver(*wrong, message());
  EXPECT_EQ(o.end, End::Failed);
  EXPECT_EQ(o.detail.rfind("TLS verification of 127.0.0.1:" + std::to_string(peer.port()) + " failed: ", 0), 0u)
      << o.detail;
  EXPECT_NE(o.detail.find("certificate"), std::string::npos) << o.detail;

  auto self = pki.leaf("self", "IP:127.0.0.1", -3600, 86400, true);  // signed by no CA
  auto selfPeer = startHook({.tlsCert = self.cert, .tlsKey = self.key}, "self");
  w.url = selfPeer.url();
  w.tls.ca = pki.caFile;
  auto unsigned_ = make(spec);
  o = deliver(*unsigned_, message());
  EXPECT_EQ(o.end, End::Failed);
  EXPECT_EQ(o.detail.rfind("TLS verification of 127.0.0.1:" + std::to_string(selfPeer.port()) + " failed: ", 0), 0u)
      << o.detail;
  EXPECT_NE(o.detail.find("certificate"), std::string::npos) << o.detail;
  EXPECT_TRUE(selfPeer.seen().empty());

  w.url = peer.url();
  w.tls = {false, ""};  // -insecure
  auto insecure = make(spec);
  EXPECT_EQ(deliver(*insecure, message()).end, End::Sent);
  EXPECT_EQ(peer.waitCount(2).size(), 2u);
}

// ---------------------------------------------------------------- mail

class Mail : public Senders {
 protected:
  void SetUp() override {
    if (!test::pythonHas("aiosmtpd")) GTEST_SKIP() << "python3-aiosmtpd is not installed";
  }
  test::MailPeer startMail(test::MailPeerOptions o = {}) {
    test::MailPeer p(dir_.path(), std::move(o));
    std::string why;
    EXPECT_TRUE(p.start(&why)) << why;
    return p;
  }
  ChannelSpec mail(const test::MailPeer& peer) {
    ChannelSpec c;
    c.name = "ops";
    MailSpec m;
    m.to = {"ops@example.com", "oncall@example.com"};
    m.server = peer.address();
    m.from = "failover@example.com";
    c.how = m;
    return c;
  }
};

TEST_F(Mail, Plain) {
  auto peer = startMail();
  auto s = make(mail(peer));
  Message m = message();
  m.body = "www is FAIL since 12:00\n.\n.hidden line\nend\n";
  Outcome o = deliver(*s, m);
  EXPECT_EQ(o.end, End::Sent) << o.detail;
  EXPECT_NE(o.detail.find("from 127.0.0.1:" + std::to_string(peer.port())), std::string::npos) << o.detail;
  auto seen = peer.waitCount(1);
  ASSERT_EQ(seen.size(), 1u);
  const auto& got = seen[0];
  EXPECT_EQ(got.header("X-Peer-Mail-From"), "failover@example.com");
  EXPECT_EQ(got.header("X-Peer-Rcpt-To"), "ops@example.com, oncall@example.com");
  EXPECT_EQ(got.header("From"), "failover@example.com");
  EXPECT_EQ(got.header("To"), "ops@example.com, oncall@example.com");
  EXPECT_EQ(got.header("Subject"), "www is FAIL");
  EXPECT_EQ(got.header("Message-ID"), "<" + m.key + "@failover.shellhost>");
  EXPECT_EQ(got.header("Auto-Submitted"), "auto-generated");
  EXPECT_EQ(got.header("Content-Type"), "text/plain; charset=UTF-8");
  EXPECT_NE(got.header("Date").find(" +0000"), std::string::npos);
  EXPECT_EQ(got.body, m.body);  // the lone "." and ".hidden" survived dot-stuffing
}

TEST_F(Mail, SubjectEncodedAndNoHeaderInjection) {
  auto peer = startMail();
  auto s = make(mail(peer));
  Message m = message();
  m.subject = "Störung: www\r\nBcc: evil@example.net";
  m.body = "Grüße, ünïcödé\n" + std::string(1200, 'x') + "\n";
  EXPECT_EQ(deliver(*s, m).end, End::Sent);
  auto seen = peer.waitCount(1);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].header("Bcc"), "");
  EXPECT_EQ(seen[0].header("X-Peer-Rcpt-To"), "ops@example.com, oncall@example.com");
  // Decoded as a mail reader would: the encoded words, then the text.
  std::string subject = seen[0].header("Subject"), decoded;
  for (size_t i = 0; (i = subject.find("=?UTF-8?B?", i)) != std::string::npos;) {
    size_t end = subject.find("?=", i + 10);
    ASSERT_NE(end, std::string::npos) << subject;
    decoded += test::mail_detail::decodeBase64(subject.substr(i + 10, end - i - 10));
    i = end + 2;
  }
  EXPECT_EQ(decoded, "Störung: www  Bcc: evil@example.net");
  EXPECT_EQ(seen[0].header("Content-Transfer-Encoding"), "quoted-printable");
  EXPECT_EQ(seen[0].body, m.body);
}

TEST_F(Mail, StartTlsAndAuth) {
  test::Pki pki;
  auto leaf = pki.leaf("smtp", "IP:127.0.0.1", -3600, 86400);
  auto peer = startMail({.tlsCert = leaf.cert, .tlsKey = leaf.key, .requireTls = true, .user = "alerts",
                         .password = "pa55-w0rd-value"});
  auto spec = mail(peer);
  auto& ms = std::get<MailSpec>(spec.how);
  ms.starttls = true;
  ms.user = "alerts";
  ms.password = "pa55-w0rd-value";
  ms.tls.ca = pki.caFile;
  auto s = make(spec);
  Outcome o = deliver(*s, message());
  EXPECT_EQ(o.end, End::Sent) << o.detail;
  auto seen = peer.waitCount(1);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].header("X-Peer-TLS"), "yes");
  EXPECT_EQ(seen[0].header("X-Peer-Auth"), "alerts");

  ms.password = "wrong-password";
  auto bad = make(spec);
  o = deliver(*bad, message());
  EXPECT_EQ(o.end, End::Failed) << o.detail;
  EXPECT_EQ(o.detail.find("wrong-password"), std::string::npos) << o.detail;
  EXPECT_NE(o.detail.find("SMTP 535"), std::string::npos) << o.detail;

  test::Pki other;
  ms.password = "pa55-w0rd-value";
  ms.tls.ca = other.caFile;
  auto wrongCa = make(spec);
  o = deliver(*wrongCa, message());
  EXPECT_EQ(o.end, End::Failed) << o.detail;
  EXPECT_NE(o.detail.find("TLS verification of 127.0.0.1:"), std::string::npos) << o.detail;
}

TEST_F(Mail, RejectedRecipientIsFailedWithTheReply) {
  auto peer = startMail({.reject = {"oncall@example.com"}});
  auto s = make(mail(peer));
  Outcome o = deliver(*s, message());
  EXPECT_EQ(o.end, End::Failed);
  EXPECT_EQ(o.detail.rfind("SMTP 550", 0), 0u) << o.detail;
  EXPECT_NE(o.detail.find("from 127.0.0.1:" + std::to_string(peer.port())), std::string::npos) << o.detail;
  EXPECT_TRUE(peer.seen().empty());
}

TEST_F(Mail, TemporaryFailureIsRetried) {
  auto peer = startMail();
  peer.setMode("451");
  auto s = make(mail(peer));
  Outcome o = deliver(*s, message());
  EXPECT_EQ(o.end, End::Retry);
  EXPECT_EQ(o.detail.rfind("SMTP 451", 0), 0u) << o.detail;
  peer.setMode("ok");
  EXPECT_EQ(deliver(*s, message()).end, End::Sent);
  EXPECT_EQ(peer.waitCount(1).size(), 1u);
}

TEST_F(Senders, MailServerDownIsRetried) {
  ChannelSpec c;
  c.name = "ops";
  MailSpec m;
  m.to = {"ops@example.com"};
  m.server = "127.0.0.1:" + std::to_string(test::freeLoopbackPort());
  m.from = "failover@example.com";
  c.how = m;
  auto s = make(c);
  EXPECT_EQ(deliver(*s, message()).end, End::Retry);
}

// A server that takes the connection and never greets: Retry at the timeout.
TEST_F(Senders, MailServerSilentIsRetriedAtTheTimeout) {
  UniqueFd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(listener.get(), 4), 0);  // the kernel completes the handshake; nobody speaks
  socklen_t len = sizeof a;
  ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&a), &len);
  ChannelSpec c;
  c.name = "ops";
  MailSpec m;
  m.to = {"ops@example.com"};
  m.server = "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
  m.from = "failover@example.com";
  c.how = m;
  c.timeout = 1s;
  auto s = make(c);
  auto start = std::chrono::steady_clock::now();
  Outcome o = deliver(*s, message());
  EXPECT_EQ(o.end, End::Retry);
  EXPECT_NE(o.detail.find("timed out with " + m.server), std::string::npos) << o.detail;
  EXPECT_LE(std::chrono::steady_clock::now() - start, 1s + kLate);
}

// ---------------------------------------------------------------- exec and syslog

TEST_F(Senders, ExecGetsTheFieldsAndTheBody) {
  ChannelSpec c;
  c.name = "script";
  c.how = ExecSpec{{"/bin/sh", "-c", "cat > '" + dir_.file("stdin") + "'; env | grep '^FAIL_' | sort > '" +
                                         dir_.file("env") + "'; echo done"}};
  auto s = make(c);
  Message m = message();
  Outcome o = deliver(*s, m);
  EXPECT_EQ(o.end, End::Sent) << o.detail;
  EXPECT_EQ(test::readAll(dir_.file("stdin")), m.body);
  std::string env = test::readAll(dir_.file("env"));
  EXPECT_NE(env.find("FAIL_RECORD=www\n"), std::string::npos) << env;
  EXPECT_NE(env.find("FAIL_STATE=FAIL\n"), std::string::npos) << env;
  EXPECT_NE(env.find("FAIL_PREVIOUS=UP\n"), std::string::npos) << env;
  EXPECT_NE(env.find("FAIL_SUBJECT=www is FAIL\n"), std::string::npos) << env;
}

TEST_F(Senders, ExecFailureAndTimeoutAreRetried) {
  ChannelSpec c;
  c.name = "script";
  c.how = ExecSpec{{"/bin/sh", "-c", "echo no mailer here >&2; exit 3"}};
  auto s = make(c);
  Outcome o = deliver(*s, message());
  EXPECT_EQ(o.end, End::Retry);
  EXPECT_EQ(o.detail, "/bin/sh exited with status 3: no mailer here");

  c.how = ExecSpec{{"/bin/sh", "-c", "exec sleep 60"}};
  c.timeout = 500ms;
  auto slow = make(c);
  auto start = std::chrono::steady_clock::now();
  o = deliver(*slow, message());
  EXPECT_EQ(o.end, End::Retry);
  EXPECT_NE(o.detail.find("timed out"), std::string::npos) << o.detail;
  EXPECT_LE(std::chrono::steady_clock::now() - start, 500ms + kLate);
}

// syslog(3) writes to /dev/log: where none is (these containers), the test listens there
// itself for the moment of the test.
TEST_F(Senders, SyslogLine) {
  UniqueFd sock;
  bool listening = false;
  if (::access("/dev/log", F_OK) != 0) {
    sock.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "/dev/log");
    listening = ::bind(sock.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ChannelSpec c;
  c.name = "log";
  c.how = SyslogSpec{*parseSyslogFacility("local3")};
  auto s = make(c);
  Message m = message();
  m.subject = "www is FAIL";
  m.body = "since 12:00\nsecond line";
  Outcome o = deliver(*s, m);
  EXPECT_EQ(o.end, End::Sent);
  EXPECT_EQ(o.detail, "syslog local3");
  if (listening) {
    timeval tv{10, 0};
    ::setsockopt(sock.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[2048] = {};
    ssize_t n = ::recv(sock.get(), buf, sizeof buf - 1, 0);
    ::unlink("/dev/log");
    ASSERT_GT(n, 0);
    std::string line(buf, static_cast<size_t>(n));
    EXPECT_EQ(line.rfind("<" + std::to_string(LOG_LOCAL3 | LOG_WARNING) + ">", 0), 0u) << line;
    EXPECT_NE(line.find("www is FAIL: since 12:00"), std::string::npos) << line;
    EXPECT_EQ(line.find("second line"), std::string::npos) << line;
  }
}

// ---------------------------------------------------------------- the pieces

TEST(SendersSpec, ChecksWhatTheSendersNeed) {
  std::string err;
  ChannelSpec c;
  c.name = "x";
  c.how = webhook("ftp://example.com/");
  EXPECT_FALSE(checkSpec(c, &err));
  EXPECT_EQ(err, "-webhook: not an http or https URL");
  c.how = webhook("https://hooks.example.com/x", "GET");
  EXPECT_FALSE(checkSpec(c, &err));
  EXPECT_EQ(err, "-method: \"GET\" is neither POST nor PUT");
  WebhookSpec w = webhook("https://hooks.example.com/x");
  w.headers = {{"X-A", "1\r\nX-Injected: 2"}};
  c.how = w;
  EXPECT_FALSE(checkSpec(c, &err));
  EXPECT_EQ(err, "-header X-A: a value may not hold CR, LF or NUL");
  w.headers = {{"Bad Name", "1"}};
  c.how = w;
  EXPECT_FALSE(checkSpec(c, &err));

  MailSpec m;
  m.to = {"ops@example.com"};
  m.from = "failover@example.com";
  m.server = "mail.example.com:587";
  c.how = m;
  EXPECT_TRUE(checkSpec(c, &err)) << err;
  m.server = "[::1]:25";
  c.how = m;
  EXPECT_TRUE(checkSpec(c, &err)) << err;
  m.server = "mail.example.com:99999";
  c.how = m;
  EXPECT_FALSE(checkSpec(c, &err));
  EXPECT_EQ(err, "-smtp: not a port: \"99999\"");
  m.server = "mail.example.com";
  m.to = {"ops@example.com>\r\nRCPT TO:<x@y"};
  c.how = m;
  EXPECT_FALSE(checkSpec(c, &err));
  m.to = {"ops@example.com"};
  m.smtps = m.starttls = true;
  c.how = m;
  EXPECT_FALSE(checkSpec(c, &err));
  EXPECT_EQ(err, "-smtps and -starttls: choose one");

  c.how = ExecSpec{};
  EXPECT_FALSE(checkSpec(c, &err));
  EXPECT_EQ(err, "-exec: no program");
  c.how = SyslogSpec{LOG_LOCAL7};
  EXPECT_TRUE(checkSpec(c, &err));
  c.timeout = 0ms;
  EXPECT_FALSE(checkSpec(c, &err));
}

TEST(SendersSpec, SyslogFacilities) {
  EXPECT_EQ(parseSyslogFacility("local3"), LOG_LOCAL3);
  EXPECT_EQ(parseSyslogFacility("daemon"), LOG_DAEMON);
  EXPECT_EQ(parseSyslogFacility("user"), LOG_USER);
  EXPECT_EQ(parseSyslogFacility("local8"), std::nullopt);
  EXPECT_EQ(parseSyslogFacility("kern"), std::nullopt);
  EXPECT_STREQ(syslogFacilityName(LOG_LOCAL7), "local7");
}

TEST(SendersSpec, UrlsForDetails) {
  EXPECT_EQ(urlHostPort("https://u:p@hooks.example.com/x?token=1"), "hooks.example.com:443");
  EXPECT_EQ(urlHostPort("http://127.0.0.1:8080/"), "127.0.0.1:8080");
  EXPECT_EQ(urlHostPort("http://[::1]/"), "[::1]:80");
  EXPECT_EQ(urlForDetail("https://u:p@hooks.example.com/x?token=1#f"), "https://hooks.example.com/x");
}

TEST(SendersSpec, MailTextFoldsLongHeadersAndEndsLinesWithCrLf) {
  MailSpec spec;
  spec.to = {"a@example.com"};
  spec.from = "f@example.com";
  Message m = message();
  m.subject = std::string(30, 'a') + " " + std::string(30, 'b') + " " + std::string(30, 'c');
  m.body = "one\ntwo\r\n";
  std::string text = mailText(spec, m, "host", 0);
  EXPECT_NE(text.find("Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Subject: " + std::string(30, 'a') + " " + std::string(30, 'b') + "\r\n " +
                      std::string(30, 'c') + "\r\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Content-Transfer-Encoding: 7bit\r\n\r\none\r\ntwo\r\n"), std::string::npos) << text;
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') {
      EXPECT_EQ(text[i - 1], '\r') << i;
    }
}

// ---------------------------------------------------------------- Transfers

TEST_F(Senders, CancelledTransfersNeverCallBack) {
  auto peer = startHook({.mode = "hang"});
  bool called = false;
  {
    auto s = make(hook(peer.url(), 5s));
    s->send(message(), [&](Outcome) { called = true; });
    EXPECT_TRUE(runUntil(loop_.base(), [&] { return !peer.seen().empty(); }, 30s));
  }  // the sender goes with its transfer out
  EXPECT_EQ(transfers_.running(), 0u);
  check::test::runFor(loop_.base(), 200ms);
  EXPECT_FALSE(called);
}

// Many at once on one multi handle: each ends once, with its own answer.
TEST_F(Senders, ManyTransfersAtOnce) {
  auto peer = startHook();
  auto s = make(hook(peer.url()));
  constexpr int kCount = 25;
  int sent = 0, other = 0;
  for (int i = 0; i < kCount; ++i) {
    Message m = message();
    m.key = "key-" + std::to_string(i);
    s->send(m, [&](Outcome o) { ++(o.end == End::Sent ? sent : other); });
  }
  EXPECT_TRUE(runUntil(loop_.base(), [&] { return sent + other == kCount; }, 30s));
  EXPECT_EQ(sent, kCount);
  auto seen = peer.waitCount(kCount);
  std::set<std::string> keys;
  for (const auto& h : seen) keys.insert(h.header("Idempotency-Key"));
  EXPECT_EQ(keys.size(), static_cast<size_t>(kCount));
  check::test::runFor(loop_.base(), 100ms);
  EXPECT_EQ(sent + other, kCount);  // none twice
}

// Transfers destroyed with a transfer out (failsh stopping): no callback, nothing left.
TEST(Transfers, DestroyedWithTransfersOut) {
  test::TempDir dir;
  test::WebhookPeer peer(dir.path(), {.mode = "hang"});
  std::string why;
  ASSERT_TRUE(peer.start(&why)) << why;
  ev::Loop loop;
  bool called = false;
  {
    Transfers transfers(loop);
    transfers.start(std::make_unique<Transfer>(peer.url(), "http,https", TransferLimits{}),
                    [&](TransferResult) { called = true; });
    ASSERT_TRUE(runUntil(loop.base(), [&] { return !peer.seen().empty(); }, 30s));
    // And one that cannot even start: reported from the loop, never from here.
    transfers.failed(TransferResult{}, [&](TransferResult) { called = true; });
  }
  check::test::runFor(loop.base(), 100ms);
  EXPECT_FALSE(called);
}

TEST(Transfers, FailedReportsFromTheLoop) {
  ev::Loop loop;
  Transfers transfers(loop);
  TransferResult r;
  r.code = CURLE_OUT_OF_MEMORY;
  r.error = "no memory";
  std::optional<TransferResult> got;
  transfers.failed(r, [&](TransferResult x) { got = std::move(x); });
  EXPECT_FALSE(got);
  ASSERT_TRUE(runUntil(loop.base(), [&] { return got.has_value(); }));
  EXPECT_EQ(got->error, "no memory");
  EXPECT_EQ(transfers.running(), 0u);
  // A cancelled one never reports.
  bool called = false;
  auto id = transfers.failed(r, [&](TransferResult) { called = true; });
  transfers.cancel(id);
  check::test::runFor(loop.base(), 50ms);
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace fail::notify
