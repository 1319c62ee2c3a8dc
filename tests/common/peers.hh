// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Real peer programs for tests (aiosmtpd, pyftpdlib, named, nginx...): started in the
// foreground from the test, on loopback ports, and stopped by PID (doc/traps.md: nothing
// starts services here, and only /usr/bin/python3 has Debian's Python modules). Shared by
// the unit tests of the probes and the integration tests of hc.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/unique_fd.hh"

extern char** environ;

namespace fail::test {

inline constexpr const char* kPython = "/usr/bin/python3";  // Debian's, with its modules

// A loopback port free for both TCP and UDP at the time of the call.
inline int freeLoopbackPort() {
  for (int tries = 0; tries < 50; ++tries) {
    UniqueFd t(::socket(AF_INET, SOCK_STREAM, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(t.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) continue;
    ::getsockname(t.get(), reinterpret_cast<sockaddr*>(&a), &len);
    UniqueFd u(::socket(AF_INET, SOCK_DGRAM, 0));
    if (::bind(u.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) return ntohs(a.sin_port);
  }
  return 0;
}

// Whether something accepts TCP connections on 127.0.0.1:port.
inline bool tcpConnects(int port) {
  UniqueFd s(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return ::connect(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
}

// Whether Debian's Python has a module.
inline bool pythonHas(const std::string& module) {
  std::string cmd = std::string(kPython) + " -c 'import " + module + "' >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

inline std::string readAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A peer program in the foreground, its output in `log`; SIGTERM, then SIGKILL, on
// stop() and destruction, and waited for (so it is gone, not a zombie).
class Child {
 public:
  Child(std::vector<std::string> argv, const std::string& log, const std::string& cwd = {}) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    if (posix_spawn(&pid_, args[0], &fa, nullptr, args.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
  }
  ~Child() { stop(); }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  bool alive() {
    if (pid_ <= 0) return false;
    int st;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    return true;
  }
  void stop() {
    if (!alive()) return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {  // up to 5 s
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return void(pid_ = -1);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill9();
  }
  // The peer dies without a goodbye; waited for, so its ports are closed on return.
  void kill9() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  // Waits until `ready()` holds while the child lives (false if it died or time ran out).
  template <typename F>
  bool waitFor(F ready, std::chrono::seconds limit = std::chrono::seconds(20)) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (!alive()) return false;
      if (ready()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling a peer, not hoping
    }
    return false;
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

// BIND 9 `named -g` serving one zone (`origin`, records in `zoneText`) on 127.0.0.1:port,
// authoritative only, from the folder `dir`, which it takes over (doc/traps.md: named keeps no
// CAP_DAC_OVERRIDE even as root, so it runs as bind in a folder bind owns; controls,
// pid-file and session key off). Returns the running named once its log says it listens
// on that port and loaded all zones; nullptr (with *why) otherwise.
inline std::unique_ptr<Child> startNamed(const std::string& dir, int port, const std::string& origin,
                                         const std::string& zoneText, std::string* why) {
  const passwd* pw = ::getpwnam("bind");
  if (::access("/usr/sbin/named", X_OK) != 0 || !pw) {
    *why = "bind9 (named, user bind) is not installed";
    return nullptr;
  }
  std::string zone = dir + "/" + origin + ".zone", conf = dir + "/named.conf", log = dir + "/named.log";
  std::ofstream(zone) << zoneText;
  std::ofstream(conf) << "options {\n  directory \"" << dir << "\";\n  listen-on port " << port
                      << " { 127.0.0.1; };\n  listen-on-v6 { none; };\n  pid-file none;\n"
                      << "  session-keyfile none;\n  recursion no;\n  dnssec-validation no;\n};\n"
                      << "controls { };\nzone \"" << origin << "\" { type primary; file \"" << zone
                      << "\"; };\n";
  std::remove(log.c_str());  // a restart waits for the new named's words, not the old one's
  if (::chown(dir.c_str(), pw->pw_uid, pw->pw_gid) != 0 || ::chmod(dir.c_str(), 0755) != 0) {
    *why = "cannot hand " + dir + " to user bind";
    return nullptr;
  }
  auto named = std::make_unique<Child>(
      std::vector<std::string>{"/usr/sbin/named", "-g", "-u", "bind", "-n", "1", "-c", conf}, log);
  // Ready when it says so for our port (doc/traps.md: a named on a taken port may look alive).
  std::string listening = "127.0.0.1#" + std::to_string(port);
  if (!named->waitFor([&] {
        std::string text = readAll(log);
        return text.find(listening) != std::string::npos && text.find("all zones loaded") != std::string::npos;
      })) {
    *why = "named did not start:\n" + readAll(log);
    return nullptr;
  }
  return named;
}

// The source tree (top_srcdir), for the peers' scripts under tests/common/: `make check`
// says it in the environment; run by hand, it is the first folder above the test binary
// that holds tests/common/peers.hh (the build tree is a folder of the source tree here).
inline std::string testSourceDir() {
  if (const char* s = std::getenv("top_srcdir")) return s;
  std::error_code ec;
  auto dir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
  for (; !dir.empty() && dir != dir.root_path(); dir = dir.parent_path())
    if (std::filesystem::exists(dir / "tests/common/peers.hh", ec)) return dir.string();
  return ".";
}
inline std::string peerScript(const std::string& name) { return testSourceDir() + "/tests/common/" + name; }

// Header names compare without case (RFC 5322, RFC 9110).
struct CaseLess {
  bool operator()(const std::string& a, const std::string& b) const {
    return ::strcasecmp(a.c_str(), b.c_str()) < 0;
  }
};
using HeaderMap = std::map<std::string, std::string, CaseLess>;

// A peer that writes the port it bound to `portFile` (whole, by a rename) once it
// listens: waits for that file while the peer lives; 0 if it died or time ran out.
inline int waitForPortFile(Child& peer, const std::string& portFile,
                           std::chrono::seconds limit = std::chrono::seconds(30)) {
  int port = 0;
  peer.waitFor([&] {
        port = std::atoi(readAll(portFile).c_str());
        return port > 0;
      }, limit);
  return port;
}

// Writes `text` to `path` whole, by a rename: a peer reading it never sees half of it.
inline void writeWhole(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  { std::ofstream(tmp, std::ios::trunc) << text; }
  std::rename(tmp.c_str(), path.c_str());
}

// Polls what a peer received (`read`) until `done` holds for it or `limit` passes;
// returns what it read last.
template <typename T>
T pollSeen(const std::function<T()>& read, const std::function<bool(const T&)>& done,
           std::chrono::seconds limit) {
  auto end = std::chrono::steady_clock::now() + limit;
  for (;;) {
    T seen = read();
    if (done(seen) || std::chrono::steady_clock::now() >= end) return seen;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling a file, not hoping
  }
}

// A peer script of tests/common/ run by Debian's Python (mail_peer.py, webhook_peer.py)
// with its files in one folder under a tag (<tag>.log, <tag>.port, <tag>.mode): it binds
// port 0 the first time and the same port again after a stop(), says the port in its port
// file, and reads its mode from the control file at each request.
class ScriptPeer {
 public:
  ScriptPeer(std::string dir, std::string tag) : dir_(std::move(dir)), tag_(std::move(tag)) {}

  void stop() { child_.reset(); }  // SIGTERM, waited for
  void kill9() {
    if (child_) child_->kill9();
    child_.reset();
  }
  bool running() { return child_ && child_->alive(); }
  int port() const { return port_; }
  // Switches the running peer's mode from its next request on.
  void setMode(const std::string& mode) { writeWhole(file("mode"), mode + "\n"); }
  std::string log() const { return readAll(file("log")); }
  std::string file(const std::string& ext) const { return dir_ + "/" + tag_ + "." + ext; }

 protected:
  // Runs `script` with `args` and the port, port-file and control options; true once it
  // listens, else false with *why (its output).
  bool launch(const std::string& script, const std::vector<std::string>& args, std::string* why) {
    std::remove(file("port").c_str());
    std::vector<std::string> argv{kPython, peerScript(script), "--port-file", file("port"), "--port",
                                  std::to_string(port_), "--control", file("mode")};
    argv.insert(argv.end(), args.begin(), args.end());
    child_ = std::make_unique<Child>(argv, file("log"));
    int port = waitForPortFile(*child_, file("port"));
    if (port <= 0) {
      if (why) *why = script + " did not start:\n" + readAll(file("log"));
      child_.reset();
      return false;
    }
    port_ = port;
    return true;
  }
  const std::string& dir() const { return dir_; }
  const std::string& tag() const { return tag_; }

 private:
  std::string dir_, tag_;
  int port_ = 0;
  std::unique_ptr<Child> child_;
};

}  // namespace fail::test
