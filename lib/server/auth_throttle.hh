// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Wrong secrets per client address (issue 10): once an address has given a wrong
// secret, every AUTH from it waits its turn. Turns are spaced by a delay that doubles
// with each failure and each AUTH already waiting (from `baseDelay` up to `maxDelay`),
// so many connections from one address guess no faster than one. A turn more than
// `maxWait` away is refused without looking at the secret. An address is forgotten
// `forget` after its last failure.
// Loop thread only; no I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>

#include "base/time.hh"

namespace fail::server {

class AuthThrottle {
 public:
  struct Options {
    Micros baseDelay = 200'000;
    Micros maxDelay = 5'000'000;
    Micros maxWait = 10'000'000;
    Micros forget = 60'000'000;
    size_t maxAddresses = 10000;  // beyond: the address quiet for longest is dropped
  };
  AuthThrottle() = default;
  explicit AuthThrottle(Options o) : opts_(o) {}

  // When an AUTH from `addr` received at `now` may be checked: `now` for an address
  // without recent failures, a later time otherwise (that turn is then taken), or
  // nullopt when its turn is more than maxWait away: refuse it unchecked.
  std::optional<Micros> turn(const std::string& addr, Micros now);
  // A secret from `addr` checked at `now` was wrong. Returns when to answer it.
  Micros failed(const std::string& addr, Micros now);
  // Drops addresses whose last failure is older than `forget`.
  void expire(Micros now);
  size_t size() const { return addrs_.size(); }
  // The spacing after `failures` failures.
  Micros delay(unsigned failures) const;

 private:
  struct Entry {
    unsigned failures = 0;
    unsigned queued = 0;     // turns handed out that were still ahead at the last turn()
    Micros next = 0;         // the next free turn
    Micros lastFailure = 0;
  };
  Options opts_;
  std::unordered_map<std::string, Entry> addrs_;
};

}  // namespace fail::server
