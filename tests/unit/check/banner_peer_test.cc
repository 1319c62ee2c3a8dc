// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The smtp and ftp probes against real servers on loopback: aiosmtpd (python3-aiosmtpd,
// also with STARTTLS) and pyftpdlib (python3-pyftpdlib, anonymous and with a login).
// Skipped when Debian's Python lacks the module (doc/traps.md: /usr/bin/python3 only).
#include <gtest/gtest.h>

#include "peer_util.hh"

namespace fail::check {
namespace {

using namespace std::chrono_literals;
using test::attr;
using test::Child;
using test::probeOnce;

constexpr const char* kPython = "/usr/bin/python3";

std::map<std::string, std::string> at(int port, std::map<std::string, std::string> more = {}) {
  more["host"] = "127.0.0.1";
  more["port"] = std::to_string(port);
  return more;
}

TEST(SmtpPeer, Aiosmtpd) {
  if (!test::pythonHas("aiosmtpd")) GTEST_SKIP() << "python3-aiosmtpd is not installed";
  test::TempDir dir;
  ASSERT_TRUE(test::writeSelfSigned(dir));
  int port = test::freePort();
  {
    Child smtpd({kPython, "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + std::to_string(port),
                 "--tlscert", dir.file("cert.pem"), "--tlskey", dir.file("key.pem"),
                 "--no-requiretls"},
                dir.file("smtpd.log"));
    ASSERT_TRUE(smtpd.waitFor([&] { return test::tcpConnects(port); }))
        << test::readAll(dir.file("smtpd.log"));

    ProbeResult r = probeOnce("smtp", at(port));
    EXPECT_EQ(r.outcome, Outcome::Ok) << r.note << "\n" << test::readAll(dir.file("smtpd.log"));
    EXPECT_NE(attr(r, "banner").find("Python SMTP"), std::string::npos) << attr(r, "banner");

    r = probeOnce("smtp", at(port, {{"starttls", "1"}, {"ca", dir.file("cert.pem")}}));
    EXPECT_EQ(r.outcome, Outcome::Ok) << r.note << " " << attr(r, "tls_error") << "\n"
                                      << test::readAll(dir.file("smtpd.log"));
    EXPECT_NE(attr(r, "cert_days"), "<none>");
  }
  // Stopped: refused.
  ProbeResult r = probeOnce("smtp", at(port));
  EXPECT_EQ(r.outcome, Outcome::Unreachable);
  EXPECT_EQ(r.note, "connection refused");
}

TEST(FtpPeer, Pyftpdlib) {
  if (!test::pythonHas("pyftpdlib")) GTEST_SKIP() << "python3-pyftpdlib is not installed";
  test::TempDir dir;
  int anon = test::freePort();
  Child open({kPython, "-m", "pyftpdlib", "-p", std::to_string(anon), "-i", "127.0.0.1", "-d",
              dir.path()},
             dir.file("anon.log"));
  int login = test::freePort();
  Child locked({kPython, "-m", "pyftpdlib", "-p", std::to_string(login), "-i", "127.0.0.1", "-d",
                dir.path(), "-u", "probe", "-P", "s3cret"},
               dir.file("login.log"));
  ASSERT_TRUE(open.waitFor([&] { return test::tcpConnects(anon); }))
      << test::readAll(dir.file("anon.log"));
  ASSERT_TRUE(locked.waitFor([&] { return test::tcpConnects(login); }))
      << test::readAll(dir.file("login.log"));

  ProbeResult r = probeOnce("ftp", at(anon));
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  r = probeOnce("ftp", at(anon, {{"user", "anonymous"}, {"password", "probe@example.test"}}));
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;

  r = probeOnce("ftp", at(login, {{"user", "probe"}, {"password", "s3cret"}}));
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note << "\n" << test::readAll(dir.file("login.log"));
  // pyftpdlib answers a wrong password after a pause of a few seconds: a generous timeout.
  r = probeOnce("ftp", at(login, {{"user", "probe"}, {"password", "wrong"}}), 8s);
  EXPECT_EQ(r.outcome, Outcome::Fail);
  EXPECT_EQ(r.note, "login refused");
  EXPECT_EQ(attr(r, "reply"), "530");
}

}  // namespace
}  // namespace fail::check
