// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// A second connection that holds a SQLite database's write lock, so that faild's history
// writer cannot write it (SQLite gives up after its busy timeout, and the writer retries)
// until the lock is let go: a database that cannot be written, without a full disk.
#pragma once

#include <sqlite3.h>

#include <string>

namespace fail::test {

class SqliteWriteLock {
 public:
  explicit SqliteWriteLock(const std::string& path) {
    sqlite3_open(path.c_str(), &db_);
    locked_ = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  ~SqliteWriteLock() {
    release();
    sqlite3_close(db_);
  }
  SqliteWriteLock(const SqliteWriteLock&) = delete;
  SqliteWriteLock& operator=(const SqliteWriteLock&) = delete;
  bool locked() const { return locked_; }
  void release() {
    if (locked_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    locked_ = false;
  }

 private:
  sqlite3* db_ = nullptr;
  bool locked_ = false;
};

}  // namespace fail::test
