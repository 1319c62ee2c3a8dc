// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Debian's headless Chromium for tests: one run per page (--dump-dom, or --screenshot),
// with the flags a machine without a network needs, a new empty profile each time, HOME
// in the test's folder (so its crash database stays there), in a process group of its
// own that is killed whole when the run ends or overruns its limit. For a page that has
// to be watched while it lives (a change arriving over an event stream), a
// ChromiumSession keeps one Chromium running and drives it over the DevTools protocol
// on a pipe (--remote-debugging-pipe): load, evaluate, wait, screenshot.
#pragma once

#include <fcntl.h>
#include <openssl/evp.h>
#include <poll.h>

#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
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

// The command line and environment of a headless Chromium for tests (flags from
// issue 16: no network of its own, no sync, a new empty profile under `dir`).
struct ChromiumCommand {
  std::vector<std::string> argv, env;
  std::string outPath, errPath;
};

inline ChromiumCommand chromiumCommand(const std::string& dir, const std::vector<std::string>& extra,
                                       const std::string& url) {
  static int runs = 0;
  std::string profile = dir + "/chromium-profile-" + std::to_string(++runs);
  std::string home = dir + "/chromium-home";
  ::mkdir(profile.c_str(), 0700);
  ::mkdir(home.c_str(), 0700);
  ChromiumCommand c;
  c.outPath = profile + ".out";
  c.errPath = profile + ".err";
  c.argv = {kChromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--user-data-dir=" + profile};
  c.argv.insert(c.argv.end(), extra.begin(), extra.end());
  c.argv.push_back(url);
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "HOME=", 5) != 0 && std::strncmp(*e, "XDG_", 4) != 0) c.env.emplace_back(*e);
  c.env.push_back("HOME=" + home);
  c.env.push_back("XDG_CONFIG_HOME=" + home + "/.config");
  c.env.push_back("XDG_CACHE_HOME=" + home + "/.cache");
  return c;
}

// Starts `c` in a process group of its own (stdin /dev/null, stdout and stderr to its
// files), with `fa` holding any further file actions. -1 and `err` when it cannot.
inline pid_t spawnChromium(ChromiumCommand& c, posix_spawn_file_actions_t& fa, std::string& err) {
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, c.outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, c.errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);  // a group of its own, killed whole at the end
  std::vector<char*> args, envp;
  for (auto& a : c.argv) args.push_back(a.data());
  args.push_back(nullptr);
  for (auto& e : c.env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, kChromium, &fa, &attr, args.data(), envp.data());
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    err = std::string("cannot start chromium: ") + std::strerror(rc);
    return -1;
  }
  return pid;
}

// Runs `chromium --headless ... EXTRA... URL` in `dir` (a folder of the test's own; each
// run gets a new profile folder under it).
inline ChromiumRun runChromium(const std::string& dir, const std::vector<std::string>& extra, const std::string& url,
                               std::chrono::seconds limit = std::chrono::seconds(60)) {
  ChromiumCommand c = chromiumCommand(dir, extra, url);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  ChromiumRun run;
  pid_t pid = spawnChromium(c, fa, run.err);
  posix_spawn_file_actions_destroy(&fa);
  if (pid < 0) return run;
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
  run.out = readAll(c.outPath);
  run.err = readAll(c.errPath);
  return run;
}

// Where tests keep what a person may want to look at afterwards (screenshots):
// BUILD/tests/integration/artifacts under the build tree, made when missing; absolute.
inline std::string artifactDir(const std::string& buildDir) {
  std::string d = buildDir + "/tests/integration/artifacts";
  ::mkdir(d.c_str(), 0755);
  char buf[PATH_MAX];
  return ::realpath(d.c_str(), buf) ? std::string(buf) : d;
}

// The page's DOM after load, as Chromium serialises it.
inline ChromiumRun chromiumDumpDom(const std::string& dir, const std::string& url) {
  return runChromium(dir, {"--dump-dom"}, url);
}

// A phone-sized screenshot (412 x 915 CSS pixels) of the page into `png`.
inline ChromiumRun chromiumScreenshot(const std::string& dir, const std::string& url, const std::string& png) {
  return runChromium(dir, {"--screenshot=" + png, "--window-size=412,915"}, url);
}

