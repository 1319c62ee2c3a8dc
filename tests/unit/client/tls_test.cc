// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The client's TLS: chain and name verification, client certificates. Certificates are
// made here with OpenSSL (self-signed, EC P-256) and served by the in-test server.
#include "client/tls.hh"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <string>

#include "client/connection.hh"
#include "fake_server.hh"

namespace fail::client {
namespace {

using test::FakeServer;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};

// A self-signed certificate for CN `cn` with subjectAltName `san`, written as PEM to
// DIR/NAME.crt and DIR/NAME.key.
struct Credentials {
  std::string cert, key;
  Credentials(const std::string& name, const char* cn, const char* san) {
    std::string base = ::testing::TempDir() + "client_tls_" + name;
    cert = base + ".crt";
    key = base + ".key";
    std::unique_ptr<EVP_PKEY, PkeyFree> pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    std::unique_ptr<X509, X509Free> x(X509_new());
    X509_set_version(x.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x.get()), 86400);
    X509_set_pubkey(x.get(), pkey.get());
    X509_NAME* n = X509_get_subject_name(x.get());
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                               -1, -1, 0);
    X509_set_issuer_name(x.get(), n);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x.get(), x.get(), nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, san},
                              std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      X509_add_ext(x.get(), ext, -1);
      X509_EXTENSION_free(ext);
    }
    X509_sign(x.get(), pkey.get(), EVP_sha256());
    FILE* f = std::fopen(cert.c_str(), "w");
    PEM_write_X509(f, x.get());
    std::fclose(f);
    f = std::fopen(key.c_str(), "w");
    PEM_write_PrivateKey(f, pkey.get(), nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
  }
  ~Credentials() {
    std::remove(cert.c_str());
    std::remove(key.c_str());
  }
};

// A server context for `server`; when `clientCa` is given, client certificates signed by
// it are required.
SslCtxPtr serverContext(const Credentials& server, const Credentials* clientCa = nullptr) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  SSL_CTX_use_certificate_chain_file(ctx.get(), server.cert.c_str());
  SSL_CTX_use_PrivateKey_file(ctx.get(), server.key.c_str(), SSL_FILETYPE_PEM);
  if (clientCa) {
    SSL_CTX_load_verify_locations(ctx.get(), clientCa->cert.c_str(), nullptr);
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  return ctx;
}

// Connects to the server and asks PING; returns "" on success, else the error.
std::string ping(const std::string& host, const std::string& port, const TlsOptions& tls) {
  Target t;
  t.host = host;
  t.port = port;
  Connection c;
  std::string err, line;
  if (!c.open(t, tls, 3000, err)) return "open: " + err;
  if (!c.sendLine("PING", 3000, err)) return "send: " + err;
  IoStatus st = c.readLine(line, 3000, err);
  if (st != IoStatus::Ok) return "read: " + (err.empty() ? std::string("closed") : err);
  return line == "OK PONG" ? "" : "reply: " + line;
}

TEST(ClientTls, VerifiesChainAndAddress) {
  Credentials srv("srv", "localhost", "DNS:localhost,IP:127.0.0.1");
  SslCtxPtr ctx = serverContext(srv);
  FakeServer server(FakeServer::canned({{"PING", {"OK PONG"}}}), ctx.get());
  TlsOptions tls;
  tls.enabled = true;
  tls.ca = srv.cert;
  EXPECT_EQ(ping("127.0.0.1", server.port(), tls), "");
  // "localhost" may resolve to ::1 first, where nobody listens: the next address is tried.
  EXPECT_EQ(ping("localhost", server.port(), tls), "");
}

TEST(ClientTls, RejectsUnknownIssuer) {
  Credentials srv("srv2", "localhost", "IP:127.0.0.1");
  Credentials other("other", "elsewhere", "DNS:elsewhere");
  SslCtxPtr ctx = serverContext(srv);
  FakeServer server(FakeServer::canned({{"PING", {"OK PONG"}}}), ctx.get());
  TlsOptions tls;
  tls.enabled = true;
  tls.ca = other.cert;
  std::string err = ping("127.0.0.1", server.port(), tls);
  EXPECT_NE(err.find("open: certificate rejected"), std::string::npos) << err;
}

TEST(ClientTls, RejectsWrongName) {
  Credentials srv("srv3", "www.example.org", "DNS:www.example.org");
  SslCtxPtr ctx = serverContext(srv);
  FakeServer server(FakeServer::canned({{"PING", {"OK PONG"}}}), ctx.get());
  TlsOptions tls;
  tls.enabled = true;
  tls.ca = srv.cert;
  std::string err = ping("127.0.0.1", server.port(), tls);
  EXPECT_NE(err.find("certificate rejected"), std::string::npos) << err;
  EXPECT_NE(err.find("IP address mismatch"), std::string::npos) << err;
}

TEST(ClientTls, ClientCertificate) {
  Credentials srv("srv4", "localhost", "IP:127.0.0.1");
  Credentials client("client", "hc-fra", "DNS:hc-fra");
  SslCtxPtr ctx = serverContext(srv, &client);
  FakeServer server(FakeServer::canned({{"PING", {"OK PONG"}}}), ctx.get());
  TlsOptions tls;
  tls.enabled = true;
  tls.ca = srv.cert;
  tls.cert = client.cert;
  tls.key = client.key;
  EXPECT_EQ(ping("127.0.0.1", server.port(), tls), "");
  tls.cert.clear();
  tls.key.clear();
  EXPECT_NE(ping("127.0.0.1", server.port(), tls), "");
}

TEST(ClientTls, BadFilesAreNamed) {
  TlsOptions tls;
  tls.enabled = true;
  tls.ca = "/nonexistent/ca.pem";
  std::string err;
  EXPECT_FALSE(makeClientContext(tls, err));
  EXPECT_NE(err.find("/nonexistent/ca.pem"), std::string::npos);
  tls.ca.clear();
  tls.cert = "/nonexistent/cert.pem";
  EXPECT_FALSE(makeClientContext(tls, err));
  EXPECT_NE(err.find("/nonexistent/cert.pem"), std::string::npos);
}

}  // namespace
}  // namespace fail::client
