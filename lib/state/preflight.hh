// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// faild's start-up check of its state files: before it reports ready (and in -t), faild
// proves that the user it runs as can create and write the state file, its .lock and its
// .serial (high-water-mark) file, so that a daemon that cannot keep its state refuses to
// start instead of answering every change with STORAGE. doc/faild-state.md.
#pragma once

#include <string>
#include <vector>

namespace fail::state {

// Checks, with the calling process's privileges, that the state can be kept at `path`:
// its directory exists and files can be created, written and removed there (the state
// file and PATH.serial are replaced by writing PATH.tmp and renaming it), and each of
// PATH, PATH.lock and PATH.serial that exists can be written. `who` names the user in
// the message ("nobody"). Returns "" when all is well, otherwise one sentence saying what
// is wrong and what to do (-s FILE, --memory, create or chown the directory, or the
// systemd unit's StateDirectory=). Changes nothing it finds (its probe file is removed).
std::string checkStateFiles(const std::string& path, const std::string& who);

// The directory part of `path` ("." when it has none).
std::string directoryOf(const std::string& path);

// What probeDirectory found.
struct DirProbe {
  enum class Problem { None, Missing, Unreachable, NotADirectory, CannotCreate, CannotWrite };
  Problem problem = Problem::None;
  int error = 0;  // the errno behind it
};
// With the calling process's privileges: `dir` exists, is a directory, and the file
// `probe` can be created and written there (it is removed again). For checkStateFiles
// and the history's check (history/preflight.hh).
DirProbe probeDirectory(const std::string& dir, const std::string& probe);

// The state files of `path` that exist (PATH, PATH.lock, PATH.serial) are given to the
// user `uid` and group `gid`, so that a faild started as root with -u USER, which opens
// them before it switches user, can open them again as USER at the next start. Returns
// "" or what failed.
std::string giveStateFiles(const std::string& path, unsigned uid, unsigned gid);
// The same for any files (those that do not exist are skipped).
std::string giveFiles(const std::vector<std::string>& files, unsigned uid, unsigned gid);

}  // namespace fail::state
