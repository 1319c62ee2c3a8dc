// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// What one target's link events mean to the Model (doc/protocol.md, "WATCH"): the pure
// half of mon::Watcher, so it is tested without a server. Times come in as arguments.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "base/time.hh"
#include "client/reply.hh"
#include "mon/model.hh"

namespace fail::mon {

class Feed {
 public:
  Feed(Model& model, std::size_t index) : model_(model), i_(index) {}

  // The greeting passed and WATCH was sent: `resuming` when with since= (the link had a
  // serial), else a plain WATCH whose listing follows. The target shows as reachable
  // only from the first answer to that WATCH (a stream line, or ERR GONE): one that greets
  // and then stalls, refuses WATCH or sends garbage stays unreachable since it first was.
  void up(std::string_view program, std::string_view version, bool resuming, Micros now);
  // WATCH since= was answered ERR GONE: the target no longer holds what failmon saw (it
  // restarted, or a faild ran with --memory); the plain WATCH's listing follows.
  void gone(Micros now);
  // One stream line (RECORD, CHANGE, DELETE, SYNCED; PING/PONG/ERR are the link's).
  // SYNCED with a serial below the one failmon knew means the target restarted.
  void event(const client::WatchEvent& e, Micros now);
  // The connection ended or could not be made.
  void down(std::string why, Micros now);

  // The current connection's stream reached SYNCED.
  bool synced() const { return model_.at(i_).synced; }

 private:
  struct Greeting {
    std::string program, version;
    bool resuming = false;
  };
  void streaming(Micros now);  // the WATCH was answered: apply the greeting

  Model& model_;
  std::size_t i_;
  std::optional<Greeting> greeted_;  // up() seen, no answer to WATCH yet
};

}  // namespace fail::mon
