// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Forwarding a query for a name outside our zones to the upstream resolver (serve
// -forward), on the control thread's loop. Each query leaves from its own unconnected
// UDP socket on a port the kernel picks at random, with a fresh random ID (getrandom);
// a reply counts only when it comes from the upstream's address and port, with that ID
// and the same question (RFC 5452); anything else is dropped and the wait goes on. The
// client's ID is restored before `done` gets the reply. No reply within the timeout:
// `done` gets nothing (the caller answers SERVFAIL). At most maxPending in flight.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>

#include "ev/loop.hh"
#include "net/address.hh"

namespace fail::dns {

class Forwarder {
 public:
  // The reply (with the client's ID) or, on timeout, (nullptr, 0). Called from the loop.
  using Done = std::function<void(const std::uint8_t* reply, std::size_t size)>;

  Forwarder(ev::Loop& loop, net::Address upstream, std::chrono::milliseconds timeout = std::chrono::seconds(2),
            std::size_t maxPending = 512);
  ~Forwarder();  // drops what is in flight, without calling `done`
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;

  // False (and `done` is not called) when the query has no question, too many are in
  // flight, or it cannot be sent.
  bool forward(const std::uint8_t* query, std::size_t size, Done done);

  // Ends every query in flight as timed out (`done` with nothing): before the
  // forwarder is replaced, so that no client waits for an answer that cannot come.
  void cancelAll();

  std::size_t pending() const { return pending_.size(); }
  std::uint64_t timeouts() const { return timeouts_; }
  std::uint64_t mismatched() const { return mismatched_; }  // replies dropped
  const net::Address& upstream() const { return upstream_; }

 private:
  struct Query;
  void onReady(std::uint64_t key, bool timedOut);
  void finish(std::uint64_t key);

  ev::Loop& loop_;
  net::Address upstream_;
  std::chrono::milliseconds timeout_;
  std::size_t maxPending_;
  std::uint64_t next_ = 0, timeouts_ = 0, mismatched_ = 0;
  std::map<std::uint64_t, std::unique_ptr<Query>> pending_;
};

}  // namespace fail::dns
