// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// A small PKI for tests, made with OpenSSL's C API: a CA and the certificates it signs
// (valid, expired, near expiry, for another name, self-signed), as PEM files in a
// temporary folder. Used by the unit tests of the TLS probes and by the integration tests
// that put real servers (nginx) behind those certificates.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace fail::test {

// A CA and certificates it signs, as PEM files in a temporary folder.
class Pki {
 public:
  Pki() {
    std::string tmpl = ::testing::TempDir() + "hc_pki_XXXXXX";
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    caKey_.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    caCert_ = makeCert(caKey_.get(), "hc test CA", nullptr, -86400, 86400 * 365, nullptr);
    caFile = dir_ + "/ca.crt";
    writeCert(caCert_.get(), caFile);
  }
  ~Pki() { std::filesystem::remove_all(dir_); }
  Pki(const Pki&) = delete;
  Pki& operator=(const Pki&) = delete;

  struct Files {
    std::string cert, key;
  };
  // A certificate for `san` (e.g. "DNS:localhost,IP:127.0.0.1") valid from `from` to
  // `to` seconds relative to now, signed by the CA (or by itself with `selfSigned`).
  Files leaf(const std::string& name, const char* san, long from, long to, bool selfSigned = false) {
    std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    auto cert = makeCert(key.get(), name.c_str(), san, from, to, selfSigned ? nullptr : caCert_.get(),
                         selfSigned ? key.get() : caKey_.get());
    Files f{dir_ + "/" + name + ".crt", dir_ + "/" + name + ".key"};
    writeCert(cert.get(), f.cert);
    FILE* out = std::fopen(f.key.c_str(), "w");
    PEM_write_PrivateKey(out, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(out);
    return f;
  }

  struct CtxFree {
    void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
  };
  using CtxPtr = std::unique_ptr<SSL_CTX, CtxFree>;
  static CtxPtr serverContext(const Files& f) {
    CtxPtr ctx(SSL_CTX_new(TLS_server_method()));
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), f.cert.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx.get(), f.key.c_str(), SSL_FILETYPE_PEM) != 1)
      throw std::runtime_error("test server: cannot load " + f.cert);
    return ctx;
  }

  std::string caFile;
  const std::string& dir() const { return dir_; }

 private:
  struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  };
  struct X509Free {
    void operator()(X509* p) const { X509_free(p); }
  };
  using CertPtr = std::unique_ptr<X509, X509Free>;

  CertPtr makeCert(EVP_PKEY* key, const char* cn, const char* san, long from, long to, X509* issuer,
                   EVP_PKEY* signer = nullptr) {
    CertPtr x(X509_new());
    X509_set_version(x.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x.get()), ++serial_);
    X509_gmtime_adj(X509_getm_notBefore(x.get()), from);
    X509_gmtime_adj(X509_getm_notAfter(x.get()), to);
    X509_set_pubkey(x.get(), key);
    X509_NAME* n = X509_get_subject_name(x.get());
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
    X509_set_issuer_name(x.get(), issuer ? X509_get_subject_name(issuer) : n);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer : x.get(), x.get(), nullptr, nullptr, 0);
    std::vector<std::pair<int, const char*>> exts = {
        {NID_basic_constraints, issuer ? "critical,CA:FALSE" : "critical,CA:TRUE"}};
    if (san) exts.emplace_back(NID_subject_alt_name, san);
    for (auto [nid, value] : exts) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      X509_add_ext(x.get(), ext, -1);
      X509_EXTENSION_free(ext);
    }
    X509_sign(x.get(), signer ? signer : key, EVP_sha256());
    return x;
  }
  static void writeCert(X509* x, const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "w");
    PEM_write_X509(f, x);
    std::fclose(f);
  }

  std::string dir_;
  long serial_ = 0;
  std::unique_ptr<EVP_PKEY, PkeyFree> caKey_;
  CertPtr caCert_;
};

}  // namespace fail::test
