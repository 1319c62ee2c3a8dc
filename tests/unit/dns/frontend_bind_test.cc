// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/frontend_bind.hh"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <unistd.h>

namespace fail::dns {
namespace {

unsigned localPort(int fd) {
  sockaddr_storage ss{};
  socklen_t l = sizeof ss;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &l);
  return ntohs(ss.ss_family == AF_INET ? reinterpret_cast<sockaddr_in&>(ss).sin_port
                                       : reinterpret_cast<sockaddr_in6&>(ss).sin6_port);
}

TEST(FrontEndBind, ParsesListenAddresses) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  std::string err;
  EXPECT_TRUE(parseListenAddress("127.0.0.1:53", ss, len, &err)) << err;
  EXPECT_EQ(ss.ss_family, AF_INET);
  EXPECT_EQ(ntohs(reinterpret_cast<sockaddr_in&>(ss).sin_port), 53);
  EXPECT_TRUE(parseListenAddress("[::1]:0", ss, len, &err)) << err;
  EXPECT_EQ(ss.ss_family, AF_INET6);
  EXPECT_EQ(len, sizeof(sockaddr_in6));
  EXPECT_TRUE(parseListenAddress("::1:5353", ss, len, &err)) << err;
  EXPECT_EQ(ntohs(reinterpret_cast<sockaddr_in6&>(ss).sin6_port), 5353);
}

TEST(FrontEndBind, RejectsBadListenAddressesQuotingThem) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  std::string err;
  EXPECT_FALSE(parseListenAddress("127.0.0.1", ss, len, &err));
  EXPECT_NE(err.find("not ADDRESS:PORT: \"127.0.0.1\""), std::string::npos) << err;
  EXPECT_FALSE(parseListenAddress("127.0.0.1:65536", ss, len, &err));
  EXPECT_NE(err.find("bad port"), std::string::npos) << err;
  EXPECT_FALSE(parseListenAddress("127.0.0.1:x", ss, len, &err));
  EXPECT_FALSE(parseListenAddress("localhost:53", ss, len, &err));
  EXPECT_NE(err.find("numeric"), std::string::npos) << err;
  EXPECT_FALSE(parseListenAddress("[::1:53", ss, len, &err));
  EXPECT_FALSE(parseListenAddress("", ss, len, &err));
}

TEST(FrontEndBind, UdpSocketCount) {
  EXPECT_EQ(udpSocketCount(3), 3u);
  EXPECT_GE(udpSocketCount(0), 1u);
  EXPECT_LE(udpSocketCount(0), 4u);
}

TEST(FrontEndBind, PortZeroBindsEverySocketToOnePort) {
  ListenGroup g;
  std::string err;
  ASSERT_TRUE(bindGroup("127.0.0.1:0", 3, g, &err)) << err;
  ASSERT_EQ(g.udp.size(), 3u);
  unsigned port = localPort(g.tcp.get());
  EXPECT_NE(port, 0u);
  for (const auto& fd : g.udp) EXPECT_EQ(localPort(fd->get()), port);
  EXPECT_EQ(g.bound, "127.0.0.1:" + std::to_string(port));
  EXPECT_EQ(g.listen, "127.0.0.1:0");
}

TEST(FrontEndBind, ProbeRefusesAnAddressInUseNamingTheHolder) {
  ListenGroup first, second;
  std::string err;
  ASSERT_TRUE(bindGroup("127.0.0.1:0", 2, first, &err)) << err;
  EXPECT_FALSE(bindGroup(first.bound, 2, second, &err));
  EXPECT_NE(err.find("cannot listen on " + first.bound + ": UDP port"), std::string::npos) << err;
  EXPECT_NE(err.find("held by pid " + std::to_string(::getpid())), std::string::npos) << err;
  EXPECT_TRUE(second.udp.empty());
  EXPECT_FALSE(second.tcp);
}

}  // namespace
}  // namespace fail::dns
