// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "history/preflight.hh"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/unique_fd.hh"
#include "state/preflight.hh"

namespace fail::history {
namespace {

std::string remedies(const std::string& dir, const std::string& who) {
  return "make " + dir + " writable by " + who + ", give --history-db FILE in a directory " + who +
         " can write, or --no-history-db to keep no history";
}

}  // namespace

std::string checkDb(const std::string& path, const std::string& who) {
  using P = state::DirProbe::Problem;
  const std::string dir = state::directoryOf(path);
  // SQLite creates its -wal and -shm files beside the database, and removes the -wal when
  // the last connection closes: the directory must let the user create files.
  state::DirProbe p = state::probeDirectory(dir, path + ".probe-" + std::to_string(::getpid()));
  std::string where = "the history database's directory " + dir;
  switch (p.problem) {
    case P::None:
      break;
    case P::Missing:
    case P::Unreachable:
      return where + ": " + std::strerror(p.error) + " (as " + who + "): create it and " + remedies(dir, who);
    case P::NotADirectory:
      return dir + " is not a directory: give --history-db FILE, or --no-history-db";
    case P::CannotCreate:
    case P::CannotWrite:
      return "user " + who + " cannot create files in " + where + " (" + std::strerror(p.error) +
             "): " + remedies(dir, who);
  }
  struct stat st{};
  for (const std::string& f : {path, path + "-wal", path + "-shm"}) {
    if (::lstat(f.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
      return f + " is not a plain file: give --history-db FILE, or --no-history-db";
    UniqueFd rw(::open(f.c_str(), O_RDWR | O_CLOEXEC));
    if (!rw && errno != ENOENT)
      return "user " + who + " cannot write " + f + " (" + std::strerror(errno) + "): give it to " + who +
             " (chown), or " + remedies(dir, who);
  }
  return "";
}

}  // namespace fail::history
