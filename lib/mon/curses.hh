// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failmon's curses interface (-c, the default): screens built by view.hh from the Model,
// drawn with ncurses, keys read from the terminal on the same loop as the Watcher.
#pragma once

#include <event2/event.h>

#include "mon/model.hh"
#include "mon/target.hh"

namespace fail::mon {

// Runs until q (returns 0) or a fatal terminal error (returns 1, message on stderr).
// Redraws when the model's generation moved, on a key, on a resize, and once a second
// (the ages tick), never more often than every `minFrameMs`. runCurses installs the
// watcher's onUpdate (the caller starts and stops the watcher) and runs `base`'s loop
// itself until it returns. SIGINT and SIGTERM end it like q (returns 0), with
// the terminal restored. With the debug facility "screen" at debug level it logs one
// line per frame: "frame build_us=N draw_us=N generation=N size=WxH rows=N" (rows: those
// drawn again, the others being as they were).
int runCurses(event_base* base, Model& model, Watcher& watcher, int minFrameMs = 16);

}  // namespace fail::mon
