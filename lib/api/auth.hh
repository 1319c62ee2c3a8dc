// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Who an HTTP client of faild is (doc/http-api.md, "Access"): the same rules as the
// protocol's AUTH. Without an access file every client has full access (faild serves
// HTTP on loopback only then). With one, a request carries `Authorization: Bearer
// SECRET` (checked with AccessFile::authenticate), or comes over TLS with a verified
// client certificate named in the file; a secret on plain HTTP from a peer that is not
// on loopback is refused unread unless --insecure-auth. Wrong secrets go through the
// protocol server's AuthThrottle, shared, so HTTP and the protocol together guess no
// faster than one of them.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <optional>

#include "access/access.hh"
#include "ev/ev.hh"
#include "ev/loop.hh"
#include "http/server.hh"
#include "server/server.hh"

namespace fail::api {

struct AuthCounters {
  std::uint64_t wrongSecrets = 0, throttled = 0, refusedInClear = 0;
};

class Auth {
 public:
  Auth(ev::Loop& loop, server::Server& proto) : loop_(loop), proto_(proto) {}
  Auth(const Auth&) = delete;
  Auth& operator=(const Auth&) = delete;

  // The grant of `r`'s client, or the error to answer (401, 403, 429): given to `done`
  // at once, or once a throttled check's turn came; never once `owner` expired.
  using Done = std::function<void(std::optional<access::Grant> grant, http::Response error)>;
  void check(const http::Request& r, std::weak_ptr<void> owner, Done done);

  const AuthCounters& counters() const { return counters_; }

 private:
  // Runs `fn` after `delay` (microseconds) from the loop.
  void after(Micros delay, std::function<void()> fn);
  ev::Loop& loop_;
  server::Server& proto_;
  std::list<std::unique_ptr<ev::Timer>> timers_;
  AuthCounters counters_;
};

}  // namespace fail::api
