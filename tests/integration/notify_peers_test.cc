// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The notification tests' peers themselves (tests/common/mail_peer.hh, webhook_peer.hh),
// driven by curl: they start on a port of their own, record what arrives, switch modes
// while running, do STARTTLS and AUTH with the test PKI, and reject what they are told to.
#include <gtest/gtest.h>

#include "../common/mail_peer.hh"
#include "../common/pki.hh"
#include "../common/webhook_peer.hh"
#include "harness.hh"

namespace fail::test {
namespace {

const char* kCurl = "/usr/bin/curl";

RunResult curl(std::vector<std::string> args) {
  args.insert(args.begin(), {"-sS", "--max-time", "20"});
  return runProgram(kCurl, args);
}

TEST(NotifyPeersTest, WebhookRecordsRequestsAndSwitchesModes) {
  TempDir dir;
  WebhookPeer hook(dir.path());
  std::string why;
  ASSERT_TRUE(hook.start(&why)) << why;
  ASSERT_GT(hook.port(), 0);

  auto r = curl({"-X", "PUT", "-H", "Content-Type: application/json", "-H", "Idempotency-Key: k1",
                 "--data-binary", R"({"record":"web","state":"FAIL"})", "-w", "%{http_code}",
                 "-o", "/dev/null", hook.url("/a/b?c=1")});
  EXPECT_EQ(r.out, "200") << r.err;
  auto seen = hook.waitCount(1);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "PUT");
  EXPECT_EQ(seen[0].path, "/a/b?c=1");
  EXPECT_EQ(seen[0].header("idempotency-key"), "k1");
  EXPECT_EQ(seen[0].header("Content-Type"), "application/json");
  EXPECT_EQ(seen[0].body, R"({"record":"web","state":"FAIL"})");
  EXPECT_EQ(seen[0].answer, "200");
  EXPECT_GT(seen[0].time, 1.7e9);

  hook.setMode("500");
  r = curl({"-d", "x", "-w", "%{http_code}", "-o", "/dev/null", hook.url()});
  EXPECT_EQ(r.out, "500");
  hook.setMode("redirect");
  r = curl({"-d", "x", "-w", "%{http_code} %{redirect_url}", "-o", "/dev/null", hook.url()});
  EXPECT_EQ(r.out, "302 http://127.0.0.1:9/elsewhere");

  // A hanging and a trickling receiver: the client gives up; the receiver, threaded,
  // still answers the next one meanwhile.
  hook.setMode("hang");
  auto started = Clock::now();
  r = runProgram(kCurl, {"-sS", "--max-time", "1", "-d", "x", hook.url("/hang")});
  EXPECT_EQ(r.status, 28) << r.err;  // curl: operation timed out
  hook.setMode("trickle");
  r = runProgram(kCurl, {"-sS", "--max-time", "1", "-d", "x", hook.url("/trickle")});
  EXPECT_EQ(r.status, 28) << r.err;
  EXPECT_LT(Clock::now() - started, 15s);
  hook.setMode("200");
  r = curl({"-d", "x", "-w", "%{http_code}", "-o", "/dev/null", hook.url("/after")});
  EXPECT_EQ(r.out, "200");
  seen = hook.waitCount(6);
  ASSERT_EQ(seen.size(), 6u);
  EXPECT_EQ(seen[1].answer, "500");
  EXPECT_EQ(seen[2].answer, "redirect");
  EXPECT_EQ(seen[3].answer, "hang");
  EXPECT_EQ(seen[4].answer, "trickle");
  EXPECT_EQ(seen[5].path, "/after");

  // Down and up again on the same port: a sender's retries find it there.
  int port = hook.port();
  hook.stop();
  r = curl({"-d", "x", hook.url()});
  EXPECT_EQ(r.status, 7) << r.err;  // could not connect
  ASSERT_TRUE(hook.start(&why)) << why;
  EXPECT_EQ(hook.port(), port);
  r = curl({"-d", "again", "-w", "%{http_code}", "-o", "/dev/null", hook.url()});
  EXPECT_EQ(r.out, "200");
  EXPECT_EQ(hook.waitCount(7).back().body, "again");
}

TEST(NotifyPeersTest, WebhookOverTlsWithTheTestPki) {
  TempDir dir;
  Pki pki;
  auto leaf = pki.leaf("hook", "DNS:localhost,IP:127.0.0.1", -3600, 86400);
  WebhookPeer hook(dir.path(), {.tlsCert = leaf.cert, .tlsKey = leaf.key});
  std::string why;
  ASSERT_TRUE(hook.start(&why)) << why;
  EXPECT_EQ(hook.url("/x").rfind("https://127.0.0.1:", 0), 0u);
  auto r = curl({"--cacert", pki.caFile, "-d", "tls", "-w", "%{http_code}", "-o", "/dev/null", hook.url()});
  EXPECT_EQ(r.out, "200") << r.err;
  r = curl({"-d", "tls", hook.url()});  // not the system's CAs' certificate
  EXPECT_EQ(r.status, 60) << r.err;
  auto seen = hook.waitCount(1);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].body, "tls");
}

// A message file for curl's SMTP upload.
std::string message(const TempDir& dir, const std::string& name, const std::string& text) {
  dir.write(name, text);
  return dir.file(name);
}

