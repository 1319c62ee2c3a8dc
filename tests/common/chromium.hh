// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Debian's headless Chromium for tests: one run per page (--dump-dom, or --screenshot),
// with the flags a machine without a network needs, a new empty profile each time, HOME
// in the test's folder (so its crash database stays there), in a process group of its
// own that is killed whole when the run ends or overruns its limit.
#pragma once

#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "peers.hh"

extern char** environ;

namespace fail::test {

inline constexpr const char* kChromium = "/usr/bin/chromium";

// Empty when Chromium is installed, else what is missing (for GTEST_SKIP).
inline std::string chromiumMissing() {
  if (::access(kChromium, X_OK) != 0) return std::string(kChromium) + " is not installed (Debian package chromium)";
  return {};
}

struct ChromiumRun {
  bool finished = false;  // exited by itself within the limit
  int status = -1;
  std::string out;  // stdout: the DOM for --dump-dom
  std::string err;  // stderr: Chromium's log
};

// Runs `chromium --headless ... EXTRA... URL` in `dir` (a folder of the test's own; each
// run gets a new profile folder under it). `runs` numbers the profiles.
inline ChromiumRun runChromium(const std::string& dir, const std::vector<std::string>& extra, const std::string& url,
                               std::chrono::seconds limit = std::chrono::seconds(60)) {
  static int runs = 0;
  std::string profile = dir + "/chromium-profile-" + std::to_string(++runs);
  std::string home = dir + "/chromium-home";
  ::mkdir(profile.c_str(), 0700);
  ::mkdir(home.c_str(), 0700);
  std::string outPath = profile + ".out", errPath = profile + ".err";
  std::vector<std::string> argv = {kChromium,
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--disable-quic",
                                   "--no-first-run",
                                   "--disable-background-networking",
                                   "--disable-component-update",
                                   "--disable-sync",
                                   "--user-data-dir=" + profile};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back(url);
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "HOME=", 5) != 0 && std::strncmp(*e, "XDG_", 4) != 0) env.emplace_back(*e);
  env.push_back("HOME=" + home);
  env.push_back("XDG_CONFIG_HOME=" + home + "/.config");
  env.push_back("XDG_CACHE_HOME=" + home + "/.cache");

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);  // a group of its own, killed whole below
  std::vector<char*> args, envp;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = -1;
  ChromiumRun run;
  int rc = posix_spawn(&pid, kChromium, &fa, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    run.err = std::string("cannot start chromium: ") + std::strerror(rc);
    return run;
  }
  auto end = std::chrono::steady_clock::now() + limit;
  while (true) {
    int st = 0;
    if (::waitpid(pid, &st, WNOHANG) == pid) {
      run.finished = true;
      run.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      break;
    }
    if (std::chrono::steady_clock::now() >= end) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling the child's end
  }
  ::kill(-pid, SIGKILL);  // whatever it left behind in its group (crash handler, zygotes)
  run.out = readAll(outPath);
  run.err = readAll(errPath);
  return run;
}

// The page's DOM after load, as Chromium serialises it.
inline ChromiumRun chromiumDumpDom(const std::string& dir, const std::string& url) {
  return runChromium(dir, {"--dump-dom"}, url);
}

// A phone-sized screenshot (412 x 915 CSS pixels) of the page into `png`.
inline ChromiumRun chromiumScreenshot(const std::string& dir, const std::string& url, const std::string& png) {
  return runChromium(dir, {"--screenshot=" + png, "--window-size=412,915"}, url);
}

}  // namespace fail::test
