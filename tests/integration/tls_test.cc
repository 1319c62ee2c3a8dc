// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// faild's TLS listeners: AUTH inside TLS, and client certificates.
#include <gtest/gtest.h>

#include "harness.hh"
#include "tls_client.hh"

namespace fail::test {
namespace {

class FaildTlsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(makeCertificates(dir, "hc-fra")); }
  void TearDown() override {
    if (HasFailure() && d) std::cerr << "--- faild log:\n" << d->log();
  }
  void start(std::vector<std::string> extra) {
    std::vector<std::string> args = {"--memory", "--tls-cert", dir.file("server.pem"),
                                     "--tls-key", dir.file("server.key")};
    args.insert(args.end(), extra.begin(), extra.end());
    d = std::make_unique<Daemon>("faild/faild", args, dir, "faild");
    ASSERT_TRUE(d->start()) << d->log();
  }
  TempDir dir;
  std::unique_ptr<Daemon> d;
};

TEST_F(FaildTlsTest, AuthInsideTlsOnANonLoopbackListener) {
  writeFile(dir.file("access"), "* s3cret RW admin\n");
  start({"-c", dir.file("access"), "--listen", "tls:0.0.0.0:0"});
  TlsClient c(d->port(), dir.file("ca.pem"));
  ASSERT_TRUE(c.connected());
  EXPECT_EQ(words(c.request("GET x"))[1], "NEEDAUTH");
  EXPECT_EQ(c.request("AUTH s3cret"), "OK rw admin");
  EXPECT_EQ(words(c.request("SET www UP"))[1], "CHANGE");
  EXPECT_EQ(field(words(c.request("GET www"))[1], "origin"), "admin");
}

TEST_F(FaildTlsTest, ClientCertificateGrantsTheEntryOfItsName) {
  writeFile(dir.file("access"), "web* s3cret RW hc-fra\n* other RO\n");
  start({"-c", dir.file("access"), "--listen", "tls:127.0.0.1:0", "--tls-ca", dir.file("ca.pem")});
  TlsClient withCert(d->port(), dir.file("ca.pem"), dir.file("client.pem"), dir.file("client.key"));
  ASSERT_TRUE(withCert.connected());
  EXPECT_EQ(words(withCert.request("SET web1 UP"))[1], "CHANGE");
  EXPECT_EQ(field(words(withCert.request("GET web1"))[1], "origin"), "hc-fra");
  EXPECT_EQ(words(withCert.request("SET db1 UP"))[1], "DENIED");
  TlsClient without(d->port(), dir.file("ca.pem"));
  ASSERT_TRUE(without.connected());
  EXPECT_EQ(words(without.request("SET web1 FAIL"))[1], "NEEDAUTH");
}

TEST_F(FaildTlsTest, MissingCertificateIsAClearStartupError) {
  Daemon bad("faild/faild", {"--memory", "--listen", "tls:127.0.0.1:0", "--tls-cert", dir.file("nope.pem"),
                             "--tls-key", dir.file("server.key")},
             dir, "bad");
  EXPECT_EQ(bad.runToExit(), 1);
  EXPECT_NE(bad.log().find("nope.pem"), std::string::npos) << bad.log();
}

}  // namespace
}  // namespace fail::test
