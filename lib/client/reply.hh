// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Reading what a server of the line protocol (doc/protocol.md) sends back: a reply
// line, and a line of a WATCH stream. Shared by the blocking clients and the loop's Link;
// fuzzed by tests/fuzz/fuzz_reply.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.hh"
#include "state/record.hh"

namespace fail::client {

// One reply line, split. "OK a b" -> ok, words {a, b}; "ERR CODE some text" -> !ok,
// code "CODE", message "some text" (the remaining words joined by spaces).
struct Reply {
  bool ok = false;
  std::string code;
  std::string message;
  std::vector<std::string> words;
  std::string line;  // as received, without the line end
};

// False (with a message) when the line is not a list or starts with neither OK nor ERR.
bool parseReply(std::string_view line, Reply& out, std::string& err);

struct WatchEvent {
  enum class Kind { Record, Synced, Change, Delete, Pong, Ping, Error };
  Kind kind = Kind::Error;
  std::uint64_t serial = 0;  // Synced, Change, Delete
  state::Record record;      // Record, Change
  std::string name;          // Delete (and Record, Change: record.name)
  Micros time = 0;           // Delete
  Reply error;               // Error: an ERR line in the stream (SLOW, ...)
};

// Parses one stream line: "RECORD dict", "SYNCED serial", "CHANGE serial dict",
// "DELETE serial name time", "OK PONG" (answer to our PING), "PING", or "ERR …". False,
// with a message, for anything else: a client treats an unknown line as an error.
bool parseWatchLine(std::string_view line, WatchEvent& ev, std::string& err);

}  // namespace fail::client
