// What the three daemons share, end to end: --daemon returns only once the daemon is
// ready (0, the pid file written, the daemon answering) or failed (its error on stderr,
// a non-zero status). doc/design.md, "Options every daemon shares".
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace fail::test
