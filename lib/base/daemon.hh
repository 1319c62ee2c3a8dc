// What every daemon of the suite does the same way: systemd notification, pid file,
// detaching, dropping privileges. See DESIGN.md, "Options every daemon shares".
#pragma once

#include <string>

namespace fail::daemon {

// Sends one datagram of "KEY=VALUE\n..." to $NOTIFY_SOCKET (sd_notify(3) protocol; a
// leading '@' names an abstract socket). Returns false if there is no socket or the
// send failed; never throws.
bool notify(const std::string& message);

// Forks into the background: setsid, chdir("/"), stdin/stdout/stderr to /dev/null.
// Returns in the child only. Throws std::runtime_error on failure.
void detach();

// Writes the current pid to `path` (created 0644, replaced atomically). Throws.
void writePidFile(const std::string& path);

// Switches to `user` (and its primary group, with its supplementary groups).
// Throws std::runtime_error naming the user when that fails.
void dropPrivileges(const std::string& user);

}  // namespace fail::daemon
