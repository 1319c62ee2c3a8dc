// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failc watch: the WATCH stream (doc/protocol.md, "WATCH") read, and printed as one
// line per event, text or JSON.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <string_view>

#include "base/time.hh"
#include "client/connection.hh"
#include "client/options.hh"
#include "state/record.hh"

namespace fail::client {

// Turns events into output lines, remembering each record's state so a change can show
// where it came from.
//
// Text: "TIME SERIAL NAME STATE [NOTE]" for a listed record, "TIME SERIAL NAME OLD->NEW
// [NOTE]" for a change and "TIME SERIAL NAME OLD->deleted" for a deletion; TIME is local
// (YYYY-MM-DD HH:MM:SS), NOTE in double quotes, OLD is "?" when unknown (after
// --since) and "none" when the record did not exist. SYNCED prints nothing in text.
// JSON: {"event":"record","record":{…}}, {"event":"synced","serial":N},
// {"event":"change","serial":N,"old_state":"UP"|null,"record":{…}},
// {"event":"delete","serial":N,"name":…,"time":T,"old_state":…}.
class WatchPrinter {
 public:
  explicit WatchPrinter(bool json) : json_(json) {}
  // A plain WATCH begins (again): states are learnt from the listing that follows.
  void startListing();
  // A WATCH since=SERIAL begins: what is already known stays known.
  void startResuming();
  // The line to print for `ev`, without LF; empty when nothing is printed.
  std::string format(const WatchEvent& ev);

 private:
  std::string oldState(const std::string& name) const;

  bool json_;
  bool listing_ = false;  // a plain WATCH whose listing is complete: unknown means new
  bool synced_ = false;
  std::map<std::string, state::State> known_;
};

// failc watch [PATTERN] [--since SERIAL] [--reconnect]: streams until interrupted
// (exit 0) or the connection is lost (exit 4, unless --reconnect). ERR GONE after
// --since is reported on stderr and answered with a plain WATCH.
int runWatch(const ParsedArgs& args, std::ostream& out, std::ostream& err);

}  // namespace fail::client
