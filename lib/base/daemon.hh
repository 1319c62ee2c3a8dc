// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// What every daemon of the suite does the same way: systemd notification, pid file,
// detaching, dropping privileges. See doc/design.md, "Options every daemon shares".
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace fail::daemon {

// Sends one datagram of "KEY=VALUE\n..." to $NOTIFY_SOCKET (sd_notify(3) protocol; a
// leading '@' names an abstract socket). Returns false if there is no socket or the
// send failed; never throws.
bool notify(const std::string& message);

// The words of `items` joined by single spaces ("127.0.0.1:1847 unix:/run/x.sock").
std::string joinSpaced(const std::vector<std::string>& items);

// Tells systemd (and the test harness) the daemon is ready: READY=1, STATUS=`status`,
// MAINPID, FAILD_LISTEN=`listening` (the addresses actually bound, space-separated) and,
// when not empty, FAIL_HTTP=`http` (the HTTP listeners as bound, the same way). Calls
// reportReady() too.
bool notifyReady(const std::string& status, const std::string& listening, const std::string& http = "");

// Forks into the background: setsid, chdir("/"), stdin/stdout/stderr to /dev/null.
// Returns in the daemon (a grandchild) only. The calling process stays until the daemon
// says how its start went, through a close-on-exec pipe written once: it exits 0 when the
// daemon called reportReady() (notifyReady() does), and prints "PROGRAM: MESSAGE" on
// stderr and exits 1 when the daemon called reportFailed() or ended without a word. So
// `--daemon` returns as nginx and systemd's Type=forking expect: after the pid file is
// written and the listeners are bound, or with the error. Throws std::runtime_error
// when a fork or the pipe fails.
void detach(const std::string& program);

// Tells the process waiting in detach() that the daemon is ready. Does nothing when the
// daemon did not detach, or after the first reportReady() or reportFailed().
void reportReady();

// Tells the process waiting in detach() that the start failed, and why (a sentence for
// people, without the program's name). True when there was a waiting process to tell.
bool reportFailed(const std::string& message);

// Writes the current pid to `path` (created 0644, replaced atomically). Throws.
void writePidFile(const std::string& path);

// Raises the soft limit on open files to the hard one (the soft 1024 of systemd and
// login sessions exists for select(), which the suite does not use). Never throws; on
// failure the limit stays as it is.
void raiseFileLimit();

// Switches to `user` (and its primary group, with its supplementary groups).
// Throws std::runtime_error naming the user when that fails.
void dropPrivileges(const std::string& user);

// A user's ids, looked up by name. Throws std::runtime_error ("-u NAME: no such user").
struct UserIds {
  unsigned uid = 0, gid = 0;  // gid: the primary group
};
UserIds lookUpUser(const std::string& user);

// A group's id from its name or number. Throws std::runtime_error ("no such group").
unsigned lookUpGroup(const std::string& group);

// The name of the user the process runs as ("root"), or "uid N" when it has none.
std::string currentUserName();

// Runs `check` in a child process switched to `user` (dropPrivileges) and returns what
// it returned; when the switch fails or `check` throws, the message. Nothing the child
// does reaches this process. For start-up checks "as the user the daemon will run as";
// call it before starting threads.
std::string runAs(const std::string& user, const std::function<std::string()>& check);

}  // namespace fail::daemon
