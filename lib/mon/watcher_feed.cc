// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "mon/watcher_feed.hh"

#include <utility>

namespace fail::mon {

void Feed::up(std::string_view program, std::string_view version, bool resuming, Micros) {
  greeted_ = Greeting{std::string(program), std::string(version), resuming};
}

void Feed::streaming(Micros now) {
  if (!greeted_) return;
  model_.connected(i_, greeted_->program, greeted_->version, now);
  if (greeted_->resuming)
    model_.resuming(i_);
  else
    model_.listing(i_);
  greeted_.reset();
}

void Feed::gone(Micros now) {
  streaming(now);
  model_.restarted(i_, now);
  model_.listing(i_);
}

void Feed::event(const client::WatchEvent& e, Micros now) {
  using K = client::WatchEvent::Kind;
  if (e.kind == K::Ping || e.kind == K::Pong || e.kind == K::Error) return;
  streaming(now);
  switch (e.kind) {
    case K::Record:
      return model_.record(i_, e.record);
    case K::Change:
      return model_.change(i_, e.serial, e.record);
    case K::Delete:
      return model_.erase(i_, e.serial, e.name, e.time);
    case K::Synced:
      // A listing that ends below the serial failmon knew: the serials went back.
      if (e.serial < model_.at(i_).serial) model_.restarted(i_, now);
      return model_.synced(i_, e.serial, now);
    case K::Ping:
    case K::Pong:
    case K::Error:
      return;
  }
}

void Feed::down(std::string why, Micros now) {
  greeted_.reset();
  model_.down(i_, std::move(why), now);
}

}  // namespace fail::mon
