// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// History on the line protocol (doc/protocol.md, "HISTORY and REPORT"): a change and an
// availability row as one word holding a Tcl dict, written by faild and read by failc.
//   change: serial N name NAME state STATE prev STATE since TIME origin TEXT note TEXT
//           attrs DICT
//   row:    name NAME up US recover US down US unknown US absent US outages N
//           longest US recoveries N recovering US      (US: microseconds)
// Readers ignore keys they do not know, so that later servers may add some.
#pragma once

#include <string>
#include <string_view>

#include "history/availability.hh"
#include "history/change.hh"

namespace fail::history {

// Appends the change (or the row) as one list element to `line`.
void appendChange(std::string& line, const Change& c);
void appendAvailability(std::string& line, std::string_view name, const Availability& a);

// Reads one word written by the above; false with a message naming the field at fault.
bool decodeChange(std::string_view word, Change& out, std::string* err);
bool decodeAvailability(std::string_view word, std::string& name, Availability& out,
                        std::string* err);

}  // namespace fail::history
