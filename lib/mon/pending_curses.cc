// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// PLACEHOLDER until mon-curses's curses.cc lands (then this file and its line in
// lib/mon/Makefile.inc go).
#include <iostream>

#include "mon/curses.hh"

namespace fail::mon {

int runCurses(event_base*, Model&, Watcher&, int) {
  std::cerr << "failmon: the curses interface is not built yet; use -l or -1\n";
  return 1;
}

}  // namespace fail::mon
