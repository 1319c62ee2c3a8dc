// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// What the three daemons share, end to end: --daemon returns only once the daemon is
// ready (0, the pid file written, the daemon answering) or failed (its error on stderr,
// a non-zero status). doc/design.md, "Options every daemon shares".
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "base/unique_fd.hh"
#include "harness.hh"

namespace fail::test {
namespace {

// A loopback TCP port held by the test (bound and listening) while it lives.
struct HeldPort {
  UniqueFd fd{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  int port = 0;
  HeldPort() {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::listen(fd.get(), 1) == 0 &&
        ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len) == 0)
      port = ntohs(a.sin_port);
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port); }
};

// True once process `pid` is gone (or a zombie waiting for init).
bool gone(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  if (!in) return true;
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("State:", 0) == 0) return line.find('Z') != std::string::npos;
  return true;
}

// Stops the daemon whose pid file is `pidFile`; true once it is gone.
bool stopByPidFile(const std::string& pidFile) {
  pid_t pid = static_cast<pid_t>(std::stol(readFile(pidFile)));
  if (pid <= 1 || ::kill(pid, SIGTERM) != 0) return false;
  return eventually([&] { return gone(pid); });
}

// Stops a daemon left running when a test ends early.
struct PidFileGuard {
  std::string path;
  ~PidFileGuard() {
    if (exists(path)) stopByPidFile(path);
  }
};

struct Case {
  std::string program;
  std::vector<std::string> args;  // without --daemon, the listener and the pid file
  std::string listenOption;
};

class DaemonizeTest : public ::testing::TestWithParam<const char*> {
 protected:
  TempDir dir;
  Case make() {
    std::string p = GetParam();
    if (p == "faild") return {"faild/faild", {"--memory"}, "--listen"};
    if (p == "hc") {
      writeFile(dir.file("Hcfile"), "check closed tcp -host 127.0.0.1 -port 1 -interval 1h\n");
      return {"hc/hc", {"-f", dir.file("Hcfile")}, "--monitor"};
    }
    writeFile(dir.file("policy.tcl"), "set started 1\n");
    return {"failsh/failsh", {"-f", dir.file("policy.tcl"), "-l", dir.file("dump")}, "--monitor"};
  }
};

TEST_P(DaemonizeTest, ReturnsZeroOnceReadyWithThePidFileWrittenAndTheDaemonAnswering) {
  Case c = make();
  std::string sock = dir.file("d.sock"), pid = dir.file("d.pid");
  c.args.insert(c.args.end(), {"--daemon", c.listenOption, "unix:" + sock, "--pidfile", pid,
                               "-L", dir.file("log")});
  PidFileGuard guard{pid};
  RunResult r = runProgram(c.program, c.args);
  EXPECT_EQ(r.status, 0) << r.err;
  ASSERT_TRUE(exists(pid)) << "no pid file when --daemon returned";
  LineClient client("unix:" + sock);  // no waiting: ready means listening
  ASSERT_TRUE(client.connected()) << readFile(dir.file("log"));
  EXPECT_EQ(client.request("PING").rfind("OK", 0), 0u);
  EXPECT_TRUE(stopByPidFile(pid));
}

