// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failsh's interactive prompt, driven through a pseudo-terminal as a person would: a
// command spread over several lines, the failover commands against a real faild, an
// error that the prompt reports and survives, and end of input ending the shell.
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include "harness.hh"

namespace fail::test {
namespace {

using namespace std::chrono_literals;

// A program on the slave side of a pseudo-terminal; everything it writes is kept.
class Terminal {
 public:
  explicit Terminal(const std::vector<std::string>& argv) {
    ExecPlan plan(argv[0], std::vector<std::string>(argv.begin() + 1, argv.end()));
    pid_ = ::forkpty(&fd_, nullptr, nullptr, nullptr);
    if (pid_ == 0) plan.exec();
  }
  ~Terminal() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return pid_ > 0 && fd_ >= 0; }
  void type(const std::string& text) { ASSERT_EQ(::write(fd_, text.data(), text.size()), static_cast<ssize_t>(text.size())); }
  // Reads until `what` appears after the part already consumed; consumes up to its end.
  bool expect(const std::string& what, std::chrono::milliseconds deadline = 30s) {
    auto until = std::chrono::steady_clock::now() + deadline;
    for (;;) {
      auto at = out_.find(what, seen_);
      if (at != std::string::npos) {
        seen_ = at + what.size();
        return true;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) return false;  // the program is gone (EIO on Linux)
      out_.append(buf, static_cast<size_t>(n));
    }
  }
  // Waits for the program to exit; its status, or -1 past the deadline.
  int exitStatus(std::chrono::milliseconds deadline = 30s) {
    auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until) {
      int st = 0;
      if (::waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      }
      char buf[4096];
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) > 0 && ::read(fd_, buf, sizeof buf) > 0) continue;
    }
    return -1;
  }
  const std::string& output() const { return out_; }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string out_;
  size_t seen_ = 0;
};

TEST(FailshPrompt, MultiLineCommandsTheFailoverCommandsAndErrors) {
  TempDir dir;
  Daemon faild("faild/faild", {"--memory", "--listen", "127.0.0.1:0"}, dir, "faild");
  ASSERT_TRUE(faild.start()) << faild.log();
  Terminal t({buildDir() + "/failsh/failsh", "-m", "none", "-L", dir.file("failsh.log")});
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(t.expect("failsh% ")) << t.output();

  // A procedure typed over three lines: the prompt asks for more until it is complete.
  t.type("proc twice {x} {\n");
  ASSERT_TRUE(t.expect("> ")) << t.output();
  t.type("    expr {$x * 2}\n");
  ASSERT_TRUE(t.expect("> ")) << t.output();
  t.type("}\n");
  ASSERT_TRUE(t.expect("failsh% ")) << t.output();
  t.type("twice 21\n");
  ASSERT_TRUE(t.expect("42\r\nfailsh% ")) << t.output();

  // The failover commands are there, against the local faild.
  t.type("failhost localhost port " + std::to_string(faild.port()) + "\n");
  ASSERT_TRUE(t.expect("failsh% ")) << t.output();
  t.type("fail::state set www UP -note {typed by hand}\n");
  ASSERT_TRUE(t.expect("failsh% ")) << t.output();
  t.type("dict get [fail::state get www] note\n");
  ASSERT_TRUE(t.expect("typed by hand\r\nfailsh% ")) << t.output();
  LineClient c(faild.address());
  EXPECT_EQ(field(words(c.request("GET www"))[1], "state"), "UP");

  // An error is reported at the prompt, and the shell goes on.
  t.type("error {no such luck}\n");
  ASSERT_TRUE(t.expect("error: no such luck\r\nfailsh% ")) << t.output();
  t.type("twice 5\n");
  ASSERT_TRUE(t.expect("10\r\nfailsh% ")) << t.output();

  // End of input (^D) ends failsh cleanly.
  t.type("\x04");
  EXPECT_EQ(t.exitStatus(), 0) << t.output();
}

}  // namespace
}  // namespace fail::test
