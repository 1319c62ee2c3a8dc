// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failmon's connections: one client::Link per target in watch mode (WATCH * with
// since= the last serial after a reconnect, so no change is missed), feeding a Model;
// reconnects with backoff and notes a target that restarted. Also the one-shot
// collection used by -1, -h, --json and the CGI programs.
#pragma once

#include <event2/event.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "client/transport.hh"
#include "mon/model.hh"

namespace fail::mon {

struct TargetSpec {
  std::string name;       // for people: "beta", "127.0.0.1:1848"
  client::LinkSpec link;  // where and how to connect (secret, TLS)
};

struct WatcherOptions {
  std::string pattern = "*";
  std::chrono::milliseconds connectTimeout{2000};
  std::chrono::milliseconds minBackoff{200}, maxBackoff{5000};
};

// Watches every target on `base`'s loop and keeps `model` up to date (target i of the
// specs is target i of the model). `onUpdate` runs after the model changed (once per
// batch of lines read, not once per line).
class Watcher {
 public:
  Watcher(event_base* base, Model& model, std::vector<TargetSpec> targets, WatcherOptions opts = {});
  ~Watcher();
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  void start();
  void stop();
  void onUpdate(std::function<void()> fn);

  // Asks target i for the changes of record `name` that it still holds (WATCH name
  // since=…), to fill in the strip of recent changes of a record failmon has only just
  // seen; the answer lands in the model's Entry::recent, then onUpdate runs.
  void backfill(std::size_t i, const std::string& name);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Connects to every target at once and returns once each has listed its records (or
// failed, or `deadline` passed: such a target is Down with the reason). For -1, -h,
// --json and the CGI programs.
Model collect(const std::vector<TargetSpec>& targets, std::chrono::milliseconds deadline,
              const std::string& pattern = "*");

}  // namespace fail::mon
