// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Queries for names outside our zones, handed by the UDP threads to the control thread,
// which forwards them (dns/forward.hh). Bounded: push() fails when full and the caller
// counts the drop. The control thread's loop watches fd(), which becomes readable when
// the queue turns non-empty (an eventfd, written once per batch, not once per query).
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "base/unique_fd.hh"

namespace fail::dns {

struct ForwardJob {
  std::vector<std::uint8_t> query;
  sockaddr_storage client{};
  socklen_t clientLen = 0;
  std::shared_ptr<UniqueFd> socket;  // the UDP socket the query came in on: the answer leaves by it
};

class ForwardQueue {
 public:
  explicit ForwardQueue(std::size_t capacity = 1024);  // throws when no eventfd can be made
  // Any thread. False when full (nothing queued).
  bool push(ForwardJob&& job);
  // The control thread, when fd() is readable: everything queued, in order.
  std::vector<ForwardJob> drain();
  int fd() const { return fd_.get(); }

 private:
  std::mutex mu_;
  std::vector<ForwardJob> jobs_;
  std::size_t capacity_;
  UniqueFd fd_;
};

}  // namespace fail::dns
