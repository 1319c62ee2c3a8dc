// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The samples run as shipped: samples/symmetric (two hosts, each master of one service)
// and samples/quorum (three hc locations vote), with real faild, failsh and hc on
// loopback.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

#include "harness.hh"

namespace fail::test {
namespace {

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

class SamplesTest : public ::testing::Test {
 protected:
  std::unique_ptr<Daemon> start(const std::string& program, std::vector<std::string> args, const std::string& tag) {
    auto d = std::make_unique<Daemon>(program, std::move(args), dir, tag);
    EXPECT_TRUE(d->start()) << d->log();
    tags_.push_back(tag);
    return d;
  }
  std::unique_ptr<Daemon> faild(const std::string& tag, int port = 0) {
    return start("faild/faild", {"--memory", "--listen", "127.0.0.1:" + std::to_string(port)}, tag);
  }
  static std::string stateOf(const Daemon& faild, const std::string& name) {
    LineClient c(faild.address());
    auto w = words(c.request("GET " + name));
    return w.size() == 2 && w[0] == "OK" ? field(w[1], "state") : "";
  }
  void TearDown() override {
    if (!HasFailure()) return;
    for (const auto& t : tags_) std::cerr << "--- " << t << ".log:\n" << readFile(dir.file(t + ".log"));
  }
  TempDir dir;
  std::vector<std::string> tags_;
};

TEST_F(SamplesTest, SymmetricEachHostMasterOfOneService) {
  auto fa = faild("faild-alpha"), fb = faild("faild-beta");
  std::string ctl = dir.file("servicectl");
  writeFile(ctl, "#!/bin/sh\ncase \"$1\" in start) touch \"$MARKS/$2\";; stop) rm -f \"$MARKS/$2\";; esac\n", 0755);
  ::mkdir(dir.file("alpha").c_str(), 0755);
  ::mkdir(dir.file("beta").c_str(), 0755);
  std::string policy = sourceDir() + "/samples/symmetric/policy.tcl";
  ::setenv("FAIL_ALPHA", fa->address().c_str(), 1);
  ::setenv("FAIL_BETA", fb->address().c_str(), 1);
  ::setenv("SERVICECTL", ctl.c_str(), 1);
  auto shell = [&](const std::string& self) {
    ::setenv("FAIL_SELF", self.c_str(), 1);
    ::setenv("MARKS", dir.file(self).c_str(), 1);
    return start("failsh/failsh", {"-f", policy, "-m", "none"}, "failsh-" + self);
  };
  auto sa = shell("alpha");
  auto sb = shell("beta");
  for (const char* v : {"FAIL_ALPHA", "FAIL_BETA", "SERVICECTL", "FAIL_SELF", "MARKS"}) ::unsetenv(v);
  ASSERT_TRUE(eventually([&] {
    return stateOf(*fa, "www") == "UP" && stateOf(*fa, "mail") == "RECOVER" && stateOf(*fb, "mail") == "UP" &&
           stateOf(*fb, "www") == "RECOVER";
  }));
  EXPECT_TRUE(exists(dir.file("alpha/www")));
  EXPECT_TRUE(exists(dir.file("beta/mail")));
  EXPECT_FALSE(exists(dir.file("alpha/mail")));
  EXPECT_FALSE(exists(dir.file("beta/www")));
  // alpha goes away: beta runs both.
  sa->kill9();
  fa->kill9();
  ASSERT_TRUE(eventually([&] { return stateOf(*fb, "www") == "UP" && stateOf(*fb, "mail") == "UP"; }));
  EXPECT_TRUE(exists(dir.file("beta/www")));
  // failsh runs failtrap when faild reports the change back to it, so after faild shows
  // www UP: wait for the line.
  EXPECT_TRUE(eventually([&] { return sb->log().find("www: RECOVER -> UP") != std::string::npos; }))
      << "the sample's failtrap logs";
}

TEST_F(SamplesTest, QuorumThreeLocationsVote) {
  auto fd = faild("faild");
  // The web server the locations check: Python's http.server, killed and restarted.
  int webPort = 0;
  pid_t web = -1;
  auto startWeb = [&] {
    ExecPlan plan("/usr/bin/python3", {"-m", "http.server", "--bind", "127.0.0.1", "--directory",
                                       dir.path(), std::to_string(webPort)});
    web = ::fork();
    if (web == 0) {
      int fd = ::open("/dev/null", O_WRONLY);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      plan.exec();
    }
    return eventually([&] { return LineClient("127.0.0.1:" + std::to_string(webPort)).connected(); });
  };
  {  // a free port
    Daemon probe("faild/faild", {"--memory", "--listen", "127.0.0.1:0"}, dir, "probe");
    ASSERT_TRUE(probe.start());
    webPort = probe.port();
  }
  ASSERT_TRUE(startWeb());
  std::string hcfile = readFile(sourceDir() + "/samples/quorum/Hcfile");
  hcfile = replaceAll(hcfile, "127.0.0.1:1847", fd->address());
  hcfile = replaceAll(hcfile, "-port 1847", "-port " + std::to_string(fd->port()));
  hcfile = replaceAll(hcfile, "127.0.0.1:8080", "127.0.0.1:" + std::to_string(webPort));
  std::vector<std::unique_ptr<Daemon>> hcs;
  for (const char* loc : {"fra", "nyc", "sin"}) {
    writeFile(dir.file(std::string("Hcfile-") + loc), replaceAll(hcfile, "location fra", std::string("location ") + loc));
    hcs.push_back(start("hc/hc", {"-f", dir.file(std::string("Hcfile-") + loc), "-m", "none"}, std::string("hc-") + loc));
  }
  ::setenv("FAIL_LOCAL_PORT", std::to_string(fd->port()).c_str(), 1);
  auto sh = start("failsh/failsh", {"-f", sourceDir() + "/samples/quorum/policy.tcl", "-m", "none"}, "failsh");
  ::unsetenv("FAIL_LOCAL_PORT");
  ASSERT_TRUE(eventually([&] { return stateOf(*fd, "web") == "UP"; }));
  ASSERT_TRUE(eventually([&] { return stateOf(*fd, "web@sin") == "UP"; }));
  // The web server dies: every location sees it, the quorum says FAIL.
  ::kill(web, SIGKILL);
  ::waitpid(web, nullptr, 0);
  ASSERT_TRUE(eventually([&] { return stateOf(*fd, "web") == "FAIL"; }, std::chrono::seconds(30)));
  LineClient c(fd->address());
  auto w = words(c.request("GET web"));
  ASSERT_EQ(w.size(), 2u);
  // Set when the FAIL band was first met: two of the three locations.
  EXPECT_EQ(field(w[1], "note"), "quorum: 1 of 3 voters UP, 2 FAIL");
  // Back again: UP.
  ASSERT_TRUE(startWeb());
  ASSERT_TRUE(eventually([&] { return stateOf(*fd, "web") == "UP"; }, std::chrono::seconds(30)));
  // fail::on change runs when faild reports the change back to failsh, so after faild
  // shows web UP: wait for the line that follows the FAIL.
  EXPECT_TRUE(eventually([&] {
    std::string log = sh->log();
    size_t failed = log.find("web is FAIL");
    return failed != std::string::npos && log.find("web is UP", failed) != std::string::npos;
  })) << sh->log();
  ::kill(web, SIGKILL);
  ::waitpid(web, nullptr, 0);
}

}  // namespace
}  // namespace fail::test
