// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failmon's curses interface driven in a private tmux (tests/common/tmux.hh) against real
// faild, failsh and hc processes: changes show within the deadline, each key of the map,
// the filter, a resize, a target killed and restarted, hostile notes shown harmlessly.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "../common/tmux.hh"
#include "failsh_fixture.hh"
#include "harness.hh"

namespace fail::test {
namespace {

// A loopback port nothing listens on (bound, read, closed).
int freePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof sin;
  ::bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sin), &len);
  ::close(fd);
  return ntohs(sin.sin_port);
}

// A listening loopback socket: a TCP check against it succeeds (the kernel completes
// the handshake; nothing accepts).
class Listener {
 public:
  Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sin;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&sin), sizeof sin);
    ::listen(fd_, 512);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sin), &len);
    port_ = ntohs(sin.sin_port);
  }
  ~Listener() { close(); }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int port() const { return port_; }

 private:
  int fd_ = -1, port_ = 0;
};

std::vector<std::string> lines(const std::string& screen) {
  std::vector<std::string> out;
  std::istringstream in(screen);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

bool matches(const std::string& screen, const std::string& re) { return std::regex_search(screen, std::regex(re)); }

class FailmonTmuxTest : public FailshFixture {
 protected:
  void SetUp() override {
    if (Tmux::program().empty()) GTEST_SKIP() << "tmux is not installed";
    tmux = std::make_unique<Tmux>(dir, 100, 30);
    ASSERT_TRUE(tmux->start()) << tmux->lastError() << tmux->lastScreen();
  }
  void TearDown() override {
    if (HasFailure() && tmux) {
      std::cerr << "--- screen:\n" << tmux->lastScreen() << "--- failmon stderr:\n" << readFile(dir.file("failmon.err"));
    }
    FailshFixture::TearDown();
  }
  // Runs failmon on `targets` in the window; waits for its header.
  void failmon(const std::string& targets, const std::string& extra = "", const std::string& env = "") {
    ASSERT_TRUE(tmux->type(env + " " + buildDir() + "/failmon/failmon " + extra + " " + targets + " 2>" + dir.file("failmon.err"), true))
        << tmux->lastError();
    ASSERT_TRUE(tmux->waitFor("targets up")) << tmux->lastScreen();
  }
  void set(const Daemon& faild, const std::string& name, const std::string& state, const std::string& note = "") {
    std::vector<std::string> args = {"-p", portOf(faild), "set", name, state};
    if (!note.empty()) args.insert(args.end(), {"--note", note});
    RunResult r = runProgram("failc/failc", args);
    ASSERT_EQ(r.status, 0) << r.err;
  }
  bool waitFor(const std::string& re) {
    return tmux->waitUntil([&](const std::string& s) { return matches(s, re); });
  }
  // q ends failmon and the shell's prompt is back.
  void quit() {
    tmux->keys({"q"});
    EXPECT_TRUE(tmux->waitForPrompt()) << tmux->lastScreen();
  }
  std::unique_ptr<Tmux> tmux;
};

TEST_F(FailmonTmuxTest, ServiceFailingAtFaildShows) {
  auto fa = faild("faild");
  set(*fa, "web", "UP");
  set(*fa, "mail", "UP");
  failmon(fa->address());
  tmux->keys({"l"});
  ASSERT_TRUE(waitFor("\\bweb +UP ")) << tmux->lastScreen();
  set(*fa, "web", "FAIL", "HTTP 503");
  ASSERT_TRUE(waitFor("\\bweb +FAIL .*HTTP 503")) << tmux->lastScreen();
  EXPECT_TRUE(waitFor("1 UP 0 RECOVER 1 FAIL")) << tmux->lastScreen();
  quit();
}

TEST_F(FailmonTmuxTest, CheckFailingAtHcShows) {
  Listener svc;
  std::string hcfile = "defaults -interval 200ms -rise 1 -fall 1\ncheck app tcp -host 127.0.0.1 -port " +
                       std::to_string(svc.port()) + "\ncheck gone tcp -host 127.0.0.1 -port " +
                       std::to_string(freePort()) + "\n";
  writeFile(dir.file("Hcfile"), hcfile);
  Daemon hc("hc/hc", {"-f", dir.file("Hcfile"), "--monitor", "127.0.0.1:0"}, dir, "hc");
  ASSERT_TRUE(hc.start()) << hc.log();
  tags_.push_back("hc");
  failmon(hc.address());
  ASSERT_TRUE(waitFor("hc +reachable")) << tmux->lastScreen();
  tmux->keys({"l"});
  ASSERT_TRUE(waitFor("\\bapp +UP ")) << tmux->lastScreen();
  ASSERT_TRUE(waitFor("\\bgone +FAIL ")) << tmux->lastScreen();
  svc.close();
  ASSERT_TRUE(waitFor("\\bapp +FAIL ")) << tmux->lastScreen();
  // The detail of a check: its latency and streaks.
  tmux->keys({"Home", "s"});
  ASSERT_TRUE(waitFor("DETAIL app")) << tmux->lastScreen();
  ASSERT_TRUE(waitFor("streaks +ok \\d+, fail \\d+")) << tmux->lastScreen();
  quit();
}

// Every key of the map, against a failsh (its hosts and services) and a faild.
TEST_F(FailmonTmuxTest, EachKeyOfTheMap) {
  auto fa = faild("faild");
  std::string p = "failhost localhost port " + portOf(*fa) + "\n" +
                  "failhost beta address 127.0.0.1 port " + std::to_string(freePort()) + "\n" +
                  "failsvc www interval 1s slaves {beta}\n";
  auto sa = failsh("failsh", p);
  auto fb = faild("faild-b");  // 60 records of its own
  for (int i = 0; i < 60; ++i) set(*fb, "r" + std::to_string(10 + i), "UP");
  failmon(sa->address() + " " + fb->address());
  // h: the hosts screen, the failsh with its hosts, the faild.
  ASSERT_TRUE(waitFor("failsh +reachable")) << tmux->lastScreen();
  ASSERT_TRUE(waitFor("\\n  beta +FAIL +last connect")) << tmux->lastScreen();
  ASSERT_TRUE(waitFor("faild +reachable")) << tmux->lastScreen();
  // c: last call, and back.
  tmux->keys({"c"});
  ASSERT_TRUE(waitFor("beta +FAIL +last call")) << tmux->lastScreen();
  tmux->keys({"c"});
  ASSERT_TRUE(waitFor("beta +FAIL +last connect")) << tmux->lastScreen();
  // l: the failsh's services (selected: its row, the first).
  tmux->keys({"l"});
  ASSERT_TRUE(waitFor("SERVICES of 127\\.0\\.0\\.1:\\d+ \\(failsh\\)")) << tmux->lastScreen();
  ASSERT_TRUE(waitFor("\\nwww +UP ")) << tmux->lastScreen();
  // s: the detail of www, with its slave and what it reported.
  tmux->keys({"s"});
  ASSERT_TRUE(waitFor("DETAIL service:www")) << tmux->lastScreen();
  ASSERT_TRUE(waitFor("slaves +beta unreachable")) << tmux->lastScreen();
  ASSERT_TRUE(waitFor("interval +1s")) << tmux->lastScreen();
  // Tab: hosts, and back to the detail.
  tmux->keys({"Tab"});
  ASSERT_TRUE(waitFor("HOSTS: ")) << tmux->lastScreen();
  tmux->keys({"Tab"});
  ASSERT_TRUE(waitFor("DETAIL service:www")) << tmux->lastScreen();
  // h, then End (the faild's row) and ←: the faild's records.
  tmux->keys({"h"});
  ASSERT_TRUE(waitFor("HOSTS: ")) << tmux->lastScreen();
  tmux->keys({"End", "Left"});
  ASSERT_TRUE(waitFor("SERVICES of 127\\.0\\.0\\.1:" + portOf(*fb) + " \\(faild\\): 60 shown")) << tmux->lastScreen();
  // PgDn moves a page (27 rows: 30 less header, title and footer): → opens r37.
  tmux->keys({"Home", "NPage", "Right"});
  ASSERT_TRUE(waitFor("DETAIL r37 ")) << tmux->lastScreen();
  // ← back to the list, ↑ and ↓ move by one.
  tmux->keys({"Left", "Up", "Up", "Down", "s"});
  ASSERT_TRUE(waitFor("DETAIL r36 ")) << tmux->lastScreen();
  // /: a filter by glob; Esc clears it.
  tmux->keys({"l", "/"});
  tmux->type("r1*");
  ASSERT_TRUE(waitFor("\\n/r1\\*")) << tmux->lastScreen();
  tmux->keys({"Enter"});
  // The filter applies as it is typed: "10 shown" may come before Enter is read, the
  // footer's "filter r1*" only after.
  ASSERT_TRUE(waitFor("filter r1\\*")) << tmux->lastScreen();
  ASSERT_TRUE(waitFor("10 shown")) << tmux->lastScreen();
  EXPECT_FALSE(matches(tmux->lastScreen(), "\\nr2\\d "));
  tmux->keys({"Escape"});
  ASSERT_TRUE(waitFor("60 shown")) << tmux->lastScreen();
  quit();
}

TEST_F(FailmonTmuxTest, ResizeRedrawsCleanly) {
  auto fa = faild("faild");
  set(*fa, "web", "UP");
  failmon(fa->address());
  ASSERT_TRUE(waitFor("HOSTS: targets and their hosts, last connect \\(c toggles\\)")) << tmux->lastScreen();
  auto fitted = [](int cols, int rows) {
    return [=](const std::string& s) {
      auto l = lines(s);
      if (static_cast<int>(l.size()) != rows) return false;
      // The header on the first row, the key help on the last, the title cut to fit.
      return l[0].rfind("failmon ", 0) == 0 && l[static_cast<std::size_t>(rows - 1)].rfind("h hosts", 0) == 0 &&
             (cols >= 60 || l[1].find("\u2026") != std::string::npos);
    };
  };
  tmux->resize(40, 12);
  ASSERT_TRUE(tmux->waitUntil(fitted(40, 12))) << tmux->lastScreen();
  tmux->resize(120, 40);
  ASSERT_TRUE(tmux->waitUntil(fitted(120, 40))) << tmux->lastScreen();
  EXPECT_TRUE(waitFor("faild +reachable")) << tmux->lastScreen();
  quit();
}

TEST_F(FailmonTmuxTest, TargetKilledShowsUnreachableAndComesBack) {
  std::string state = dir.file("faild.state");
  auto fa = std::make_unique<Daemon>("faild/faild", std::vector<std::string>{"--state", state, "--listen", "127.0.0.1:0"},
                                     dir, "faild");
  ASSERT_TRUE(fa->start()) << fa->log();
  tags_.push_back("faild");
  std::string address = fa->address();
  set(*fa, "web", "FAIL", "down for good");
  set(*fa, "mail", "UP");
  failmon(address);
  ASSERT_TRUE(waitFor("faild +reachable")) << tmux->lastScreen();
  fa->kill9();
  ASSERT_TRUE(waitFor("unreachable since \\d\\d:\\d\\d:\\d\\d \\(\\d+s ago\\): ")) << tmux->lastScreen();
  EXPECT_TRUE(waitFor("0/1 targets up 1 DOWN")) << tmux->lastScreen();
  // Restarted on the same port with its state: reachable again, with the records.
  fa = std::make_unique<Daemon>("faild/faild", std::vector<std::string>{"--state", state, "--listen", address}, dir,
                                "faild2");
  ASSERT_TRUE(fa->start()) << fa->log();
  tags_.push_back("faild2");
  ASSERT_TRUE(waitFor("faild +reachable")) << tmux->lastScreen();
  tmux->keys({"l"});
  ASSERT_TRUE(waitFor("\\bweb +FAIL .*down for good")) << tmux->lastScreen();
  ASSERT_TRUE(waitFor("\\bmail +UP ")) << tmux->lastScreen();
  set(*fa, "web", "UP");
  ASSERT_TRUE(waitFor("\\bweb +UP ")) << tmux->lastScreen();
  quit();
}

TEST_F(FailmonTmuxTest, HostileNoteShowsHarmlessly) {
  auto fa = faild("faild");
  std::string title = tmux->format("#{pane_title}");
  set(*fa, "aaa", "FAIL", "\x1b[2J\x1b]0;pwned\x07" + std::string(2000, 'W'));
  set(*fa, "zzz", "UP");
  failmon(fa->address());
  tmux->keys({"l"});
  ASSERT_TRUE(waitFor("\\baaa +FAIL .*\\\\x1b\\[2J\\\\x1b\\]0;pwned\\\\x07W+\u2026")) << tmux->lastScreen();
  // Nothing was cleared or moved: the header, the next row and the key help are in place.
  auto l = lines(tmux->lastScreen());
  ASSERT_EQ(l.size(), 30u);
  EXPECT_EQ(l[0].rfind("failmon ", 0), 0u) << tmux->lastScreen();
  EXPECT_TRUE(matches(l[3], "^zzz +UP ")) << tmux->lastScreen();
  EXPECT_EQ(l[29].rfind("h hosts", 0), 0u) << tmux->lastScreen();
  EXPECT_EQ(tmux->format("#{pane_title}"), title);
  // The detail shows the whole word, cut to the screen.
  tmux->keys({"s"});
  ASSERT_TRUE(waitFor("DETAIL aaa")) << tmux->lastScreen();
  EXPECT_EQ(tmux->format("#{pane_title}"), title);
  quit();
}


TEST_F(FailmonTmuxTest, InterruptRestoresTheTerminal) {
  auto fa = faild("faild");
  set(*fa, "web", "UP");
  failmon(fa->address());
  tmux->keys({"C-c"});
  ASSERT_TRUE(tmux->waitForPrompt()) << tmux->lastScreen();
  // The shell is usable again: what is typed echoes.
  tmux->type("echo back-$((1+1))", true);
  ASSERT_TRUE(tmux->waitFor("echo back-$((1+1))")) << tmux->lastScreen();  // echo is on again
  ASSERT_TRUE(tmux->waitFor("back-2")) << tmux->lastScreen();
}

TEST_F(FailmonTmuxTest, TerminateRestoresTheTerminal) {
  auto fa = faild("faild");
  failmon(fa->address());
  // failmon is the child of the window's shell.
  std::string shell = tmux->format("#{pane_pid}");
  std::string children = readFile("/proc/" + shell + "/task/" + shell + "/children");
  int pid = std::atoi(children.c_str());
  ASSERT_GT(pid, 0) << children;
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  ASSERT_TRUE(tmux->waitForPrompt()) << tmux->lastScreen();
  tmux->type("echo back-$((2+2))", true);
  ASSERT_TRUE(tmux->waitFor("echo back-$((2+2))")) << tmux->lastScreen();  // echo is on again
  ASSERT_TRUE(tmux->waitFor("back-4")) << tmux->lastScreen();
}

// In a terminal that is not UTF-8, other characters show as '?', a column each.
TEST_F(FailmonTmuxTest, NonUtf8TerminalShowsQuestionMarks) {
  auto fa = faild("faild");
  set(*fa, "web", "FAIL", "Grüße 世界 end");
  set(*fa, "zzz", "UP");
  failmon(fa->address(), "", "LANG=C LC_ALL=C");
  tmux->keys({"l"});
  ASSERT_TRUE(waitFor("\\bweb +FAIL +\\d+s +Gr\\?\\?e \\?\\?\\?\\? end")) << tmux->lastScreen();
  EXPECT_TRUE(waitFor("\\nzzz +UP ")) << tmux->lastScreen();
  quit();
}

// -d screen: one line per frame with its build and draw time, for the benchmarks.
TEST_F(FailmonTmuxTest, DebugScreenLogsEachFrame) {
  auto fa = faild("faild");
  set(*fa, "web", "UP");
  failmon(fa->address(), "-d screen");
  set(*fa, "web", "FAIL");
  tmux->keys({"l"});
  ASSERT_TRUE(waitFor("\\bweb +FAIL ")) << tmux->lastScreen();
  ASSERT_TRUE(eventually([&] {
    return matches(readFile(dir.file("failmon.err")), "frame build_us=\\d+ draw_us=\\d+ generation=\\d+ size=100x30");
  })) << readFile(dir.file("failmon.err"));
  quit();
}

}  // namespace
}  // namespace fail::test
