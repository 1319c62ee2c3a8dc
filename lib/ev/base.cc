// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "ev/base.hh"

#include <mutex>
#include <string>

#include "base/log.hh"

namespace fail::ev {
namespace {

log::Facility* gFacility = nullptr;  // set once, before libevent may call logged()

// libevent's log callback: must not call libevent; may run on any thread.
void logged(int severity, const char* msg) noexcept {
  log::Level level = log::Level::Debug;
  if (severity == EVENT_LOG_WARN) level = log::Level::Warning;
  else if (severity == EVENT_LOG_ERR) level = log::Level::Err;
  if (!log::enabled(*gFacility, level)) return;
  try {
    log::write(*gFacility, level, std::string("libevent: ") + (msg ? msg : ""));
  } catch (...) {
    // Nowhere left to report it: dropping one log line beats unwinding into libevent.
  }
}

}  // namespace

void routeLibeventLog() {
  static std::once_flag once;
  std::call_once(once, [] {
    gFacility = &log::facility("main");
    event_set_log_callback(logged);
  });
}

event_base* newBase() {
  routeLibeventLog();
  event_config* cfg = event_config_new();
  if (!cfg) return nullptr;
  event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER);
  event_base* base = event_base_new_with_config(cfg);
  event_config_free(cfg);
  return base;
}

}  // namespace fail::ev
