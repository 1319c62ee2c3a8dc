// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// GET /v1/events: every published change as a server-sent event (doc/http-api.md,
// "Events"), `id: SERIAL`, `event: change`, `data: {"record":…,"deleted":false}`.
// A client that reconnects with `Last-Event-ID: SERIAL` (or ?since=SERIAL) first gets the
// changes after SERIAL that the Store still holds, as WATCH since= does, in slices as it
// reads them; when they are no longer held, `event: relist` tells it to fetch
// /v1/records again. A comment line every 15 s keeps proxies and dead peers honest. A
// stream that falls ServerConfig::streamBuffer behind is cut off by the http::Server.
//
// Loop thread only.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>

#include "access/access.hh"
#include "ev/ev.hh"
#include "ev/loop.hh"
#include "http/server.hh"
#include "state/store.hh"

namespace fail::api {

struct EventCounters {
  std::uint64_t opened = 0, events = 0, relists = 0;
};

class EventStreams : public state::ChangeListener {
 public:
  EventStreams(ev::Loop& loop, state::Store& store, Micros keepaliveEvery = 15'000'000);
  ~EventStreams() override;
  EventStreams(const EventStreams&) = delete;
  EventStreams& operator=(const EventStreams&) = delete;

  // Starts a stream on `ex` of the changes to names matching `pattern` that `grant` may
  // read, after `since` when given.
  void open(const std::shared_ptr<http::Exchange>& ex, std::string pattern, access::Grant grant,
            std::optional<std::uint64_t> since);
  size_t size() const { return streams_.size(); }
  const EventCounters& counters() const { return counters_; }

  void onPublished(const state::Published& p) override;

  // The event text of a published change (for tests and the fuzz target).
  static std::string eventText(const state::Published& p);

 private:
  struct Stream;
  using Iter = std::list<std::shared_ptr<Stream>>::iterator;
  struct Stream {
    std::weak_ptr<http::Exchange> ex;
    std::string pattern;
    access::Grant grant;
    bool catchingUp = false;
    std::uint64_t cursor = 0;  // catching up: the last serial looked at
    Iter at;                   // its place in streams_
  };
  bool wanted(const Stream& s, std::string_view name) const;
  // Sends the next slice of a catching-up stream; false when the stream is over.
  bool catchUp(Stream& s);
  void pump();       // the catching-up streams whose client read their last slice
  void keepalive();  // a comment line on every stream
  void drop(Iter it);

  ev::Loop& loop_;
  state::Store& store_;
  std::list<std::shared_ptr<Stream>> streams_;
  // Closing callbacks run from the loop after a close, perhaps once this is gone.
  std::shared_ptr<EventStreams*> self_;
  size_t catching_ = 0;  // streams catching up
  ev::Timer pumpTimer_, keepaliveTimer_;
  Micros keepaliveEvery_;
  EventCounters counters_;
};

}  // namespace fail::api
