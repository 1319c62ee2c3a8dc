// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "state/preflight.hh"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/unique_fd.hh"

namespace fail::state {

namespace {

// What every refusal ends with: the ways out. `exists`: whether `dir` is there.
std::string remedies(const std::string& dir, const std::string& who, bool exists = true) {
  return std::string(exists ? "make " : "create ") + dir + " writable by " + who +
         " (with systemd: StateDirectory= in the unit), give -s FILE for a state file in a directory " + who +
         " can write, or --memory to keep no state";
}

}  // namespace

std::string directoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

DirProbe probeDirectory(const std::string& dir, const std::string& probe) {
  using P = DirProbe::Problem;
  struct stat st{};
  if (::stat(dir.c_str(), &st) != 0) return {errno == ENOENT ? P::Missing : P::Unreachable, errno};
  if (!S_ISDIR(st.st_mode)) return {P::NotADirectory, ENOTDIR};
  UniqueFd fd(::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd) return {P::CannotCreate, errno};
  bool wrote = ::write(fd.get(), "x", 1) == 1;
  int err = errno;
  fd.reset();
  ::unlink(probe.c_str());
  if (!wrote) return {P::CannotWrite, err};
  return {};
}

std::string checkStateFiles(const std::string& path, const std::string& who) {
  using P = DirProbe::Problem;
  const std::string dir = directoryOf(path);
  DirProbe p = probeDirectory(dir, path + ".probe-" + std::to_string(::getpid()));
  std::string why = std::string(" (") + std::strerror(p.error) + "): ";
  switch (p.problem) {
    case P::None:
      break;
    case P::Missing:
      return "the state directory " + dir + " does not exist: " + remedies(dir, who, false);
    case P::Unreachable:
      return "the state directory " + dir + ": " + std::strerror(p.error) + " (as " + who + "): " + remedies(dir, who);
    case P::NotADirectory:
      return dir + " is not a directory: give -s FILE for the state file, or --memory";
    case P::CannotCreate:
      return "user " + who + " cannot create files in the state directory " + dir + why + remedies(dir, who);
    case P::CannotWrite:
      return "user " + who + " cannot write in the state directory " + dir + why + remedies(dir, who);
  }
  for (const std::string& f : {path, path + ".lock", path + ".serial"}) {
    UniqueFd w(::open(f.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
    if (!w && errno != ENOENT)
      return "user " + who + " cannot write " + f + " (" + std::strerror(errno) + "): give it to " + who +
             " (chown), or " + remedies(dir, who);
  }
  return "";
}

std::string giveStateFiles(const std::string& path, unsigned uid, unsigned gid) {
  return giveFiles({path, path + ".lock", path + ".serial"}, uid, gid);
}

std::string giveFiles(const std::vector<std::string>& files, unsigned uid, unsigned gid) {
  for (const std::string& f : files)
    if (::chown(f.c_str(), uid, gid) != 0 && errno != ENOENT) return f + ": chown: " + std::strerror(errno);
  return "";
}

}  // namespace fail::state
