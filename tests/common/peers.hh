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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
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

}  // namespace fail::test
