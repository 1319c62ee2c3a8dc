// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// IP takeover between network namespaces with samples/ipfailover-linux: hosts a (master)
// and b (slave) share 10.231.0.100/24, a witness c polls both, a client reaches the
// service address over the bridge. Each host runs a real faild (access file; TLS in one
// case) and a real failsh. The cases of failsh(8), "Witnesses and fencing": an
// administrator's FAIL and RECOVER; a cut off from everyone (fences itself, b takes
// over later); a cut off from b only (nothing happens); no witness (both hold the
// address, the documented original behaviour). A sampler checks, every few ms, that the
// two never hold the address at once where a witness is configured.
#include <gtest/gtest.h>

#include <thread>

#include "../common/pki.hh"
#include "harness.hh"
#include "netns.hh"

namespace fail::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kVip = "10.231.0.100/24";
constexpr const char* kSecret = "s3cret-netns";

class NetnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for ip netns";
    lan_ = std::make_unique<Lan>(std::vector<std::string>{"a", "b", "c", "cl"});
    if (!lan_->ok()) GTEST_SKIP() << "ip netns is not permitted here";
    writeFile(dir.file("access"), std::string("* ") + kSecret + " RW\n");
    writeFile(dir.file("secret"), std::string(kSecret) + "\n");
  }
  void TearDown() override {
    if (HasFailure())
      for (const auto& t : tags_) std::cerr << "--- " << t << ".log:\n" << readFile(dir.file(t + ".log"));
    shells_.clear();
    failds_.clear();
    webs_.clear();
    lan_.reset();
  }
  // faild, failsh and (for a and b) a web server answering its own name, on host `h`.
  void startHost(const std::string& h, const std::string& role, bool witness, bool tls) {
    std::string addr = lan_->address(h);
    std::vector<std::string> args = {"--memory", "-c", dir.file("access"), "--listen", "127.0.0.1:1847",
                                     "--listen", "unix:" + dir.file(h + ".sock")};
    if (tls) {
      auto f = pki_.leaf(h, ("IP:" + addr).c_str(), -3600, 86400);
      args.insert(args.end(), {"--listen", "tls:" + addr + ":1847", "--tls-cert", f.cert, "--tls-key", f.key});
    } else {
      args.insert(args.end(), {"--listen", addr + ":1847", "--insecure-auth"});
    }
    auto fd = std::make_unique<Daemon>("faild/faild", args, dir, "faild-" + h);
    fd->netns(lan_->ns(h));
    ASSERT_TRUE(fd->start()) << fd->log();
    failds_[h] = std::move(fd);
    tags_.push_back("faild-" + h);

    auto sh = std::make_unique<Daemon>(
        "failsh/failsh", std::vector<std::string>{"-f", sourceDir() + "/samples/ipfailover-linux/policy.tcl", "-m", "none"},
        dir, "failsh-" + h);
    sh->netns(lan_->ns(h));
    sh->env("FAIL_ROLE=" + role);
    std::string peers = role == "witness" ? "a=" + lan_->address("a") + " b=" + lan_->address("b")
                        : h == "a"        ? "b=" + lan_->address("b")
                                          : "a=" + lan_->address("a");
    sh->env("FAIL_PEER=" + peers);
    if (witness && role != "witness") sh->env("FAIL_WITNESS=c=" + lan_->address("c"));
    sh->env(std::string("FAIL_VIP=") + kVip);
    sh->env("FAIL_DEV=fo0");
    sh->env("FAIL_INTERVAL=1s");
    sh->env("FAIL_SECRET_FILE=" + dir.file("secret"));
    if (tls) sh->env("FAIL_CA=" + pki_.caFile);
    ASSERT_TRUE(sh->start()) << sh->log();
    shells_[h] = std::move(sh);
    tags_.push_back("failsh-" + h);

    if (role == "witness") return;
    ::mkdir(dir.file("www-" + h).c_str(), 0755);
    writeFile(dir.file("www-" + h + "/who"), h, 0644);
    webs_[h] = std::make_unique<NsProcess>(
        lan_->ns(h),
        std::vector<std::string>{"/usr/bin/python3", "-m", "http.server", "--bind", "0.0.0.0", "8080", "--directory",
                                 dir.file("www-" + h)},
        dir.file("web-" + h + ".log"));
  }
  void startAll(bool witness, bool tls = false) {
    startHost("a", "master", witness, tls);
    startHost("b", "slave", witness, tls);
    if (witness) startHost("c", "witness", false, tls);
  }
  std::string state(const std::string& h, const std::string& name) {
    LineClient c("unix:" + dir.file(h + ".sock"));
    auto w = words(c.request("GET " + name));
    return w.size() == 2 && w[0] == "OK" ? field(w[1], "state") : "";
  }
  bool set(const std::string& h, const std::string& name, const std::string& st) {
    LineClient c("unix:" + dir.file(h + ".sock"));
    return c.request("SET " + name + " " + st).rfind("OK", 0) == 0;
  }
  // Which host answers on the service address, as the client sees it.
  std::string who() { return lan_->capture("cl", "curl -s -m 1 http://10.231.0.100:8080/who"); }
  std::string mac(const std::string& h) { return lan_->capture(h, "cat /sys/class/net/fo0/address").substr(0, 17); }
  // The hardware address in the client's neighbour entry for the service address.
  std::string clientSees() {
    std::string line = lan_->capture("cl", "ip neigh show 10.231.0.100 dev fo0");
    auto at = line.find("lladdr ");
    return at == std::string::npos ? "" : line.substr(at + 7, 17);
  }
  // a holds the service and b has seen a up and let go: b's RECOVER alone is also what b
  // shows before it has decided, while its link to a is still being set up.
  bool settledOnA() {
    return state("a", "vip") == "UP" && state("b", "host:a") == "UP" && state("b", "vip") == "RECOVER" &&
           who() == "a";
  }

  TempDir dir;
  Pki pki_;
  std::unique_ptr<Lan> lan_;
  std::map<std::string, std::unique_ptr<Daemon>> failds_, shells_;
  std::map<std::string, std::unique_ptr<NsProcess>> webs_;
  std::vector<std::string> tags_;
};

