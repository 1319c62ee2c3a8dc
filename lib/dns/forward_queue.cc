// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/forward_queue.hh"

#include <sys/eventfd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace fail::dns {

ForwardQueue::ForwardQueue(std::size_t capacity) : capacity_(capacity), fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (!fd_) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
}

bool ForwardQueue::push(ForwardJob&& job) {
  bool wake;
  {
    std::lock_guard lock(mu_);
    if (jobs_.size() >= capacity_) return false;
    wake = jobs_.empty();
    jobs_.push_back(std::move(job));
  }
  if (wake) {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(fd_.get(), &one, sizeof one);
  }
  return true;
}

std::vector<ForwardJob> ForwardQueue::drain() {
  std::uint64_t v;
  [[maybe_unused]] auto n = ::read(fd_.get(), &v, sizeof v);
  std::lock_guard lock(mu_);
  return std::exchange(jobs_, {});
}

}  // namespace fail::dns
