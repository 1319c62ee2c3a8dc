// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "client/options.hh"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include "client/commands.hh"
#include "client/debug.hh"
#include "client/status.hh"

namespace fail::client {
namespace {

// Runs parseArgs on a command line given as strings (argv[0] added).
struct Parse {
  ParsedArgs args;
  std::string err;
  bool ok = false;
  Parse(const Program& p, std::initializer_list<const char*> words, const char* env = nullptr) {
    std::vector<std::string> store{p.name};
    for (const char* w : words) store.emplace_back(w);
    std::vector<char*> argv;
    for (auto& s : store) argv.push_back(s.data());
    argv.push_back(nullptr);
    ok = parseArgs(p, static_cast<int>(store.size()), argv.data(), args, err, env);
  }
};

TEST(ClientOptions, Defaults) {
  Parse p(kFailc, {"ping"});
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_EQ(p.args.opts.target.kind, Target::Kind::Tcp);
  EXPECT_EQ(p.args.opts.target.display(), "127.0.0.1:1847");
  EXPECT_EQ(p.args.opts.timeoutMs, 5000);
  EXPECT_FALSE(p.args.opts.json);
  EXPECT_FALSE(p.args.opts.tls.enabled);
  EXPECT_TRUE(p.args.opts.secret.empty());
  EXPECT_EQ(p.args.operands, std::vector<std::string>{"ping"});
}

TEST(ClientOptions, GlobalOptionsBeforeAndAfterTheSubcommand) {
  Parse p(kFailc, {"-h", "203.0.113.7", "set", "www", "FAIL", "-p", "1900", "--note", "HTTP 503",
                   "--json", "--attr", "a=1", "--attr", "b=2", "-t", "2s"});
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_EQ(p.args.opts.target.display(), "203.0.113.7:1900");
  EXPECT_TRUE(p.args.opts.json);
  EXPECT_EQ(p.args.opts.timeoutMs, 2000);
  EXPECT_EQ(p.args.operands, (std::vector<std::string>{"set", "www", "FAIL"}));
  EXPECT_EQ(p.args.last("note"), "HTTP 503");
  EXPECT_EQ(p.args.all("attr"), (std::vector<std::string>{"a=1", "b=2"}));
  EXPECT_FALSE(p.args.has("ttl"));
}

TEST(ClientOptions, DoubleDashEndsOptions) {
  Parse p(kFailc, {"list", "--", "-v"});
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_EQ(p.args.operands, (std::vector<std::string>{"list", "-v"}));
  EXPECT_FALSE(p.args.has("verbose"));
}

TEST(ClientOptions, OptionArgumentMayStartWithDash) {
  Parse p(kFailc, {"set", "www", "UP", "--note", "-x-", "--at", "-5m"});
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_EQ(p.args.last("note"), "-x-");
  EXPECT_EQ(p.args.last("at"), "-5m");
}

TEST(ClientOptions, UnknownOptionAndMissingArgument) {
  Parse a(kFailc, {"-x", "ping"});
  EXPECT_FALSE(a.ok);
  EXPECT_EQ(a.err, "unknown option '-x'");
  Parse b(kFailc, {"ping", "--bogus"});
  EXPECT_FALSE(b.ok);
  EXPECT_EQ(b.err, "unknown option '--bogus'");
  Parse c(kFailc, {"ping", "-p"});
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.err, "option '-p' needs an argument");
  Parse d(kFailc, {"set", "www", "UP", "--ttl"});
  EXPECT_FALSE(d.ok);
  EXPECT_EQ(d.err, "option '--ttl' needs an argument");
  // failc's own options are unknown to failstat.
  Parse e(kFailstat, {"--ttl", "3s"});
  EXPECT_FALSE(e.ok);
}

TEST(ClientOptions, BadPort) {
  Parse p(kFailc, {"-p", "faild", "ping"});
  EXPECT_FALSE(p.ok);
  EXPECT_EQ(p.err, "bad port 'faild' for -p (1-65535)");
  Parse z(kFailc, {"-p", "0", "ping"});
  EXPECT_FALSE(z.ok);
}

TEST(ClientOptions, BadTimeout) {
  Parse p(kFailc, {"-t", "soon", "ping"});
  EXPECT_FALSE(p.ok);
  EXPECT_NE(p.err.find("--timeout"), std::string::npos);
  Parse z(kFailc, {"-t", "0", "ping"});
  ASSERT_TRUE(z.ok);
  EXPECT_EQ(z.args.opts.timeoutMs, 0);
}

TEST(ClientOptions, UnixSocket) {
  Parse p(kFaildebug, {"-u", "unix:/run/failover/faild.sock"});
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_EQ(p.args.opts.target.kind, Target::Kind::Unix);
  EXPECT_EQ(p.args.opts.target.path, "/run/failover/faild.sock");
  EXPECT_EQ(p.args.opts.target.display(), "unix:/run/failover/faild.sock");
  Parse bare(kFaildebug, {"-u", "/tmp/x.sock"});
  ASSERT_TRUE(bare.ok);
  EXPECT_EQ(bare.args.opts.target.path, "/tmp/x.sock");
  Parse both(kFaildebug, {"-u", "unix:/x", "-h", "203.0.113.1"});
  EXPECT_FALSE(both.ok);
  EXPECT_EQ(both.err, "-u excludes -h and -p");
}

TEST(ClientOptions, Ipv6HostDisplay) {
  Parse p(kFailc, {"-h", "[2001:db8::1]", "ping"});
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.args.opts.target.host, "2001:db8::1");
  EXPECT_EQ(p.args.opts.target.display(), "[2001:db8::1]:1847");
}

