// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The front-end's log facility, "dns" (`failsh -d dns`, faildebug). Thread-safe.
#pragma once

#include "base/log.hh"

namespace fail::dns {

inline log::Facility& logFacility() {
  static log::Facility& f = log::facility("dns");
  return f;
}

}  // namespace fail::dns
