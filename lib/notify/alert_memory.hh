// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// What each (rule, record) last alerted: kept by the durable queue (notify/queue.hh), so
// that a restart of failsh neither repeats an alert already sent nor forgets to say that
// the record recovered.
#pragma once

#include <optional>
#include <string>

#include "base/time.hh"
#include "proto/values.hh"

namespace fail::notify {

struct Alerted {
  proto::State state = proto::State::Fail;  // the state the alert was about
  Micros at = 0;                            // when the record entered it (wall clock)
  Micros lastSent = 0;                      // the last Alert or Repeat (wall clock)
};

class AlertMemory {
 public:
  virtual ~AlertMemory() = default;
  virtual std::optional<Alerted> recall(const std::string& rule, const std::string& record) = 0;
  virtual void remember(const std::string& rule, const std::string& record, const Alerted& a) = 0;
  virtual void forget(const std::string& rule, const std::string& record) = 0;
};

}  // namespace fail::notify
