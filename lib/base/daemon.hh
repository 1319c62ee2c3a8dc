// What every daemon of the suite does the same way: systemd notification, pid file,
// detaching, dropping privileges. See doc/design.md, "Options every daemon shares".
#pragma once

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
// MAINPID, and FAILD_LISTEN=`listening` (the addresses actually bound, space-separated).
bool notifyReady(const std::string& status, const std::string& listening);

// Forks into the background: setsid, chdir("/"), stdin/stdout/stderr to /dev/null.
// Returns in the child only. Throws std::runtime_error on failure.
void detach();

// Writes the current pid to `path` (created 0644, replaced atomically). Throws.
void writePidFile(const std::string& path);

// Raises the soft limit on open files to the hard one (the soft 1024 of systemd and
// login sessions exists for select(), which the suite does not use). Never throws; on
// failure the limit stays as it is.
void raiseFileLimit();

// Switches to `user` (and its primary group, with its supplementary groups).
// Throws std::runtime_error naming the user when that fails.
void dropPrivileges(const std::string& user);

}  // namespace fail::daemon
