// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// A channel's rate limit and de-duplication (`-rate N/PERIOD`, failover(n)
// "NOTIFICATIONS"): at most N messages per window; what is over is held back as a count
// and at most 50 record names, and at the window's end one Digest tells them. Pure logic
// on the loop (one wheel timer per channel), no I/O: the center queues what admit() lets
// through and what the flush callback is given.
//
// A window opens with the first message a channel is offered while none is open and
// lasts PERIOD; the next message after it opens the next. Within a window a message of
// the same record, kind and state as one already offered is a Duplicate: dropped and
// counted (two rules telling one channel the same thing, a record flapping faster than
// the window). Messages without a record (fail::notify send) are never duplicates.
//
// Memory is bounded whatever arrives: per channel at most 50 names and kMaxKeys hashes of
// what was offered in the window; past that, duplicates are no longer recognised (they
// count as held), which only a storm of more distinct records than that can cause.
// Loop thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ev/loop.hh"
#include "notify/message.hh"
#include "proto/values.hh"

namespace fail::notify {

// -rate N/PERIOD: "20/1m", "100/1h", "5/30s" (PERIOD as base/time's parseDurationMs).
// N 0: no limit (and no de-duplication).
struct Rate {
  unsigned max = 20;
  std::chrono::milliseconds per{60'000};
  bool operator==(const Rate&) const = default;
};
// nullopt with *err naming the text and what is wrong with it.
std::optional<Rate> parseRate(std::string_view text, std::string* err);
std::string formatRate(const Rate& r);  // "20/1m"

enum class Admit { Send, Held, Duplicate };

class Limiter {
 public:
  static constexpr size_t kMaxNames = 50;
  static constexpr size_t kMaxKeys = 65'536;

  struct Digest {
    std::string channel;
    std::uint64_t count = 0;           // messages held back in the window
    std::vector<std::string> records;  // the first kMaxNames distinct records among them
  };
  Limiter(ev::Loop& loop, std::function<void(const Digest&)> flush);
  ~Limiter();
  Limiter(const Limiter&) = delete;
  Limiter& operator=(const Limiter&) = delete;

  // (Re)configures a channel; a window already open keeps its end and its counts.
  void configure(const std::string& channel, unsigned max, std::chrono::milliseconds per);
  void configure(const std::string& channel, const Rate& r) { configure(channel, r.max, r.per); }
  // Forgets a channel, dropping what its window held (the channel is gone).
  void remove(const std::string& channel);
  // A message for `channel` about `record` (may be ""): send it, or not. A channel that
  // was never configured has no limit.
  Admit admit(const std::string& channel, const std::string& record, Kind kind,
              proto::State state);

  struct Counts {
    std::uint64_t sent = 0, held = 0, duplicates = 0, digests = 0;
  };
  Counts counts(const std::string& channel) const;

 private:
  struct Channel;
  static void onWindowEnd(void* arg);
  void windowEnd(Channel& c);

  ev::Loop& loop_;
  std::function<void(const Digest&)> flush_;
  std::unordered_map<std::string, std::unique_ptr<Channel>> channels_;
};

// A Digest's `records` field (template.hh): "a, b, c" and, when it held more than it
// names, " and N more".
std::string digestRecords(const Limiter::Digest& d);

}  // namespace fail::notify
