// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Watcher::backfill's short-lived connection: WATCH NAME since=0 (then since= the base
// of the server's history, which its ERR GONE names), the changes of that one record
// read up to SYNCED, handed over once, and the connection closed. Every failure (down,
// refused, GONE again, no answer in time) hands over what was read, quietly.
#pragma once

#include <event2/event.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "client/transport.hh"
#include "ev/ev.hh"
#include "mon/model.hh"

namespace fail::mon {

class Backfill {
 public:
  using DoneFn = std::function<void(std::vector<Change>)>;
  // `timeout` bounds the whole exchange. `done` runs once, from a loop callback.
  Backfill(event_base* base, client::LinkSpec spec, std::chrono::milliseconds timeout, std::string name,
           DoneFn done);
  ~Backfill();
  Backfill(const Backfill&) = delete;
  Backfill& operator=(const Backfill&) = delete;

  void start();
  bool done() const { return finished_; }

 private:
  void onReady();
  void onLine(const std::string& line);
  void finish();
  void sendWatch(std::uint64_t since);

  std::string name_;
  DoneFn done_;
  std::chrono::milliseconds timeout_;
  std::vector<Change> changes_;
  bool finished_ = false, streaming_ = false, retried_ = false;
  ev::Timer deadline_;
  std::unique_ptr<client::Transport> transport_;  // null when it could not be made
};

// The serial after which the server still holds every change, from ERR GONE's message
// ("… (history from N to M) …"); 0 when it names none.
std::uint64_t historyStart(const std::string& goneMessage);

}  // namespace fail::mon
