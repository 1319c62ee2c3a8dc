// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// What an errno seen on a probe's socket means for a check: the target's fault, a
// timeout, or ours.
#pragma once

#include <string>

#include "check/probe.hh"

namespace fail::check {

// What an errno seen on a probe's socket means. Failures of the target (refused, reset,
// unreachable) are Unreachable with stable words; ETIMEDOUT is Timeout; our own
// resources (EMFILE, ENOBUFS, EADDRNOTAVAIL for lack of ports, EPERM from a local
// firewall, ...) are LocalError, whose note is strerror's text prefixed with `what`
// ("socket: Too many open files").
struct Classified {
  Outcome outcome;
  std::string note;
};
Classified classifyErrno(int err, const char* what = "socket");

}  // namespace fail::check
