// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Tcl's notifier on libevent (doc/design.md, "failsh"): Tcl drives,
// libevent waits. Tcl_DoOneEvent (vwait, after, update, the shell's main loop) asks the
// notifier to wait; the wait is one turn of this thread's event_base, so every libevent
// component on that base (faild links, listeners, probes, timers) runs inside it. Those
// callbacks never evaluate Tcl: they queue work with post(), which runs when Tcl services
// its event queue, outside event_base_loop, so a script may vwait again.
//
// File handlers behave as under Tcl's own (select-based) notifier: a descriptor the
// backend cannot wait for (a regular file, a directory, /dev/null: epoll refuses them
// with EPERM) is always ready for what its handler asks, and while such a handler
// exists a wait does not block. The loop's timers use libevent's precise clock and
// libevent's own messages go to the log (ev::newBase).
//
// install() must run before the first Tcl_FindExecutable/Tcl_CreateInterp of the process
// (Notifier(3): never replace a running notifier). Each thread that uses Tcl gets its own
// event_base, created by Tcl's InitNotifier; base() returns it.
#pragma once

#include <event2/event.h>
#include <tcl.h>

#include <functional>

namespace fail::tcl {

// Replaces Tcl's notifier with the libevent one. Idempotent; not thread-safe.
void install();
bool installed();

// The calling thread's event_base (null before Tcl initialised this thread's notifier).
event_base* base();

// Runs `fn` on this thread the next time Tcl services events (Tcl_QueueEvent, tail).
// Callable from libevent callbacks on the Tcl thread; an exception from `fn` is logged.
void post(std::function<void()> fn);

// The same from any thread to Tcl thread `thread` (Tcl_ThreadQueueEvent and
// Tcl_ThreadAlert); works with any notifier, Tcl's own included.
void postTo(Tcl_ThreadId thread, std::function<void()> fn);

// Counters for tests and dumps.
struct NotifierStats {
  unsigned long waits = 0, fileEvents = 0, posted = 0, alerts = 0;
};
NotifierStats stats();

}  // namespace fail::tcl