TEST(ClientOptions, SecretPrecedence) {
  std::string file = ::testing::TempDir() + "client_secret_test";
  {
    std::ofstream out(file);
    out << "from-file\nsecond line\n";
  }
  Parse env(kFailc, {"ping"}, "from-env");
  EXPECT_EQ(env.args.opts.secret, "from-env");
  Parse fromFile(kFailc, {"--secret-file", file.c_str(), "ping"}, "from-env");
  ASSERT_TRUE(fromFile.ok) << fromFile.err;
  EXPECT_EQ(fromFile.args.opts.secret, "from-file");
  Parse flag(kFailc, {"-s", "from-flag", "ping"}, "from-env");
  EXPECT_EQ(flag.args.opts.secret, "from-flag");
  Parse both(kFailc, {"-s", "x", "--secret-file", file.c_str(), "ping"});
  EXPECT_FALSE(both.ok);
  Parse missing(kFailc, {"--secret-file", "/nonexistent/secret", "ping"});
  EXPECT_FALSE(missing.ok);
  EXPECT_NE(missing.err.find("/nonexistent/secret"), std::string::npos);
  std::remove(file.c_str());
}

TEST(ClientOptions, TlsOptions) {
  Parse ca(kFailc, {"--ca", "ca.pem", "ping"});
  ASSERT_TRUE(ca.ok);
  EXPECT_TRUE(ca.args.opts.tls.enabled);
  EXPECT_EQ(ca.args.opts.tls.ca, "ca.pem");
  Parse key(kFailc, {"--key", "k.pem", "ping"});
  EXPECT_FALSE(key.ok);
  EXPECT_EQ(key.err, "--key needs --cert");
  Parse cert(kFailc, {"--cert", "c.pem", "--key", "k.pem", "ping"});
  ASSERT_TRUE(cert.ok);
  EXPECT_TRUE(cert.args.opts.tls.enabled);
  EXPECT_EQ(cert.args.opts.tls.key, "k.pem");
}

TEST(ClientOptions, HelpAndVersion) {
  Parse h(kFailc, {"--help"});
  ASSERT_TRUE(h.ok);
  EXPECT_TRUE(h.args.help);
  Parse v(kFailstat, {"-V"});
  ASSERT_TRUE(v.ok);
  EXPECT_TRUE(v.args.version);
  EXPECT_EQ(versionLine(kFailc), "failc (failover) 0.1.0");
  EXPECT_EQ(versionLine(kFaildebug), "faildebug (failover) 0.1.0");
}

TEST(ClientOptions, UsageListsEveryOptionAndSubcommand) {
  std::string text = usage(kFailc);
  for (const auto& o : sharedOptions())
    EXPECT_NE(text.find(std::string("--") + o.longName), std::string::npos) << o.longName;
  for (const auto& o : kFailc.options)
    EXPECT_NE(text.find(std::string("--") + o.longName), std::string::npos) << o.longName;
  for (const char* sc : {"set NAME STATE", "get NAME", "list", "del NAME", "watch", "ping"})
    EXPECT_NE(text.find(sc), std::string::npos) << sc;
  EXPECT_EQ(text.rfind("Usage: failc ", 0), 0u);
  EXPECT_NE(usage(kFailstat).find("--match PATTERN"), std::string::npos);
}

TEST(ClientOptions, ParseTarget) {
  Target t;
  std::string err;
  ASSERT_TRUE(parseTarget("203.0.113.5", "1847", t, err));
  EXPECT_EQ(t.display(), "203.0.113.5:1847");
  ASSERT_TRUE(parseTarget("203.0.113.5:1848", "1847", t, err));
  EXPECT_EQ(t.port, "1848");
  ASSERT_TRUE(parseTarget("[2001:db8::5]:1850", "1847", t, err));
  EXPECT_EQ(t.host, "2001:db8::5");
  EXPECT_EQ(t.port, "1850");
  ASSERT_TRUE(parseTarget("2001:db8::5", "1900", t, err));
  EXPECT_EQ(t.display(), "[2001:db8::5]:1900");
  ASSERT_TRUE(parseTarget("unix:/run/f.sock", "1847", t, err));
  EXPECT_EQ(t.kind, Target::Kind::Unix);
  EXPECT_EQ(t.path, "/run/f.sock");
  EXPECT_FALSE(parseTarget("unix:", "1847", t, err));
  EXPECT_FALSE(parseTarget("host:", "1847", t, err));
  EXPECT_FALSE(parseTarget("[2001:db8::5", "1847", t, err));
  EXPECT_FALSE(parseTarget("", "1847", t, err));
  EXPECT_FALSE(parseTarget("host:http", "1847", t, err));
  EXPECT_FALSE(parseTarget("[2001:db8::5]:70000", "1847", t, err));
}

}  // namespace
}  // namespace fail::client
