// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// --allow-host and --hosts: the hosts an administrator names outside the policy.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "shell/allowed_hosts.hh"

namespace fail::shell {
namespace {

struct TempFile {
  std::string path;
  explicit TempFile(const std::string& text) {
    char p[] = "/tmp/allowed-hosts-XXXXXX";
    int fd = ::mkstemp(p);
    ::close(fd);
    path = p;
    std::ofstream(path) << text;
  }
  ~TempFile() { ::unlink(path.c_str()); }
};

TEST(AllowedHosts, AddressPortSecretAndTls) {
  TempFile secret("s3cret \r\nsecond line\n");
  HostSpec h;
  std::string err;
  ASSERT_TRUE(parseAllowedHost("beta=127.0.0.1:7847,secret-file=" + secret.path + ",tls,ca=/ca.pem", h, err)) << err;
  EXPECT_EQ(h.name, "beta");
  EXPECT_EQ(h.address, "127.0.0.1");
  EXPECT_EQ(h.port, "7847");
  EXPECT_EQ(h.secret, "s3cret");
  EXPECT_TRUE(h.tls.enabled);
  EXPECT_EQ(h.tls.ca, "/ca.pem");
  ASSERT_TRUE(parseAllowedHost("six=[::1]:1847", h, err)) << err;
  EXPECT_EQ(h.address, "::1");
  EXPECT_EQ(h.port, "1847");
  EXPECT_TRUE(h.secret.empty());
  EXPECT_FALSE(h.tls.enabled);
}

TEST(AllowedHosts, MalformedOnesSayWhy) {
  HostSpec h;
  std::string err;
  EXPECT_FALSE(parseAllowedHost("beta", h, err));
  EXPECT_NE(err.find("want NAME=ADDRESS:PORT"), std::string::npos) << err;
  EXPECT_FALSE(parseAllowedHost("be ta=127.0.0.1:1", h, err));
  EXPECT_NE(err.find("bad host name"), std::string::npos) << err;
  EXPECT_FALSE(parseAllowedHost("beta=127.0.0.1", h, err));
  EXPECT_NE(err.find("has no port"), std::string::npos) << err;
  EXPECT_FALSE(parseAllowedHost("beta=unix:/x", h, err));
  EXPECT_FALSE(parseAllowedHost("beta=127.0.0.1:1,colour=blue", h, err));
  EXPECT_NE(err.find("unknown setting \"colour\""), std::string::npos) << err;
  EXPECT_FALSE(parseAllowedHost("beta=127.0.0.1:1,secret-file=/nonexistent/x", h, err));
  EXPECT_NE(err.find("cannot read the secret file"), std::string::npos) << err;
}

TEST(AllowedHosts, FileWithCommentsAndLineNumbers) {
  TempFile good("# peers\n\nalpha=127.0.0.1:1847\n  beta=127.0.0.2:1847,tls  \n");
  std::vector<HostSpec> hosts;
  std::string err;
  ASSERT_TRUE(readAllowedHosts(good.path, hosts, err)) << err;
  ASSERT_EQ(hosts.size(), 2u);
  EXPECT_EQ(hosts[1].name, "beta");
  EXPECT_TRUE(hosts[1].tls.enabled);
  TempFile bad("alpha=127.0.0.1:1847\nbeta\n");
  EXPECT_FALSE(readAllowedHosts(bad.path, hosts, err));
  EXPECT_NE(err.find(" line 2: "), std::string::npos) << err;
}

}  // namespace
}  // namespace fail::shell