// One Chromium kept running for one page, driven over the DevTools protocol on a pipe:
// Chromium reads commands on its fd 3 and writes answers and events on its fd 4, each a
// JSON text ended by a NUL. Every wait has a deadline; the destructor kills the group.
//   ChromiumSession c(dir);
//   ASSERT_TRUE(c.open(url)) << c.error();
//   c.waitFor("document.body.dataset.live === 'open'");
//   c.eval("document.querySelector('tr').textContent");
//   c.screenshot(png);
class ChromiumSession {
 public:
  using Json = nlohmann::json;

  // `extra` flags as runChromium's (a window size, say).
  explicit ChromiumSession(const std::string& dir, const std::vector<std::string>& extra = {}) {
    ChromiumCommand c = chromiumCommand(dir, {}, "about:blank");
    c.argv.insert(c.argv.end() - 1, "--remote-debugging-pipe");
    c.argv.insert(c.argv.end() - 1, extra.begin(), extra.end());
    errPath_ = c.errPath;
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
      error_ = std::string("pipe: ") + std::strerror(errno);
      return;
    }
    // Above the descriptors Chromium's 3 and 4 become, so that each dup2 below copies.
    for (int* fd : {&in[0], &in[1], &out[0], &out[1]}) {
      int high = ::fcntl(*fd, F_DUPFD_CLOEXEC, 10);
      ::close(*fd);
      *fd = high;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 3);
    posix_spawn_file_actions_adddup2(&fa, out[1], 4);
    pid_ = spawnChromium(c, fa, error_);
    posix_spawn_file_actions_destroy(&fa);
    ::close(in[0]);
    ::close(out[1]);
    toChrome_ = in[1];
    fromChrome_ = out[0];
  }
  ~ChromiumSession() {
    if (pid_ > 0) {
      ::kill(-pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (toChrome_ >= 0) ::close(toChrome_);
    if (fromChrome_ >= 0) ::close(fromChrome_);
  }
  ChromiumSession(const ChromiumSession&) = delete;
  ChromiumSession& operator=(const ChromiumSession&) = delete;

  // What went wrong last (empty if nothing), with Chromium's own log when it helps.
  const std::string& error() const { return error_; }
  std::string log() const { return readAll(errPath_); }
  // Every event Chromium sent so far ({"method":…,"params":…}), in order.
  const std::vector<Json>& events() const { return events_; }

  // A new tab attached to this session, which then goes to `url`; true once its load
  // event came (the page's scripts ran; what they fetch may still be on its way).
  bool open(const std::string& url, std::chrono::seconds limit = std::chrono::seconds(60)) {
    if (pid_ < 0) return false;
    Json target = call("Target.createTarget", {{"url", "about:blank"}}, limit);
    if (!target.contains("targetId")) return false;
    Json attached = call("Target.attachToTarget", {{"targetId", target["targetId"]}, {"flatten", true}}, limit);
    if (!attached.contains("sessionId")) return false;
    session_ = attached["sessionId"];
    for (const char* domain : {"Page.enable", "Runtime.enable", "Log.enable"})
      if (call(domain, Json::object(), limit).is_null()) return false;
    std::size_t seen = events_.size();
    if (call("Page.navigate", {{"url", url}}, limit).is_null()) return false;
    auto end = std::chrono::steady_clock::now() + limit;
    while (true) {
      for (std::size_t i = seen; i < events_.size(); ++i)
        if (events_[i].value("method", "") == "Page.loadEventFired") return true;
      seen = events_.size();
      if (!receive(end)) {
        error_ = "no load event for " + url + ": " + error_;
        return false;
      }
    }
  }

  // The value of a JavaScript expression in the page (null, with error(), when it threw
  // or nothing answered).
  Json eval(const std::string& expression, std::chrono::seconds limit = std::chrono::seconds(30)) {
    Json r = call("Runtime.evaluate", {{"expression", expression}, {"returnByValue", true}}, limit);
    if (r.contains("exceptionDetails")) {
      error_ = "exception in " + expression + ": " + r["exceptionDetails"].dump();
      return nullptr;
    }
    return r.contains("result") ? r["result"].value("value", Json()) : Json();
  }

  // Until `expression` is true in the page, asking again every 100 ms.
  bool waitFor(const std::string& expression, std::chrono::seconds limit = std::chrono::seconds(20)) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (eval(expression) == Json(true)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the page's own pace: ask again
    }
    error_ = "still not true: " + expression;
    return false;
  }

  // The tab as it shows now into `png`.
  bool screenshot(const std::string& png) {
    Json r = call("Page.captureScreenshot", {{"format", "png"}});
    if (!r.contains("data")) return false;
    std::string b64 = r["data"];
    std::string bin(b64.size() / 4 * 3 + 3, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(bin.data()),
                            reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
    if (n < 0) return false;
    std::size_t pad = b64.size() - b64.find_last_not_of('=') - 1;  // EVP_DecodeBlock keeps the padding's zeros
    bin.resize(static_cast<std::size_t>(n) - pad);
    std::ofstream(png, std::ios::binary) << bin;
    return true;
  }

  // Texts of the console and log messages and the uncaught exceptions so far (a CSP
  // violation is one), one a line.
  std::string messages() const {
    std::string out;
    for (const Json& e : events_) {
      std::string m = e.value("method", "");
      if (m == "Log.entryAdded") out += e["params"]["entry"].value("text", "") + "\n";
      if (m == "Runtime.exceptionThrown") out += e["params"]["exceptionDetails"].dump() + "\n";
      if (m == "Runtime.consoleAPICalled") out += e["params"]["args"].dump() + "\n";
    }
    return out;
  }

  // Sends a command (to the attached tab once open() attached one) and waits for its
  // answer: its "result", or null with error().
  Json call(const std::string& method, const Json& params, std::chrono::seconds limit = std::chrono::seconds(30)) {
    Json msg = {{"id", ++lastId_}, {"method", method}, {"params", params}};
    if (!session_.empty()) msg["sessionId"] = session_;
    std::string text = msg.dump();
    text.push_back('\0');
    for (std::size_t at = 0; at < text.size();) {
      ssize_t n = ::write(toChrome_, text.data() + at, text.size() - at);
      if (n <= 0) {
        error_ = method + ": cannot write to chromium: " + std::strerror(errno);
        return nullptr;
      }
      at += static_cast<std::size_t>(n);
    }
    auto end = std::chrono::steady_clock::now() + limit;
    while (true) {
      auto it = answers_.find(lastId_);
      if (it != answers_.end()) {
        Json answer = std::move(it->second);
        answers_.erase(it);
        if (answer.contains("error")) {
          error_ = method + ": " + answer["error"].dump();
          return nullptr;
        }
        return answer.value("result", Json::object());
      }
      if (!receive(end)) {
        error_ = method + ": no answer: " + error_;
        return nullptr;
      }
    }
  }

 private:
  // Reads what Chromium sent until at least one whole message came (answers by id,
  // events in order). False at `end` or when Chromium went away.
  bool receive(std::chrono::steady_clock::time_point end) {
    while (true) {
      auto nul = buffer_.find('\0');
      if (nul != std::string::npos) {
        Json m = Json::parse(buffer_.substr(0, nul), nullptr, false);
        buffer_.erase(0, nul + 1);
        if (m.contains("id") && m["id"].is_number_integer()) {
          int id = m["id"].get<int>();  // before the move below
          answers_[id] = std::move(m);
        } else if (!m.is_discarded()) {
          events_.push_back(std::move(m));
        }
        return true;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        error_ = "timed out";
        return false;
      }
      pollfd p{fromChrome_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char chunk[65536];
      ssize_t n = ::read(fromChrome_, chunk, sizeof chunk);
      if (n <= 0) {
        error_ = "chromium closed its pipe";
        return false;
      }
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  pid_t pid_ = -1;
  int toChrome_ = -1, fromChrome_ = -1;
  int lastId_ = 0;
  std::string session_, buffer_, error_, errPath_;
  std::map<int, Json> answers_;
  std::vector<Json> events_;
};

}  // namespace fail::test
