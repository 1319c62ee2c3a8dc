// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Helpers for the probe tests of the banner, dns and icmp kinds: run one probe through
// its kind's schema and factory on a fresh loop, temporary directories, and a
// self-signed certificate. Free ports and real peer programs (aiosmtpd, pyftpdlib, named)
// come from tests/common/peers.hh.
#pragma once

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <string>

#include "../../common/peers.hh"
#include "../../common/temp_dir.hh"
#include "check/registry.hh"
#include "loop_util.hh"

namespace fail::check::test {

// Builds `check t KIND -opt value ...` as the Hcfile reader would, validates it and runs
// one attempt of its probe with the check's timeout (or `timeout`). The probe's `done`
// must come within the timeout plus a margin; a missing call fails the test.
inline ProbeResult probeOnce(const std::string& kind, std::map<std::string, std::string> opts,
                             std::chrono::milliseconds timeout = 2s) {
  const KindDesc* k = findKind(kind);
  EXPECT_NE(k, nullptr) << kind;
  CheckSpec spec;
  spec.name = "t";
  spec.kind = kind;
  spec.file = "test";
  spec.line = 1;
  spec.options = std::move(opts);
  if (!spec.options.count("timeout")) spec.options["timeout"] = std::to_string(timeout.count()) + "ms";
  if (!spec.options.count("interval"))
    spec.options["interval"] = std::to_string(timeout.count() * 2 + 1000) + "ms";
  validate(spec, *k);
  auto loop = newLoop();
  auto probe = k->make(ProbeContext{loop.get()}, spec);
  std::optional<ProbeResult> got;
  auto began = std::chrono::steady_clock::now();
  probe->start(spec.timeout, [&](ProbeResult r) { got = std::move(r); });
  EXPECT_FALSE(got.has_value()) << "done called from inside start()";
  bool ok = runUntil(loop->base(), [&] { return got.has_value(); }, spec.timeout + kLate + 2s);
  EXPECT_TRUE(ok) << "no result within the timeout";
  EXPECT_LE(std::chrono::steady_clock::now() - began, spec.timeout + kLate);
  probe.reset();
  if (!got) return ProbeResult{Outcome::LocalError, "test: no result", {}, {}, {}};
  return *got;
}

inline std::string attr(const ProbeResult& r, const std::string& key) {
  for (const auto& [k, v] : r.attrs)
    if (k == key) return v;
  return "<none>";
}

using ::fail::test::Child;
using ::fail::test::TempDir;
using ::fail::test::pythonHas;
using ::fail::test::readAll;
using ::fail::test::startNamed;
using ::fail::test::tcpConnects;
inline int freePort() { return ::fail::test::freeLoopbackPort(); }

// Writes a self-signed certificate for "localhost" and 127.0.0.1 (cert.pem, key.pem) into
// `dir`: the server's certificate and, for the client, its own CA.
inline bool writeSelfSigned(const TempDir& dir) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* x = X509_new();
  bool ok = key && x;
  if (ok) {
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, key);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"},
                              std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      ok = ok && ext && X509_add_ext(x, ext, -1) == 1;
      X509_EXTENSION_free(ext);
    }
    ok = ok && X509_sign(x, key, EVP_sha256()) > 0;
  }
  FILE* c = ok ? std::fopen(dir.file("cert.pem").c_str(), "w") : nullptr;
  FILE* k = ok ? std::fopen(dir.file("key.pem").c_str(), "w") : nullptr;
  ok = c && k && PEM_write_X509(c, x) == 1 &&
       PEM_write_PrivateKey(k, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  if (c) std::fclose(c);
  if (k) std::fclose(k);
  X509_free(x);
  EVP_PKEY_free(key);
  return ok;
}

}  // namespace fail::check::test
