// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// A fixture for tests of faild's storage: faild started on a state file, a small tmpfs
// of its own to fill (so that writes fail with ENOSPC), every faild's log shown when a
// test fails.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "harness.hh"

namespace fail::test {

class FaildDiskTest : public ::testing::Test {
 protected:
  std::unique_ptr<Daemon> startFaild(const std::string& state) {
    auto d = std::make_unique<Daemon>(
        "faild/faild", std::vector<std::string>{"-s", state, "--listen", "127.0.0.1:0"}, dir,
        "faild" + std::to_string(++n_));
    EXPECT_TRUE(d->start()) << d->log();
    return d;
  }
  void TearDown() override {
    if (HasFailure())
      for (int i = 1; i <= n_; ++i)
        std::cerr << "--- faild" << i << ".log:\n"
                  << readFile(dir.file("faild" + std::to_string(i) + ".log"));
    if (mounted_) ::umount2(disk_.c_str(), MNT_DETACH);
  }
  // Mounts a tmpfs of `size` at dir/disk; false (with the reason in `why`) if refused.
  bool mountDisk(const char* size, std::string& why) {
    disk_ = dir.file("disk");
    ::mkdir(disk_.c_str(), 0700);
    std::string opts = std::string("size=") + size + ",mode=0700";
    if (::mount("tmpfs", disk_.c_str(), "tmpfs", 0, opts.c_str()) != 0) {
      why = std::strerror(errno);
      return false;
    }
    mounted_ = true;
    return true;
  }
  // Fills the disk: writes `path` until the file system says ENOSPC.
  static bool fill(const std::string& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return false;
    std::string chunk(65536, 'f');
    for (;;) {
      ssize_t n = ::write(fd, chunk.data(), chunk.size());
      if (n < 0) {
        int e = errno;
        ::close(fd);
        return e == ENOSPC;
      }
    }
  }
  // Fills the disk but for about `room` bytes.
  static bool fillBut(const std::string& path, off_t room) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return false;
    std::string chunk(4096, 'f');
    off_t written = 0;
    while (::write(fd, chunk.data(), chunk.size()) == static_cast<ssize_t>(chunk.size()))
      written += static_cast<off_t>(chunk.size());
    bool ok = errno == ENOSPC && written > room && ::ftruncate(fd, written - room) == 0;
    ::close(fd);
    return ok;
  }
  static off_t sizeOf(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 ? st.st_size : -1;
  }

  TempDir dir;
  std::string disk_;
  bool mounted_ = false;
  int n_ = 0;
};

}  // namespace fail::test
