// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// What the process's DNS update client has sent (fail::dns update), for failsh's
// /metrics. Apart from dns_update.hh because dns/update_msg.hh and dns/answer.hh (the
// front-end's) cannot be included together.
#pragma once

#include <event2/event.h>

#include <cstdint>

namespace fail::shell {

struct UpdateCounts {
  std::uint64_t sent = 0;     // messages put on the wire (every attempt, UDP and TCP)
  std::uint64_t updates = 0;  // UPDATE exchanges started
  std::uint64_t queries = 0;  // query exchanges started (the SOA after an update)
};

// The counts of the update client on `base` (zeros before the first update). Call from
// the loop's thread. Defined in dns_update.cc.
UpdateCounts updateCounts(event_base* base);

}  // namespace fail::shell
