// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "server/auth_throttle.hh"

#include <algorithm>

namespace fail::server {

Micros AuthThrottle::delay(unsigned failures) const {
  if (failures == 0) return 0;
  Micros d = opts_.baseDelay;
  for (unsigned i = 1; i < failures && d < opts_.maxDelay; ++i) d *= 2;
  return std::min(d, opts_.maxDelay);
}

std::optional<Micros> AuthThrottle::turn(const std::string& addr, Micros now) {
  auto it = addrs_.find(addr);
  if (it == addrs_.end()) return now;
  Entry& e = it->second;
  if (now - e.lastFailure > opts_.forget && e.next <= now) {
    addrs_.erase(it);
    return now;
  }
  if (e.next <= now) e.queued = 0;  // every turn handed out is due
  Micros t = std::max(now, e.next);
  if (t - now > opts_.maxWait) return std::nullopt;
  ++e.queued;
  e.next = t + delay(e.failures + e.queued);
  return t;
}

Micros AuthThrottle::failed(const std::string& addr, Micros now) {
  auto it = addrs_.find(addr);
  if (it == addrs_.end()) {
    if (addrs_.size() >= opts_.maxAddresses) {
      expire(now);
      if (addrs_.size() >= opts_.maxAddresses) {
        auto oldest = std::min_element(addrs_.begin(), addrs_.end(), [](const auto& a, const auto& b) {
          return a.second.lastFailure < b.second.lastFailure;
        });
        addrs_.erase(oldest);
      }
    }
    it = addrs_.emplace(addr, Entry{}).first;
  }
  Entry& e = it->second;
  ++e.failures;
  e.lastFailure = now;
  Micros d = delay(e.failures);
  e.next = std::max(e.next, now + d);
  return now + d;
}

void AuthThrottle::expire(Micros now) {
  for (auto it = addrs_.begin(); it != addrs_.end();) {
    if (now - it->second.lastFailure > opts_.forget && it->second.next <= now)
      it = addrs_.erase(it);
    else
      ++it;
  }
}

}  // namespace fail::server
