// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The one way this project makes an event_base (doc/design.md, "Code layout and rules": one event loop per
// process, and every loop made alike).
#pragma once

#include <event2/event.h>

namespace fail::ev {

// A new event_base with libevent's precise monotonic clock
// (EVENT_BASE_FLAG_PRECISE_TIMER): with the default coarse clock (4 ms ticks on these
// machines) a 1 ms timer fired 3.3 ms late on median. Also routes libevent's own
// messages to the log (routeLibeventLog). Returns null when libevent cannot make one,
// like event_base_new. Free it with event_base_free. Any thread.
event_base* newBase();

// Sends libevent's own messages (a refused epoll_ctl, a broken backend) to the log,
// facility "main", prefixed "libevent: ", instead of raw stderr: debug and msg at
// debug, warn at warning, err at err. Idempotent; any thread, and libevent may then
// log from any thread (log::write is thread-safe). newBase calls it.
void routeLibeventLog();

}  // namespace fail::ev
