// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failsh's notifications (failover(n), "NOTIFICATIONS"): the types every part shares.
// A Message is what the rules (or fail::notify send) decided to tell one channel,
// rendered with the channel's templates; it is stored in the durable queue before any
// attempt, and a channel's Sender delivers it, reporting an Outcome.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/time.hh"

namespace fail::notify {

// A template field's name and its text (notify/template.hh lists the names).
using Fields = std::map<std::string, std::string>;

// Why a message exists: a record entered a state (Alert), is still in it (Repeat), left
// it (Resolved); what the rate limit held back (Digest); a policy's own (Send).
enum class Kind { Alert, Repeat, Resolved, Digest, Send };
const char* kindName(Kind k);  // "alert", "repeat", "resolved", "digest", "send"
std::optional<Kind> parseKind(std::string_view text);

struct Message {
  std::int64_t id = 0;     // the queue's row; 0 before Queue::add
  std::string key;         // unique and stable across retries and restarts (Queue::add makes it
                           // when empty): the webhook's Idempotency-Key, the mail's Message-ID
  std::string channel;
  Kind kind = Kind::Send;
  std::string record;      // the record it is about; "" for Send and Digest
  std::string subject, body;  // rendered with the channel's templates before queuing
  Fields fields;           // what they were rendered from (exec's environment)
  Micros created = 0;      // wall clock
  int attempts = 0;        // made so far
  Micros nextAttempt = 0;  // wall clock; not before
  std::string lastError;   // the last attempt's Outcome::detail
};

// How one delivery attempt ended.
struct Outcome {
  // Retry: worth trying again later (a server down, a timeout, HTTP 5xx/408/429, SMTP 4xx);
  // Failed: never (SMTP 5xx, another HTTP 4xx, a redirect, an unreadable secret).
  enum class End { Sent, Retry, Failed } end = End::Retry;
  std::string detail;  // "HTTP 503 from hooks.example.com:443", "SMTP 550 ...": never a secret
  std::chrono::milliseconds took{0};
};

// A channel's transport (notify/senders.hh makes one from a ChannelSpec). Loop thread
// only.
class Sender {
 public:
  virtual ~Sender() = default;
  // Starts delivering `m`; `done` runs on the loop later (never from inside send()),
  // exactly once, unless the Sender is destroyed first: then never.
  virtual void send(const Message& m, std::function<void(Outcome)> done) = 0;
  // How many sends may be out at once (the dispatcher keeps to it).
  virtual size_t parallel() const = 0;
};

}  // namespace fail::notify
