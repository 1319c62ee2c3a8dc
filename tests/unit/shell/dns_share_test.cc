// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// DnsDecls::share() and unshare(): the declarations handed to the front-end without a
// copy, and back again for the next declaration, unchanged.
#include <gtest/gtest.h>
#include <tcl.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "shell/api.hh"
#include "shell/bridge.hh"
#include "shell/dns_options.hh"
#include "shell/engine.hh"

namespace fail::shell {
namespace {

struct DnsShareTest : ::testing::Test {
  Tcl_Interp* ip = Tcl_CreateInterp();
  SameThreadBridge bridge;
  Api api{ip, std::chrono::milliseconds(200), bridge};
  Engine engine{bridge.base(), EngineOptions{}, api};
  std::string dir;
  DnsShareTest() {
    char tmpl[] = "/tmp/dns-share-test.XXXXXX";
    dir = ::mkdtemp(tmpl);
  }
  ~DnsShareTest() override {
    Tcl_DeleteInterp(ip);
    std::string cmd = "rm -rf '" + dir + "'";
    EXPECT_EQ(std::system(cmd.c_str()), 0);
  }
  void SetUp() override {
    api.attach(engine);
    std::ofstream(dir + "/z.zone") << "$ORIGIN example.com.\ns1 300 IN A 203.0.113.1\ns2 300 IN A 203.0.113.2\n";
    eval("fail::dns zone example.com -ns ns1.example.com -file {" + dir + "/z.zone}");
    eval("fail::dns zone example.org -ns ns1.example.org");
    eval("fail::dns record ns1.example.com A 3600 203.0.113.53");
    eval("fail::dns record www.example.org TXT 60 {\"v=1\"}");
    eval("fail::dns pool www.example.com -members {203.0.113.10 203.0.113.11}");
  }
  void eval(const std::string& script) {
    ASSERT_EQ(Tcl_Eval(ip, script.c_str()), TCL_OK) << script << ": " << Tcl_GetStringResult(ip);
  }
};

TEST_F(DnsShareTest, ShareMovesTheDeclarationsAndUnshareGivesThemBack) {
  const dns::Config built = api.dns.build();
  const dns::Config declared = api.dns.config;
  ASSERT_EQ(built.zones.at("example.com").records.size(), 3u);  // two from the file, one `record`
  std::shared_ptr<const dns::Config> shared = api.dns.share();
  EXPECT_EQ(*shared, built);
  EXPECT_EQ(api.dns.config, dns::Config{});  // moved, not copied
  EXPECT_EQ(&api.dns.view(), shared.get());
  EXPECT_EQ(api.dns.share(), shared);  // shared already: the same one
  api.dns.unshare();
  EXPECT_EQ(api.dns.shared, nullptr);
  EXPECT_EQ(api.dns.config, declared);
  EXPECT_EQ(api.dns.build(), built);
  EXPECT_EQ(*shared, built);  // the front-end's copy is left alone
}

TEST_F(DnsShareTest, AnEqualRunningConfigIsKept) {
  auto running = std::make_shared<const dns::Config>(api.dns.build());
  EXPECT_EQ(api.dns.share(running), running);
  EXPECT_EQ(api.dns.shared, running);
  api.dns.unshare();
  eval("fail::dns pool api.example.com -members 203.0.113.20");
  std::shared_ptr<const dns::Config> next = api.dns.share(running);
  EXPECT_NE(next, running);
  EXPECT_EQ(next->pools.size(), 2u);
}

TEST_F(DnsShareTest, ADeclarationAfterTheHandOverStartsFromTheDeclarations) {
  const dns::Config built = api.dns.build();
  api.dns.share();
  eval("fail::dns record s3.example.com A 300 203.0.113.3");
  eval("fail::dns member www.example.com 203.0.113.10 -force down");
  EXPECT_EQ(api.dns.shared, nullptr);
  dns::Config now = api.dns.build();
  EXPECT_EQ(now.zones.at("example.com").records.size(), 4u);  // nothing twice
  EXPECT_EQ(now.zones.at("example.org").records, built.zones.at("example.org").records);
  EXPECT_EQ(now.pools.at("www.example.com").members.at(0).force, dns::Force::Down);
}

}  // namespace
}  // namespace fail::shell
