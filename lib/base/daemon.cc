// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "base/daemon.hh"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "base/unique_fd.hh"

namespace fail::daemon {

bool notify(const std::string& message) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (!path || !*path) return false;
  size_t len = std::strlen(path);
  sockaddr_un addr{};
  if (len >= sizeof addr.sun_path) return false;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path, len);
  if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) return false;
  socklen_t alen = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len);
  ssize_t n = ::sendto(fd.get(), message.data(), message.size(), MSG_NOSIGNAL,
                       reinterpret_cast<sockaddr*>(&addr), alen);
  return n == static_cast<ssize_t>(message.size());
}

std::string joinSpaced(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : " ") + i;
  return out;
}

bool notifyReady(const std::string& status, const std::string& listening, const std::string& http) {
  reportReady();
  return notify("READY=1\nSTATUS=" + status + "\nMAINPID=" + std::to_string(::getpid()) +
                "\nFAILD_LISTEN=" + listening + (http.empty() ? "" : "\nFAIL_HTTP=" + http));
}

namespace {

// The write end of the pipe to the process waiting in detach(); -1 when there is none.
int readyFd = -1;

// Writes `bytes` whole to `fd`, retrying on EINTR. False on an error.
bool writeAll(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// Reads `fd` to its end (or an error), retrying on EINTR.
std::string readAll(int fd) {
  std::string out;
  char buf[512];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

// The waiting side of detach(): reads the daemon's one report to its end and exits
// with what it says. Never returns.
[[noreturn]] void awaitReport(int fd, pid_t child, const std::string& program) {
  std::string report = readAll(fd);
  while (::waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
  }
  if (!report.empty() && report[0] == 'R') ::_exit(0);
  std::string message = report.size() > 1 && report[0] == 'E'
                            ? report.substr(1)
                            : "the daemon ended before it was ready (its log says why)";
  writeAll(2, program + ": " + message + "\n");
  ::_exit(1);
}

// Sends the one report and closes the pipe. False when there is no pipe.
bool report(const std::string& bytes) {
  if (readyFd < 0) return false;
  writeAll(readyFd, bytes);
  ::close(readyFd);
  readyFd = -1;
  return true;
}

}  // namespace

void detach(const std::string& program) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid > 0) {
    ::close(fds[1]);
    awaitReport(fds[0], pid, program);
  }
  ::close(fds[0]);
  readyFd = fds[1];
  if (::setsid() < 0) throw std::runtime_error(std::string("setsid: ") + std::strerror(errno));
  pid = ::fork();  // not a session leader: can never reacquire a terminal
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid > 0) ::_exit(0);
  if (::chdir("/") != 0) throw std::runtime_error("chdir /");
  int null = ::open("/dev/null", O_RDWR);
  if (null >= 0) {
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
    if (null > 2) ::close(null);
  }
}

void reportReady() { report("R"); }

bool reportFailed(const std::string& message) { return report("E" + message); }

void writePidFile(const std::string& path) {
  std::string tmp = path + ".tmp";
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) throw std::runtime_error("cannot write pid file " + tmp + ": " + std::strerror(errno));
  std::string text = std::to_string(::getpid()) + "\n";
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
      ::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error("cannot write pid file " + path + ": " + std::strerror(errno));
}

void dropPrivileges(const std::string& user) {
  errno = 0;
  struct passwd* pw = ::getpwnam(user.c_str());
  if (!pw) throw std::runtime_error("-u " + user + ": no such user");
  if (::initgroups(pw->pw_name, pw->pw_gid) != 0 || ::setgid(pw->pw_gid) != 0 ||
      ::setuid(pw->pw_uid) != 0)
    throw std::runtime_error("-u " + user + ": cannot switch user: " + std::strerror(errno));
  if (::setuid(0) == 0 && pw->pw_uid != 0)
    throw std::runtime_error("-u " + user + ": could regain root after dropping it");
}

UserIds lookUpUser(const std::string& user) {
  struct passwd* pw = ::getpwnam(user.c_str());
  if (!pw) throw std::runtime_error("-u " + user + ": no such user");
  return {static_cast<unsigned>(pw->pw_uid), static_cast<unsigned>(pw->pw_gid)};
}

unsigned lookUpGroup(const std::string& group) {
  if (struct group* gr = ::getgrnam(group.c_str())) return static_cast<unsigned>(gr->gr_gid);
  if (!group.empty() && group.find_first_not_of("0123456789") == std::string::npos && group.size() < 10)
    return static_cast<unsigned>(std::stoul(group));
  throw std::runtime_error(group + ": no such group");
}

std::string currentUserName() {
  struct passwd* pw = ::getpwuid(::geteuid());
  return pw ? std::string(pw->pw_name) : "uid " + std::to_string(::geteuid());
}

std::string runAs(const std::string& user, const std::function<std::string()>& check) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return std::string("pipe: ") + std::strerror(errno);
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return std::string("fork: ") + std::strerror(errno);
  }
  if (pid == 0) {
    ::close(fds[0]);
    std::string answer;
    try {
      dropPrivileges(user);
      answer = check();
    } catch (const std::exception& e) {
      answer = e.what();
    }
    writeAll(fds[1], "D" + answer);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string answer = readAll(fds[0]);
  ::close(fds[0]);
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
  if (answer.empty()) return "the check as user " + user + " ended without an answer";
  return answer.substr(1);
}

void raiseFileLimit() {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur >= r.rlim_max) return;
  r.rlim_cur = r.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &r);
}

}  // namespace fail::daemon
