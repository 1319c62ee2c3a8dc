// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// faild's check of its history database in -t: that the user it runs as can open or
// create the database and write it, as state/preflight checks the state file.
#pragma once

#include <string>

namespace fail::history {

// Checks, with the calling process's privileges, that the history database can be kept
// at `path`: its directory exists and files can be created there (SQLite makes PATH-wal
// and PATH-shm beside the database as it writes), and each of PATH, PATH-wal and PATH-shm
// that exists can be read and written. `who` names the user in the message. Returns ""
// when all is well, otherwise one sentence saying what is wrong and what to do
// (--history-db FILE, --no-history-db, chown). Changes nothing it finds (its probe file
// is removed).
std::string checkDb(const std::string& path, const std::string& who);

}  // namespace fail::history