TEST_F(NetnsTest, FailAndRecoverByHandWithAWitnessOverTls) {
  startAll(true, true);
  HoldSampler hold(lan_->ns("a"), lan_->ns("b"), kVip);
  ASSERT_TRUE(eventually([&] { return settledOnA(); }, 30s));
  EXPECT_EQ(state("b", "host:a"), "UP");
  EXPECT_EQ(state("c", "host:a"), "UP");
  // The administrator takes the service off a: a releases the address, b takes it over.
  ASSERT_TRUE(set("a", "vip", "FAIL"));
  ASSERT_TRUE(eventually([&] { return state("b", "vip") == "UP" && who() == "b"; }, 30s));
  EXPECT_FALSE(hold.holdsA());
  EXPECT_EQ(state("a", "vip"), "FAIL");
  // RECOVER: a announces, b lets go, a takes the address back.
  ASSERT_TRUE(set("a", "vip", "RECOVER"));
  ASSERT_TRUE(eventually([&] { return settledOnA(); }, 30s));
  EXPECT_FALSE(hold.holdsB());
  EXPECT_GT(hold.samples(), 100);
  EXPECT_FALSE(hold.bothSeen()) << "a and b held the address at the same instant";
}

TEST_F(NetnsTest, MasterCutOffFromEveryoneFencesItselfThenTheSlaveTakesOver) {
  startAll(true);
  HoldSampler hold(lan_->ns("a"), lan_->ns("b"), kVip);
  ASSERT_TRUE(eventually([&] { return settledOnA(); }, 30s));
  ASSERT_TRUE(lan_->cut("a", true));
  ASSERT_TRUE(eventually([&] { return !hold.holdsA() && hold.holdsB() && who() == "b"; }, 30s));
  EXPECT_NE(shells_["a"]->log().find("fence service=vip"), std::string::npos);
  EXPECT_EQ(state("c", "host:a"), "FAIL");
  // Back on the network: the two-phase hand-back.
  ASSERT_TRUE(lan_->cut("a", false));
  ASSERT_TRUE(eventually([&] { return settledOnA(); }, 30s));
  EXPECT_FALSE(hold.bothSeen()) << "a and b held the address at the same instant";
}

TEST_F(NetnsTest, MasterCutOffFromTheSlaveOnlyChangesNothing) {
  startAll(true);
  ASSERT_TRUE(eventually([&] { return settledOnA(); }, 30s));
  HoldSampler hold(lan_->ns("a"), lan_->ns("b"), kVip);
  ASSERT_TRUE(lan_->block("a", "b", true));
  ASSERT_TRUE(eventually([&] { return state("b", "host:a") == "FAIL"; }, 30s));
  // Long enough for a fence (2 intervals) and a takeover (fence + an interval) to have
  // happened, with room: neither may.
  auto until = std::chrono::steady_clock::now() + 8s;
  while (std::chrono::steady_clock::now() < until) {
    ASSERT_TRUE(hold.holdsA()) << "a fenced itself though it reaches the witness";
    ASSERT_FALSE(hold.holdsB()) << "b took over though the witness still sees a";
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(state("c", "host:a"), "UP");
  EXPECT_EQ(who(), "a");
  ASSERT_TRUE(lan_->block("a", "b", false));
  EXPECT_FALSE(hold.bothSeen());
}

TEST_F(NetnsTest, WithoutAWitnessACutOffMasterAndTheSlaveBothHoldTheAddress) {
  startAll(false);
  ASSERT_TRUE(eventually([&] { return settledOnA(); }, 30s));
  HoldSampler hold(lan_->ns("a"), lan_->ns("b"), kVip);
  ASSERT_TRUE(lan_->cut("a", true));
  // The original behaviour, documented in failsh(8): b takes over, a keeps it too.
  ASSERT_TRUE(eventually([&] { return hold.bothSeen(); }, 30s));
  ASSERT_TRUE(eventually([&] { return state("a", "vip") == "UP" && state("b", "vip") == "UP"; }, 30s));
  // The client followed b's announcement: its neighbour entry has b's hardware address.
  ASSERT_TRUE(eventually([&] { return who() == "b"; }, 30s));
  ASSERT_EQ(clientSees(), mac("b"));
  // Reconnected: b sees its master UP and lets go; a, which kept it, announces it again
  // (the sample's reassert), so the client, which sends nothing meanwhile, learns a's
  // address from that announcement alone.
  ASSERT_TRUE(lan_->cut("a", false));
  ASSERT_TRUE(eventually([&] { return !hold.holdsB() && hold.holdsA() && state("b", "vip") == "RECOVER"; }, 30s));
  ASSERT_TRUE(eventually([&] { return clientSees() == mac("a"); }, 30s)) << "client still has " << clientSees();
  EXPECT_NE(shells_["a"]->log().find("reassert service=vip"), std::string::npos);
  EXPECT_EQ(who(), "a");
}

}  // namespace
}  // namespace fail::test
