// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The history tests' sample change: every field set, the note naming its serial.
#pragma once

#include <cstdint>
#include <string>

#include "history/db.hh"

namespace fail::history::test {

inline Change change(std::uint64_t serial, const std::string& name, const std::string& state, Micros since) {
  Change c;
  c.serial = serial;
  c.name = name;
  c.state = state;
  c.note = "note " + std::to_string(serial);
  c.origin = "hc@fra";
  c.since = since;
  c.attrs = "latency 12ms";
  return c;
}

}  // namespace fail::history::test