TEST_P(DaemonizeTest, FailsWithTheErrorOnStderrWhenThePortIsInUse) {
  Case c = make();
  HeldPort held;
  ASSERT_NE(held.port, 0);
  PidFileGuard guard{dir.file("d.pid")};
  c.args.insert(c.args.end(), {"--daemon", c.listenOption, held.address(), "--pidfile", guard.path,
                               "-L", dir.file("log")});
  RunResult r = runProgram(c.program, c.args);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find(held.address()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Address already in use"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.rfind(std::string(GetParam()) + ": ", 0), 0u) << r.err;
}

INSTANTIATE_TEST_SUITE_P(All, DaemonizeTest, ::testing::Values("faild", "hc", "failsh"));

// faild checks at start, and in -t, that the user it runs as can keep its state.
class FaildStateCheckTest : public ::testing::Test {
 protected:
  TempDir dir;
  // A directory that only root can write; nobody may pass through the test's directory
  // (to reach the harness's notify socket).
  std::string rootOnly() {
    ::chmod(dir.path().c_str(), 0711);
    std::string d = dir.file("root-only");
    ::mkdir(d.c_str(), 0755);
    return d;
  }
  static bool saysWhatToDo(const std::string& text) {
    return text.find("-s FILE") != std::string::npos && text.find("--memory") != std::string::npos &&
           text.find("StateDirectory=") != std::string::npos;
  }
};

TEST_F(FaildStateCheckTest, AMissingDirectoryIsRefusedWithWhatToDo) {
  std::string state = dir.file("nosuch/faild.state");
  RunResult r = runProgram("faild/faild", {"-s", state, "--listen", "127.0.0.1:0"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("the state directory " + dir.file("nosuch") + " does not exist"), std::string::npos) << r.err;
  EXPECT_TRUE(saysWhatToDo(r.err)) << r.err;
}

TEST_F(FaildStateCheckTest, CheckConfigSaysTheSameAsTheStart) {
  RunResult missing = runProgram("faild/faild", {"-t", "-s", dir.file("nosuch/faild.state")});
  EXPECT_EQ(missing.status, 1) << missing.out;
  EXPECT_NE(missing.err.find("does not exist"), std::string::npos) << missing.err;
  EXPECT_TRUE(saysWhatToDo(missing.err)) << missing.err;
  if (::geteuid() != 0) GTEST_SKIP() << "-u nobody needs root";
  RunResult unwritable = runProgram("faild/faild", {"-t", "-u", "nobody", "-s", rootOnly() + "/faild.state"});
  EXPECT_EQ(unwritable.status, 1) << unwritable.out;
  EXPECT_NE(unwritable.err.find("user nobody cannot create files in the state directory"), std::string::npos)
      << unwritable.err;
  RunResult good = runProgram("faild/faild", {"-t", "-s", dir.file("faild.state")});
  EXPECT_EQ(good.status, 0) << good.err;
}

TEST_F(FaildStateCheckTest, ADirectoryTheUserCannotWriteIsRefusedBeforeReady) {
  if (::geteuid() != 0) GTEST_SKIP() << "-u nobody needs root";
  Daemon d("faild/faild", {"-u", "nobody", "-s", rootOnly() + "/faild.state", "--listen", "127.0.0.1:0"}, dir);
  EXPECT_FALSE(d.start()) << "faild reported ready with a state directory nobody cannot write";
  EXPECT_NE(d.log().find("user nobody cannot create files in the state directory"), std::string::npos) << d.log();
  EXPECT_TRUE(saysWhatToDo(d.log())) << d.log();
}

TEST_F(FaildStateCheckTest, StateFilesBelongToTheUserSoItStartsAgainAsThatUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "-u nobody needs root";
  std::string home = dir.file("state");
  ::mkdir(home.c_str(), 0755);
  ASSERT_EQ(::chown(home.c_str(), 65534, 65534), 0);
  ::chmod(dir.path().c_str(), 0711);  // nobody may pass through, to the notify socket
  std::vector<std::string> args = {"-u", "nobody", "-s", home + "/faild.state", "--listen", "127.0.0.1:0"};
  for (int round = 0; round < 2; ++round) {
    Daemon d("faild/faild", args, dir, "faild" + std::to_string(round));
    ASSERT_TRUE(d.start()) << d.log();
    LineClient c(d.address());
    if (round == 0) {
      EXPECT_EQ(c.request("SET www UP").rfind("OK", 0), 0u);
    }
    if (round == 1) {
      auto w = words(c.request("GET www"));
      ASSERT_EQ(w.size(), 2u);
      EXPECT_EQ(field(w[1], "state"), "UP");
    }
    d.signal(SIGTERM);
    EXPECT_EQ(d.wait(), 0) << d.log();
  }
  struct stat st{};
  ASSERT_EQ(::stat((home + "/faild.state.lock").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 65534u);
}

}  // namespace
}  // namespace fail::test

namespace fail::test {
namespace {

// faild's unix: listeners: --unix-mode (default 0660) and --unix-group (default the
// group faild runs as), so an administrators' group can use failc without root.
struct SocketFile {
  bool ok = false;
  unsigned mode = 0, gid = 0;
  explicit SocketFile(const std::string& path) {
    struct stat st{};
    ok = ::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
    mode = st.st_mode & 07777;
    gid = st.st_gid;
  }
};

TEST(FaildUnixSocketTest, DefaultsTo0660AndTheDaemonsGroup) {
  TempDir dir;
  std::string sock = dir.file("faild.sock");
  Daemon d("faild/faild", {"--memory", "--listen", "unix:" + sock}, dir);
  ASSERT_TRUE(d.start()) << d.log();
  SocketFile f(sock);
  ASSERT_TRUE(f.ok);
  EXPECT_EQ(f.mode, 0660u);
  EXPECT_EQ(f.gid, static_cast<unsigned>(::getegid()));
}

TEST(FaildUnixSocketTest, ModeAndGroupAsGiven) {
  TempDir dir;
  std::string sock = dir.file("faild.sock");
  Daemon d("faild/faild", {"--memory", "--listen", "unix:" + sock, "--unix-mode", "0620", "--unix-group", "daemon"},
           dir);
  ASSERT_TRUE(d.start()) << d.log();
  SocketFile f(sock);
  ASSERT_TRUE(f.ok);
  EXPECT_EQ(f.mode, 0620u);
  EXPECT_EQ(f.gid, 1u);  // Debian's "daemon" group
  LineClient c("unix:" + sock);
  EXPECT_EQ(c.request("PING"), "OK PONG");
}

TEST(FaildUnixSocketTest, TheGroupOfTheUserFaildRunsAs) {
  if (::geteuid() != 0) GTEST_SKIP() << "-u nobody needs root";
  TempDir dir;
  ::chmod(dir.path().c_str(), 0711);  // nobody reaches the notify socket
  std::string sock = dir.file("faild.sock");
  Daemon d("faild/faild", {"--memory", "--listen", "unix:" + sock, "-u", "nobody"}, dir);
  ASSERT_TRUE(d.start()) << d.log();
  SocketFile f(sock);
  ASSERT_TRUE(f.ok);
  EXPECT_EQ(f.gid, 65534u);  // nogroup, nobody's primary group
  EXPECT_EQ(f.mode, 0660u);
}

TEST(FaildUnixSocketTest, AnUnknownGroupIsAClearStartUpError) {
  TempDir dir;
  RunResult r = runProgram("faild/faild", {"--memory", "--listen", "unix:" + dir.file("s"), "--unix-group",
                                           "no-such-group-here"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--unix-group no-such-group-here: no such group"), std::string::npos) << r.err;
  EXPECT_FALSE(exists(dir.file("s")));
  RunResult m = runProgram("faild/faild", {"--memory", "--unix-mode", "rw-rw----"});
  EXPECT_EQ(m.status, 2);
  EXPECT_NE(m.err.find("--unix-mode rw-rw----: an octal mode"), std::string::npos) << m.err;
}

}  // namespace
}  // namespace fail::test

namespace fail::test {
namespace {

// The long options a --help text lists (its option lines: "  -x, --name ..." or
// "      --name ...").
std::vector<std::string> helpOptions(const std::string& help) {
  std::vector<std::string> names;
  size_t pos = 0;
  while (pos < help.size()) {
    size_t end = help.find('\n', pos);
    if (end == std::string::npos) end = help.size();
    std::string line = help.substr(pos, end - pos);
    pos = end + 1;
    size_t dash = line.find("--");
    if (line.rfind("  -", 0) != 0 && line.rfind("      --", 0) != 0) continue;
    if (dash == std::string::npos || dash > 8) continue;
    size_t stop = line.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-", dash + 2);
    names.push_back(line.substr(dash + 2, stop - dash - 2));
  }
  return names;
}

// Every option a program's --help lists (its option table) is described in its manual
// page, and every daemon lists the options all daemons share.
TEST(HelpTest, EveryOptionInHelpIsInTheManualPage) {
  struct Page {
    const char* program;
    const char* man;
    bool daemon;
  };
  for (const Page& p : {Page{"faild/faild", "man/faild.8", true}, Page{"hc/hc", "man/hc.8", true},
                        Page{"failsh/failsh", "man/failsh.8", true}, Page{"failc/failc", "man/failc.1", false},
                        Page{"failc/failstat", "man/failstat.1", false},
                        Page{"failc/faildebug", "man/faildebug.1", false}}) {
    RunResult r = runProgram(p.program, {"--help"});
    EXPECT_EQ(r.status, 0) << p.program;
    auto names = helpOptions(r.out);
    EXPECT_GT(names.size(), 5u) << p.program << "\n" << r.out;
    std::string man = readFile(sourceDir() + "/" + p.man);
    for (const auto& n : names) {
      std::string roff = "\\-\\-";
      for (char ch : n) roff += ch == '-' ? std::string("\\-") : std::string(1, ch);
      EXPECT_NE(man.find(roff), std::string::npos) << p.man << " does not describe --" << n;
    }
    if (!p.daemon) continue;
    for (const char* shared : {"foreground", "daemon", "pidfile", "debug", "log", "check-config", "version", "help"})
      EXPECT_NE(std::find(names.begin(), names.end(), shared), names.end()) << p.program << " lacks --" << shared;
  }
}

}  // namespace
}  // namespace fail::test
