// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Requests of the line protocol (doc/protocol.md, "Requests and replies"): one table
// of commands drives parsing, argument checks and the reply to bad input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/time.hh"
#include "proto/values.hh"

namespace fail::proto {

// The error codes of doc/protocol.md, "Errors".
enum class Errc {
  Syntax, Unknown, Args, BadName, BadState, NotFound, NeedAuth, Denied,
  TooLong, Busy, Gone, Slow, Storage, Internal, Unavailable
};
const char* errcName(Errc code);

struct Error {
  Errc code = Errc::Internal;
  std::string message;
};
// "ERR CODE message" (no LF); the message is written as list words.
std::string formatError(const Error& e);

enum class Cmd { Hello, Auth, Ping, Quit, Get, List, Set, Del, Watch, Stats, Debug, History, Report };
const char* cmdName(Cmd cmd);

// HISTORY's and REPORT's since= and until=: a time, or a duration back from the time the
// server answers (doc/protocol.md, "HISTORY and REPORT").
struct TimeArg {
  bool ago = false;     // `value` is a duration before now, not a time
  Micros value = 0;     // microseconds
  // The time it stands for when the server answers at `now`.
  Micros at(Micros now) const { return ago ? now - value : value; }
  friend bool operator==(const TimeArg&, const TimeArg&) = default;
};
// The most changes a HISTORY reply holds (limit=), and how many it holds without limit=.
inline constexpr std::uint64_t kMaxHistoryLimit = 10'000;
inline constexpr std::uint64_t kDefaultHistoryLimit = 1'000;
// The window a REPORT without since= covers: the last 30 days.
inline constexpr Micros kDefaultReportWindow = 30LL * 86'400'000'000;
// The longest duration since= and until= take: 100 years.
inline constexpr std::int64_t kMaxAgoMs = 36'500LL * 86'400'000;
// A time as HISTORY, REPORT, failc and the HTTP API take it: microseconds since the epoch
// (digits only), @SECONDS, an ISO 8601 UTC time (base/time.hh parseIsoTime), or a
// duration with a unit back from now ("30d", "1h30m"; a leading '-' allowed), at most
// kMaxAgoMs. nullopt when it is none of these.
std::optional<TimeArg> parseTimeArg(std::string_view text);

// A parsed request. Which fields are set depends on cmd.
struct Request {
  Cmd cmd = Cmd::Ping;
  std::string name;     // GET SET DEL
  std::string pattern;  // LIST WATCH (default "*"), HISTORY REPORT
  State state = State::Unknown;                // SET
  std::int64_t ttlMs = 0;                      // SET: 0 none
  std::string note;                            // SET
  std::optional<Micros> at;                    // SET at=
  Attrs attrs;                                 // SET KEY=VALUE (empty value: remove)
  std::optional<std::uint64_t> since;          // WATCH since=
  std::string secret;                          // AUTH
  std::string client, version;                 // HELLO (client: validClientName or empty)
  std::string facility, level;                 // DEBUG (both empty: show)
  std::optional<TimeArg> from, until;          // HISTORY REPORT since= until=
  std::uint64_t limit = 0;                     // HISTORY limit= (0: not given)
};

// Parses one request line (no LF). Returns false and fills `err` on bad input; the
// message names the word at fault.
bool parseRequest(std::string_view line, Request& out, Error& err);

// One option of HISTORY or REPORT (r.cmd says which) as KEY and VALUE: since, until
// (a time in microseconds, or a duration with a unit back from now), and for HISTORY
// limit (1 to kMaxHistoryLimit), into r.from, r.until, r.limit; false with ERR ARGS
// naming it when unknown, given twice or malformed. parseRequest reads the options of
// the line with it; the HTTP API reads its query parameters with it.
bool parseHistoryOption(std::string_view key, std::string_view value, Request& r, Error& err);

// HELLO's CLIENT, the name a client gives itself (faild records it as the origin of
// the client's SETs when no access entry names the client): 1-64 bytes, each a printable
// ASCII character other than a space (doc/protocol.md).
inline constexpr size_t kMaxClientName = 64;
bool validClientName(std::string_view name);

// Limits a SET obeys (doc/protocol.md).
inline constexpr size_t kMaxAttrs = 32;
inline constexpr size_t kMaxNote = 4096;
inline constexpr size_t kMaxAttrValue = 1024;

}  // namespace fail::proto
