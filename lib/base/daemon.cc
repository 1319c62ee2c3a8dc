#include "base/daemon.hh"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
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

bool notifyReady(const std::string& status, const std::string& listening) {
  return notify("READY=1\nSTATUS=" + status + "\nMAINPID=" + std::to_string(::getpid()) +
                "\nFAILD_LISTEN=" + listening);
}

void detach() {
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid > 0) ::_exit(0);
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

void raiseFileLimit() {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur >= r.rlim_max) return;
  r.rlim_cur = r.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &r);
}

}  // namespace fail::daemon
