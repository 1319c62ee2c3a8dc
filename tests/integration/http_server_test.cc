// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// faild's HTTP listeners (lib/http): where the harness finds them, curl over plain and
// TLS, the options that configure them and what `faild -t` says of them.
#include <gtest/gtest.h>

#include "../common/pki.hh"
#include "harness.hh"

namespace fail::test {
namespace {

// curl's output (-s, with -i: the status line and headers too) for `args`.
RunResult curl(std::vector<std::string> args) {
  args.insert(args.begin(), {"-s", "--max-time", "20"});
  return runProgram("/usr/bin/curl", args);
}

TEST(HttpServer, HarnessStartsFaildOnAPortOfItsOwn) {
  TempDir dir;
  Daemon d("faild/faild", {"--memory", "-l", "127.0.0.1:0"}, dir);
  ASSERT_TRUE(d.start()) << d.log();
  ASSERT_EQ(d.httpAddresses().size(), 1u) << d.readyMessage();
  EXPECT_EQ(d.httpAddress().rfind("127.0.0.1:", 0), 0u);
  EXPECT_NE(d.httpAddress(), "127.0.0.1:1849");
  RunResult r = curl({"-i", "http://" + d.httpAddress() + "/no/such/path"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("Content-Type: application/json"), std::string::npos);
  EXPECT_NE(r.out.find("{\"error\":{\"code\":\"NOTFOUND\",\"message\":\"no such path: /no/such/path\"}}"),
            std::string::npos);
  EXPECT_NE(d.log().find("HTTP on " + d.httpAddress()), std::string::npos);
}

TEST(HttpServer, NoHttpServesNone) {
  TempDir dir;
  Daemon d("faild/faild", {"--memory", "-l", "127.0.0.1:0", "--no-http"}, dir);
  ASSERT_TRUE(d.start()) << d.log();
  EXPECT_TRUE(d.httpAddresses().empty()) << d.readyMessage();
}

TEST(HttpServer, ServesTlsWithTheListenersCertificate) {
  TempDir dir;
  Pki pki;
  Pki::Files f = pki.leaf("faild", "IP:127.0.0.1", -3600, 86400);
  Daemon d("faild/faild",
           {"--memory", "-l", "127.0.0.1:0", "--http", "127.0.0.1:0", "--http", "tls:127.0.0.1:0", "--tls-cert",
            f.cert, "--tls-key", f.key},
           dir);
  ASSERT_TRUE(d.start()) << d.log();
  ASSERT_EQ(d.httpAddresses().size(), 2u) << d.readyMessage();
  std::string tls = d.httpAddresses()[1];
  ASSERT_EQ(tls.rfind("tls:", 0), 0u);
  RunResult r = curl({"-i", "--cacert", pki.caFile, "https://" + tls.substr(4) + "/x"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.rfind("HTTP/1.1 404", 0), 0u) << r.out;
  // The plain listener beside it still speaks plain HTTP.
  r = curl({"-i", "http://" + d.httpAddresses()[0] + "/x"});
  EXPECT_EQ(r.out.rfind("HTTP/1.1 404", 0), 0u) << r.out;
  // Plain HTTP to the TLS port gets no answer, and faild goes on.
  r = curl({"-i", "http://" + tls.substr(4) + "/x"});
  EXPECT_NE(r.status, 0);
  r = curl({"-i", "--cacert", pki.caFile, "https://" + tls.substr(4) + "/x"});
  EXPECT_EQ(r.out.rfind("HTTP/1.1 404", 0), 0u) << r.out;
}

TEST(HttpServer, CheckModeChecksTheHttpOptions) {
  TempDir dir;
  RunResult r = runProgram("faild/faild", {"-t", "--memory", "--http", "tls:127.0.0.1:0"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("--tls-cert and --tls-key"), std::string::npos) << r.err;
  r = runProgram("faild/faild", {"-t", "--memory", "--http", "unix:" + dir.path() + "/s"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--http unix:"), std::string::npos) << r.err;
  r = runProgram("faild/faild", {"-t", "--memory", "--http", "127.0.0.1:0", "--no-http"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("exclude each other"), std::string::npos) << r.err;
  r = runProgram("faild/faild", {"-t", "--memory", "--http", "127.0.0.1:0"});
  EXPECT_EQ(r.status, 0) << r.err;
}

TEST(HttpServer, RefusesABodyOverTheLimit) {
  TempDir dir;
  Daemon d("faild/faild", {"--memory", "-l", "127.0.0.1:0", "--http-max-body", "1k"}, dir);
  ASSERT_TRUE(d.start()) << d.log();
  RunResult r = curl({"-i", "-X", "PUT", "--data-binary", std::string(5000, 'x'), "http://" + d.httpAddress() + "/x"});
  EXPECT_EQ(r.out.rfind("HTTP/1.1 413", 0), 0u) << r.out;
  r = curl({"-i", "http://" + d.httpAddress() + "/x"});
  EXPECT_EQ(r.out.rfind("HTTP/1.1 404", 0), 0u) << r.out;
}

}  // namespace
}  // namespace fail::test
