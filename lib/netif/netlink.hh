// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Internal to lib/netif: a NETLINK_ROUTE socket spoken by hand (no libmnl/libnl), just
// enough for acknowledged requests and dumps, and a builder for one request message.
#pragma once

#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/unique_fd.hh"

namespace fail::netif::detail {

// One request: the netlink header, a fixed family header, then attributes. Fields are
// copied in with memcpy, so the byte buffer needs no particular alignment.
class NlRequest {
 public:
  NlRequest(std::uint16_t type, std::uint16_t flags);
  // Appends the fixed header (ifaddrmsg and the like), padded to NLMSG_ALIGNTO.
  void header(const void* data, std::size_t len);
  // Appends one attribute (struct nlattr + payload), padded to NLA_ALIGNTO.
  void attr(std::uint16_t type, const void* data, std::size_t len);
  void setSeq(std::uint32_t seq);
  void addFlags(std::uint16_t flags);
  const std::uint8_t* data() const { return buf_.data(); }
  std::size_t size() const { return buf_.size(); }

 private:
  void pad(std::size_t align);
  void fixLength();
  std::vector<std::uint8_t> buf_;
};

// A rtnetlink socket in the calling thread's network namespace. Not thread-safe; one per
// operation is the intended use.
class Netlink {
 public:
  // Opens and binds the socket. Returns 0 or an errno.
  int open();

  // Sends `req` with NLM_F_ACK and waits (a few seconds at most) for the kernel's answer.
  // Returns 0 on success, else the errno the kernel (or the socket) reported; *detail
  // gets the kernel's extended-ack message when it sent one (e.g. "Invalid prefix
  // length"), else it is cleared.
  int transact(NlRequest& req, std::string* detail = nullptr);

  // Sends `req` as a dump request and calls `each` with every message of the answer
  // (never with NLMSG_DONE or NLMSG_ERROR). Returns 0 or an errno; a dump that a
  // concurrent change made inconsistent (NLM_F_DUMP_INTR) is returned as EAGAIN (after the
  // whole answer was read) so the caller can ask again.
  int dump(NlRequest& req, const std::function<void(const nlmsghdr&)>& each);

 private:
  int send(NlRequest& req);
  // Reads answers to `seq`, handing each message to `each`, until it sets *done or
  // returns an errno (which is returned), or the answer timeout passes (ETIMEDOUT).
  int receive(std::uint32_t seq, const std::function<int(const nlmsghdr&, bool* done)>& each);
  UniqueFd fd_;
  std::uint32_t seq_ = 0;
  std::uint32_t portId_ = 0;
};

// The attributes that follow a fixed header of `fixed` bytes in `msg`, as (type, payload,
// length) to `each`.
void forEachAttr(const nlmsghdr& msg, std::size_t fixed,
                 const std::function<void(std::uint16_t type, const void* data, std::size_t len)>& each);

}  // namespace fail::netif::detail
