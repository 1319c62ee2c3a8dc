// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// A private tmux server for tests of full-screen programs: its own socket in a
// temporary directory (never the user's server), no configuration file (-f /dev/null),
// one detached window of a fixed size running a shell with a known prompt. A test types
// into it (send-keys), reads the screen (capture-pane -p) and waits for text with a
// deadline. Header-only; needs tests/integration/harness.hh (runProgram, eventually).
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "../integration/harness.hh"

namespace fail::test {

class Tmux {
 public:
  // The prompt of the shell in the window (PS1), to tell when a program has ended.
  static constexpr const char* kPrompt = "tmux-test$ ";

  // tmux's absolute path, or "" when it is not installed (the test then skips).
  static std::string program() {
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/bin:/bin";
    for (std::size_t start = 0; start <= dirs.size();) {
      std::size_t end = dirs.find(':', start);
      if (end == std::string::npos) end = dirs.size();
      std::string p = dirs.substr(start, end - start) + "/tmux";
      if (::access(p.c_str(), X_OK) == 0) return p;
      start = end + 1;
    }
    return "";
  }

  Tmux(const TempDir& dir, int cols = 100, int rows = 30) : socket_(dir.file("tmux.sock")), cols_(cols), rows_(rows) {}
  ~Tmux() {
    if (started_) run({"kill-server"});
  }
  Tmux(const Tmux&) = delete;
  Tmux& operator=(const Tmux&) = delete;

  // Starts the server with one window running /bin/sh (prompt kPrompt) in a UTF-8
  // locale, with `env` (KEY=VALUE) added. False when tmux fails (lastError says why).
  bool start(const std::vector<std::string>& env = {}) {
    std::vector<std::string> args = {"new-session", "-d", "-s", "t", "-x", std::to_string(cols_),
                                     "-y", std::to_string(rows_), "/usr/bin/env", std::string("PS1=") + kPrompt,
                                     "LANG=C.UTF-8", "LC_ALL=C.UTF-8"};
    args.insert(args.end(), env.begin(), env.end());
    args.push_back("/bin/sh");
    started_ = true;
    if (!run(args)) return false;
    // A window that keeps its size whatever clients attach (none do).
    run({"set-option", "-g", "window-size", "manual"});
    return waitFor("tmux-test$");  // capture-pane drops the trailing blank
  }

  // Types `text` literally, then Enter when `enter`.
  bool type(const std::string& text, bool enter = false) {
    bool ok = run({"send-keys", "-t", "t", "-l", text});
    return ok && (!enter || keys({"Enter"}));
  }
  // tmux key names: "Up", "Left", "NPage", "Tab", "Escape", "C-c", "q".
  bool keys(const std::vector<std::string>& names) {
    std::vector<std::string> args = {"send-keys", "-t", "t"};
    args.insert(args.end(), names.begin(), names.end());
    return run(args);
  }
  // The visible screen, one line per row.
  std::string capture() { return out({"capture-pane", "-p", "-t", "t"}); }
  // A format of the pane ("#{pane_title}", "#{pane_current_command}").
  std::string format(const std::string& fmt) {
    std::string s = out({"display-message", "-p", "-t", "t", fmt});
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
  }
  void resize(int cols, int rows) {
    cols_ = cols, rows_ = rows;
    run({"resize-window", "-t", "t", "-x", std::to_string(cols), "-y", std::to_string(rows)});
  }

  // Waits until the screen holds `text` (true) or the deadline passes (false; the last
  // screen is in lastScreen()).
  bool waitFor(const std::string& text, std::chrono::milliseconds deadline = kDeadline) {
    return waitUntil([&](const std::string& s) { return s.find(text) != std::string::npos; }, deadline);
  }
  bool waitUntil(const std::function<bool(const std::string&)>& pred, std::chrono::milliseconds deadline = kDeadline) {
    return eventually(
        [&] {
          last_ = capture();
          return pred(last_);
        },
        deadline);
  }
  // The shell's prompt is on the screen's last non-empty line: the program ended.
  bool waitForPrompt(std::chrono::milliseconds deadline = kDeadline) {
    return waitUntil(
        [](const std::string& s) {
          std::string t = s;
          while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
          std::size_t nl = t.rfind('\n');
          std::string last = nl == std::string::npos ? t : t.substr(nl + 1);
          return last.rfind("tmux-test$", 0) == 0;
        },
        deadline);
  }
  const std::string& lastScreen() const { return last_; }
  const std::string& lastError() const { return error_; }

 private:
  std::vector<std::string> base() const { return {"-S", socket_, "-f", "/dev/null"}; }
  bool run(const std::vector<std::string>& args) {
    std::vector<std::string> all = base();
    all.insert(all.end(), args.begin(), args.end());
    RunResult r = runProgram(program(), all, {"LANG=C.UTF-8", "LC_ALL=C.UTF-8"});
    if (r.status != 0) error_ = r.err;
    return r.status == 0;
  }
  std::string out(const std::vector<std::string>& args) {
    std::vector<std::string> all = base();
    all.insert(all.end(), args.begin(), args.end());
    return runProgram(program(), all, {"LANG=C.UTF-8", "LC_ALL=C.UTF-8"}).out;
  }

  std::string socket_;
  int cols_, rows_;
  bool started_ = false;
  std::string last_, error_;
};

}  // namespace fail::test
