// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// lib/net's TLS module: the one IP-literal test, the error queue, and the contexts'
// refusals naming the file that was wrong.
#include "net/tls.hh"

#include <gtest/gtest.h>
#include <openssl/err.h>

#include <stdexcept>
#include <string>

namespace fail::net {
namespace {

TEST(NetTls, IpLiterals) {
  EXPECT_TRUE(isIpLiteral("127.0.0.1"));
  EXPECT_TRUE(isIpLiteral("::1"));
  EXPECT_TRUE(isIpLiteral("2001:db8::5"));
  EXPECT_FALSE(isIpLiteral("localhost"));
  EXPECT_FALSE(isIpLiteral("[::1]"));
  EXPECT_FALSE(isIpLiteral("127.0.0.1:80"));
  EXPECT_FALSE(isIpLiteral(""));
}

TEST(NetTls, DrainSslErrorsEmptiesTheQueue) {
  ERR_clear_error();
  EXPECT_EQ(drainSslErrors(), "");
  ERR_put_error(ERR_LIB_SSL, 0, SSL_R_BAD_LENGTH, __FILE__, __LINE__);
  std::string first = drainSslErrors();
  EXPECT_NE(first, "");
  EXPECT_EQ(drainSslErrors(), "");
}

TEST(NetTls, ClientContextNamesTheMissingFile) {
  std::string err;
  EXPECT_TRUE(makeClientContext(TlsFiles{}, err)) << err;
  EXPECT_FALSE(makeClientContext(TlsFiles{"", "", "/nonexistent/ca.pem"}, err));
  EXPECT_NE(err.find("cannot load CA file /nonexistent/ca.pem"), std::string::npos) << err;
  EXPECT_FALSE(makeClientContext(TlsFiles{"/nonexistent/c.pem", "", ""}, err));
  EXPECT_NE(err.find("cannot load certificate /nonexistent/c.pem"), std::string::npos) << err;
  EXPECT_EQ(ERR_peek_error(), 0u);  // nothing left behind for the next user of the queue
}

TEST(NetTls, ServerContextNeedsCertAndKey) {
  EXPECT_THROW(makeServerContext(TlsFiles{}), std::runtime_error);
  try {
    makeServerContext(TlsFiles{"/nonexistent/s.pem", "/nonexistent/s.key", ""});
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("TLS certificate /nonexistent/s.pem"), std::string::npos) << e.what();
  }
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(NetTls, ClientSslForNameAndAddress) {
  std::string err;
  SslCtxPtr ctx = makeClientContext(TlsFiles{}, err);
  ASSERT_TRUE(ctx) << err;
  SslPtr byName = makeClientSsl(ctx.get(), -1, "db.example", err);
  ASSERT_TRUE(byName) << err;
  const char* sni = SSL_get_servername(byName.get(), TLSEXT_NAMETYPE_host_name);
  EXPECT_STREQ(sni ? sni : "", "db.example");
  SslPtr byAddress = makeClientSsl(ctx.get(), -1, "127.0.0.1", err);
  ASSERT_TRUE(byAddress) << err;
  EXPECT_EQ(SSL_get_servername(byAddress.get(), TLSEXT_NAMETYPE_host_name), nullptr);  // no SNI
}

}  // namespace
}  // namespace fail::net
