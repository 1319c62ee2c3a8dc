// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "check/probe.hh"

namespace fail::check {

const char* outcomeName(Outcome o) {
  switch (o) {
    case Outcome::Ok: return "ok";
    case Outcome::Fail: return "fail";
    case Outcome::Unreachable: return "unreachable";
    case Outcome::Timeout: return "timeout";
    case Outcome::LocalError: return "local error";
  }
  return "?";
}

}  // namespace fail::check
