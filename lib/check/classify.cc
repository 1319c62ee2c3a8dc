// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "check/classify.hh"

#include <errno.h>
#include <string.h>

namespace fail::check {

Classified classifyErrno(int err, const char* what) {
  switch (err) {
    case ECONNREFUSED: return {Outcome::Unreachable, "connection refused"};
    case ECONNRESET:
    case EPIPE: return {Outcome::Unreachable, "connection reset"};
    case ECONNABORTED: return {Outcome::Unreachable, "connection aborted"};
    case EHOSTUNREACH:
    case ENONET: return {Outcome::Unreachable, "no route to host"};
    case ENETUNREACH: return {Outcome::Unreachable, "network unreachable"};
    case EHOSTDOWN: return {Outcome::Unreachable, "host down"};
    case ENETDOWN: return {Outcome::Unreachable, "network down"};
    case ETIMEDOUT: return {Outcome::Timeout, "timeout"};
    default: {
      std::string note = what ? what : "socket";
      note += ": ";
      note += strerror(err);
      return {Outcome::LocalError, std::move(note)};
    }
  }
}

}  // namespace fail::check