TEST(NotifyPeersTest, MailWithStarttlsAuthAndARejectedRecipient) {
  TempDir dir;
  Pki pki;
  auto leaf = pki.leaf("mail", "DNS:localhost,IP:127.0.0.1", -3600, 86400);
  MailPeer mail(dir.path(), {.tlsCert = leaf.cert, .tlsKey = leaf.key, .user = "alice",
                             .password = "pw-of-alice", .reject = {"nobody@example.com"}});
  std::string why;
  if (!mail.start(&why) && why.find("not installed") != std::string::npos) GTEST_SKIP() << why;
  ASSERT_GT(mail.port(), 0) << why;
  std::string url = "smtp://127.0.0.1:" + std::to_string(mail.port());
  std::string msg = message(dir, "m1.eml",
                            "From: failover@example.com\r\nTo: ops@example.com\r\nSubject: web is FAIL\r\n"
                            "Message-ID: <k1@failover.test>\r\nContent-Type: text/plain; charset=utf-8\r\n"
                            "Content-Transfer-Encoding: base64\r\n\r\nd2ViIGlzIEZBSUwgc2luY2Ugbm93Cg==\r\n");
  std::vector<std::string> base{"--ssl-reqd", "--cacert", pki.caFile, "--mail-from", "failover@example.com"};
  auto with = [&](std::vector<std::string> more) {
    auto args = base;
    args.insert(args.end(), more.begin(), more.end());
    args.insert(args.end(), {"--upload-file", msg, "--url", url});
    return curl(args);
  };
  auto r = with({"--user", "alice:pw-of-alice", "--mail-rcpt", "ops@example.com"});
  EXPECT_EQ(r.status, 0) << r.err << mail.log();
  auto seen = mail.waitCount(1);
  ASSERT_EQ(seen.size(), 1u) << mail.log();
  EXPECT_EQ(seen[0].header("subject"), "web is FAIL");
  EXPECT_EQ(seen[0].header("Message-ID"), "<k1@failover.test>");
  EXPECT_EQ(seen[0].header("X-Peer-TLS"), "yes");
  EXPECT_EQ(seen[0].header("X-Peer-Auth"), "alice");
  EXPECT_EQ(seen[0].header("X-Peer-Mail-From"), "failover@example.com");
  EXPECT_EQ(seen[0].header("X-Peer-Rcpt-To"), "ops@example.com");
  EXPECT_EQ(seen[0].body, "web is FAIL since now\n");

  r = with({"--user", "alice:wrong", "--mail-rcpt", "ops@example.com"});
  EXPECT_EQ(r.status, 67) << r.err;  // login denied
  r = with({"--user", "alice:pw-of-alice", "--mail-rcpt", "nobody@example.com"});
  EXPECT_EQ(r.status, 55) << r.err;  // the recipient refused
  EXPECT_NE(r.err.find("550"), std::string::npos) << r.err;
  // No AUTH before STARTTLS (aiosmtpd's default), and none at all: refused.
  r = curl({"--mail-from", "a@example.com", "--mail-rcpt", "ops@example.com", "--user", "alice:pw-of-alice",
            "--upload-file", msg, "--url", url});
  EXPECT_NE(r.status, 0);
  r = with({"--mail-rcpt", "ops@example.com"});
  EXPECT_NE(r.status, 0);

  mail.setMode("451");
  r = with({"--user", "alice:pw-of-alice", "--mail-rcpt", "ops@example.com"});
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("451"), std::string::npos) << r.err;
  mail.setMode("ok");
  r = with({"--user", "alice:pw-of-alice", "--mail-rcpt", "ops@example.com"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(mail.waitCount(2).size(), 2u);
  EXPECT_EQ(mail.seen().size(), 2u) << mail.log();
}

TEST(NotifyPeersTest, PlainMailAndARestartOnTheSamePort) {
  TempDir dir;
  MailPeer mail(dir.path());
  std::string why;
  if (!mail.start(&why) && why.find("not installed") != std::string::npos) GTEST_SKIP() << why;
  ASSERT_GT(mail.port(), 0) << why;
  std::string msg = message(dir, "m.eml",
                            "Subject: a long\r\n subject folded\r\nContent-Transfer-Encoding: quoted-printable\r\n"
                            "\r\nd=C3=A9j=C3=A0 vu, a soft=\r\n break\r\n");
  std::string url = "smtp://127.0.0.1:" + std::to_string(mail.port());
  auto r = curl({"--mail-from", "a@example.com", "--mail-rcpt", "b@example.com", "--upload-file", msg, "--url", url});
  EXPECT_EQ(r.status, 0) << r.err;
  int port = mail.port();
  mail.stop();
  ASSERT_TRUE(mail.start(&why)) << why;
  EXPECT_EQ(mail.port(), port);
  r = curl({"--mail-from", "a@example.com", "--mail-rcpt", "b@example.com", "--upload-file", msg, "--url", url});
  EXPECT_EQ(r.status, 0) << r.err;
  auto seen = mail.waitCount(2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].header("Subject"), "a long subject folded");
  EXPECT_EQ(seen[0].header("X-Peer-TLS"), "no");
  EXPECT_EQ(seen[0].header("X-Peer-Auth"), "");
  EXPECT_EQ(seen[1].body, "d\xC3\xA9j\xC3\xA0 vu, a soft break\n");
}

}  // namespace
}  // namespace fail::test
