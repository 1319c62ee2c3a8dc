// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// bench/failmon_bench's private tmux server and its control-mode client: see
// failmon_bench_tmux.hh.
#include "failmon_bench_tmux.hh"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace bench {
namespace {

constexpr auto kReplyTimeout = std::chrono::seconds(10);

// fork/exec of `argv` with `env` added; stdin/stdout to the given fds (-1: /dev/null),
// stderr to `errPath`.
pid_t spawnWith(const std::vector<std::string>& argv, const std::vector<std::string>& env, int in, int out,
                const std::string& errPath) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    int null = ::open("/dev/null", O_RDWR);
    int err = ::open(errPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(in >= 0 ? in : null, 0);
    ::dup2(out >= 0 ? out : null, 1);
    if (err >= 0) ::dup2(err, 2);
    ::unsetenv("TMUX");
    for (const auto& kv : env) ::putenv(const_cast<char*>(kv.c_str()));
    ::execvp(args[0], args.data());
    std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
    ::_exit(127);
  }
  return pid;
}

int waitStatus(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

bool startsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// The command number of a "%begin TIME NUMBER FLAGS" (or %end, %error) line.
std::string guardNumber(std::string_view line) {
  size_t a = line.find(' ');
  size_t b = a == std::string_view::npos ? a : line.find(' ', a + 1);
  if (b == std::string_view::npos) return {};
  size_t c = line.find(' ', b + 1);
  return std::string(line.substr(b + 1, c == std::string_view::npos ? c : c - b - 1));
}

// FLAGS of a %begin line: 1 when the block answers a command of this control client,
// 0 for commands the server ran by itself (the attach, hooks), which arrive unasked.
bool fromClient(std::string_view line) { return line.size() > 2 && line.substr(line.size() - 2) == " 1"; }

}  // namespace

TmuxPane::TmuxPane(std::string tmux, std::string dir)
    : tmux_(std::move(tmux)), dir_(std::move(dir)), socket_(dir_ + "/tmux.sock") {}

TmuxPane::~TmuxPane() {
  pid_t server = -1;
  if (client_ > 0) {
    try {
      server = serverPid();
    } catch (const std::exception&) {
    }
  }
  if (toClient_ >= 0) ::close(toClient_);
  if (fromClient_ >= 0) ::close(fromClient_);
  std::string log = dir_ + "/tmux-client.log";
  pid_t kill = spawnWith({tmux_, "-S", socket_, "kill-server"}, {}, -1, -1, log);
  waitStatus(kill);
  if (server > 0 && !waitExit(server, 5)) ::kill(server, SIGKILL);
  if (client_ > 0) {
    if (!waitExit(client_, 5)) ::kill(client_, SIGKILL);
    waitExit(client_, 5);
  }
}

void TmuxPane::start(int width, int height, const std::string& cmd, const std::vector<std::string>& env) {
  std::string conf = dir_ + "/tmux.conf";
  {
    std::ofstream f(conf);
    // No status line, so the pane is the whole window; a pane whose command exits stays
    // (its last screen is kept for the log). (`window-size manual` here makes tmux 3.3a's
    // server exit at once: it is set once the session exists.)
    f << "set -g status off\nset -g default-size " << width << "x" << height
      << "\nset -g remain-on-exit on\nset -g escape-time 0\n";
  }
  std::string log = dir_ + "/tmux-client.log";
  pid_t p = spawnWith({tmux_, "-S", socket_, "-f", conf, "new-session", "-d", "-s", "bench", "-x",
                       std::to_string(width), "-y", std::to_string(height), cmd},
                      env, -1, -1, log);
  if (int rc = waitStatus(p); rc != 0)
    throw std::runtime_error("tmux new-session failed (" + std::to_string(rc) + "): " + slurp(log));

  int down[2], up[2];
  if (::pipe2(down, O_CLOEXEC) < 0 || ::pipe2(up, O_CLOEXEC) < 0)
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  // The control client neither gets the pane's output nor counts for the window's size.
  client_ = spawnWith({tmux_, "-S", socket_, "-C", "attach-session", "-f", "no-output,ignore-size", "-t", "bench"},
                      env, down[0], up[1], log);
  ::close(down[0]);
  ::close(up[1]);
  toClient_ = down[1];
  fromClient_ = up[0];
  // The attach itself answers a block first; a marker command tells where it ends.
  std::string out = "display-message -p bench-sync\n";
  if (::write(toClient_, out.data(), out.size()) != static_cast<ssize_t>(out.size()))
    throw std::runtime_error("tmux control client: write failed");
  while (readBlock() != "bench-sync") {
  }
  command("set -g window-size manual");
  std::string size = command("display-message -p -t bench '#{pane_width}x#{pane_height}'");
  if (size != std::to_string(width) + "x" + std::to_string(height))
    throw std::runtime_error("tmux pane is " + size + ", not " + std::to_string(width) + "x" + std::to_string(height));
}

std::string TmuxPane::readBlock() {
  Clock::time_point deadline = Clock::now() + kReplyTimeout;
  bool inBlock = false, ours = false;
  std::string number, body;
  for (;;) {
    size_t nl;
    while ((nl = in_.find('\n')) != std::string::npos) {
      std::string line = in_.substr(0, nl);
      in_.erase(0, nl + 1);
      if (!inBlock) {
        if (startsWith(line, "%begin ")) {
          inBlock = true;
          ours = fromClient(line);
          number = guardNumber(line);
          body.clear();
        } else if (startsWith(line, "%exit")) {
          throw std::runtime_error("tmux control client exited: " + line);
        }
        continue;  // a notification
      }
      bool end = startsWith(line, "%end "), error = startsWith(line, "%error ");
      if ((end || error) && guardNumber(line) == number) {
        inBlock = false;
        if (!ours) continue;
        if (error) throw std::runtime_error("tmux: " + body);
        if (!body.empty()) body.pop_back();  // the last '\n'
        return body;
      }
      body += line;
      body += '\n';
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) throw std::runtime_error("tmux control client: no answer within 10 s");
    pollfd pfd{fromClient_, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left)) <= 0) continue;
    char buf[65536];
    ssize_t n = ::read(fromClient_, buf, sizeof buf);
    if (n == 0) throw std::runtime_error("tmux control client closed: " + slurp(dir_ + "/tmux-client.log"));
    if (n < 0 && errno != EINTR) throw std::runtime_error(std::string("tmux control client: ") + std::strerror(errno));
    if (n > 0) in_.append(buf, static_cast<size_t>(n));
  }
}

std::string TmuxPane::command(const std::string& line) {
  std::string out = line + "\n";
  size_t off = 0;
  while (off < out.size()) {
    ssize_t n = ::write(toClient_, out.data() + off, out.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error(std::string("tmux control client: write: ") + std::strerror(errno));
    off += static_cast<size_t>(n);
  }
  return readBlock();
}

std::string TmuxPane::capture(Clock::time_point* sent, Clock::time_point* received) {
  if (sent) *sent = Clock::now();
  std::string text = command("capture-pane -p -t bench");
  if (received) *received = Clock::now();
  return text;
}

pid_t TmuxPane::panePid() { return static_cast<pid_t>(std::atol(command("display-message -p -t bench '#{pane_pid}'").c_str())); }

pid_t TmuxPane::serverPid() { return static_cast<pid_t>(std::atol(command("display-message -p '#{pid}'").c_str())); }

bool TmuxPane::paneDead() { return command("display-message -p -t bench '#{pane_dead}'") == "1"; }

}  // namespace bench
